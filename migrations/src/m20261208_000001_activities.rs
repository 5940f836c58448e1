//! Activities and self-enrolment.
//!
//! `activities` are a cadre's events (主题团日, 志愿服务, …) with a long random sign-in `code`.
//! Their attendees are not a table of their own: each attendee is one contact with the
//! activity's id in `contacts.activity_id`, and the unique key on (activity, youth) makes
//! "exactly once per youth and activity" a property of the schema, whoever writes it (the
//! cadre's ticks, a youth's sign-in, both at once).
//! `enrol_requests` holds every sign-in and the cadre's queue of new friends: a sign-in from a
//! phone on the cadre's roster is recorded at once (`attended`); one from any other phone, or a
//! request through the cadre's personal link (`accounts.enrol_token`), waits (`pending`) to be
//! accepted or dismissed. The `dedupe` key (the activity or the cadre, and the phone) is unique
//! per activity for sign-ins, so a repeated sign-in counts once, and per cadre for waiting
//! requests through the link.
//! `rate_limits` counts public requests per key and window, in the database so that every
//! instance sees the same counts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Activities::Table)
                .col(big_pk_auto(Activities::Id))
                .col(uuid(Activities::Uuid).unique_key())
                .col(big_integer(Activities::CadreId))
                .col(text(Activities::Title))
                .col(text(Activities::Kind))
                .col(date(Activities::ActivityDate))
                .col(text_null(Activities::StartTime))
                .col(text(Activities::Place))
                .col(big_integer_null(Activities::OrgId))
                .col(text(Activities::Code).unique_key())
                .col(timestamp_with_time_zone_null(Activities::ClosedAt))
                .col(timestamp_with_time_zone(Activities::CreatedAt))
                .col(timestamp_with_time_zone(Activities::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Activities::Table, Activities::CadreId)
                        .to(Accounts::Table, Accounts::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_activities_cadre_date")
                .table(Activities::Table)
                .col(Activities::CadreId)
                .col(Activities::ActivityDate)
                .to_owned(),
        )
        .await?;

        m.alter_table(
            Table::alter()
                .table(Contacts::Table)
                .add_column(ColumnDef::new(Contacts::ActivityId).big_integer().null())
                .to_owned(),
        )
        .await?;
        // NULLs are distinct in a unique index (SQLite and PostgreSQL): contacts of no activity
        // are not constrained.
        m.create_index(
            Index::create()
                .name("idx_contacts_activity_youth")
                .table(Contacts::Table)
                .col(Contacts::ActivityId)
                .col(Contacts::YouthId)
                .unique()
                .to_owned(),
        )
        .await?;

        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .add_column(ColumnDef::new(Accounts::EnrolToken).text().null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_accounts_enrol_token")
                .table(Accounts::Table)
                .col(Accounts::EnrolToken)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(EnrolRequests::Table)
                .col(big_pk_auto(EnrolRequests::Id))
                .col(big_integer(EnrolRequests::CadreId))
                .col(big_integer_null(EnrolRequests::ActivityId))
                .col(text(EnrolRequests::Source))
                .col(text(EnrolRequests::Dedupe))
                .col(text(EnrolRequests::Name))
                .col(text(EnrolRequests::Phone))
                .col(text_null(EnrolRequests::Gender))
                .col(integer_null(EnrolRequests::BirthYear))
                .col(small_integer_null(EnrolRequests::BirthMonth))
                .col(text_null(EnrolRequests::Sector))
                .col(text_null(EnrolRequests::Workplace))
                .col(text_null(EnrolRequests::Request))
                .col(integer(EnrolRequests::NoticeVersion))
                .col(timestamp_with_time_zone(EnrolRequests::ConsentedAt))
                .col(text(EnrolRequests::Address))
                .col(text(EnrolRequests::Status).default("pending"))
                .col(big_integer_null(EnrolRequests::YouthId))
                .col(big_integer_null(EnrolRequests::DecidedBy))
                .col(timestamp_with_time_zone_null(EnrolRequests::DecidedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(EnrolRequests::Table, EnrolRequests::CadreId)
                        .to(Accounts::Table, Accounts::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_enrol_requests_cadre_status")
                .table(EnrolRequests::Table)
                .col(EnrolRequests::CadreId)
                .col(EnrolRequests::Status)
                .to_owned(),
        )
        .await?;
        // One sign-in per activity and phone, whatever became of it; one waiting request per
        // cadre and phone through the link (a decided one does not block a later request).
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX idx_enrol_requests_checkin ON enrol_requests (dedupe) \
             WHERE source = 'checkin'",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX idx_enrol_requests_join ON enrol_requests (dedupe) \
             WHERE source = 'join' AND status = 'pending'",
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RateLimits::Table)
                .col(text(RateLimits::Key).primary_key())
                .col(integer(RateLimits::Count))
                .col(timestamp_with_time_zone(RateLimits::ExpiresAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_rate_limits_expires")
                .table(RateLimits::Table)
                .col(RateLimits::ExpiresAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RateLimits::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(EnrolRequests::Table).to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("idx_accounts_enrol_token")
                .table(Accounts::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .drop_column(Accounts::EnrolToken)
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name("idx_contacts_activity_youth")
                .table(Contacts::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Contacts::Table)
                .drop_column(Contacts::ActivityId)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(Activities::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Activities {
    Table,
    Id,
    Uuid,
    CadreId,
    Title,
    Kind,
    ActivityDate,
    StartTime,
    Place,
    OrgId,
    Code,
    ClosedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    ActivityId,
    YouthId,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    EnrolToken,
}

#[derive(DeriveIden)]
enum EnrolRequests {
    Table,
    Id,
    CadreId,
    ActivityId,
    Source,
    Dedupe,
    Name,
    Phone,
    Gender,
    BirthYear,
    BirthMonth,
    Sector,
    Workplace,
    Request,
    NoticeVersion,
    ConsentedAt,
    Address,
    Status,
    YouthId,
    DecidedBy,
    DecidedAt,
}

#[derive(DeriveIden)]
enum RateLimits {
    Table,
    Key,
    Count,
    ExpiresAt,
}
