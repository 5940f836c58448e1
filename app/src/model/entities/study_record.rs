use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "study_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub cadre_id: i64,
    pub study_date: Date,
    pub hours: f64,
    pub topic: String,
    pub kind: String,
    pub created_at: DateTimeUtc,
    /// Stored from an approved 补录申请, by this supervisor.
    pub late_approved_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
