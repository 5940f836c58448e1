use sea_orm::entity::prelude::*;

/// A completed week, judged once, per organisation of the cadres then.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "compliance_weeks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub week_key: String,
    pub org_id: i64,
    pub cadres: i32,
    pub green: i32,
    pub required: i32,
    pub covered: i32,
    /// Youths on the rosters, and those of them not overdue for contact, as judged.
    pub roster: i32,
    pub in_touch: i32,
    pub computed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
