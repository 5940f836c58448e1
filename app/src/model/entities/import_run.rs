use sea_orm::entity::prelude::*;

/// One dry run of a roster import, and whether it was applied.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "import_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub file_name: String,
    pub kind: String,
    pub rows: i32,
    pub to_create: i32,
    pub to_update: i32,
    pub unchanged: i32,
    pub bad: i32,
    pub report: String,
    /// `checking` while its plan is written (pages in `import_plan_pages`), then `checked`;
    /// `applied` once imported.
    pub status: String,
    pub created_at: DateTimeUtc,
    pub applied_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
