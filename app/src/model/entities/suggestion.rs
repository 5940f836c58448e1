use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "suggestions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub cadre_id: i64,
    pub org_id: i64,
    pub year: i32,
    pub quarter: i16,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub reviewer_id: Option<i64>,
    pub review_comment: Option<String>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// How many times the cadre revised it after it was returned.
    pub revision: i32,
    /// Stored (or revised) from an approved 补录申请, by this supervisor.
    pub late_approved_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
