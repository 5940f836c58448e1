//! Widgets shared by the pages.

pub mod chart;
pub mod enhance;
pub mod form;
pub mod islands;
pub mod layout;
pub mod progress;
