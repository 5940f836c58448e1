//! The organisation tree (组织架构): district → working committees → grassroots organisations.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
