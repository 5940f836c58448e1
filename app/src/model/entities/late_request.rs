use sea_orm::entity::prelude::*;

/// A 补录申请: a record dated past its late-entry window, waiting for (or decided by) a
/// supervisor of the cadre's organisation.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "late_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub cadre_id: i64,
    /// `contact`, `visit_day`, `study`, `suggestion` or `leave`.
    pub kind: String,
    pub record_date: Date,
    /// JSON: the form's fields as the cadre sent them.
    pub fields: String,
    /// What the record is, in words (the youth or organisation and what was done).
    pub summary: String,
    pub reason: String,
    /// `pending`, `approved` or `declined`.
    pub status: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_comment: Option<String>,
    /// The record stored on approval.
    pub record_id: Option<i64>,
    pub created_at: DateTimeUtc,
    /// `create`, `update` or `delete`.
    pub action: String,
    /// The record an update or a deletion is about.
    pub target_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
