//! What youths use without an account: signing in at an activity (`/a/<code>`) and asking to
//! join a cadre's contact list (`/j/<token>`). Both show the privacy notice in force and record
//! the consent given to it; both answer the same whether or not the phone is on a roster, so
//! they reveal nothing about who is; both are rate-limited per client address and per code or
//! link, and audit-logged with the address.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
