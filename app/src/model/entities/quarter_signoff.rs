use sea_orm::entity::prelude::*;

/// A quarter approved (季度审核) for an organisation, with its subtree's figures at that moment.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "quarter_signoffs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    /// `2026Q3`.
    pub quarter: String,
    pub approved_by: i64,
    pub approved_at: DateTimeUtc,
    pub comment: String,
    /// JSON: the compliance engine's `CadreRow`s of every cadre in the subtree.
    pub figures: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
