use sea_orm::entity::prelude::*;

/// A youth's rights request (查阅复制 / 更正 / 删除 / 撤回同意) and what was done about it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pi_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub youth_id: i64,
    pub kind: String,
    pub received_on: Date,
    pub due_on: Date,
    pub note: String,
    /// `open`, `done` or `refused`.
    pub status: String,
    /// The last action taken: `copy`, `correct`, `anonymise`, `withdraw` or `refuse`.
    pub action: Option<String>,
    pub comment: Option<String>,
    pub acted_by: Option<i64>,
    pub acted_at: Option<DateTimeUtc>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
