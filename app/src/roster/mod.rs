//! Roster management for supervisors (their subtree) and admins: assign unassigned youths,
//! reassign selected youths, and hand a leaving cadre's whole roster over to a successor.
//! Contacts stay with the youth and keep their author; assignments keep their history.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
