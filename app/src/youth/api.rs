//! Server functions for the roster and youth profiles. Cadres see only their own youths.

use crate::contacts::api::ContactRow;
use crate::error::AppError;
use crate::rules::ContactStatus;
use crate::types::{Basis, Gender, GuardianRelation, PoliticalStatus, Sector};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Which youths the roster lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RosterFilter {
    #[default]
    All,
    Due,
    Overdue,
    Never,
}

impl RosterFilter {
    pub const ALL: [RosterFilter; 4] = [
        RosterFilter::All,
        RosterFilter::Due,
        RosterFilter::Overdue,
        RosterFilter::Never,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RosterFilter::All => "all",
            RosterFilter::Due => "due",
            RosterFilter::Overdue => "overdue",
            RosterFilter::Never => "never",
        }
    }

    pub fn parse(s: &str) -> RosterFilter {
        RosterFilter::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .unwrap_or_default()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RosterEntry {
    pub id: i64,
    pub name: String,
    pub gender: Option<Gender>,
    pub sector: Option<Sector>,
    pub workplace: String,
    pub last_contact: Option<NaiveDate>,
    /// Days since the last contact (or the assignment).
    pub days: i64,
    pub status: ContactStatus,
    /// Under 14 (or may be, the birth month unknown): a guardian's consent is on record.
    pub minor: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Roster {
    /// The listed youths, most overdue first.
    pub entries: Vec<RosterEntry>,
    pub target: u32,
    /// Counts over the whole roster, whatever the filter.
    pub total: usize,
    pub due: usize,
    pub overdue: usize,
    pub never: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YouthDetail {
    pub id: i64,
    pub name: String,
    pub gender: Option<Gender>,
    pub birth_year: Option<i32>,
    /// In full: only the youth's own cadre (and admins) see it.
    pub phone: String,
    pub wechat: Option<String>,
    pub org_id: Option<i64>,
    /// The organisation's name, or else the workplace typed in.
    pub workplace: String,
    /// The workplace typed in (for youths outside the listed organisations).
    pub workplace_other: String,
    pub sector: Option<Sector>,
    pub political_status: Option<PoliticalStatus>,
    pub tags: String,
    pub notes: String,
    pub assigned_on: NaiveDate,
    pub birth_month: Option<u32>,
    pub basis: Basis,
    /// The privacy notice version shown when the youth was recorded (none before notices).
    pub notice_version: Option<i32>,
    pub guardian_name: Option<String>,
    pub guardian_relation: Option<GuardianRelation>,
    pub guardian_consent_on: Option<NaiveDate>,
    /// Under 14 today, or may be.
    pub minor: bool,
}

/// What the youth form shows about personal information: the notice in force (to show the
/// youth) and the basis the operator set as default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YouthNotice {
    pub notice_version: i32,
    pub notice: String,
    pub default_basis: Basis,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YouthProfile {
    pub youth: YouthDetail,
    pub status: ContactStatus,
    pub days: i64,
    /// Newest first.
    pub contacts: Vec<ContactRow>,
}

/// The youth form (add and edit). Every field is text, so bad input becomes a message, not a 400.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct YouthForm {
    /// Empty when adding.
    pub id: String,
    pub request_id: String,
    pub name: String,
    pub gender: String,
    pub birth_year: String,
    pub phone: String,
    pub wechat: String,
    pub org_id: String,
    pub workplace: String,
    pub sector: String,
    pub political_status: String,
    pub tags: String,
    pub notes: String,
    /// `consent` or `duty`.
    pub basis: String,
    /// The privacy notice version shown to the youth.
    pub notice_version: String,
    pub birth_month: String,
    /// Needed for a youth under 14.
    pub guardian_name: String,
    pub guardian_relation: String,
    pub guardian_consent_on: String,
}

/// Grassroots organisations a youth may belong to: (id, name).
pub type OrgChoices = Vec<(i64, String)>;

#[server(prefix = "/api", endpoint = "youth/roster")]
pub async fn get_roster(
    #[server(default)] filter: String,
    #[server(default)] q: String,
) -> Result<Roster, AppError> {
    crate::ssr::respond(super::service::roster(RosterFilter::parse(&filter), &q).await)
}

#[server(prefix = "/api", endpoint = "youth/get")]
pub async fn get_youth(#[server(default)] id: String) -> Result<YouthProfile, AppError> {
    let id = crate::ssr::respond(crate::ssr::record_id(&id))?;
    crate::ssr::respond(super::service::profile(id).await)
}

#[server(prefix = "/api", endpoint = "youth/orgs")]
pub async fn youth_org_choices() -> Result<OrgChoices, AppError> {
    crate::ssr::respond(super::service::org_choices().await)
}

/// Adds a youth to the signed-in cadre's roster; returns the youth's id. Idempotent.
#[server(prefix = "/api", endpoint = "youth/create")]
pub async fn create_youth(#[server(flatten)] form: YouthForm) -> Result<i64, AppError> {
    let id = crate::ssr::respond(super::service::create(form).await)?;
    leptos_axum::redirect(&format!("/youth/{id}?saved=1"));
    Ok(id)
}

#[server(prefix = "/api", endpoint = "youth/update")]
pub async fn update_youth(#[server(flatten)] form: YouthForm) -> Result<i64, AppError> {
    let id = crate::ssr::respond(super::service::update(form).await)?;
    leptos_axum::redirect(&format!("/youth/{id}?saved=1"));
    Ok(id)
}

#[server(prefix = "/api", endpoint = "youth/privacy")]
pub async fn youth_privacy() -> Result<YouthNotice, AppError> {
    crate::ssr::respond(super::service::privacy().await)
}

/// The full phone number or WeChat ID of a youth, for a supervisor or the system administrator
/// who gives a reason (查看完整号码); the audit trail keeps who, whom, what and why.
#[server(prefix = "/api", endpoint = "youth/reveal")]
pub async fn reveal_youth(#[server(flatten)] form: RevealForm) -> Result<String, AppError> {
    crate::ssr::respond(super::service::reveal(form).await)
}

/// 查看完整号码: which youth, `phone` or `wechat`, and why.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RevealForm {
    pub id: String,
    pub field: String,
    pub reason: String,
}

/// Withdrawal of consent (撤回同意).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WithdrawForm {
    pub request_id: String,
    pub id: String,
    pub withdrawn_on: String,
}

/// Records that a youth withdrew consent: they leave every roster that day and nothing new is
/// recorded about them. For the youth's cadre and the system administrator. Idempotent.
#[server(prefix = "/api", endpoint = "youth/withdraw")]
pub async fn withdraw_youth(#[server(flatten)] form: WithdrawForm) -> Result<i64, AppError> {
    let (id, back) = crate::ssr::respond(super::service::withdraw(form).await)?;
    leptos_axum::redirect(back);
    Ok(id)
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(YouthForm, WithdrawForm);
