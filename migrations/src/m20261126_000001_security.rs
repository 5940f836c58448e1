//! Security hardening: the tables behind form flashes and idempotency keys, and unique indexes
//! behind every "only one" rule, so that parallel requests cannot slip past a check that a
//! sequential one would meet.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A form that failed comes back with what was typed and the messages. They are kept here,
        // for the browser that sent them only, instead of in the URL, which anyone can craft.
        m.create_table(
            Table::create()
                .table(FormFlashes::Table)
                .col(string_len(FormFlashes::Id, 32).primary_key())
                // SHA-256 of the browser's flash cookie
                .col(string_len(FormFlashes::Owner, 64))
                .col(big_integer_null(FormFlashes::AccountId))
                .col(string_len(FormFlashes::Path, 100))
                .col(text(FormFlashes::Error))
                .col(timestamp_with_time_zone(FormFlashes::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_form_flashes_created")
                .table(FormFlashes::Table)
                .col(FormFlashes::CreatedAt)
                .to_owned(),
        )
        .await?;

        // Every create carries a client-generated request id: the first send is recorded with a
        // fingerprint of its payload, so a resend answers with the same record and a reuse with
        // a different payload is refused.
        m.create_table(
            Table::create()
                .table(IdempotencyKeys::Table)
                .col(uuid(IdempotencyKeys::Id).primary_key())
                .col(big_integer(IdempotencyKeys::ActorId))
                .col(string_len(IdempotencyKeys::Endpoint, 64))
                .col(string_len(IdempotencyKeys::PayloadHash, 64))
                .col(big_integer_null(IdempotencyKeys::EntityId))
                .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(IdempotencyKeys::Table, IdempotencyKeys::ActorId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        // One visit day per cadre and date.
        m.drop_index(
            Index::drop()
                .name("idx_visit_days_cadre_date")
                .table(VisitDays::Table)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_visit_days_cadre_date")
                .table(VisitDays::Table)
                .col(VisitDays::CadreId)
                .col(VisitDays::VisitDate)
                .unique()
                .to_owned(),
        )
        .await?;

        // One open pairing per cadre and organisation (ended ones stay, for the ledgers). A
        // partial index: the same statement on SQLite and PostgreSQL.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_pairings_open ON pairings (cadre_id, org_id) \
                 WHERE ended_on IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP INDEX uq_pairings_open")
            .await?;
        m.drop_index(
            Index::drop()
                .name("uq_visit_days_cadre_date")
                .table(VisitDays::Table)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_visit_days_cadre_date")
                .table(VisitDays::Table)
                .col(VisitDays::CadreId)
                .col(VisitDays::VisitDate)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(FormFlashes::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum FormFlashes {
    Table,
    Id,
    Owner,
    AccountId,
    Path,
    Error,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum IdempotencyKeys {
    Table,
    Id,
    ActorId,
    Endpoint,
    PayloadHash,
    EntityId,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum VisitDays {
    Table,
    CadreId,
    VisitDate,
}
