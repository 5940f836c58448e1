use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub name: String,
    #[sea_orm(unique)]
    pub username: String,
    #[sea_orm(unique)]
    pub phone: Option<String>,
    pub email: Option<String>,
    pub password_hash: String,
    pub role: String,
    pub org_id: i64,
    pub post: Option<String>,
    pub active: bool,
    pub locale: String,
    pub joined_on: Option<Date>,
    pub left_on: Option<Date>,
    #[sea_orm(unique)]
    pub calendar_token: Option<String>,
    /// The secret of the cadre's enrolment link (`/j/<token>`).
    pub enrol_token: Option<String>,
    /// Reminders by email too (the inbox always).
    pub notify_email: bool,
    /// An address typed in /settings, waiting for its confirmation link to be followed.
    pub pending_email: Option<String>,
    /// SHA-256 of the confirmation link's token.
    pub pending_email_token: Option<String>,
    pub pending_email_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Moved by the database on every write that can change this cadre's compliance facts
    /// (see `cadre_fact`).
    pub facts_stamp: i64,
    /// When the password was last set (its expiry counts from here).
    pub password_changed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
