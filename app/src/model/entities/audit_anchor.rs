use sea_orm::entity::prelude::*;

/// An archive of the audit trail's oldest rows: which rows it moved out, and the hash the chain
/// continues from.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_anchors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: DateTimeUtc,
    pub before: Date,
    pub first_seq: i64,
    pub last_seq: i64,
    pub last_hash: String,
    pub rows: i64,
    pub file: String,
    pub file_sha256: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
