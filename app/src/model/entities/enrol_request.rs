use sea_orm::entity::prelude::*;

/// A sign-in at an activity (`source = checkin`) or a request through a cadre's link (`join`).
/// A sign-in from a phone on the cadre's roster is `attended` at once; anything else is a new
/// friend in the cadre's queue (`pending`) until accepted or dismissed.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "enrol_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub cadre_id: i64,
    pub activity_id: Option<i64>,
    pub source: String,
    /// `a:<activity>:<phone>` (unique) or `j:<cadre>:<phone>` (unique while pending).
    pub dedupe: String,
    pub name: String,
    pub phone: String,
    pub gender: Option<String>,
    pub birth_year: Option<i32>,
    pub birth_month: Option<i16>,
    pub sector: Option<String>,
    pub workplace: Option<String>,
    /// The youth's request (诉求), passed on to the cadre.
    pub request: Option<String>,
    /// The privacy notice the youth was shown and consented to, and when.
    pub notice_version: i32,
    pub consented_at: DateTimeUtc,
    /// The client address it came from.
    pub address: String,
    /// `attended`, `pending`, `accepted` or `dismissed`.
    pub status: String,
    pub youth_id: Option<i64>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
