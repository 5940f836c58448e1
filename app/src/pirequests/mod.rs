//! `/admin/pi-requests` (个人信息权利请求, system administrator): a youth's requests to access and
//! copy, correct or delete what is held about them, or to withdraw consent (PIPL Arts. 44–47),
//! each with its due date from the work calendar, and what was done about it.

pub mod api;
#[cfg(feature = "ssr")]
pub mod copy;
#[cfg(feature = "ssr")]
pub mod service;
