//! Reading the audit trail: filters, pages (newest first, by `seq`, each filter on an index that
//! ends in `seq`), the CSV export's batches, and the chain's verification.

use super::api::{AuditPage, AuditQuery, AuditRow, ChainReport};
use super::PAGE_SIZE;
use crate::error::AppError;
use crate::model::entities::{account, audit_log};
use crate::ssr::audit::{self, Outcome};
use crate::ssr::guard::require;
use crate::ssr::validate::Validator;
use crate::types::{Role, Viewer};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use std::collections::HashMap;

/// The events the app records, for the filter's choices (any other text is still searched).
pub const EVENTS: &[&str] = &[
    "login",
    "logout",
    "lockout",
    "unlock",
    "change_password",
    "reset_password",
    "totp_enrol",
    "totp_failed",
    "totp_reset",
    "create",
    "update",
    "delete",
    "deactivate",
    "role_change",
    "phone_view",
    "export_request",
    "export",
    "export_download",
    "import_upload",
    "import_check",
    "import_probe",
    "import_held",
    "handover",
    "reassign",
    "decide",
    "request",
    "approve",
    "reopen",
    "pair",
    "unpair",
    "rename",
    "move",
    "add",
    "regenerate",
    "security_policy",
    "audit_export",
    "audit_verify",
    "reveal",
    "withdraw",
    "pi_act",
    "pi_copy",
    "anonymise",
    "legal_hold",
    "legal_release",
    "notice_publish",
    "privacy_settings",
    "close",
    "checkin",
    "join",
    "enrol_accept",
    "enrol_dismiss",
];

/// The filters, checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    /// `Some(None)`: an actor was asked for whom no account has (no row matches).
    pub actor: Option<Option<i64>>,
    pub event: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub result: Option<Outcome>,
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Exclusive.
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

impl Filter {
    /// The rows the filter keeps, newest first.
    pub fn select(&self) -> Option<Select<audit_log::Entity>> {
        let mut q = audit_log::Entity::find();
        match self.actor {
            Some(None) => return None,
            Some(Some(id)) => q = q.filter(audit_log::Column::ActorId.eq(id)),
            None => {}
        }
        if let Some(e) = &self.event {
            q = q.filter(audit_log::Column::Action.eq(e.as_str()));
        }
        if let Some(e) = &self.entity {
            q = q.filter(audit_log::Column::Entity.eq(e.as_str()));
        }
        if let Some(id) = self.entity_id {
            q = q.filter(audit_log::Column::EntityId.eq(id));
        }
        if let Some(r) = self.result {
            q = q.filter(audit_log::Column::Result.eq(r.as_str()));
        }
        if let Some(f) = self.from {
            q = q.filter(audit_log::Column::At.gte(f));
        }
        if let Some(u) = self.until {
            q = q.filter(audit_log::Column::At.lt(u));
        }
        Some(q.order_by_desc(audit_log::Column::Seq))
    }

    /// The filter in words, for the audit row of an export.
    pub fn describe(&self, q: &AuditQuery) -> String {
        let pairs = q.pairs();
        if pairs.is_empty() {
            "all".to_owned()
        } else {
            pairs
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        }
    }
}

/// Checks the query: a clear message per field for what cannot be a filter.
///
/// # Errors
/// `Invalid` for a malformed object, result or date, or `from` after `to`.
pub async fn filter(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    q: &AuditQuery,
) -> Result<Filter, AppError> {
    let mut v = Validator::new(viewer.locale);
    let t = v.t();
    let actor = v.text("actor", &q.actor, 30, false);
    let event = v.text("event", &q.event, 64, false);
    let object = v.text("object", &q.object, 64, false);
    let (entity, entity_id) = match object.split_once(':') {
        None if object.is_empty() => (None, None),
        None => (Some(object.clone()), None),
        Some((kind, id)) => match id.trim().parse::<i64>() {
            Ok(id) if !kind.trim().is_empty() => (Some(kind.trim().to_owned()), Some(id)),
            _ => {
                v.fail("object", "invalid_object", t.err_audit_object);
                (None, None)
            }
        },
    };
    let result = match q.result.trim() {
        "" => None,
        r => v.choice("result", r, Outcome::parse),
    };
    let from = match q.from.trim() {
        "" => None,
        d => v.date("from", d),
    };
    let to = match q.to.trim() {
        "" => None,
        d => v.date("to", d),
    };
    if let (Some(f), Some(t2)) = (from, to) {
        if f > t2 {
            v.fail("to", "date_order", t.err_date_order);
        }
    }
    v.finish(q)?;
    let actor = if actor.is_empty() {
        None
    } else {
        Some(
            account::Entity::find()
                .filter(account::Column::Username.eq(actor.as_str()))
                .one(db)
                .await?
                .map(|a| a.id),
        )
    };
    Ok(Filter {
        actor,
        event: (!event.is_empty()).then_some(event),
        entity,
        entity_id,
        result,
        from: from.map(crate::rules::shanghai_midnight),
        until: to.map(|d| crate::rules::shanghai_midnight(d + chrono::Duration::days(1))),
    })
}

/// Rows as the page and the CSV show them (usernames looked up once per batch).
async fn rows(
    db: &impl ConnectionTrait,
    models: Vec<audit_log::Model>,
) -> Result<Vec<AuditRow>, AppError> {
    let ids: Vec<i64> = models.iter().filter_map(|m| m.actor_id).collect();
    let names: HashMap<i64, String> = if ids.is_empty() {
        HashMap::new()
    } else {
        account::Entity::find()
            .filter(account::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.username))
            .collect()
    };
    Ok(models
        .into_iter()
        .map(|m| AuditRow {
            id: m.id,
            seq: m.seq,
            at: m.at,
            actor_id: m.actor_id,
            actor: m
                .actor_id
                .and_then(|a| names.get(&a).cloned())
                .unwrap_or_default(),
            role: m.role,
            ip: m.ip.unwrap_or_default(),
            event: m.action,
            object: match m.entity_id {
                Some(id) => format!("{}:{id}", m.entity),
                None => m.entity,
            },
            result: m.result,
            details: m.details,
        })
        .collect())
}

/// # Errors
/// `Forbidden` for anyone but auditors; `Invalid` for a filter that cannot be one.
pub async fn page(query: AuditQuery) -> Result<AuditPage, AppError> {
    let auth = require(Role::AUDITORS)?;
    let db = auth.db();
    let f = filter(db, &auth.viewer, &query).await?;
    let page = query
        .page
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|p| *p >= 1)
        .unwrap_or(1)
        // Beyond a million rows back, narrow the filters instead.
        .min(1_000_000 / PAGE_SIZE);
    let mut found = match f.select() {
        None => Vec::new(),
        Some(q) => {
            q.offset((page - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE + 1)
                .all(db)
                .await?
        }
    };
    let has_next = found.len() as u64 > PAGE_SIZE;
    found.truncate(PAGE_SIZE as usize);
    let trimmed = AuditQuery {
        actor: query.actor.trim().to_owned(),
        event: query.event.trim().to_owned(),
        object: query.object.trim().to_owned(),
        result: query.result.trim().to_owned(),
        from: query.from.trim().to_owned(),
        to: query.to.trim().to_owned(),
        page: page.to_string(),
    };
    Ok(AuditPage {
        rows: rows(db, found).await?,
        page,
        has_next,
        query: trimmed,
        events: EVENTS.iter().map(|e| (*e).to_owned()).collect(),
    })
}

/// One batch of the CSV export: rows older than `before` (a seq), newest first.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn batch(
    db: &impl ConnectionTrait,
    f: &Filter,
    before: Option<i64>,
    size: u64,
) -> Result<Vec<AuditRow>, AppError> {
    let Some(mut q) = f.select() else {
        return Ok(Vec::new());
    };
    if let Some(b) = before {
        q = q.filter(audit_log::Column::Seq.lt(b));
    }
    rows(db, q.limit(size).all(db).await?).await
}

/// The CSV header, with a byte-order mark so that spreadsheet programs read it as UTF-8.
pub const CSV_HEADER: &str =
    "\u{feff}id,seq,at,actor_id,actor,role,ip,event,object,result,details\r\n";

/// One CSV line. Fields are quoted, and a leading `=`, `+`, `-` or `@` is defused so that no
/// spreadsheet runs a formula someone typed into a record.
pub fn csv_line(r: &AuditRow) -> String {
    fn q(s: &str) -> String {
        let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{s}")
        } else {
            s.to_owned()
        };
        format!("\"{}\"", s.replace('"', "\"\""))
    }
    [
        r.id.to_string(),
        r.seq.to_string(),
        r.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        r.actor_id.map(|a| a.to_string()).unwrap_or_default(),
        q(&r.actor),
        r.role.clone(),
        q(&r.ip),
        q(&r.event),
        q(&r.object),
        r.result.clone(),
        q(&r.details),
    ]
    .join(",")
        + "\r\n"
}

/// # Errors
/// `Forbidden` for anyone but auditors.
pub async fn verify() -> Result<ChainReport, AppError> {
    let auth = require(Role::AUDITORS)?;
    let db = auth.db();
    let found = audit::verify(db).await?;
    let report = ChainReport {
        ok: found.broken.is_none(),
        rows: found.rows,
        anchored_at: found.anchored_at,
        broken_id: found.broken.as_ref().and_then(|b| b.id),
        broken: found.broken.map(|b| b.to_string()),
    };
    auth.audit_outcome(
        db,
        "audit_verify",
        "audit_log",
        report.broken_id,
        format!(
            "{} rows{}",
            report.rows,
            report
                .broken
                .as_ref()
                .map(|b| format!(": {b}"))
                .unwrap_or_default()
        ),
        if report.ok {
            Outcome::Success
        } else {
            Outcome::Failure
        },
    )
    .await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(details: &str) -> AuditRow {
        AuditRow {
            id: 1,
            seq: 1,
            at: chrono::DateTime::from_timestamp(1_764_000_000, 0).unwrap(),
            actor_id: Some(3),
            actor: "cadre01".into(),
            role: "cadre".into(),
            ip: "10.0.0.1".into(),
            event: "login".into(),
            object: "account:3".into(),
            result: "success".into(),
            details: details.into(),
        }
    }

    #[test]
    fn csv_lines_quote_and_defuse_formulas() {
        let line = csv_line(&row("=HYPERLINK(\"x\")"));
        assert!(line.ends_with("\"'=HYPERLINK(\"\"x\"\")\"\r\n"), "{line}");
        let line = csv_line(&row("a,b"));
        assert!(line.contains("\"a,b\""), "{line}");
        assert!(line.starts_with("1,1,2025-11-24T16:00:00.000000Z,3,\"cadre01\",cadre,"));
    }
}
