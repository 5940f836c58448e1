//! 季度审核: a quarter approved for an organisation, with the figures of its subtree as the
//! compliance engine gave them at that moment. One row per organisation and quarter (the unique
//! key makes two approvals at the same moment one); reopening deletes it (the audit log keeps
//! who approved and who reopened). Late requests gain what they do to a record (`action`) and
//! the record they do it to (`target_id`): a locked quarter's edits and deletions are requests
//! too. Study records and suggestions gain the 补录 mark that contacts and visit days have
//! (`late_approved_by`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(QuarterSignoffs::Table)
                .col(big_pk_auto(QuarterSignoffs::Id))
                .col(big_integer(QuarterSignoffs::OrgId))
                // `2026Q3`
                .col(string_len(QuarterSignoffs::Quarter, 8))
                .col(big_integer(QuarterSignoffs::ApprovedBy))
                .col(timestamp_with_time_zone(QuarterSignoffs::ApprovedAt))
                .col(text(QuarterSignoffs::Comment))
                // JSON: the compliance engine's rows of every cadre in the subtree.
                .col(text(QuarterSignoffs::Figures))
                .foreign_key(
                    ForeignKey::create()
                        .from(QuarterSignoffs::Table, QuarterSignoffs::OrgId)
                        .to(Organisations::Table, Organisations::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(QuarterSignoffs::Table, QuarterSignoffs::ApprovedBy)
                        .to(Accounts::Table, Accounts::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_quarter_signoffs_org_quarter")
                .table(QuarterSignoffs::Table)
                .col(QuarterSignoffs::OrgId)
                .col(QuarterSignoffs::Quarter)
                .unique()
                .to_owned(),
        )
        .await?;
        // SQLite adds one column per ALTER TABLE.
        m.alter_table(
            Table::alter()
                .table(LateRequests::Table)
                .add_column(
                    ColumnDef::new(LateRequests::Action)
                        .string_len(16)
                        .not_null()
                        .default("create"),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(LateRequests::Table)
                .add_column(ColumnDef::new(LateRequests::TargetId).big_integer().null())
                .to_owned(),
        )
        .await?;
        for table in [Marked::StudyRecords, Marked::Suggestions] {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .add_column(ColumnDef::new(Marked::LateApprovedBy).big_integer().null())
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [Marked::StudyRecords, Marked::Suggestions] {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .drop_column(Marked::LateApprovedBy)
                    .to_owned(),
            )
            .await?;
        }
        for col in [LateRequests::Action, LateRequests::TargetId] {
            m.alter_table(
                Table::alter()
                    .table(LateRequests::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(QuarterSignoffs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum QuarterSignoffs {
    Table,
    Id,
    OrgId,
    Quarter,
    ApprovedBy,
    ApprovedAt,
    Comment,
    Figures,
}

#[derive(DeriveIden)]
enum LateRequests {
    Table,
    Action,
    TargetId,
}

#[derive(DeriveIden)]
enum Marked {
    StudyRecords,
    Suggestions,
    LateApprovedBy,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}
