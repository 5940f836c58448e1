//! Server functions for the inbox, the remind button, reminder health, the calendar link and the
//! notification settings.

use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One reminder in the inbox; `kind` names the rule (`visit_day`, `contact_digest`,
/// `suggestion_due`, `study_due`, `supervisor_digest`, `remind`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InboxItem {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    /// Where the user acts on it.
    pub link: String,
    /// Its lines (a youth of the digest, an organisation without a suggestion …), each with
    /// where to act on it.
    pub lines: Vec<Line>,
    /// For a visit-day or study reminder: where it stands now (`null` for other kinds, which
    /// say it line by line).
    pub status: Option<LineStatus>,
    /// The week, month or quarter it is about (`2026-W49`, `2026-12`, `2026Q4-30` …).
    pub period_key: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub text: String,
    pub link: Option<String>,
    /// What the line is about, kept with it so that whoever reads it later is told whether it
    /// is still open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
    /// Decided from the compliance engine when the reminder is read (`null`: a line about
    /// nothing to do, or one kept before lines knew their subject).
    #[serde(default)]
    pub status: Option<LineStatus>,
}

/// Where a reminder's line (or a visit-day or study reminder) stands when it is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    /// Still to do.
    Open,
    /// Done since.
    Done,
    /// Its week, month or quarter is over: nothing can be done about it any more.
    Closed,
}

impl LineStatus {
    pub fn label(self, t: &crate::i18n::Strings) -> &'static str {
        match self {
            LineStatus::Open => t.line_open,
            LineStatus::Done => t.line_done,
            LineStatus::Closed => t.line_closed,
        }
    }
}

/// What a reminder's line asks for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "about", rename_all = "snake_case")]
pub enum Subject {
    /// A youth due or overdue for contact.
    Youth { id: i64 },
    /// A paired organisation without the quarter's suggestion (`quarter`: `2026Q4`).
    Organisation { id: i64, quarter: String },
    /// One of the cadre's reasons (a supervisor's remind).
    Reason { rule: crate::compliance::Rule },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inbox {
    /// Newest first, a page at a time.
    pub items: Vec<InboxItem>,
    pub unread: u32,
    pub page: usize,
    pub pages: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InboxQuery {
    pub page: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadForm {
    /// One reminder; or `all=true` for every unread one.
    pub id: String,
    pub all: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RemindForm {
    pub request_id: String,
    pub cadre_id: String,
}

/// What a remind did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reminded {
    /// The reminder in the cadre's inbox.
    pub id: i64,
    pub at: DateTime<Utc>,
    /// Mailed as well (the cadre has an address and email on, and mail is configured).
    pub email: bool,
}

/// One app instance's latest scheduler tick.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceTick {
    pub instance: String,
    pub host: String,
    pub last_at: DateTime<Utc>,
    /// The instant the tick ran as (differs for `server remind --at`).
    pub last_as_of: DateTime<Utc>,
    pub made: u32,
    pub sent: u32,
    pub failed: u32,
    pub last_error: Option<String>,
}

/// Reminders of one kind over the last 7 days.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KindHealth {
    pub kind: String,
    pub made: u32,
    /// Mailed.
    pub sent: u32,
    /// Their email failed for good.
    pub failed: u32,
    /// Waiting to be mailed (or retried).
    pub pending: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryError {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub status: String,
    pub attempts: u32,
    pub error: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub mail_configured: bool,
    pub instances: Vec<InstanceTick>,
    pub kinds: Vec<KindHealth>,
    pub errors: Vec<DeliveryError>,
    /// Emails failed for good, which retry puts back in the outbox.
    pub failed: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetryForm {
    pub request_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegenerateForm {
    pub request_id: String,
}

/// The personal calendar feed's addresses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarLink {
    pub https: String,
    pub webcal: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationsForm {
    pub email: String,
    /// `true` or `false` (a plain form's unchecked box sends nothing: off).
    pub notify_email: String,
}

/// What `/settings` shows about reminders.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MySettings {
    /// The address reminders go to: confirmed, or else the one waiting for confirmation.
    pub email: String,
    /// `email` waits for its confirmation link (`/settings` shows 待确认); until then
    /// reminders go to `confirmed_email`, if any.
    pub pending: bool,
    pub confirmed_email: String,
    pub notify_email: bool,
    pub mail_configured: bool,
    pub calendar: CalendarLink,
}

/// The viewer's inbox, newest first.
#[server(prefix = "/api", endpoint = "inbox/list")]
pub async fn list_inbox(#[server(flatten)] query: InboxQuery) -> Result<Inbox, AppError> {
    crate::ssr::respond(super::service::inbox(query).await)
}

/// Marks one reminder read, or all of them (`all=true`).
#[server(prefix = "/api", endpoint = "inbox/read")]
pub async fn mark_read(#[server(flatten)] form: ReadForm) -> Result<u32, AppError> {
    let n = crate::ssr::respond(super::service::mark_read(form).await)?;
    crate::ssr::saved_redirect();
    Ok(n)
}

/// A supervisor reminds a cadre of what is missing: an inbox item and an email at once (08:00
/// when pressed at night); once a day per cadre and supervisor.
#[server(prefix = "/api", endpoint = "supervise/remind")]
pub async fn remind(#[server(flatten)] form: RemindForm) -> Result<Reminded, AppError> {
    let anchor = format!("remind-{}", form.cadre_id.trim());
    let r = crate::ssr::respond(super::service::remind(form).await)?;
    crate::ssr::saved_redirect_to(&anchor);
    Ok(r)
}

/// The scheduler's health, for admins.
#[server(prefix = "/api", endpoint = "reminders/health")]
pub async fn reminder_health() -> Result<Health, AppError> {
    crate::ssr::respond(super::service::health().await)
}

/// Puts failed emails back in the outbox; answers how many.
#[server(prefix = "/api", endpoint = "reminders/retry")]
pub async fn retry_failed(#[server(flatten)] form: RetryForm) -> Result<u32, AppError> {
    let n = crate::ssr::respond(super::service::retry(form).await)?;
    crate::ssr::saved_redirect();
    Ok(n)
}

/// A new secret calendar address; the old one answers 404 from now on.
#[server(prefix = "/api", endpoint = "calendar/regenerate")]
pub async fn regenerate_calendar(
    #[server(flatten)] form: RegenerateForm,
) -> Result<CalendarLink, AppError> {
    let link = crate::ssr::respond(super::service::regenerate(form).await)?;
    crate::ssr::saved_redirect();
    Ok(link)
}

/// The viewer's email address, email on or off, and calendar link.
#[server(prefix = "/api", endpoint = "settings/get")]
pub async fn get_my_settings() -> Result<MySettings, AppError> {
    crate::ssr::respond(super::service::my_settings().await)
}

/// Sets the viewer's email address and whether reminders are mailed.
#[server(prefix = "/api", endpoint = "settings/notifications")]
pub async fn set_notifications(#[server(flatten)] form: NotificationsForm) -> Result<(), AppError> {
    crate::ssr::respond(super::service::set_notifications(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(RemindForm, RetryForm, RegenerateForm);
