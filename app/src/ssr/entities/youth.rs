use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "youths")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub name: String,
    pub gender: String,
    pub birth_year: Option<i32>,
    pub phone: String,
    pub wechat: Option<String>,
    pub org_id: Option<i64>,
    pub workplace: Option<String>,
    pub sector: String,
    pub political_status: String,
    pub tags: String,
    pub notes: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
