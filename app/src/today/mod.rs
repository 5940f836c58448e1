//! The start page of a cadre: what is due this week, this quarter, this month.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
