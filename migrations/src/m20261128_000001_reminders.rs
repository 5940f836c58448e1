//! Reminders: the inbox (the `notifications` of the first migration, made exactly once per user,
//! kind and period by their unique index), an outbox of emails that several app instances share
//! without sending one twice, the instances' scheduler ticks for the health page, and each
//! account's choice of email.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One email: a user's reminders of one morning (`slot_key` = the local date) or one
        // supervisor's remind (`remind:<notification id>`). Unique per account and slot, so two
        // instances making the same email make one row; a claimed row is locked by the instance
        // sending it.
        m.create_table(
            Table::create()
                .table(Deliveries::Table)
                .col(big_pk_auto(Deliveries::Id))
                .col(big_integer(Deliveries::AccountId))
                .col(string_len(Deliveries::SlotKey, 48))
                .col(string_len(Deliveries::ToAddr, 254))
                .col(string_len(Deliveries::Subject, 200))
                .col(text(Deliveries::BodyText))
                .col(text(Deliveries::BodyHtml))
                .col(string_len(Deliveries::MessageId, 200))
                // pending → sending → sent; or back to pending with a later `send_after`; or failed
                .col(string_len(Deliveries::Status, 16))
                .col(integer(Deliveries::Attempts).default(0))
                .col(timestamp_with_time_zone(Deliveries::SendAfter))
                .col(timestamp_with_time_zone_null(Deliveries::ClaimedAt))
                .col(string_len_null(Deliveries::ClaimedBy, 100))
                .col(timestamp_with_time_zone_null(Deliveries::SentAt))
                .col(text_null(Deliveries::LastError))
                .col(timestamp_with_time_zone(Deliveries::CreatedAt))
                .col(timestamp_with_time_zone(Deliveries::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Deliveries::Table, Deliveries::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_deliveries_slot")
                .table(Deliveries::Table)
                .col(Deliveries::AccountId)
                .col(Deliveries::SlotKey)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_deliveries_due")
                .table(Deliveries::Table)
                .col(Deliveries::Status)
                .col(Deliveries::SendAfter)
                .to_owned(),
        )
        .await?;

        // Which email a reminder went into (none: inbox only), and who pressed remind.
        for col in [
            ColumnDef::new(Notifications::DeliveryId)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Notifications::SenderId)
                .big_integer()
                .null()
                .to_owned(),
            // Its lines as JSON, each `{ "text", "link" }` (a youth of the digest, an
            // organisation without a suggestion …), for the inbox and the email.
            ColumnDef::new(Notifications::Details)
                .text()
                .null()
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("idx_notifications_inbox")
                .table(Notifications::Table)
                .col(Notifications::AccountId)
                .col(Notifications::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notifications_delivery")
                .table(Notifications::Table)
                .col(Notifications::DeliveryId)
                .to_owned(),
        )
        .await?;

        // An account may turn email off (the inbox always gets everything).
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .add_column(
                    ColumnDef::new(Accounts::NotifyEmail)
                        .boolean()
                        .not_null()
                        .default(true),
                )
                .to_owned(),
        )
        .await?;

        // Each app instance's latest tick, for the health page.
        m.create_table(
            Table::create()
                .table(SchedulerTicks::Table)
                .col(string_len(SchedulerTicks::Instance, 100).primary_key())
                .col(string_len(SchedulerTicks::Host, 100))
                .col(timestamp_with_time_zone(SchedulerTicks::StartedAt))
                .col(timestamp_with_time_zone(SchedulerTicks::LastAt))
                // The instant the tick ran as (differs from `last_at` for `server remind --at`).
                .col(timestamp_with_time_zone(SchedulerTicks::LastAsOf))
                .col(integer(SchedulerTicks::Made).default(0))
                .col(integer(SchedulerTicks::Sent).default(0))
                .col(integer(SchedulerTicks::Failed).default(0))
                .col(text_null(SchedulerTicks::LastError))
                .to_owned(),
        )
        .await?;

        // The calendar feed's events as last served: an event whose content changed gets a
        // higher SEQUENCE and a new LAST-MODIFIED, so phones update it in place.
        m.create_table(
            Table::create()
                .table(CalendarEvents::Table)
                .col(big_pk_auto(CalendarEvents::Id))
                .col(big_integer(CalendarEvents::AccountId))
                .col(string_len(CalendarEvents::Uid, 200))
                .col(string_len(CalendarEvents::Fingerprint, 64))
                .col(integer(CalendarEvents::Sequence).default(0))
                .col(timestamp_with_time_zone(CalendarEvents::ModifiedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(CalendarEvents::Table, CalendarEvents::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_calendar_events_uid")
                .table(CalendarEvents::Table)
                .col(CalendarEvents::AccountId)
                .col(CalendarEvents::Uid)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CalendarEvents::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(SchedulerTicks::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .drop_column(Accounts::NotifyEmail)
                .to_owned(),
        )
        .await?;
        for name in ["idx_notifications_inbox", "idx_notifications_delivery"] {
            m.drop_index(
                Index::drop()
                    .name(name)
                    .table(Notifications::Table)
                    .to_owned(),
            )
            .await?;
        }
        for col in [
            Notifications::DeliveryId,
            Notifications::SenderId,
            Notifications::Details,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(Deliveries::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    NotifyEmail,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    AccountId,
    CreatedAt,
    DeliveryId,
    SenderId,
    Details,
}

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    Id,
    AccountId,
    SlotKey,
    ToAddr,
    Subject,
    BodyText,
    BodyHtml,
    MessageId,
    Status,
    Attempts,
    SendAfter,
    ClaimedAt,
    ClaimedBy,
    SentAt,
    LastError,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SchedulerTicks {
    Table,
    Instance,
    Host,
    StartedAt,
    LastAt,
    LastAsOf,
    Made,
    Sent,
    Failed,
    LastError,
}

#[derive(DeriveIden)]
enum CalendarEvents {
    Table,
    Id,
    AccountId,
    Uid,
    Fingerprint,
    Sequence,
    ModifiedAt,
}
