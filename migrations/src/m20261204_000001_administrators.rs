//! 三权分立 and a tamper-evident audit trail (等保 2.0).
//!
//! - The all-powerful `admin` becomes the system administrator, `sysadmin`; the security
//!   administrator (`secadmin`) and the auditor (`auditor`) are new roles (no column changes).
//! - Audit rows gain the actor's role, the result (`success`/`failure`), their place in the chain
//!   (`seq`, 1, 2, 3 … without gaps) and two hashes: the previous row's and their own
//!   ([`crate::audit_chain::digest`]). The rows already there are chained here, in id order.
//! - `audit_head` holds the chain's end (its last `seq` and hash): every new row takes it, which
//!   queues audit writes one behind the other on both databases, and `verify` compares the last
//!   row against it, so rows cut off the end are seen too.
//! - `audit_anchors` records each archive: the rows it moved out (up to `last_seq`) and the hash
//!   the chain continues from.
//! - Triggers refuse every UPDATE of an audit row, and every DELETE but of rows an anchor covers
//!   (an archive moved them to its file); anchors themselves are never changed or removed.

use crate::audit_chain::{digest, Link, GENESIS};
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("UPDATE accounts SET role = 'sysadmin' WHERE role = 'admin'")
            .await?;

        // SQLite adds one column per ALTER TABLE.
        for col in [
            ColumnDef::new(AuditLog::Seq)
                .big_integer()
                .not_null()
                .default(0)
                .to_owned(),
            ColumnDef::new(AuditLog::Role)
                .string_len(16)
                .not_null()
                .default("")
                .to_owned(),
            ColumnDef::new(AuditLog::Result)
                .string_len(8)
                .not_null()
                .default("success")
                .to_owned(),
            ColumnDef::new(AuditLog::PrevHash)
                .string_len(64)
                .not_null()
                .default("")
                .to_owned(),
            ColumnDef::new(AuditLog::Hash)
                .string_len(64)
                .not_null()
                .default("")
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(AuditLog::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        // What the old rows knew: the actor's role now (administrators were all one), and that
        // a failed sign-in failed (it becomes `login` with the result `failure`).
        db.execute_unprepared(
            "UPDATE audit_log SET role = COALESCE((SELECT a.role FROM accounts a \
             WHERE a.id = audit_log.actor_id), '')",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE audit_log SET result = 'failure', action = 'login' WHERE action = 'login_failed'",
        )
        .await?;
        let (seq, last) = chain_existing(db).await?;

        m.create_table(
            Table::create()
                .table(AuditHead::Table)
                .col(integer(AuditHead::Id).primary_key())
                .col(big_integer(AuditHead::Seq))
                .col(string_len(AuditHead::LastHash, 64))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(AuditHead::Table)
                .columns([AuditHead::Id, AuditHead::Seq, AuditHead::LastHash])
                .values_panic([1.into(), seq.into(), last.into()])
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuditAnchors::Table)
                .col(big_pk_auto(AuditAnchors::Id))
                .col(timestamp_with_time_zone(AuditAnchors::CreatedAt))
                // Rows older than this day (UTC) were moved out.
                .col(date(AuditAnchors::Before))
                .col(big_integer(AuditAnchors::FirstSeq))
                .col(big_integer(AuditAnchors::LastSeq))
                // The hash of the last row moved out: the next row's `prev_hash`.
                .col(string_len(AuditAnchors::LastHash, 64))
                .col(big_integer(AuditAnchors::Rows))
                .col(text(AuditAnchors::File))
                .col(string_len(AuditAnchors::FileSha256, 64))
                .to_owned(),
        )
        .await?;

        m.create_index(
            Index::create()
                .name("idx_audit_log_seq")
                .table(AuditLog::Table)
                .col(AuditLog::Seq)
                .unique()
                .to_owned(),
        )
        .await?;
        // One index per filter of /audit, each ending in seq (the page's order).
        for (name, cols) in [
            (
                "idx_audit_log_actor_seq",
                vec![AuditLog::ActorId, AuditLog::Seq],
            ),
            (
                "idx_audit_log_action_seq",
                vec![AuditLog::Action, AuditLog::Seq],
            ),
            (
                "idx_audit_log_object_seq",
                vec![AuditLog::Entity, AuditLog::EntityId, AuditLog::Seq],
            ),
            (
                "idx_audit_log_result_seq",
                vec![AuditLog::Result, AuditLog::Seq],
            ),
        ] {
            let mut idx = Index::create();
            idx.name(name).table(AuditLog::Table);
            for c in cols {
                idx.col(c);
            }
            m.create_index(idx.to_owned()).await?;
        }

        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    r"
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD.seq <= (SELECT COALESCE(MAX(last_seq), 0) FROM audit_anchors) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE FUNCTION audit_refuse() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_anchors_append_only BEFORE UPDATE OR DELETE ON audit_anchors
  FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_anchors_no_truncate BEFORE TRUNCATE ON audit_anchors
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
",
                )
                .await?;
            }
            _ => {
                for sql in [
                    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log \
                     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END",
                    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log \
                     WHEN OLD.seq > (SELECT COALESCE(MAX(last_seq), 0) FROM audit_anchors) \
                     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END",
                    "CREATE TRIGGER audit_anchors_no_update BEFORE UPDATE ON audit_anchors \
                     BEGIN SELECT RAISE(ABORT, 'audit_anchors is append-only: UPDATE refused'); END",
                    "CREATE TRIGGER audit_anchors_no_delete BEFORE DELETE ON audit_anchors \
                     BEGIN SELECT RAISE(ABORT, 'audit_anchors is append-only: DELETE refused'); END",
                ] {
                    db.execute_unprepared(sql).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "DROP TRIGGER audit_log_append_only ON audit_log; \
                     DROP TRIGGER audit_log_no_truncate ON audit_log; \
                     DROP TRIGGER audit_anchors_append_only ON audit_anchors; \
                     DROP TRIGGER audit_anchors_no_truncate ON audit_anchors; \
                     DROP FUNCTION audit_log_append_only(); DROP FUNCTION audit_refuse();",
                )
                .await?;
            }
            _ => {
                for t in [
                    "audit_log_no_update",
                    "audit_log_no_delete",
                    "audit_anchors_no_update",
                    "audit_anchors_no_delete",
                ] {
                    db.execute_unprepared(&format!("DROP TRIGGER {t}")).await?;
                }
            }
        }
        for name in [
            "idx_audit_log_seq",
            "idx_audit_log_actor_seq",
            "idx_audit_log_action_seq",
            "idx_audit_log_object_seq",
            "idx_audit_log_result_seq",
        ] {
            m.drop_index(Index::drop().name(name).table(AuditLog::Table).to_owned())
                .await?;
        }
        m.drop_table(Table::drop().table(AuditAnchors::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(AuditHead::Table).to_owned())
            .await?;
        for col in [
            AuditLog::Hash,
            AuditLog::PrevHash,
            AuditLog::Result,
            AuditLog::Role,
            AuditLog::Seq,
        ] {
            m.alter_table(
                Table::alter()
                    .table(AuditLog::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        db.execute_unprepared(
            "UPDATE accounts SET role = 'admin' WHERE role <> 'cadre' AND role <> 'supervisor'",
        )
        .await?;
        Ok(())
    }
}

/// Chains the rows already in the log, oldest first; returns the last `seq` and hash.
async fn chain_existing(db: &SchemaManagerConnection<'_>) -> Result<(i64, String), DbErr> {
    let backend = db.get_database_backend();
    let mut last = GENESIS.to_owned();
    let mut seq = 0i64;
    let mut after = 0i64;
    loop {
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                match backend {
                    DbBackend::Postgres => {
                        "SELECT id, at, actor_id, role, ip, action, entity, entity_id, result, details \
                         FROM audit_log WHERE id > $1 ORDER BY id LIMIT 1000"
                    }
                    _ => {
                        "SELECT id, at, actor_id, role, ip, action, entity, entity_id, result, details \
                         FROM audit_log WHERE id > ? ORDER BY id LIMIT 1000"
                    }
                },
                [after.into()],
            ))
            .await?;
        if rows.is_empty() {
            return Ok((seq, last));
        }
        for r in rows {
            let id: i64 = r.try_get("", "id")?;
            let at: chrono::DateTime<chrono::Utc> = r.try_get("", "at")?;
            let (role, ip, action, entity, result, details): (
                String,
                Option<String>,
                String,
                String,
                String,
                String,
            ) = (
                r.try_get("", "role")?,
                r.try_get("", "ip")?,
                r.try_get("", "action")?,
                r.try_get("", "entity")?,
                r.try_get("", "result")?,
                r.try_get("", "details")?,
            );
            seq += 1;
            let hash = digest(
                &last,
                &Link {
                    seq,
                    at,
                    actor_id: r.try_get("", "actor_id")?,
                    role: &role,
                    ip: ip.as_deref(),
                    action: &action,
                    entity: &entity,
                    entity_id: r.try_get("", "entity_id")?,
                    result: &result,
                    details: &details,
                },
            );
            m_update(db, id, seq, &last, &hash).await?;
            last = hash;
            after = id;
        }
    }
}

async fn m_update(
    db: &SchemaManagerConnection<'_>,
    id: i64,
    seq: i64,
    prev: &str,
    hash: &str,
) -> Result<(), DbErr> {
    let stmt = Query::update()
        .table(AuditLog::Table)
        .values([
            (AuditLog::Seq, seq.into()),
            (AuditLog::PrevHash, prev.into()),
            (AuditLog::Hash, hash.into()),
        ])
        .and_where(Expr::col(AuditLog::Id).eq(id))
        .to_owned();
    db.execute(&stmt).await?;
    Ok(())
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ActorId,
    Action,
    Entity,
    EntityId,
    Seq,
    Role,
    Result,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    LastHash,
}

#[derive(DeriveIden)]
enum AuditAnchors {
    Table,
    Id,
    CreatedAt,
    Before,
    FirstSeq,
    LastSeq,
    LastHash,
    Rows,
    File,
    FileSha256,
}
