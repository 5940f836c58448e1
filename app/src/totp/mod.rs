//! Setting up a second factor (TOTP, RFC 6238) on `/settings`: a secret with its QR code, a code
//! to confirm it, and ten recovery codes shown once. Signing in with it is the auth area's
//! (`login/totp`); resetting someone's is the security administrator's, in the users area. The
//! codes themselves are `model::second_factor`.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
