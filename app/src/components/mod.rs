//! Widgets shared by the pages: no page imports another page.

pub mod activities;
pub mod chart;
pub mod contacts;
pub mod enhance;
pub mod exemptions;
pub mod form;
pub mod lang;
pub mod late;
pub mod layout;
pub mod links;
pub mod outbox;
pub mod pager;
pub mod progress;
pub mod reveal;
pub mod roster;
pub mod signoff;
pub mod suggestions;
