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
    /// The cadre the youth is assigned to now (the open assignment), kept with it.
    pub cadre_id: Option<i64>,
    pub assigned_on: Option<Date>,
    /// The last contact by anyone, and the last offline one: kept up to date by every write.
    pub last_contact_on: Option<Date>,
    pub last_offline_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
