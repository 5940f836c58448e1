use sea_orm::entity::prelude::*;

/// A cadre's compliance facts for one period, kept between views. Valid while `stamp` is the
/// cadre's `accounts.facts_stamp` (moved by triggers on every write that can change them) and
/// `read_for` is the day and policies of the view.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cadre_facts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub period_key: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub cadre_id: i64,
    pub read_for: String,
    pub stamp: i64,
    /// JSON.
    pub facts: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
