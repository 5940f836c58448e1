use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub youth_id: i64,
    pub cadre_id: i64,
    pub contact_date: Date,
    pub channel: String,
    pub online: bool,
    pub content: String,
    pub request: Option<String>,
    pub request_status: Option<String>,
    pub resolution: Option<String>,
    pub duration_minutes: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Stored from an approved 补录申请 (late request): who approved it.
    pub late_approved_by: Option<i64>,
    /// The activity this contact is the attendance at (one per youth and activity).
    pub activity_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
