//! 补录申请 (late entries): a contact or visit day dated past its late-entry window is not refused
//! but filed, with the cadre's reason, for a supervisor of the cadre's organisation to decide.
//! Approving stores the record as of its date (it counts like any other, marked 补录 with who
//! approved it); declining keeps the request, with the comment, on the cadre's list.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
