//! Grassroots visit days (4+1, 下基层工作日).

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
