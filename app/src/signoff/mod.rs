//! 季度审核 (quarter sign-off): per organisation with cadres in its subtree and per calendar
//! quarter, approved bottom up once the quarter has ended. Approving stores the subtree's
//! figures from the compliance engine and locks the quarter's records of every cadre below
//! (`model::signoff` is the lock the areas read); late records then come in as 补录申请 that the
//! approver decides. The approver or a level above may reopen, which reopens every level above
//! too.
//!
//! - [`rules`]: pure functions over the tree (what needs approving, what blocks, who may reopen).
//! - `service` (server only): status, approve, reopen, and the supervisors' reminder.

pub mod api;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod service;
