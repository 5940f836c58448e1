//! The audit trail: who did what to which record, when, from where, and whether it worked.
//!
//! Append-only and tamper-evident: rows are only ever inserted (database triggers refuse updates
//! and deletions, but of rows an archive moved out), and each row's hash covers its content and
//! the previous row's hash ([`migrations::audit_chain::digest`]). [`verify`] walks the chain and
//! names the first row that does not hold.

use crate::error::AppError;
use crate::model::entities::{audit_anchor, audit_head, audit_log};
use crate::types::Role;
use chrono::SubsecRound;
use migrations::audit_chain::{digest, Link, GENESIS};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};

/// Whether what was attempted happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    pub const ALL: [Outcome; 2] = [Outcome::Success, Outcome::Failure];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

pub struct Entry<'a> {
    pub actor_id: Option<i64>,
    /// The actor's role as it acted (`None` without a known actor).
    pub role: Option<Role>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub details: String,
    pub ip: Option<String>,
    pub result: Outcome,
}

/// An entry that owns its words: for the instance's [`writer`](super::writer), which appends
/// the entries of a whole batch at its end.
#[derive(Clone, Debug)]
pub struct Row {
    pub actor_id: Option<i64>,
    pub role: Option<Role>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub details: String,
    pub ip: Option<String>,
    pub result: Outcome,
}

impl From<Entry<'_>> for Row {
    fn from(e: Entry<'_>) -> Row {
        Row {
            actor_id: e.actor_id,
            role: e.role,
            action: e.action.to_owned(),
            entity: e.entity.to_owned(),
            entity_id: e.entity_id,
            details: e.details,
            ip: e.ip,
            result: e.result,
        }
    }
}

/// Appends one row to the chain, inside `db`'s transaction when it is one (the row then stands
/// or falls with the change it records).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn record<C>(db: &C, entry: Entry<'_>) -> Result<(), AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    append(&txn, vec![entry.into()]).await?;
    txn.commit().await?;
    Ok(())
}

/// Appends rows to the chain in `txn`, in their order, with three statements however many.
///
/// The first statement moves the chain's head on by as many rows: SQLite takes its write lock,
/// PostgreSQL the head's row lock, so appends queue one behind the other until the transaction
/// that made one commits, and each reads the hash the one before it left. Append last in a
/// transaction: the lock is held from here to the commit.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn append(txn: &impl ConnectionTrait, rows: Vec<Row>) -> Result<(), AppError> {
    let Ok(n) = i64::try_from(rows.len()) else {
        return Err(AppError::Internal);
    };
    if n == 0 {
        return Ok(());
    }
    // One statement moves the head on and reads it (SQLite ≥ 3.35 and PostgreSQL return rows
    // from an UPDATE).
    let head = audit_head::Entity::update_many()
        .col_expr(
            audit_head::Column::Seq,
            Expr::col(audit_head::Column::Seq).add(n),
        )
        .filter(audit_head::Column::Id.eq(1))
        .exec_with_returning(txn)
        .await?
        .pop()
        .ok_or(AppError::Internal)?;
    // PostgreSQL keeps microseconds: the hash must cover what is kept.
    let at = chrono::Utc::now().trunc_subsecs(6);
    let mut seq = head.seq - n;
    let mut prev = head.last_hash;
    let mut models = Vec::with_capacity(rows.len());
    for row in rows {
        seq += 1;
        let role = row.role.map_or("", Role::as_str);
        let hash = digest(
            &prev,
            &Link {
                seq,
                at,
                actor_id: row.actor_id,
                role,
                ip: row.ip.as_deref(),
                action: &row.action,
                entity: &row.entity,
                entity_id: row.entity_id,
                result: row.result.as_str(),
                details: &row.details,
            },
        );
        models.push(audit_log::ActiveModel {
            at: Set(at),
            actor_id: Set(row.actor_id),
            role: Set(role.to_owned()),
            action: Set(row.action),
            entity: Set(row.entity),
            entity_id: Set(row.entity_id),
            details: Set(row.details),
            ip: Set(row.ip),
            seq: Set(seq),
            result: Set(row.result.as_str().to_owned()),
            prev_hash: Set(std::mem::replace(&mut prev, hash.clone())),
            hash: Set(hash),
            ..Default::default()
        });
    }
    // SQLite takes at most 32,766 values in a statement: 13 columns a row.
    for chunk in models.chunks(1_000) {
        audit_log::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    audit_head::Entity::update_many()
        .col_expr(audit_head::Column::LastHash, Expr::value(prev))
        .filter(audit_head::Column::Id.eq(1))
        .exec(txn)
        .await?;
    Ok(())
}

/// Where the chain first does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    /// The database id of the first row that does not hold (`None`: rows are missing at the
    /// end, after the last one there).
    pub id: Option<i64>,
    pub seq: i64,
    pub why: Break,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Break {
    /// The row's content is not what its hash covers: it was changed.
    Changed,
    /// The row does not follow the one before it: rows were removed or slipped in before it.
    Unlinked,
    /// Rows are missing before this one (its place in the chain skips).
    Gap,
    /// The chain ends before its recorded end: rows were removed from the end.
    Truncated,
}

impl Break {
    pub fn as_str(self) -> &'static str {
        match self {
            Break::Changed => "changed",
            Break::Unlinked => "unlinked",
            Break::Gap => "gap",
            Break::Truncated => "truncated",
        }
    }
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.why {
            Break::Changed => "its content does not match its hash (changed)",
            Break::Unlinked => "it does not follow the row before it (rows removed or inserted)",
            Break::Gap => "rows are missing before it",
            Break::Truncated => "rows are missing at the end of the chain",
        };
        match self.id {
            Some(id) => write!(f, "row id {id} (seq {}): {what}", self.seq),
            None => write!(f, "after seq {}: {what}", self.seq),
        }
    }
}

/// What a walk of the chain found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// Rows checked.
    pub rows: u64,
    /// Where the chain continues from an archive (its last seq), if one was made.
    pub anchored_at: Option<i64>,
    pub broken: Option<Broken>,
}

/// The hash a row's content gives.
pub fn row_hash(r: &audit_log::Model, prev_hash: &str) -> String {
    digest(
        prev_hash,
        &Link {
            seq: r.seq,
            at: r.at,
            actor_id: r.actor_id,
            role: &r.role,
            ip: r.ip.as_deref(),
            action: &r.action,
            entity: &r.entity,
            entity_id: r.entity_id,
            result: &r.result,
            details: &r.details,
        },
    )
}

/// Checks rows in chain order against the hash and place the one before left, advancing
/// `(seq, prev)`; the first that does not hold.
pub fn check_rows<'a>(
    rows: impl IntoIterator<Item = &'a audit_log::Model>,
    seq: &mut i64,
    prev: &mut String,
) -> Option<Broken> {
    for r in rows {
        let at = |why| {
            Some(Broken {
                id: Some(r.id),
                seq: r.seq,
                why,
            })
        };
        if r.seq != *seq + 1 {
            return at(Break::Gap);
        }
        if r.prev_hash != *prev {
            return at(Break::Unlinked);
        }
        if row_hash(r, prev) != r.hash {
            return at(Break::Changed);
        }
        *seq = r.seq;
        prev.clone_from(&r.hash);
    }
    None
}

/// Walks the whole chain, oldest first, from the last archive's anchor (or the start).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn verify(db: &impl ConnectionTrait) -> Result<Verified, AppError> {
    const BATCH: u64 = 5_000;
    let anchor = audit_anchor::Entity::find()
        .order_by_desc(audit_anchor::Column::LastSeq)
        .one(db)
        .await?;
    let (mut seq, mut prev) = anchor.as_ref().map_or((0, GENESIS.to_owned()), |a| {
        (a.last_seq, a.last_hash.clone())
    });
    let anchored_at = anchor.map(|a| a.last_seq);
    let head = audit_head::Entity::find_by_id(1).one(db).await?;
    let mut rows = 0u64;
    loop {
        let batch = audit_log::Entity::find()
            .filter(audit_log::Column::Seq.gt(seq))
            .order_by_asc(audit_log::Column::Seq)
            .limit(BATCH)
            .all(db)
            .await?;
        if batch.is_empty() {
            break;
        }
        let before = seq;
        if let Some(broken) = check_rows(&batch, &mut seq, &mut prev) {
            // `seq` stopped at the last row that held.
            let checked = u64::try_from(seq - before).unwrap_or(0);
            return Ok(Verified {
                rows: rows + checked,
                anchored_at,
                broken: Some(broken),
            });
        }
        rows += batch.len() as u64;
    }
    let broken = head
        .filter(|h| h.seq != seq || h.last_hash != prev)
        .map(|_| Broken {
            id: None,
            seq,
            why: Break::Truncated,
        });
    Ok(Verified {
        rows,
        anchored_at,
        broken,
    })
}
