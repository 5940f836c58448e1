//! sea-orm entities, one per table of `migrations/`. Server-only: pages get DTOs from `types`.

pub mod account;
pub mod assignment;
pub mod audit_log;
pub mod calendar_day;
pub mod calendar_event;
pub mod compliance_week;
pub mod contact;
pub mod delivery;
pub mod exemption;
pub mod export_job;
pub mod form_flash;
pub mod idempotency_key;
pub mod import_guess;
pub mod import_run;
pub mod login_throttle;
pub mod notification;
pub mod organisation;
pub mod pairing;
pub mod policy;
pub mod scheduler_tick;
pub mod session;
pub mod study_record;
pub mod suggestion;
pub mod suggestion_review;
pub mod visit_day;
pub mod youth;
