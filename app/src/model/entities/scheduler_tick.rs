use sea_orm::entity::prelude::*;

/// An app instance's latest reminder tick.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "scheduler_ticks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub instance: String,
    pub host: String,
    pub started_at: DateTimeUtc,
    pub last_at: DateTimeUtc,
    pub last_as_of: DateTimeUtc,
    pub made: i32,
    pub sent: i32,
    pub failed: i32,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
