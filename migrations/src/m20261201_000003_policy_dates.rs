//! Policy values take effect from a date (SPEC: closed weeks, months and quarters keep the policy
//! of their time). `policies` is keyed by the value's name and the day it holds from; the values
//! stored before hold from 1 January 2000, so every judgement made so far stands.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on every backend: on SQLite the drop and the rename would otherwise run
    /// on two pooled connections, and the second may still see the old table.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PolicyValues::Table)
                .col(string_len(PolicyValues::Key, 64))
                .col(date(PolicyValues::EffectiveFrom))
                .col(string_len(PolicyValues::Value, 64))
                .col(big_integer_null(PolicyValues::UpdatedBy))
                .col(timestamp_with_time_zone(PolicyValues::UpdatedAt))
                .primary_key(
                    Index::create()
                        .col(PolicyValues::Key)
                        .col(PolicyValues::EffectiveFrom),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(PolicyValues::Table, PolicyValues::UpdatedBy)
                        .to(Accounts::Table, Accounts::Id),
                )
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO policy_values (key, effective_from, value, updated_by, updated_at) \
                 SELECT key, '2000-01-01', value, updated_by, updated_at FROM policies",
            )
            .await?;
        m.drop_table(Table::drop().table(Policies::Table).to_owned())
            .await?;
        m.rename_table(
            Table::rename()
                .table(PolicyValues::Table, Policies::Table)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PolicyValues::Table)
                .col(string_len(PolicyValues::Key, 64).primary_key())
                .col(string_len(PolicyValues::Value, 64))
                .col(big_integer_null(PolicyValues::UpdatedBy))
                .col(timestamp_with_time_zone(PolicyValues::UpdatedAt))
                .to_owned(),
        )
        .await?;
        // Each value as it stands now.
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO policy_values (key, value, updated_by, updated_at) \
                 SELECT key, value, updated_by, updated_at FROM policies p \
                 WHERE effective_from = (SELECT MAX(effective_from) FROM policies q \
                 WHERE q.key = p.key)",
            )
            .await?;
        m.drop_table(Table::drop().table(Policies::Table).to_owned())
            .await?;
        m.rename_table(
            Table::rename()
                .table(PolicyValues::Table, Policies::Table)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Policies {
    Table,
}

#[derive(DeriveIden)]
enum PolicyValues {
    Table,
    Key,
    EffectiveFrom,
    Value,
    UpdatedBy,
    UpdatedAt,
}
