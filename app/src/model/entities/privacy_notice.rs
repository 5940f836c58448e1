use sea_orm::entity::prelude::*;

/// A version of the privacy notice (个人信息处理告知) shown to youths when they are recorded.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "privacy_notices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    /// The request that published it (none for the first, written by the migration).
    #[sea_orm(unique)]
    pub uuid: Option<Uuid>,
    pub body: String,
    pub created_at: DateTimeUtc,
    pub created_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
