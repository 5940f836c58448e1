//! Accounts (团干部, supervisors, admins) and cadres' paired organisations (联系点).

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
