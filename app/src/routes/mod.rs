//! One module per page.

pub mod admin_orgs;
pub mod admin_policy;
pub mod admin_reminders;
pub mod admin_security;
pub mod admin_users;
pub mod audit;
pub mod contacts;
pub mod exemptions;
pub mod exports;
pub mod home;
pub mod import;
pub mod inbox;
pub mod late;
pub mod login;
pub mod outbox;
pub mod requests;
pub mod review;
pub mod roster;
pub mod settings;
pub mod signoff;
pub mod study;
pub mod suggestions;
pub mod supervise;
pub mod visits;
pub mod youth;
