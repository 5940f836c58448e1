//! The policy (the numbers of the work plan) and the work calendar (public holidays and adjusted
//! working days), kept by admins. A change applies at once everywhere: the compliance engine
//! reads both on every computation.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
