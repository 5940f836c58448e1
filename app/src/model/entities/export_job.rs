use sea_orm::entity::prelude::*;

/// One quarterly export: its scope, progress and file.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "export_jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub org_id: i64,
    /// `2026Q4`.
    pub quarter: String,
    /// `xlsx`, `csv`, `pdf`.
    pub format: String,
    /// `queued`, `running`, `done`, `failed`.
    pub state: String,
    pub done_rows: i64,
    pub total_rows: i64,
    pub attempts: i32,
    pub claimed_by: Option<String>,
    pub file_name: Option<String>,
    pub file_size: Option<i64>,
    pub counts: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub heartbeat_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
