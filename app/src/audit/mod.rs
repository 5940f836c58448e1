//! The audit trail for auditors (审计员): `/audit` reads it with filters, exports the filtered
//! rows as CSV, and verifies the hash chain. Nothing here writes but the audit rows of these
//! reads themselves: an auditor changes nothing.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;

/// Rows per page of `/audit`.
pub const PAGE_SIZE: u64 = 50;
