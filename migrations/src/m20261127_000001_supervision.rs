//! What supervision needs: each youth's current cadre and last contacts kept on the youth (so the
//! compliance of a whole district is one scan of one index, not a join over every contact),
//! suggestion review history, exemption reasons as codes, weekly compliance snapshots for the
//! trend, and the official 2025 and 2026 work calendars for every installation.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The State Council's holiday schedules (国务院办公厅关于2025年、2026年部分节假日安排的通知):
/// weekdays off (`holiday`) and weekend days worked (`workday`, 调休).
pub const OFFICIAL_CALENDAR: &[(&str, &str, &str)] = &[
    ("2025-01-01", "holiday", "元旦"),
    ("2025-01-26", "workday", "春节调休"),
    ("2025-01-28", "holiday", "春节"),
    ("2025-01-29", "holiday", "春节"),
    ("2025-01-30", "holiday", "春节"),
    ("2025-01-31", "holiday", "春节"),
    ("2025-02-03", "holiday", "春节"),
    ("2025-02-04", "holiday", "春节"),
    ("2025-02-08", "workday", "春节调休"),
    ("2025-04-04", "holiday", "清明节"),
    ("2025-04-27", "workday", "劳动节调休"),
    ("2025-05-01", "holiday", "劳动节"),
    ("2025-05-02", "holiday", "劳动节"),
    ("2025-05-05", "holiday", "劳动节"),
    ("2025-06-02", "holiday", "端午节"),
    ("2025-09-28", "workday", "国庆节调休"),
    ("2025-10-01", "holiday", "国庆节"),
    ("2025-10-02", "holiday", "国庆节"),
    ("2025-10-03", "holiday", "国庆节"),
    ("2025-10-06", "holiday", "中秋节"),
    ("2025-10-07", "holiday", "国庆节"),
    ("2025-10-08", "holiday", "国庆节"),
    ("2025-10-11", "workday", "国庆节调休"),
    ("2026-01-01", "holiday", "元旦"),
    ("2026-01-02", "holiday", "元旦"),
    ("2026-01-04", "workday", "元旦调休"),
    ("2026-02-14", "workday", "春节调休"),
    ("2026-02-16", "holiday", "春节"),
    ("2026-02-17", "holiday", "春节"),
    ("2026-02-18", "holiday", "春节"),
    ("2026-02-19", "holiday", "春节"),
    ("2026-02-20", "holiday", "春节"),
    ("2026-02-23", "holiday", "春节"),
    ("2026-02-28", "workday", "春节调休"),
    ("2026-04-06", "holiday", "清明节"),
    ("2026-05-01", "holiday", "劳动节"),
    ("2026-05-04", "holiday", "劳动节"),
    ("2026-05-05", "holiday", "劳动节"),
    ("2026-05-09", "workday", "劳动节调休"),
    ("2026-06-19", "holiday", "端午节"),
    ("2026-09-20", "workday", "国庆节调休"),
    ("2026-09-25", "holiday", "中秋节"),
    ("2026-10-01", "holiday", "国庆节"),
    ("2026-10-02", "holiday", "国庆节"),
    ("2026-10-05", "holiday", "国庆节"),
    ("2026-10-06", "holiday", "国庆节"),
    ("2026-10-07", "holiday", "国庆节"),
    ("2026-10-10", "workday", "国庆节调休"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // Youths: the current assignment and the last contacts, kept up to date by every write
        // that changes them (in the same transaction).
        for col in [
            ColumnDef::new(Youths::CadreId)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Youths::AssignedOn).date().null().to_owned(),
            ColumnDef::new(Youths::LastContactOn)
                .date()
                .null()
                .to_owned(),
            ColumnDef::new(Youths::LastOfflineOn)
                .date()
                .null()
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Youths::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        db.execute_unprepared(
            "UPDATE youths SET \
               cadre_id = (SELECT a.cadre_id FROM assignments a \
                 WHERE a.youth_id = youths.id AND a.ended_on IS NULL ORDER BY a.id DESC LIMIT 1), \
               assigned_on = (SELECT a.assigned_on FROM assignments a \
                 WHERE a.youth_id = youths.id AND a.ended_on IS NULL ORDER BY a.id DESC LIMIT 1), \
               last_contact_on = (SELECT MAX(c.contact_date) FROM contacts c \
                 WHERE c.youth_id = youths.id), \
               last_offline_on = (SELECT MAX(c.contact_date) FROM contacts c \
                 WHERE c.youth_id = youths.id AND NOT c.online)",
        )
        .await?;
        // Covering: a subtree's due, overdue, never-contacted and offline counts are one scan.
        m.create_index(
            Index::create()
                .name("idx_youths_cadre_contact")
                .table(Youths::Table)
                .col(Youths::CadreId)
                .col(Youths::LastContactOn)
                .col(Youths::AssignedOn)
                .col(Youths::LastOfflineOn)
                .to_owned(),
        )
        .await?;
        // One open assignment per youth.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX uq_assignments_open ON assignments (youth_id) \
             WHERE ended_on IS NULL",
        )
        .await?;

        // Suggestion reviews: every action with its comment, kept as history.
        m.create_table(
            Table::create()
                .table(SuggestionReviews::Table)
                .col(big_pk_auto(SuggestionReviews::Id))
                .col(uuid_uniq(SuggestionReviews::Uuid))
                .col(big_integer(SuggestionReviews::SuggestionId))
                .col(big_integer(SuggestionReviews::ReviewerId))
                .col(string_len(SuggestionReviews::Action, 16))
                .col(string_len(SuggestionReviews::StatusAfter, 16))
                .col(text(SuggestionReviews::Comment).default(""))
                .col(timestamp_with_time_zone(SuggestionReviews::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(SuggestionReviews::Table, SuggestionReviews::SuggestionId)
                        .to(Suggestions::Table, Suggestions::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(SuggestionReviews::Table, SuggestionReviews::ReviewerId)
                        .to(Accounts::Table, Accounts::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_suggestion_reviews_suggestion")
                .table(SuggestionReviews::Table)
                .col(SuggestionReviews::SuggestionId)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Suggestions::Table)
                .add_column(
                    ColumnDef::new(Suggestions::Revision)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .to_owned(),
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO suggestion_reviews \
               (uuid, suggestion_id, reviewer_id, action, status_after, comment, created_at) \
             SELECT uuid, id, reviewer_id, \
               CASE status WHEN 'acknowledged' THEN 'acknowledge' WHEN 'adopted' THEN 'adopt' \
                 WHEN 'resolved' THEN 'resolve' ELSE 'decline' END, \
               status, COALESCE(review_comment, ''), reviewed_at \
             FROM suggestions WHERE reviewer_id IS NOT NULL AND reviewed_at IS NOT NULL",
        )
        .await?;

        // Exemptions: `reason` becomes a code (leave, business_trip, training, other); what was
        // written moves to `note`; the decision gets a comment.
        m.alter_table(
            Table::alter()
                .table(Exemptions::Table)
                .add_column(
                    ColumnDef::new(Exemptions::Note)
                        .text()
                        .not_null()
                        .default(""),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Exemptions::Table)
                .add_column(ColumnDef::new(Exemptions::DecisionComment).text().null())
                .to_owned(),
        )
        .await?;
        db.execute_unprepared(
            "UPDATE exemptions SET note = reason, reason = CASE \
               WHEN reason LIKE '%培训%' THEN 'training' \
               WHEN reason LIKE '%考察%' OR reason LIKE '%出差%' THEN 'business_trip' \
               WHEN reason LIKE '%假%' THEN 'leave' ELSE 'other' END",
        )
        .await?;

        // The trend: each completed week judged once, kept per organisation (the cadres'
        // organisation then): how many cadres, how many green, 4+1 weeks required and covered.
        m.create_table(
            Table::create()
                .table(ComplianceWeeks::Table)
                .col(big_pk_auto(ComplianceWeeks::Id))
                .col(string_len(ComplianceWeeks::WeekKey, 10))
                .col(big_integer(ComplianceWeeks::OrgId))
                .col(integer(ComplianceWeeks::Cadres))
                .col(integer(ComplianceWeeks::Green))
                .col(integer(ComplianceWeeks::Required))
                .col(integer(ComplianceWeeks::Covered))
                .col(timestamp_with_time_zone(ComplianceWeeks::ComputedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ComplianceWeeks::Table, ComplianceWeeks::OrgId)
                        .to(Organisations::Table, Organisations::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_compliance_weeks")
                .table(ComplianceWeeks::Table)
                .col(ComplianceWeeks::WeekKey)
                .col(ComplianceWeeks::OrgId)
                .unique()
                .to_owned(),
        )
        .await?;

        // Visit days carry their week's number (weeks since Monday 3 January 2000), so a
        // district's covered weeks are one aggregate, not a row per visit.
        m.alter_table(
            Table::alter()
                .table(VisitDays::Table)
                .add_column(
                    ColumnDef::new(VisitDays::WeekNo)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .to_owned(),
        )
        .await?;
        let backfill = match m.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                "UPDATE visit_days SET week_no = (visit_date - DATE '2000-01-03') / 7"
            }
            _ => {
                "UPDATE visit_days SET week_no = \
                 CAST((julianday(visit_date) - julianday('2000-01-03')) / 7 AS INTEGER)"
            }
        };
        db.execute_unprepared(backfill).await?;

        // The official calendars, for every installation (the demo used to load 2026 alone).
        let now = chrono::Utc::now();
        let mut insert = Query::insert();
        insert
            .into_table(CalendarDays::Table)
            .columns([
                CalendarDays::Uuid,
                CalendarDays::Day,
                CalendarDays::Kind,
                CalendarDays::Name,
                CalendarDays::CreatedAt,
            ])
            .on_conflict(
                OnConflict::column(CalendarDays::Day)
                    .do_nothing()
                    .to_owned(),
            );
        for (day, kind, name) in OFFICIAL_CALENDAR {
            let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .map_err(|e| DbErr::Custom(format!("calendar date {day}: {e}")))?;
            insert.values_panic([
                uuid::Uuid::new_v4().into(),
                day.into(),
                (*kind).into(),
                (*name).into(),
                now.into(),
            ]);
        }
        m.exec_stmt(insert).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        m.alter_table(
            Table::alter()
                .table(VisitDays::Table)
                .drop_column(VisitDays::WeekNo)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(ComplianceWeeks::Table).to_owned())
            .await?;
        db.execute_unprepared("UPDATE exemptions SET reason = note WHERE note <> ''")
            .await?;
        for col in [Exemptions::DecisionComment, Exemptions::Note] {
            m.alter_table(
                Table::alter()
                    .table(Exemptions::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Suggestions::Table)
                .drop_column(Suggestions::Revision)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(SuggestionReviews::Table).to_owned())
            .await?;
        db.execute_unprepared("DROP INDEX uq_assignments_open")
            .await?;
        m.drop_index(
            Index::drop()
                .name("idx_youths_cadre_contact")
                .table(Youths::Table)
                .to_owned(),
        )
        .await?;
        for col in [
            Youths::LastOfflineOn,
            Youths::LastContactOn,
            Youths::AssignedOn,
            Youths::CadreId,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Youths::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Youths {
    Table,
    CadreId,
    AssignedOn,
    LastContactOn,
    LastOfflineOn,
}

#[derive(DeriveIden, Clone, Copy)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Suggestions {
    Table,
    Id,
    Revision,
}

#[derive(DeriveIden, Clone, Copy)]
enum SuggestionReviews {
    Table,
    Id,
    Uuid,
    SuggestionId,
    ReviewerId,
    Action,
    StatusAfter,
    Comment,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Exemptions {
    Table,
    Note,
    DecisionComment,
}

#[derive(DeriveIden, Clone, Copy)]
enum ComplianceWeeks {
    Table,
    Id,
    WeekKey,
    OrgId,
    Cadres,
    Green,
    Required,
    Covered,
    ComputedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum VisitDays {
    Table,
    WeekNo,
}

#[derive(DeriveIden, Clone, Copy)]
enum CalendarDays {
    Table,
    Uuid,
    Day,
    Kind,
    Name,
    CreatedAt,
}
