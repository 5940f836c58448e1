//! A cadre's roster (1+100): the youths assigned to them, their contact status and profiles.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
