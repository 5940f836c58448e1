//! The compliance facts of each cadre kept between dashboard views (`cadre_facts`), and a stamp
//! per cadre (`accounts.facts_stamp`) that the database itself moves on every write that can
//! change them: triggers on the youths (rosters and their summaries), contacts (the youth's
//! current cadre), visit days, exemptions, pairings, suggestions and study records. A kept row
//! is used only while its stamp is the cadre's and it was computed for the same period, day and
//! policy; any write, by any code path or instance, makes it stale by construction.

use sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables whose rows name the cadre whose facts they change, by `cadre_id`. Contacts are
/// counted for the youth's current cadre, so they are handled apart.
const BY_CADRE: &[&str] = &[
    "youths",
    "visit_days",
    "exemptions",
    "pairings",
    "suggestions",
    "study_records",
];

const EVENTS: &[&str] = &["insert", "update", "delete"];

/// The statements that create the triggers on `backend`.
pub fn create_triggers(backend: DatabaseBackend) -> Vec<String> {
    let mut out = Vec::new();
    match backend {
        DatabaseBackend::Postgres => {
            // One statement-level trigger per table and event: a batch of rows costs one
            // UPDATE, not one per row.
            for (event, rows) in [
                ("insert", "SELECT cadre_id FROM new_rows"),
                (
                    "update",
                    "SELECT cadre_id FROM new_rows UNION SELECT cadre_id FROM old_rows",
                ),
                ("delete", "SELECT cadre_id FROM old_rows"),
            ] {
                let contacts = rows
                    .replace(
                        "SELECT cadre_id FROM new_rows",
                        "SELECT y.cadre_id FROM new_rows r JOIN youths y ON y.id = r.youth_id",
                    )
                    .replace(
                        "SELECT cadre_id FROM old_rows",
                        "SELECT y.cadre_id FROM old_rows r JOIN youths y ON y.id = r.youth_id",
                    );
                out.push(format!(
                    "CREATE OR REPLACE FUNCTION liaison_facts_{event}() RETURNS trigger \
                     LANGUAGE plpgsql AS $$ BEGIN \
                     IF TG_TABLE_NAME = 'contacts' THEN \
                       UPDATE accounts SET facts_stamp = facts_stamp + 1 WHERE id IN ({contacts}); \
                     ELSE \
                       UPDATE accounts SET facts_stamp = facts_stamp + 1 WHERE id IN ({rows}); \
                     END IF; \
                     RETURN NULL; END $$"
                ));
            }
            for table in BY_CADRE.iter().chain(&["contacts"]) {
                for event in EVENTS {
                    let tables = match *event {
                        "insert" => "NEW TABLE AS new_rows",
                        "update" => "NEW TABLE AS new_rows OLD TABLE AS old_rows",
                        _ => "OLD TABLE AS old_rows",
                    };
                    out.push(format!(
                        "CREATE TRIGGER liaison_facts_{table}_{event} AFTER {event} ON {table} \
                         REFERENCING {tables} FOR EACH STATEMENT \
                         EXECUTE FUNCTION liaison_facts_{event}()"
                    ));
                }
            }
        }
        _ => {
            let bump = |cadre: &str| {
                format!("UPDATE accounts SET facts_stamp = facts_stamp + 1 WHERE id = {cadre};")
            };
            for table in BY_CADRE {
                for event in EVENTS {
                    let body = match *event {
                        "insert" => bump("NEW.cadre_id"),
                        "delete" => bump("OLD.cadre_id"),
                        _ => format!("{} {}", bump("NEW.cadre_id"), bump("OLD.cadre_id")),
                    };
                    out.push(format!(
                        "CREATE TRIGGER liaison_facts_{table}_{event} AFTER {event} ON {table} \
                         FOR EACH ROW BEGIN {body} END"
                    ));
                }
            }
            let of = |row: &str| format!("(SELECT cadre_id FROM youths WHERE id = {row}.youth_id)");
            for event in EVENTS {
                let body = match *event {
                    "insert" => bump(&of("NEW")),
                    "delete" => bump(&of("OLD")),
                    _ => format!("{} {}", bump(&of("NEW")), bump(&of("OLD"))),
                };
                out.push(format!(
                    "CREATE TRIGGER liaison_facts_contacts_{event} AFTER {event} ON contacts \
                     FOR EACH ROW BEGIN {body} END"
                ));
            }
        }
    }
    out
}

/// The statements that drop them again.
pub fn drop_triggers(backend: DatabaseBackend) -> Vec<String> {
    let mut out = Vec::new();
    for table in BY_CADRE.iter().chain(&["contacts"]) {
        for event in EVENTS {
            out.push(match backend {
                DatabaseBackend::Postgres => {
                    format!("DROP TRIGGER IF EXISTS liaison_facts_{table}_{event} ON {table}")
                }
                _ => format!("DROP TRIGGER IF EXISTS liaison_facts_{table}_{event}"),
            });
        }
    }
    if backend == DatabaseBackend::Postgres {
        for event in EVENTS {
            out.push(format!("DROP FUNCTION IF EXISTS liaison_facts_{event}()"));
        }
    }
    out
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .add_column(
                    ColumnDef::new(Accounts::FactsStamp)
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CadreFacts::Table)
                .col(big_integer(CadreFacts::CadreId))
                // `2026Q4`, `2026-11`, `2026-W48`
                .col(string_len(CadreFacts::PeriodKey, 16))
                // What else the facts were read for: the day, and the policies' fingerprint.
                .col(string_len(CadreFacts::ReadFor, 200))
                .col(big_integer(CadreFacts::Stamp))
                // JSON: the facts.
                .col(text(CadreFacts::Facts))
                .primary_key(
                    Index::create()
                        .col(CadreFacts::PeriodKey)
                        .col(CadreFacts::CadreId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(CadreFacts::Table, CadreFacts::CadreId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for sql in create_triggers(m.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in drop_triggers(m.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        m.drop_table(Table::drop().table(CadreFacts::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .drop_column(Accounts::FactsStamp)
                .to_owned(),
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    FactsStamp,
}

#[derive(DeriveIden)]
enum CadreFacts {
    Table,
    CadreId,
    PeriodKey,
    ReadFor,
    Stamp,
    Facts,
}
