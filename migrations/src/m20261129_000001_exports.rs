//! Quarterly exports: a job per requested ledger, picked up by any app instance, with its
//! progress (rows written of rows expected) and the file it produced, kept for 7 days.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ExportJobs::Table)
                .col(big_pk_auto(ExportJobs::Id))
                .col(big_integer(ExportJobs::AccountId))
                .col(big_integer(ExportJobs::OrgId))
                // `2026Q4`
                .col(string_len(ExportJobs::Quarter, 8))
                // `xlsx`, `csv`, `pdf`
                .col(string_len(ExportJobs::Format, 8))
                // queued → running → done | failed (a running job whose instance stopped
                // heartbeating goes back to queued)
                .col(string_len(ExportJobs::State, 16))
                .col(big_integer(ExportJobs::DoneRows).default(0))
                .col(big_integer(ExportJobs::TotalRows).default(0))
                .col(integer(ExportJobs::Attempts).default(0))
                .col(string_len_null(ExportJobs::ClaimedBy, 100))
                // The file's name in the export directory, once done.
                .col(string_len_null(ExportJobs::FileName, 200))
                .col(big_integer_null(ExportJobs::FileSize))
                // JSON: rows per sheet, for the audit log and the page.
                .col(text_null(ExportJobs::Counts))
                .col(text_null(ExportJobs::Error))
                .col(timestamp_with_time_zone(ExportJobs::CreatedAt))
                .col(timestamp_with_time_zone_null(ExportJobs::StartedAt))
                // Bumped as rows are written: a stale heartbeat means the instance is gone.
                .col(timestamp_with_time_zone(ExportJobs::HeartbeatAt))
                .col(timestamp_with_time_zone_null(ExportJobs::FinishedAt))
                .col(timestamp_with_time_zone(ExportJobs::ExpiresAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ExportJobs::Table, ExportJobs::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_export_jobs_state")
                .table(ExportJobs::Table)
                .col(ExportJobs::State)
                .col(ExportJobs::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_export_jobs_account")
                .table(ExportJobs::Table)
                .col(ExportJobs::AccountId)
                .col(ExportJobs::CreatedAt)
                .to_owned(),
        )
        .await?;
        // The contact ledger of a quarter is read in (date, id) order a page at a time.
        m.create_index(
            Index::create()
                .name("idx_contacts_date_id")
                .table(Contacts::Table)
                .col(Contacts::ContactDate)
                .col(Contacts::Id)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_contacts_date_id")
                .table(Contacts::Table)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(ExportJobs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
    ContactDate,
}

#[derive(DeriveIden)]
enum ExportJobs {
    Table,
    Id,
    AccountId,
    OrgId,
    Quarter,
    Format,
    State,
    DoneRows,
    TotalRows,
    Attempts,
    ClaimedBy,
    FileName,
    FileSize,
    Counts,
    Error,
    CreatedAt,
    StartedAt,
    HeartbeatAt,
    FinishedAt,
    ExpiresAt,
}
