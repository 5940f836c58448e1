//! The security policy (安全策略), kept by the security administrator on `/admin/security`:
//! password length and classes, expiry, history, lockout, idle timeouts per role, and who needs
//! a second factor. Where it applies is `model::security`.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
