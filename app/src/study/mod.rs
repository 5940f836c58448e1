//! Monthly study hours (学习记录).

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
