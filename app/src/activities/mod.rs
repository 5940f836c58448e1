//! `/activities` (活动): a cadre's events with their attendees. Each attendee is one offline
//! contact (channel 活动, the activity as topic), written once per youth and activity whether it
//! was ticked from the roster or came in by the youth's own sign-in (`/a/<code>`, see `public`).

pub mod api;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod service;
