//! Server functions of the supervisor's dashboard and drill-down. Supervisors see their
//! organisation subtree, admins theirs (the district admin: everything); cadres get 403.

use crate::compliance::{CadreRow, Period, TrendPoint, WeekLine};
use crate::error::AppError;
use crate::exemptions::api::ExemptionRow;
use crate::rules::ContactStatus;
use crate::suggestions::api::SuggestionRow;
use crate::types::{Channel, RequestStatus};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The dashboard's query. Every field is optional text: a bad one is a field message.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DashboardQuery {
    /// Empty: the viewer's own organisation.
    pub org_id: String,
    /// `2026Q4`, `2026-11`, `2026-W48`; empty: this quarter.
    pub period: String,
    /// `light` (default), `name`, `org`, `roster`, `contacted`, `overdue`, `weeks`,
    /// `suggestions`, `study`.
    pub sort: String,
    /// `asc` or `desc` (default: worst first).
    pub dir: String,
    /// `green`, `yellow`, `red`; empty: all.
    pub light: String,
    /// Part of a cadre's name, username or organisation's name.
    pub q: String,
    /// 1-based page of the cadre table.
    pub page: String,
}

/// An organisation to pick, indented by depth below the viewer's own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrgChoice {
    pub id: i64,
    pub name: String,
    pub depth: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tiles {
    pub cadres: u32,
    pub red: u32,
    pub yellow: u32,
    pub green: u32,
    /// Youths overdue for contact, over all cadres.
    pub overdue: u32,
    pub weeks_missed: u32,
    /// Paired organisations without a suggestion this quarter.
    pub suggestions_missing: u32,
    /// The period's activities of these cadres and what they reached.
    pub activities: crate::compliance::Reach,
}

/// How one child organisation (and everything below it) stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RollupRow {
    pub org_id: i64,
    pub org_name: String,
    /// False for the cadres of the chosen organisation itself (直属).
    pub child: bool,
    pub cadres: u32,
    pub green: u32,
    pub yellow: u32,
    pub red: u32,
    /// For a quarter, a child's sign-off: `open`, `approved` or `accepted`.
    pub signoff: Option<String>,
}

/// A cadre who left (inactive account) still holding youths: a handover is needed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeftWithRoster {
    pub cadre_id: i64,
    pub name: String,
    pub youths: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardPage {
    pub org_id: i64,
    pub org_name: String,
    pub orgs: Vec<OrgChoice>,
    pub period: Period,
    pub period_key: String,
    pub today: NaiveDate,
    pub tiles: Tiles,
    pub rollup: Vec<RollupRow>,
    /// One page of the cadre table, sorted and filtered.
    pub cadres: Vec<CadreRow>,
    /// Cadres matching the filter (all pages).
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
    pub sort: String,
    pub dir: String,
    pub light: String,
    pub q: String,
    /// When the viewer last reminded each cadre of this page (cadre id, instant).
    pub reminded: Vec<(i64, chrono::DateTime<chrono::Utc>)>,
    /// The 13 weeks before this one.
    pub trend: Vec<TrendPoint>,
    pub left_with_roster: Vec<LeftWithRoster>,
    /// An approved quarter: the figures above are those frozen at approval, with this stamp.
    pub signoff: Option<crate::signoff::api::Stamp>,
}

/// A youth on a supervised roster: the phone masked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SupervisedYouth {
    pub id: i64,
    pub name: String,
    /// 138****1234
    pub phone: String,
    /// wx****23, when given.
    pub wechat: Option<String>,
    pub workplace: String,
    pub last_contact: Option<NaiveDate>,
    pub days: i64,
    pub status: ContactStatus,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactLine {
    pub id: i64,
    pub date: NaiveDate,
    pub youth_id: i64,
    pub youth_name: String,
    pub channel: Option<Channel>,
    pub content: String,
    pub request: Option<String>,
    pub request_status: Option<RequestStatus>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssignmentLine {
    pub youth_id: i64,
    pub youth_name: String,
    pub assigned_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub reason: String,
}

/// One cadre, seen by a supervisor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CadreDetail {
    pub row: CadreRow,
    pub active: bool,
    pub period: Period,
    pub period_key: String,
    pub weeks: Vec<WeekLine>,
    /// Most overdue first.
    pub roster: Vec<SupervisedYouth>,
    /// The 20 latest contacts this cadre logged.
    pub contacts: Vec<ContactLine>,
    /// This quarter's and last quarter's, newest first, each with its review history.
    pub suggestions: Vec<SuggestionRow>,
    pub exemptions: Vec<ExemptionRow>,
    /// The 30 latest changes to the roster.
    pub assignments: Vec<AssignmentLine>,
    /// When the viewer last pressed remind for this cadre.
    pub last_reminded: Option<chrono::DateTime<chrono::Utc>>,
    /// The period's activities, newest first, and what they reached.
    pub activities: Vec<crate::activities::api::ActivityRow>,
    pub reach: crate::compliance::Reach,
}

/// The dashboard of an organisation subtree for a period.
#[server(prefix = "/api", endpoint = "supervise/dashboard")]
pub async fn dashboard(
    #[server(flatten)] query: DashboardQuery,
) -> Result<DashboardPage, AppError> {
    crate::ssr::respond(super::service::dashboard(query).await)
}

/// One cadre's figures and details (404 outside the viewer's subtree).
#[server(prefix = "/api", endpoint = "supervise/cadre")]
pub async fn cadre(
    #[server(default)] id: String,
    #[server(default)] period: String,
) -> Result<CadreDetail, AppError> {
    let id = crate::ssr::respond(crate::ssr::record_id(&id))?;
    crate::ssr::respond(super::service::cadre(id, &period).await)
}
