use sea_orm::entity::prelude::*;

/// The privacy settings (one row, id 1): the default processing basis and the retention period.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "privacy_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub default_basis: String,
    pub retention_years: i32,
    pub updated_at: Option<DateTimeUtc>,
    pub updated_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
