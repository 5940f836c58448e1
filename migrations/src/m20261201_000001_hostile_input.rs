//! Defences against hostile input: the guesses an importer has made at masked phone numbers,
//! and e-mail addresses that wait for confirmation before reminders go to them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ImportGuesses::Table)
                .col(big_pk_auto(ImportGuesses::Id))
                .col(big_integer(ImportGuesses::AccountId))
                // The masked form a supervisor is shown: `138****1234`.
                .col(string_len(ImportGuesses::Mask, 16))
                // SHA-256 of the number tried: the table itself holds no phone number.
                .col(string_len(ImportGuesses::PhoneHash, 64))
                .col(timestamp_with_time_zone(ImportGuesses::At))
                .foreign_key(
                    ForeignKey::create()
                        .from(ImportGuesses::Table, ImportGuesses::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_import_guesses_once")
                .table(ImportGuesses::Table)
                .col(ImportGuesses::AccountId)
                .col(ImportGuesses::Mask)
                .col(ImportGuesses::PhoneHash)
                .unique()
                .to_owned(),
        )
        .await?;
        // The masked form of a youth's number (`138****1234`), indexed by expression on SQLite and
        // PostgreSQL alike: an import tells a guess at a masked number from a new youth.
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_youths_phone_mask ON youths \
                 ((substr(phone, 1, 3) || '****' || substr(phone, length(phone) - 3)))",
            )
            .await?;
        m.create_index(
            Index::create()
                .name("idx_import_runs_account")
                .table(ImportRuns::Table)
                .col(ImportRuns::AccountId)
                .col(ImportRuns::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_log_actor_action")
                .table(AuditLog::Table)
                .col(AuditLog::ActorId)
                .col(AuditLog::Action)
                .col(AuditLog::At)
                .to_owned(),
        )
        .await?;
        // An address typed in /settings waits here until its link is followed; `email` is the
        // confirmed one, the only one reminders go to.
        for col in [
            ColumnDef::new(Accounts::PendingEmail)
                .string_len(254)
                .null()
                .to_owned(),
            ColumnDef::new(Accounts::PendingEmailToken)
                .string_len(64)
                .null()
                .to_owned(),
            ColumnDef::new(Accounts::PendingEmailAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            Accounts::PendingEmail,
            Accounts::PendingEmailToken,
            Accounts::PendingEmailAt,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_index(Index::drop().name("idx_audit_log_actor_action").to_owned())
            .await?;
        m.get_connection()
            .execute_unprepared("DROP INDEX idx_youths_phone_mask")
            .await?;
        m.drop_index(Index::drop().name("idx_import_runs_account").to_owned())
            .await?;
        m.drop_table(Table::drop().table(ImportGuesses::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    PendingEmail,
    PendingEmailToken,
    PendingEmailAt,
}

#[derive(DeriveIden)]
enum ImportRuns {
    Table,
    AccountId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    ActorId,
    Action,
    At,
}

#[derive(DeriveIden)]
enum ImportGuesses {
    Table,
    Id,
    AccountId,
    Mask,
    PhoneHash,
    At,
}
