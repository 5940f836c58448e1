//! Roster imports: each dry run is kept (its report and the exact changes it found) so that the
//! import applies what the importer saw, or nothing.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ImportRuns::Table)
                .col(big_pk_auto(ImportRuns::Id))
                .col(big_integer(ImportRuns::AccountId))
                .col(string_len(ImportRuns::FileName, 200))
                // `XLSX`, `CSV (UTF-8)`, `CSV (GB18030)`
                .col(string_len(ImportRuns::Kind, 32))
                .col(integer(ImportRuns::Rows))
                .col(integer(ImportRuns::ToCreate))
                .col(integer(ImportRuns::ToUpdate))
                .col(integer(ImportRuns::Unchanged))
                .col(integer(ImportRuns::Bad))
                // JSON: the errors and duplicates, as the report shows them.
                .col(text(ImportRuns::Report))
                // JSON: the rows to create and update, with each updated youth's `updated_at`.
                .col(text(ImportRuns::Plan))
                // `checked` → `applied`
                .col(string_len(ImportRuns::Status, 16))
                .col(timestamp_with_time_zone(ImportRuns::CreatedAt))
                .col(timestamp_with_time_zone_null(ImportRuns::AppliedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ImportRuns::Table, ImportRuns::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ImportRuns::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ImportRuns {
    Table,
    Id,
    AccountId,
    FileName,
    Kind,
    Rows,
    ToCreate,
    ToUpdate,
    Unchanged,
    Bad,
    Report,
    Plan,
    Status,
    CreatedAt,
    AppliedAt,
}
