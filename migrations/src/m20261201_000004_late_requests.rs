//! 补录申请: a record dated past its late-entry window is filed as a request that holds the
//! record and the cadre's reason; a supervisor of the cadre's organisation approves it (the
//! record is then stored as of its date, marked 补录 by who approved it) or declines it with a
//! comment. Contacts gain the mark that visit days already had (`late_approved_by`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(LateRequests::Table)
                .col(big_pk_auto(LateRequests::Id))
                .col(uuid_uniq(LateRequests::Uuid))
                .col(big_integer(LateRequests::CadreId))
                // `contact` or `visit_day`
                .col(string_len(LateRequests::Kind, 16))
                .col(date(LateRequests::RecordDate))
                // JSON: the form's fields as the cadre sent them.
                .col(text(LateRequests::Fields))
                // What the record is, in words, as the cadre's page put it when filed.
                .col(text(LateRequests::Summary))
                .col(text(LateRequests::Reason))
                // `pending`, `approved` or `declined`
                .col(string_len(LateRequests::Status, 16))
                .col(big_integer_null(LateRequests::DecidedBy))
                .col(timestamp_with_time_zone_null(LateRequests::DecidedAt))
                .col(text_null(LateRequests::DecisionComment))
                // The record stored on approval.
                .col(big_integer_null(LateRequests::RecordId))
                .col(timestamp_with_time_zone(LateRequests::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(LateRequests::Table, LateRequests::CadreId)
                        .to(Accounts::Table, Accounts::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(LateRequests::Table, LateRequests::DecidedBy)
                        .to(Accounts::Table, Accounts::Id),
                )
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            (
                "idx_late_requests_cadre",
                [LateRequests::CadreId, LateRequests::RecordDate],
            ),
            (
                "idx_late_requests_status",
                [LateRequests::Status, LateRequests::CreatedAt],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(LateRequests::Table);
            for c in cols {
                index.col(c);
            }
            m.create_index(index.to_owned()).await?;
        }
        m.alter_table(
            Table::alter()
                .table(Contacts::Table)
                .add_column(
                    ColumnDef::new(Contacts::LateApprovedBy)
                        .big_integer()
                        .null(),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Contacts::Table)
                .drop_column(Contacts::LateApprovedBy)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(LateRequests::Table).to_owned())
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
    LateApprovedBy,
}

#[derive(DeriveIden)]
enum LateRequests {
    Table,
    Id,
    Uuid,
    CadreId,
    Kind,
    RecordDate,
    Fields,
    Summary,
    Reason,
    Status,
    DecidedBy,
    DecidedAt,
    DecisionComment,
    RecordId,
    CreatedAt,
}
