//! Quarter sign-off on the server.

use super::api::{ApproveForm, OrgLine, OrgState, ReopenForm, SignoffStatus, Stamp, StatusQuery};
use super::rules::{self, Parents};
use crate::error::AppError;
use crate::model::entities::{account, quarter_signoff};
use crate::model::orgtree::OrgTree;
use crate::model::signoff::approvals;
use crate::rules::{shanghai_date, Quarter};
use crate::ssr::guard::{require, Authorised};
use crate::ssr::once;
use crate::ssr::today;
use crate::ssr::validate::Validator;
use crate::types::{Role, SignoffState};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use std::collections::{HashMap, HashSet};

/// How many quarters the page offers, newest first (the last ended one, and the current one).
const QUARTER_CHOICES: usize = 8;

/// The quarter a request asks for (empty: the last one that has ended).
fn chosen_quarter(v: &mut Validator, value: &str) -> Quarter {
    let last = Quarter::of(today()).prev();
    match value.trim() {
        "" => last,
        q => Quarter::parse(q).unwrap_or_else(|| {
            let t = v.t();
            v.fail("quarter", "invalid_choice", t.err_invalid_choice);
            last
        }),
    }
}

/// The organisations that hold an active cadre.
async fn cadre_orgs(db: &impl ConnectionTrait) -> Result<Vec<i64>, AppError> {
    Ok(account::Entity::find()
        .select_only()
        .column(account::Column::OrgId)
        .distinct()
        .filter(account::Column::Role.eq(Role::Cadre.as_str()))
        .filter(account::Column::Active.eq(true))
        .into_tuple()
        .all(db)
        .await?)
}

/// The tree as sign-off sees it, for one quarter.
struct Board {
    tree: OrgTree,
    parents: Parents,
    needing: HashSet<i64>,
    approvals: HashMap<i64, quarter_signoff::Model>,
    approved: HashSet<i64>,
}

impl Board {
    async fn load(db: &impl ConnectionTrait, quarter: Quarter) -> Result<Board, AppError> {
        let tree = OrgTree::load(db).await?;
        let parents = tree.parents();
        let needing = rules::needing(&parents, cadre_orgs(db).await?);
        let approvals = approvals(db, quarter).await?;
        let approved = approvals.keys().copied().collect();
        Ok(Board {
            tree,
            parents,
            needing,
            approvals,
            approved,
        })
    }

    fn name(&self, org: i64) -> String {
        self.tree
            .get(org)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    }

    fn state(&self, org: i64) -> SignoffState {
        rules::state(org, &self.parents, &self.approved)
    }

    fn org_state(&self, org: i64) -> OrgState {
        OrgState {
            org_id: org,
            org_name: self.name(org),
            state: self.state(org).as_str().to_owned(),
        }
    }

    fn blocking(&self, org: i64) -> Vec<OrgState> {
        rules::blocking(&self.parents, org, &self.needing, &self.approved)
            .into_iter()
            .map(|o| self.org_state(o))
            .collect()
    }

    /// Whether the viewer may reopen `org`'s approval.
    fn may_reopen(&self, auth: &Authorised, org: i64) -> bool {
        self.approvals.get(&org).is_some_and(|a| {
            rules::may_reopen(
                &self.parents,
                org,
                a.approved_by,
                auth.viewer.id,
                auth.viewer.org_id,
            )
        })
    }
}

/// The stamp of `org`'s approval of `quarter`, with what changed since; `None` when it is not
/// approved. The dashboard and the export put it on the frozen figures.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn stamp(
    db: &impl ConnectionTrait,
    tree: &OrgTree,
    approval: &quarter_signoff::Model,
) -> Result<Stamp, AppError> {
    let quarter = Quarter::parse(&approval.quarter).ok_or(AppError::Internal)?;
    let names = crate::model::names::accounts(db, [approval.approved_by]).await?;
    let changes = crate::late::service::changes(
        db,
        tree,
        &tree.subtree(approval.org_id),
        quarter,
        approval.approved_at,
    )
    .await?;
    let state = rules::state(
        approval.org_id,
        &tree.parents(),
        &HashSet::from([approval.org_id]),
    );
    Ok(Stamp {
        state: state.as_str().to_owned(),
        approved_by: names
            .get(&approval.approved_by)
            .cloned()
            .unwrap_or_default(),
        approved_on: shanghai_date(approval.approved_at),
        comment: approval.comment.clone(),
        changes,
    })
}

/// The organisations that sign `quarter` off and have not (the reminder's recipients).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn unapproved(
    db: &impl ConnectionTrait,
    quarter: Quarter,
) -> Result<HashSet<i64>, AppError> {
    let board = Board::load(db, quarter).await?;
    Ok(board
        .needing
        .into_iter()
        .filter(|o| !board.approved.contains(o))
        .collect())
}

/// The last two quarters, where they are locked for the viewer's organisation (no window of
/// entry reaches further back).
///
/// # Errors
/// `Unauthenticated`; a database error.
pub async fn my_locks() -> Result<Vec<String>, AppError> {
    let auth = crate::ssr::guard::signed_in()?;
    let t = auth.viewer.locale.strings();
    let last = Quarter::of(today()).prev();
    let mut out = Vec::new();
    for q in [last.prev(), last] {
        let locked = crate::model::signoff::locked_quarter(
            auth.db(),
            auth.viewer.org_id,
            q.start(),
            q.end(),
        )
        .await?;
        if locked.is_some() {
            out.push(q.label(t));
        }
    }
    Ok(out)
}

/// # Errors
/// `Forbidden` for cadres; `NotFound` outside the subtree; `Invalid` for an unreadable quarter.
pub async fn status(query: StatusQuery) -> Result<SignoffStatus, AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let quarter = chosen_quarter(&mut v, &query.quarter);
    let (tree, _) = auth.scope().await?;
    let org = auth.org_in_scope(&tree, &query.org_id)?;
    v.finish(&query)?;
    let board = Board::load(db, quarter).await?;
    let ended = rules::ended(quarter, today());
    let approval = board.approvals.get(&org);
    let names =
        crate::model::names::accounts(db, board.approvals.values().map(|a| a.approved_by)).await?;
    let name_of = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let changes = match approval {
        Some(a) => stamp(db, &board.tree, a).await?.changes,
        None => Vec::new(),
    };
    let orgs = board
        .tree
        .listing(org)
        .into_iter()
        .filter(|n| board.needing.contains(&n.id))
        .map(|n| {
            let a = board.approvals.get(&n.id);
            let blocking = board.blocking(n.id);
            OrgLine {
                org_id: n.id,
                org_name: n.name,
                depth: n.depth,
                state: board.state(n.id).as_str().to_owned(),
                approved_by: a.map(|a| name_of(a.approved_by)),
                approved_on: a.map(|a| shanghai_date(a.approved_at)),
                comment: a.map(|a| a.comment.clone()).filter(|c| !c.is_empty()),
                can_approve: a.is_none() && ended && blocking.is_empty(),
                can_reopen: board.may_reopen(&auth, n.id),
                blocking,
            }
        })
        .collect();
    let mut quarters = Vec::new();
    let mut q = Quarter::of(today());
    for _ in 0..QUARTER_CHOICES {
        quarters.push(q.key());
        q = q.prev();
    }
    Ok(SignoffStatus {
        org_id: org,
        org_name: board.name(org),
        quarter: quarter.key(),
        state: board.state(org).as_str().to_owned(),
        approved_by: approval.map(|a| name_of(a.approved_by)),
        approved_at: approval.map(|a| a.approved_at),
        comment: approval.map(|a| a.comment.clone()),
        children: board
            .tree
            .children(org)
            .iter()
            .filter(|c| board.needing.contains(c))
            .map(|c| board.org_state(*c))
            .collect(),
        blocking: board.blocking(org),
        changes_since: changes.len() as u64,
        changes,
        ended,
        signs_off: board.needing.contains(&org),
        orgs,
        quarters,
    })
}

/// Approves `org`'s quarter: the subtree's figures are stored and its records locked. Of two
/// approvals at the same moment one is stored; the other is told it is approved already.
///
/// # Errors
/// `Forbidden` for cadres; `NotFound` outside the subtree; `Invalid` for a quarter not ended,
/// an organisation below not yet approved, one approved already, or no cadres below.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn approve(form: ApproveForm) -> Result<i64, AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, "signoff/approve", &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return Ok(id);
    }
    let (tree, _) = auth.scope().await?;
    let org = auth.org_in_scope(&tree, &form.org_id)?;
    let quarter = match Quarter::parse(&form.quarter) {
        Some(q) => Some(q),
        None => {
            v.fail("quarter", "invalid_choice", t.err_invalid_choice);
            None
        }
    };
    let comment = v.lines("comment", &form.comment, 500, false);
    let Some(quarter) = quarter else {
        return v.finish(&form).map(|()| 0);
    };
    let board = Board::load(db, quarter).await?;
    if !rules::ended(quarter, today()) {
        v.fail("quarter", "quarter_not_ended", t.err_quarter_not_ended);
    } else if board.approved.contains(&org) {
        v.fail("org_id", "already_approved", t.err_signoff_done);
    } else if !board.needing.contains(&org) {
        v.fail("org_id", "no_cadres", t.signoff_none);
    } else {
        let blocking = board.blocking(org);
        if !blocking.is_empty() {
            let names: Vec<String> = blocking.into_iter().map(|o| o.org_name).collect();
            let msg = crate::i18n::fill(t.err_signoff_blocked, &[("names", &names.join("、"))]);
            v.fail("org_id", "children_open", msg);
        }
    }
    if let Some(id) = once.settled(&v).await? {
        return Ok(id);
    }
    v.finish(&form)?;
    let figures =
        crate::compliance::service::freeze(db, &board.tree, org, quarter, today()).await?;
    let txn = match once.begin().await? {
        once::Begun::Earlier(id) => return Ok(id),
        once::Begun::Fresh(txn) => txn,
    };
    let inserted = quarter_signoff::ActiveModel {
        org_id: Set(org),
        quarter: Set(quarter.key()),
        approved_by: Set(auth.viewer.id),
        approved_at: Set(Utc::now()),
        comment: Set(comment),
        figures: Set(figures),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let saved = match inserted {
        Ok(saved) => saved,
        Err(e) if once::is_unique_violation(&e) => {
            txn.rollback().await?;
            let mut v = Validator::new(auth.viewer.locale);
            v.fail("org_id", "already_approved", t.err_signoff_done);
            return v.finish(&form).map(|()| 0);
        }
        Err(e) => return Err(e.into()),
    };
    auth.audit(
        &txn,
        "approve",
        "signoff",
        Some(org),
        format!("{} {}", quarter.key(), saved.comment),
    )
    .await?;
    once::finish(txn, once.uuid, saved.id).await?;
    Ok(saved.id)
}

/// Reopens `org`'s quarter and every level above it (their figures are no longer final and
/// their records unlock), with a reason.
///
/// # Errors
/// `Forbidden` for cadres; `NotFound` outside the subtree; `Invalid` for a quarter not
/// approved, no reason, or a viewer who is neither the approver nor above.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn reopen(form: ReopenForm) -> Result<(), AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, "signoff/reopen", &mut v, &form);
    if once.earlier().await?.is_some() {
        return Ok(());
    }
    let (tree, _) = auth.scope().await?;
    let org = auth.org_in_scope(&tree, &form.org_id)?;
    let reason = v.lines("reason", &form.reason, 500, false);
    if reason.is_empty() && !v.has("reason") {
        v.fail("reason", "required", t.err_signoff_reason);
    }
    let Some(quarter) = Quarter::parse(&form.quarter) else {
        v.fail("quarter", "invalid_choice", t.err_invalid_choice);
        return v.finish(&form);
    };
    let board = Board::load(db, quarter).await?;
    if !board.approved.contains(&org) {
        v.fail("org_id", "not_approved", t.err_signoff_open);
    } else if !board.may_reopen(&auth, org) {
        v.fail("org_id", "not_allowed", t.err_signoff_reopen_who);
    }
    if once.settled(&v).await?.is_some() {
        return Ok(());
    }
    v.finish(&form)?;
    let txn = match once.begin().await? {
        once::Begun::Earlier(_) => return Ok(()),
        once::Begun::Fresh(txn) => txn,
    };
    for level in rules::reopened(&board.parents, org) {
        let gone = quarter_signoff::Entity::delete_many()
            .filter(quarter_signoff::Column::OrgId.eq(level))
            .filter(quarter_signoff::Column::Quarter.eq(quarter.key()))
            .exec(&txn)
            .await?;
        if gone.rows_affected > 0 {
            auth.audit(
                &txn,
                "reopen",
                "signoff",
                Some(level),
                format!("{} {reason}", quarter.key()),
            )
            .await?;
        }
    }
    once::finish(txn, once.uuid, org).await
}
