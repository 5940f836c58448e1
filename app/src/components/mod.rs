//! Widgets shared by the pages.

pub mod form;
pub mod islands;
pub mod layout;
