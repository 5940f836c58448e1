use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub kind: String,
    pub period_key: String,
    pub due_on: Option<Date>,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub channels: String,
    pub created_at: DateTimeUtc,
    pub emailed_at: Option<DateTimeUtc>,
    pub read_at: Option<DateTimeUtc>,
    /// The email it went into; none while it waits, and for inbox-only reminders.
    pub delivery_id: Option<i64>,
    /// Who pressed remind (`remind` only).
    pub sender_id: Option<i64>,
    /// JSON lines `[{ "text", "link" }]`.
    pub details: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
