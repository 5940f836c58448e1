use sea_orm::entity::prelude::*;

/// One email in the outbox.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    /// The local date of a morning's email, or `remind:<notification id>`.
    pub slot_key: String,
    pub to_addr: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub message_id: String,
    /// `pending`, `sending`, `sent`, `failed`.
    pub status: String,
    pub attempts: i32,
    pub send_after: DateTimeUtc,
    pub claimed_at: Option<DateTimeUtc>,
    pub claimed_by: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
