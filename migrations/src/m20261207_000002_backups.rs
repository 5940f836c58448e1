//! Nightly backups: one row per night (a Shanghai date), claimed by the first instance to insert
//! it (`INSERT … ON CONFLICT DO NOTHING` on the key), so that one instance makes the night's
//! backup however many share the database. The row then says how it went: when it finished, the
//! file it wrote, or the error that stopped it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(BackupRuns::Table)
                .col(date(BackupRuns::Night).primary_key())
                .col(text(BackupRuns::Instance))
                .col(timestamp_with_time_zone(BackupRuns::StartedAt))
                .col(timestamp_with_time_zone_null(BackupRuns::FinishedAt))
                .col(text_null(BackupRuns::File))
                .col(text_null(BackupRuns::Error))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(BackupRuns::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum BackupRuns {
    Table,
    Night,
    Instance,
    StartedAt,
    FinishedAt,
    File,
    Error,
}
