//! Personal information as the PIPL (个人信息保护法) asks. Each youth gains a processing basis
//! (`consent` 本人同意 / `duty` 履行法定职责), the privacy-notice version shown and when and by whom
//! that was recorded, a birth month (with the year it tells who is under 14), a guardian's
//! consent for those under 14, the date consent was withdrawn, when the record was anonymised,
//! and a legal hold that keeps the retention rule off it. `privacy_notices` keeps the versioned
//! notice texts (version 1 is written here, so there is always one to show); `privacy_settings`
//! (one row) the default basis and the retention period; `pi_requests` the individuals' rights
//! requests (copy, correction, deletion, withdrawal) with their due dates and what was done;
//! `privacy_sweeps` the day's retention sweep, claimed by one instance.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The first notice, in force until the system administrator publishes another.
pub const FIRST_NOTICE: &str = "个人信息处理告知\n\
区团委及各级团组织在开展“团干部直接联系青年”工作中，收集和使用您的姓名、性别、出生年月、手机号码、\
微信号、所在单位或学校、所属行业、政治面貌，以及团干部与您联系的记录和您提出的诉求。\n\
用途：团干部与您保持联系、了解和反映您的诉求、开展团的工作和活动；不用于其他目的，不向无关单位或个人提供。\n\
保存期限：您不在任何团干部的联系名单上满三年后，您的信息将被匿名化处理。\n\
您的权利：您可以查阅、复制、更正、删除您的个人信息，或撤回同意；请向联系您的团干部或区团委提出，\
我们将在十五个工作日内答复。\n\
未满十四周岁的未成年人，须经其父母或其他监护人同意。";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            ColumnDef::new(Youths::Basis)
                .text()
                .not_null()
                .default("duty")
                .to_owned(),
            ColumnDef::new(Youths::NoticeVersion)
                .integer()
                .null()
                .to_owned(),
            ColumnDef::new(Youths::BasisRecordedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Youths::BasisRecordedBy)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Youths::BirthMonth)
                .small_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Youths::GuardianName)
                .text()
                .null()
                .to_owned(),
            ColumnDef::new(Youths::GuardianRelation)
                .text()
                .null()
                .to_owned(),
            ColumnDef::new(Youths::GuardianConsentOn)
                .date()
                .null()
                .to_owned(),
            ColumnDef::new(Youths::WithdrawnOn).date().null().to_owned(),
            ColumnDef::new(Youths::AnonymisedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Youths::LegalHold).text().null().to_owned(),
            ColumnDef::new(Youths::LegalHoldBy)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Youths::LegalHoldAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ];
        // One column a statement: SQLite adds no more.
        for mut column in columns {
            m.alter_table(
                Table::alter()
                    .table(Youths::Table)
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        // Until now every youth was recorded under the League's duties, when they were created.
        m.get_connection()
            .execute_unprepared(
                "UPDATE youths SET basis_recorded_at = created_at, basis_recorded_by = created_by",
            )
            .await?;

        m.create_table(
            Table::create()
                .table(PrivacyNotices::Table)
                .col(integer(PrivacyNotices::Version).primary_key())
                .col(uuid_null(PrivacyNotices::Uuid).unique_key())
                .col(text(PrivacyNotices::Body))
                .col(timestamp_with_time_zone(PrivacyNotices::CreatedAt))
                .col(big_integer_null(PrivacyNotices::CreatedBy))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(PrivacyNotices::Table)
                .columns([
                    PrivacyNotices::Version,
                    PrivacyNotices::Body,
                    PrivacyNotices::CreatedAt,
                ])
                .values_panic([1.into(), FIRST_NOTICE.into(), Expr::current_timestamp()])
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PrivacySettings::Table)
                .col(integer(PrivacySettings::Id).primary_key())
                .col(text(PrivacySettings::DefaultBasis).default("duty"))
                .col(integer(PrivacySettings::RetentionYears).default(3))
                .col(timestamp_with_time_zone_null(PrivacySettings::UpdatedAt))
                .col(big_integer_null(PrivacySettings::UpdatedBy))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(PrivacySettings::Table)
                .columns([PrivacySettings::Id])
                .values_panic([1.into()])
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PiRequests::Table)
                .col(big_pk_auto(PiRequests::Id))
                .col(uuid(PiRequests::Uuid).unique_key())
                .col(big_integer(PiRequests::YouthId))
                .col(text(PiRequests::Kind))
                .col(date(PiRequests::ReceivedOn))
                .col(date(PiRequests::DueOn))
                .col(text(PiRequests::Note))
                .col(text(PiRequests::Status).default("open"))
                .col(text_null(PiRequests::Action))
                .col(text_null(PiRequests::Comment))
                .col(big_integer_null(PiRequests::ActedBy))
                .col(timestamp_with_time_zone_null(PiRequests::ActedAt))
                .col(big_integer_null(PiRequests::CreatedBy))
                .col(timestamp_with_time_zone(PiRequests::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(PiRequests::Table, PiRequests::YouthId)
                        .to(Youths::Table, Youths::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_pi_requests_status_due")
                .table(PiRequests::Table)
                .col(PiRequests::Status)
                .col(PiRequests::DueOn)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_pi_requests_youth")
                .table(PiRequests::Table)
                .col(PiRequests::YouthId)
                .to_owned(),
        )
        .await?;
        // One retention sweep a day, by whichever instance claims the day first.
        m.create_table(
            Table::create()
                .table(PrivacySweeps::Table)
                .col(date(PrivacySweeps::Day).primary_key())
                .col(text(PrivacySweeps::Instance))
                .col(timestamp_with_time_zone(PrivacySweeps::StartedAt))
                .col(timestamp_with_time_zone_null(PrivacySweeps::FinishedAt))
                .col(integer(PrivacySweeps::Anonymised).default(0))
                .col(text_null(PrivacySweeps::Error))
                .to_owned(),
        )
        .await?;
        // The retention sweep looks for youths on no roster, not yet anonymised.
        m.create_index(
            Index::create()
                .name("idx_youths_cadre_anonymised")
                .table(Youths::Table)
                .col(Youths::CadreId)
                .col(Youths::AnonymisedAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_youths_cadre_anonymised")
                .table(Youths::Table)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(PrivacySweeps::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(PiRequests::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(PrivacySettings::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(PrivacyNotices::Table).to_owned())
            .await?;
        for column in [
            Youths::LegalHoldAt,
            Youths::LegalHoldBy,
            Youths::LegalHold,
            Youths::AnonymisedAt,
            Youths::WithdrawnOn,
            Youths::GuardianConsentOn,
            Youths::GuardianRelation,
            Youths::GuardianName,
            Youths::BirthMonth,
            Youths::BasisRecordedBy,
            Youths::BasisRecordedAt,
            Youths::NoticeVersion,
            Youths::Basis,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Youths::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Youths {
    Table,
    Id,
    CadreId,
    Basis,
    NoticeVersion,
    BasisRecordedAt,
    BasisRecordedBy,
    BirthMonth,
    GuardianName,
    GuardianRelation,
    GuardianConsentOn,
    WithdrawnOn,
    AnonymisedAt,
    LegalHold,
    LegalHoldBy,
    LegalHoldAt,
}

#[derive(DeriveIden)]
enum PrivacyNotices {
    Table,
    Version,
    Uuid,
    Body,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum PrivacySettings {
    Table,
    Id,
    DefaultBasis,
    RetentionYears,
    UpdatedAt,
    UpdatedBy,
}

#[derive(DeriveIden)]
enum PrivacySweeps {
    Table,
    Day,
    Instance,
    StartedAt,
    FinishedAt,
    Anonymised,
    Error,
}

#[derive(DeriveIden)]
enum PiRequests {
    Table,
    Id,
    Uuid,
    YouthId,
    Kind,
    ReceivedOn,
    DueOn,
    Note,
    Status,
    Action,
    Comment,
    ActedBy,
    ActedAt,
    CreatedBy,
    CreatedAt,
}
