//! The second factor (TOTP, RFC 6238). `totp_factors` holds one factor per account: its secret,
//! when it was confirmed (a row without is an enrolment under way), the last time step a code was
//! accepted for (a code is good once: a replay in its window is refused) and, for a moment after
//! confirmation, the recovery codes to show once. `totp_recovery_codes` keeps only the SHA-256 of
//! each recovery code. A session opened by a right password on an account with a factor is
//! `factor_pending` until the code is given: it signs nobody in.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TotpFactors::Table)
                .col(big_integer(TotpFactors::AccountId).primary_key())
                .col(text(TotpFactors::Secret))
                .col(timestamp_with_time_zone(TotpFactors::CreatedAt))
                .col(timestamp_with_time_zone_null(TotpFactors::ConfirmedAt))
                .col(big_integer_null(TotpFactors::LastStep))
                .col(text_null(TotpFactors::Reveal))
                .foreign_key(
                    ForeignKey::create()
                        .from(TotpFactors::Table, TotpFactors::AccountId)
                        .to(Accounts::Table, Accounts::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TotpRecoveryCodes::Table)
                .col(big_pk_auto(TotpRecoveryCodes::Id))
                .col(big_integer(TotpRecoveryCodes::AccountId))
                .col(text(TotpRecoveryCodes::CodeHash))
                .col(timestamp_with_time_zone_null(TotpRecoveryCodes::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(TotpRecoveryCodes::Table, TotpRecoveryCodes::AccountId)
                        .to(Accounts::Table, Accounts::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_totp_recovery_account")
                .table(TotpRecoveryCodes::Table)
                .col(TotpRecoveryCodes::AccountId)
                .col(TotpRecoveryCodes::CodeHash)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Sessions::Table)
                .add_column(
                    ColumnDef::new(Sessions::FactorPending)
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Sessions::Table)
                .drop_column(Sessions::FactorPending)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(TotpRecoveryCodes::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(TotpFactors::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum TotpFactors {
    Table,
    AccountId,
    Secret,
    CreatedAt,
    ConfirmedAt,
    LastStep,
    Reveal,
}

#[derive(DeriveIden)]
enum TotpRecoveryCodes {
    Table,
    Id,
    AccountId,
    CodeHash,
    UsedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    FactorPending,
}
