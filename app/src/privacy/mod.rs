//! `/admin/privacy` (个人信息保护, system administrator): the versioned privacy notice, the default
//! processing basis, the retention period, legal holds; and the daily retention sweep.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
