//! The security policy (安全策略, kept by the security administrator): password length and
//! character classes, expiry, history, lockout, idle timeouts per role, and who needs a second
//! factor. One row; its defaults meet level 2 of GB/T 22239-2019 (the README lists the level 3
//! settings). Accounts gain when their password was last set; `password_history` keeps the
//! hashes of earlier passwords, so the last few cannot come back.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SecurityPolicy::Table)
                .col(integer(SecurityPolicy::Id).primary_key())
                .col(integer(SecurityPolicy::MinLength).default(8))
                .col(integer(SecurityPolicy::CharClasses).default(2))
                .col(integer(SecurityPolicy::ExpiryDays).default(90))
                .col(integer(SecurityPolicy::History).default(5))
                .col(integer(SecurityPolicy::LockoutAttempts).default(5))
                .col(integer(SecurityPolicy::LockoutMinutes).default(15))
                .col(integer(SecurityPolicy::IdleMinutesAdmin).default(720))
                .col(integer(SecurityPolicy::IdleMinutesSupervisor).default(10080))
                .col(integer(SecurityPolicy::IdleMinutesCadre).default(10080))
                .col(boolean(SecurityPolicy::TotpAdmins).default(false))
                .col(boolean(SecurityPolicy::TotpSupervisors).default(false))
                .col(boolean(SecurityPolicy::TotpEveryone).default(false))
                .col(timestamp_with_time_zone_null(SecurityPolicy::UpdatedAt))
                .col(big_integer_null(SecurityPolicy::UpdatedBy))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(SecurityPolicy::Table)
                .columns([SecurityPolicy::Id])
                .values_panic([1.into()])
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .add_column(
                    ColumnDef::new(Accounts::PasswordChangedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        // Until now a password was set when the account was last changed at the latest.
        m.get_connection()
            .execute_unprepared("UPDATE accounts SET password_changed_at = updated_at")
            .await?;
        m.create_table(
            Table::create()
                .table(PasswordHistory::Table)
                .col(big_pk_auto(PasswordHistory::Id))
                .col(big_integer(PasswordHistory::AccountId))
                .col(text(PasswordHistory::PasswordHash))
                .col(timestamp_with_time_zone(PasswordHistory::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(PasswordHistory::Table, PasswordHistory::AccountId)
                        .to(Accounts::Table, Accounts::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_password_history_account")
                .table(PasswordHistory::Table)
                .col(PasswordHistory::AccountId)
                .col(PasswordHistory::Id)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PasswordHistory::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .drop_column(Accounts::PasswordChangedAt)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(SecurityPolicy::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SecurityPolicy {
    Table,
    Id,
    MinLength,
    CharClasses,
    ExpiryDays,
    History,
    LockoutAttempts,
    LockoutMinutes,
    IdleMinutesAdmin,
    IdleMinutesSupervisor,
    IdleMinutesCadre,
    TotpAdmins,
    TotpSupervisors,
    TotpEveryone,
    UpdatedAt,
    UpdatedBy,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    PasswordChangedAt,
}

#[derive(DeriveIden)]
enum PasswordHistory {
    Table,
    Id,
    AccountId,
    PasswordHash,
    CreatedAt,
}
