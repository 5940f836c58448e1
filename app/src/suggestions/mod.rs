//! Quarterly suggestions and solved problems for paired organisations (工作建议/解决困难).

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
