//! Exemptions (请假/出差/培训): a cadre asks for a date range, a supervisor approves or declines.
//! Approved weeks count as exempt for 4+1; a month spent entirely away owes no study hours.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
