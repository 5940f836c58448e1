//! Roster management on the server.

use super::api::{
    CadreChoice, HandoverForm, HandoverPlan, ManagedYouth, ReassignForm, RosterPage, RosterQuery,
};
use crate::error::AppError;
use crate::i18n::fill;
use crate::model::entities::{account, contact, pairing, youth};
use crate::model::orgtree::OrgTree;
use crate::model::paging::Paging;
use crate::model::roster;
use crate::ssr::guard::{require, Authorised};
use crate::ssr::validate::{search_text, Validator};
use crate::ssr::{once, session, today};
use crate::supervise::api::OrgChoice;
use crate::types::{mask_phone, RequestStatus, Role};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;

const PAGE_SIZE: usize = 50;
/// At most this many cadres to choose from on one page.
const MAX_CHOICES: usize = 300;
/// Why an assignment opened, as kept in the history (the ledgers are Chinese).
pub const REASON_HANDOVER: &str = "移交";
pub const REASON_REASSIGN: &str = "调整";
pub const REASON_ASSIGN: &str = "分配";
/// At most this many youths move in one reassignment (a handover moves any number).
const REASSIGN_MAX: usize = 500;
/// How far back a handover may take effect.
const BACKDATE_DAYS: i64 = 30;

/// # Errors
/// `Forbidden` for cadres; `NotFound` for an organisation or cadre outside the subtree.
pub async fn page(query: RosterQuery) -> Result<RosterPage, AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let db = auth.db();
    let (tree, _) = auth.scope().await?;
    let org = auth.org_in_scope(&tree, &query.org_id)?;
    let orgs = tree.subtree(org);
    // Cadres of the organisation: active ones, and inactive ones still holding youths.
    let accounts = account::Entity::find()
        .filter(account::Column::Role.eq(Role::Cadre.as_str()))
        .filter(account::Column::OrgId.is_in(orgs.iter().copied()))
        .order_by_asc(account::Column::Name)
        .limit(u64::try_from(MAX_CHOICES * 4).unwrap_or(1200))
        .all(db)
        .await?;
    let holding: HashMap<i64, i64> = youth::Entity::find()
        .select_only()
        .column(youth::Column::CadreId)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(youth::Column::CadreId.is_in(accounts.iter().map(|a| a.id)))
        .group_by(youth::Column::CadreId)
        .into_tuple::<(Option<i64>, i64)>()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(c, n)| Some((c?, n)))
        .collect();
    let choice = |a: &account::Model| CadreChoice {
        id: a.id,
        name: a.name.clone(),
        username: a.username.clone(),
        org_name: tree
            .get(a.org_id)
            .map(|o| o.name.clone())
            .unwrap_or_default(),
        active: a.active,
        youths: u32::try_from(holding.get(&a.id).copied().unwrap_or(0)).unwrap_or(0),
    };
    let mut cadres: Vec<CadreChoice> = accounts
        .iter()
        .filter(|a| a.active || holding.contains_key(&a.id))
        .map(choice)
        .collect();
    // A page never lists thousands: past the cap, pick a narrower organisation first.
    let too_many = cadres.len() > MAX_CHOICES;
    if too_many {
        cadres.clear();
    }
    let cadre = match query.cadre_id.trim() {
        "" => None,
        id => Some(choice(
            &auth
                .cadre_in_scope(&tree, crate::ssr::record_id(id)?)
                .await?,
        )),
    };
    let mut q = youth::Entity::find();
    q = match &cadre {
        Some(c) => q.filter(youth::Column::CadreId.eq(c.id)),
        None => q
            .filter(youth::Column::CadreId.is_null())
            // Consent withdrawn or anonymised: on no roster again.
            .filter(youth::Column::WithdrawnOn.is_null())
            .filter(youth::Column::AnonymisedAt.is_null())
            .filter(youth::Column::OrgId.is_in(orgs.iter().copied())),
    };
    let search = search_text(&query.q, 30);
    if !search.is_empty() {
        q = q.filter(youth::Column::Name.contains(search.as_str()));
    }
    let matching = usize::try_from(q.clone().count(db).await?).unwrap_or(0);
    let paging = Paging::new(&query.page, matching, PAGE_SIZE);
    let (page, pages) = (paging.page, paging.pages);
    let youths = q
        .order_by_asc(youth::Column::Name)
        .order_by_asc(youth::Column::Id)
        .offset(paging.offset())
        .limit(paging.limit())
        .all(db)
        .await?
        .into_iter()
        .map(|y| ManagedYouth {
            id: y.id,
            name: y.name,
            phone: mask_phone(&y.phone),
            workplace: y
                .org_id
                .and_then(|o| tree.get(o).map(|o| o.name.clone()))
                .or(y.workplace)
                .unwrap_or_default(),
            assigned_on: y.assigned_on,
        })
        .collect();
    Ok(RosterPage {
        org_id: org,
        orgs: tree
            .listing(auth.viewer.org_id)
            .into_iter()
            .filter(|o| o.active)
            .map(|o| OrgChoice {
                id: o.id,
                name: o.name,
                depth: o.depth,
            })
            .collect(),
        cadres,
        cadre,
        youths,
        matching,
        page,
        pages,
        q: search,
        today: today(),
        too_many_cadres: too_many,
    })
}

/// An active cadre in the viewer's subtree, or a field error on `field`.
async fn successor(
    auth: &Authorised,
    tree: &OrgTree,
    v: &mut Validator,
    field: &str,
    value: &str,
) -> Result<Option<account::Model>, AppError> {
    let t = v.t();
    let Some(id) = v.id(field, value) else {
        return Ok(None);
    };
    match auth.cadre_in_scope(tree, id).await {
        Ok(a) if a.active => Ok(Some(a)),
        Ok(_) | Err(AppError::NotFound) => {
            v.fail(field, "invalid_choice", t.err_not_active_cadre);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Moves the selected youths to another cadre.
///
/// # Errors
/// `Forbidden` for cadres; `NotFound` for a youth outside the subtree; `Invalid` for no youths,
/// too many, or a successor who is not an active cadre of the subtree.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn reassign(form: ReassignForm) -> Result<u32, AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let db = auth.db();
    let (tree, scope) = auth.scope().await?;
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, "roster/reassign", &mut v, &form);
    if let Some(n) = once.earlier().await? {
        return Ok(u32::try_from(n).unwrap_or(0));
    }
    let mut ids: Vec<i64> = Vec::new();
    for part in form
        .youth_ids
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match part.parse::<i64>() {
            Ok(id) if id > 0 => ids.push(id),
            _ => v.fail("youth_ids", "invalid_choice", t.err_invalid_choice),
        }
    }
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() && !v.has("youth_ids") {
        v.fail("youth_ids", "required", t.err_pick_youths);
    } else if ids.len() > REASSIGN_MAX {
        v.fail(
            "youth_ids",
            "too_many",
            fill(t.err_too_many_youths, &[("max", &REASSIGN_MAX.to_string())]),
        );
    }
    let to = successor(&auth, &tree, &mut v, "to_cadre_id", &form.to_cadre_id).await?;
    // Every youth must be in the viewer's subtree: on a roster there, or unassigned there.
    let youths = youth::Entity::find()
        .filter(youth::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let owners: HashMap<i64, i64> = account::Entity::find()
        .filter(account::Column::Id.is_in(youths.iter().filter_map(|y| y.cadre_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.org_id))
        .collect();
    let in_scope = |y: &youth::Model| match y.cadre_id {
        Some(c) => owners.get(&c).is_some_and(|o| scope.contains(o)),
        None => y.org_id.is_some_and(|o| scope.contains(&o)),
    };
    // Nobody who withdrew consent (or was anonymised) goes back on a roster.
    let reachable =
        |y: &youth::Model| in_scope(y) && y.withdrawn_on.is_none() && y.anonymised_at.is_none();
    if youths.len() != ids.len() || !youths.iter().all(reachable) {
        return Err(AppError::NotFound);
    }
    if let Some(n) = once.settled(&v).await? {
        return Ok(u32::try_from(n).unwrap_or(0));
    }
    v.finish(&form)?;
    let to = to.ok_or(AppError::Internal)?;
    let txn = match once.begin().await? {
        once::Begun::Earlier(n) => return Ok(u32::try_from(n).unwrap_or(0)),
        once::Begun::Fresh(txn) => txn,
    };
    let today = today();
    let mut moved = 0u32;
    for y in &youths {
        if y.cadre_id == Some(to.id) {
            continue;
        }
        let reason = if y.cadre_id.is_some() {
            REASON_REASSIGN
        } else {
            REASON_ASSIGN
        };
        roster::assign(&txn, y.id, to.id, today, reason, Some(auth.viewer.id)).await?;
        moved += 1;
    }
    auth.audit(
        &txn,
        "reassign",
        "account",
        Some(to.id),
        format!(
            "{moved} youths: {}",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
    )
    .await?;
    once::finish(txn, once.uuid, i64::from(moved)).await?;
    Ok(moved)
}

/// The handover's parties and date, checked.
struct Checked {
    from: account::Model,
    to: account::Model,
    effective_on: NaiveDate,
    pairings: bool,
    deactivate: bool,
}

async fn check(
    auth: &Authorised,
    tree: &OrgTree,
    v: &mut Validator,
    form: &HandoverForm,
) -> Result<Option<Checked>, AppError> {
    let t = v.t();
    let from = match v.id("from_cadre_id", &form.from_cadre_id) {
        Some(id) => Some(auth.cadre_in_scope(tree, id).await?),
        None => None,
    };
    let to = successor(auth, tree, v, "to_cadre_id", &form.to_cadre_id).await?;
    if let (Some(f), Some(s)) = (&from, &to) {
        if f.id == s.id {
            v.fail("to_cadre_id", "same_cadre", t.err_same_cadre);
        }
    }
    let today = today();
    let effective_on = match form.effective_on.trim() {
        "" => Some(today),
        d => v.date("effective_on", d),
    };
    if let Some(d) = effective_on {
        if d > today {
            v.fail("effective_on", "date_in_future", t.err_date_future);
        } else if d < today - Duration::days(BACKDATE_DAYS) {
            v.fail("effective_on", "date_too_old", t.err_date_too_old);
        }
    }
    let flag = |v: &mut Validator, field: &str, value: &str| match value.trim() {
        "true" | "on" => true,
        "" | "false" => false,
        _ => {
            v.fail(field, "invalid_choice", t.err_invalid_choice);
            false
        }
    };
    let pairings = flag(v, "pairings", &form.pairings);
    let deactivate = flag(v, "deactivate", &form.deactivate);
    Ok(match (from, to, effective_on) {
        (Some(from), Some(to), Some(effective_on)) => Some(Checked {
            from,
            to,
            effective_on,
            pairings,
            deactivate,
        }),
        _ => None,
    })
}

async fn plan(
    db: &impl ConnectionTrait,
    tree: &OrgTree,
    c: &Checked,
    t: &'static crate::i18n::Strings,
) -> Result<HandoverPlan, AppError> {
    let youths = youth::Entity::find()
        .filter(youth::Column::CadreId.eq(c.from.id))
        .count(db)
        .await?;
    let open_requests = contact::Entity::find()
        .filter(
            contact::Column::YouthId.in_subquery(sea_orm::QueryTrait::into_query(
                youth::Entity::find()
                    .select_only()
                    .column(youth::Column::Id)
                    .filter(youth::Column::CadreId.eq(c.from.id)),
            )),
        )
        .filter(contact::Column::Request.is_not_null())
        .filter(contact::Column::RequestStatus.ne(RequestStatus::Resolved.as_str()))
        .count(db)
        .await?;
    let pairings = if c.pairings {
        pairing::Entity::find()
            .filter(pairing::Column::CadreId.eq(c.from.id))
            .filter(pairing::Column::EndedOn.is_null())
            .all(db)
            .await?
            .into_iter()
            .filter_map(|p| tree.get(p.org_id).map(|o| o.name.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let successor_has = youth::Entity::find()
        .filter(youth::Column::CadreId.eq(c.to.id))
        .count(db)
        .await?;
    let youths = u32::try_from(youths).unwrap_or(0);
    let open_requests = u32::try_from(open_requests).unwrap_or(0);
    let successor_roster = u32::try_from(successor_has).unwrap_or(0) + youths;
    let roster_target = crate::model::policy::load(db).await?.roster_target;
    let summary = fill(
        t.handover_summary,
        &[
            ("youths", &youths.to_string()),
            ("requests", &open_requests.to_string()),
            ("pairings", &pairings.len().to_string()),
            ("to", &c.to.name),
            ("date", &c.effective_on.to_string()),
        ],
    );
    Ok(HandoverPlan {
        from_cadre_id: c.from.id,
        from_name: c.from.name.clone(),
        to_cadre_id: c.to.id,
        to_name: c.to.name.clone(),
        youths,
        open_requests,
        pairings,
        effective_on: c.effective_on,
        deactivate: c.deactivate,
        summary,
        successor_roster,
        roster_target,
    })
}

/// # Errors
/// As [`handover`], and nothing changes.
pub async fn preview(form: HandoverForm) -> Result<HandoverPlan, AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let t = auth.viewer.locale.strings();
    let (tree, _) = auth.scope().await?;
    let mut v = Validator::new(auth.viewer.locale);
    let checked = check(&auth, &tree, &mut v, &form).await?;
    v.finish(&form)?;
    let checked = checked.ok_or(AppError::Internal)?;
    plan(auth.db(), &tree, &checked, t).await
}

/// Hands the roster over in one transaction: every open assignment of the leaving cadre ends on
/// the effective date and opens for the successor (reason 移交); as chosen, their open pairings
/// move too and the leaving account is deactivated (its sessions end). Sent twice, it moves
/// nothing twice.
///
/// # Errors
/// `Forbidden` for cadres; `NotFound` for a cadre outside the subtree; `Invalid` for a successor
/// who is not an active cadre of the subtree, the same cadre, a date in the future or more than
/// 30 days back.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn handover(form: HandoverForm) -> Result<HandoverPlan, AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let db = auth.db();
    let t = auth.viewer.locale.strings();
    let (tree, _) = auth.scope().await?;
    let mut v = Validator::new(auth.viewer.locale);
    let once = once::Request::new(&auth, "roster/handover", &mut v, &form);
    let checked = check(&auth, &tree, &mut v, &form).await?;
    // Sent again: it was done; nothing is left to move.
    if once.earlier().await?.is_some() {
        let c = checked.ok_or(AppError::Internal)?;
        return plan(db, &tree, &c, t).await.map(|mut p| {
            p.youths = 0;
            p.open_requests = 0;
            p
        });
    }
    v.finish(&form)?;
    let c = checked.ok_or(AppError::Internal)?;
    let result = plan(db, &tree, &c, t).await?;
    let txn = match once.begin().await? {
        once::Begun::Earlier(_) => return Ok(result),
        once::Begun::Fresh(txn) => txn,
    };
    let youths: Vec<i64> = youth::Entity::find()
        .select_only()
        .column(youth::Column::Id)
        .filter(youth::Column::CadreId.eq(c.from.id))
        .into_tuple()
        .all(&txn)
        .await?;
    for y in &youths {
        roster::assign(
            &txn,
            *y,
            c.to.id,
            c.effective_on,
            REASON_HANDOVER,
            Some(auth.viewer.id),
        )
        .await?;
    }
    if c.pairings {
        let open = pairing::Entity::find()
            .filter(pairing::Column::CadreId.eq(c.from.id))
            .filter(pairing::Column::EndedOn.is_null())
            .all(&txn)
            .await?;
        for p in open {
            let org = p.org_id;
            let mut am = p.into_active_model();
            am.ended_on = Set(Some(c.effective_on));
            am.update(&txn).await?;
            let already = pairing::Entity::find()
                .filter(pairing::Column::CadreId.eq(c.to.id))
                .filter(pairing::Column::OrgId.eq(org))
                .filter(pairing::Column::EndedOn.is_null())
                .one(&txn)
                .await?;
            if already.is_none() {
                pairing::ActiveModel {
                    uuid: Set(uuid::Uuid::new_v4()),
                    cadre_id: Set(c.to.id),
                    org_id: Set(org),
                    started_on: Set(c.effective_on),
                    ended_on: Set(None),
                    created_at: Set(Utc::now()),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
        }
    }
    if c.deactivate && c.from.active {
        let mut am = c.from.clone().into_active_model();
        am.active = Set(false);
        am.left_on = Set(Some(c.effective_on));
        am.updated_at = Set(Utc::now());
        am.update(&txn).await?;
        session::end_all_for(&txn, c.from.id, None).await?;
    }
    crate::compliance::service::reopen_weeks(&txn, c.effective_on).await?;
    auth.audit(
        &txn,
        "handover",
        "account",
        Some(c.from.id),
        result.summary.clone(),
    )
    .await?;
    once::finish(txn, once.uuid, c.from.id).await?;
    Ok(result)
}
