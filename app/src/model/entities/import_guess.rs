use sea_orm::entity::prelude::*;

/// A phone number an importer tried that was not the number of the youth it resembles: a
/// guess at a masked number (`138****1234`). Only its hash is kept.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "import_guesses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub mask: String,
    pub phone_hash: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
