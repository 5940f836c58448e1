//! A dry run's plan kept in pages of a few hundred changes instead of one text: a 50,000-row
//! file is written, and later applied, a page at a time, so neither the server nor the database
//! ever holds the whole plan as one value.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ImportPlanPages::Table)
                .col(big_pk_auto(ImportPlanPages::Id))
                .col(big_integer(ImportPlanPages::RunId))
                .col(integer(ImportPlanPages::Page))
                // JSON: the page's changes, in the file's order.
                .col(text(ImportPlanPages::Changes))
                .foreign_key(
                    ForeignKey::create()
                        .from(ImportPlanPages::Table, ImportPlanPages::RunId)
                        .to(ImportRuns::Table, ImportRuns::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_import_plan_pages_run")
                .table(ImportPlanPages::Table)
                .col(ImportPlanPages::RunId)
                .col(ImportPlanPages::Page)
                .unique()
                .to_owned(),
        )
        .await?;
        // A plan waiting in the old column cannot be applied any more: the importer checks the
        // file again (a plan is only ever kept for 24 hours).
        m.get_connection()
            .execute_unprepared("DELETE FROM import_runs WHERE status <> 'applied'")
            .await?;
        m.get_connection()
            .execute_unprepared("ALTER TABLE import_runs DROP COLUMN plan")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "ALTER TABLE import_runs ADD COLUMN plan TEXT NOT NULL DEFAULT '[]'",
            )
            .await?;
        m.drop_table(Table::drop().table(ImportPlanPages::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ImportRuns {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ImportPlanPages {
    Table,
    Id,
    RunId,
    Page,
    Changes,
}
