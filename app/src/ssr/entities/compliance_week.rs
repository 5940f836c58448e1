use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "compliance_weeks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub week_key: String,
    pub cadre_id: i64,
    pub light: String,
    pub required: i16,
    pub covered: i16,
    pub computed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
