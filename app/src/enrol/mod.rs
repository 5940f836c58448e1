//! New friends (新朋友): the cadre's queue of youths who signed in at an activity from a phone not
//! on the roster, or asked through the cadre's enrolment link (`/j/<token>`), and that link.
//! Accepting puts the youth on the roster with the consent they gave, the notice version they
//! saw and when; a youth under 14 needs a guardian's consent first.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
