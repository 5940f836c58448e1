//! Reminders: decided from the compliance engine when they fall due, made exactly once per user,
//! kind and period, kept in the inbox, mailed at most once a morning, and shown as events in a
//! personal calendar feed. Supervisors press remind; admins watch the scheduler's health.
//!
//! - [`rules`]: when each reminder falls due and when mail may go (pure, unit-tested).
//! - `scheduler` (server only): the tick (make, compose, send). `service`: the inbox, remind,
//!   health, settings. `feed`: the iCalendar feed. `text`: what
//!   they say.

pub mod api;
#[cfg(feature = "ssr")]
pub mod feed;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod scheduler;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod text;
