//! Contacts with youths (联系记录), and the handling of their requests (诉求).

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
