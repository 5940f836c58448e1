//! Signing in and out, passwords and the language choice.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
