//! The supervisor's side: the compliance dashboard of an organisation subtree and the drill-down
//! into one cadre. The figures come from the compliance engine (`crate::compliance`).

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
