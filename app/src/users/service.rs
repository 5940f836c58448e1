//! Accounts and pairings, on the server, inside the viewer's subtree. The system administrator
//! keeps the accounts of cadres and supervisors and their pairings; the security administrator
//! keeps the administrators' accounts, assigns roles, lifts sign-in locks and resets second
//! factors (三权分立: see
//! [`Role::keeps`]).

use super::api::{
    AccountId, AccountsQuery, FactorReset, NewAccount, NewPairing, PairingId, ResetPasswordForm,
    RoleForm,
};
use crate::error::AppError;
use crate::model::entities::{account, pairing, totp_factor};
use crate::model::paging::Paging;
use crate::ssr::guard::{require, Authorised};
use crate::ssr::validate::Validator;
use crate::ssr::{once, password, session, throttle, today};
use crate::types::{mask_phone, AccountRow, AccountsPage, OrgKind, PairingRow, Post, Role};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use std::collections::{HashMap, HashSet};

pub const NAME_MAX: usize = 30;

/// 3 to 30 letters, digits or underscores, and not digits only: a username must never look like
/// a phone number, or signing in by phone could reach the wrong account.
pub fn valid_username(u: &str) -> bool {
    (3..=30).contains(&u.len())
        && u.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !u.chars().all(|c| c.is_ascii_digit())
}

const PAGE_SIZE: usize = 30;

/// # Errors
/// `Forbidden` for anyone but the system and security administrators; `Invalid` for an unknown
/// role.
pub async fn page(query: AccountsQuery) -> Result<AccountsPage, AppError> {
    let auth = require(Role::ACCOUNT_KEEPERS)?;
    let (tree, scope) = auth.scope().await?;
    let mut v = Validator::new(auth.viewer.locale);
    let listed = listed_roles(auth.viewer.role);
    let role = match query.role.trim() {
        "" => None,
        r => v.choice("role", r, |r| Role::parse(r).filter(|r| listed.contains(r))),
    };
    v.finish(&query)?;
    let search = crate::ssr::validate::search_text(&query.q, 30);
    let mut q = account::Entity::find()
        .filter(account::Column::OrgId.is_in(scope.iter().copied()))
        .filter(account::Column::Role.is_in(listed.iter().map(|r| r.as_str())));
    if let Some(r) = role {
        q = q.filter(account::Column::Role.eq(r.as_str()));
    }
    if !search.is_empty() {
        // Phone numbers are matched whole: they are shown masked, and a partial match would
        // tell their hidden digits one by one.
        q = q.filter(
            sea_orm::Condition::any()
                .add(account::Column::Name.contains(search.as_str()))
                .add(account::Column::Username.contains(search.as_str()))
                .add(account::Column::Phone.eq(search.as_str())),
        );
    }
    let matching = usize::try_from(q.clone().count(auth.db()).await?).unwrap_or(0);
    let paging = Paging::new(&query.page, matching, PAGE_SIZE);
    let (page, pages) = (paging.page, paging.pages);
    let accounts = q
        .order_by_asc(account::Column::Role)
        .order_by_asc(account::Column::Username)
        .offset(paging.offset())
        .limit(paging.limit())
        .all(auth.db())
        .await?;
    let pairings = pairing::Entity::find()
        .filter(pairing::Column::CadreId.is_in(accounts.iter().map(|a| a.id)))
        .filter(pairing::Column::EndedOn.is_null())
        .order_by_asc(pairing::Column::Id)
        .all(auth.db())
        .await?;
    let mut by_cadre: HashMap<i64, Vec<PairingRow>> = HashMap::new();
    for p in pairings {
        by_cadre.entry(p.cadre_id).or_default().push(PairingRow {
            id: p.id,
            org_id: p.org_id,
            org_name: tree
                .get(p.org_id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            started_on: p.started_on,
        });
    }
    let locked = throttle::locked(
        auth.db(),
        accounts.iter().map(|a| format!("acct:{}", a.id)).collect(),
    )
    .await?;
    let with_factor: HashSet<i64> = totp_factor::Entity::find()
        .filter(totp_factor::Column::AccountId.is_in(accounts.iter().map(|a| a.id)))
        .filter(totp_factor::Column::ConfirmedAt.is_not_null())
        .all(auth.db())
        .await?
        .into_iter()
        .map(|f| f.account_id)
        .collect();
    let keeps = auth.viewer.role.keeps();
    let accounts = accounts
        .into_iter()
        .map(|a| AccountRow {
            factor: with_factor.contains(&a.id),
            locked: locked.contains(&format!("acct:{}", a.id)),
            kept: Role::parse(&a.role).is_some_and(|r| keeps.contains(&r)),
            id: a.id,
            org_name: tree
                .get(a.org_id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            pairings: by_cadre.remove(&a.id).unwrap_or_default(),
            name: a.name,
            username: a.username,
            // No administrator's work needs a full number.
            phone: a.phone.as_deref().map(mask_phone),
            role: Role::parse(&a.role).unwrap_or(Role::Cadre),
            org_id: a.org_id,
            post: a.post.as_deref().and_then(Post::parse),
            active: a.active,
        })
        .collect();
    Ok(AccountsPage {
        accounts,
        orgs: tree.listing(auth.viewer.org_id),
        matching,
        page,
        pages,
        q: search,
        role: role.map(|r| r.as_str().to_owned()).unwrap_or_default(),
        viewer_role: auth.viewer.role,
        viewer_id: auth.viewer.id,
    })
}

/// The accounts a keeper lists: the system administrator those it keeps; the security
/// administrator everyone (it assigns roles and lifts locks).
fn listed_roles(viewer: Role) -> &'static [Role] {
    match viewer {
        Role::Secadmin => &Role::ALL,
        other => other.keeps(),
    }
}

/// Whether `value` is taken as a username or a phone number by any account: the two share one
/// sign-in field, so neither may equal the other of another account.
async fn login_taken(db: &impl sea_orm::ConnectionTrait, value: &str) -> Result<bool, AppError> {
    Ok(account::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(account::Column::Username.eq(value))
                .add(account::Column::Phone.eq(value)),
        )
        .one(db)
        .await?
        .is_some())
}

const CREATE: &str = "users/create";

/// # Errors
/// `Forbidden`; `Invalid` for any bad field, a taken username or phone number, a weak password.
#[tracing::instrument(skip_all, fields(username = %form.username), err(level = "info"))]
pub async fn create(form: NewAccount) -> Result<i64, AppError> {
    let auth = require(Role::ACCOUNT_KEEPERS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, CREATE, &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return Ok(id);
    }
    let name = v.text("name", &form.name, NAME_MAX, true);
    let username = v.text("username", &form.username, 30, true);
    if !username.is_empty() && !valid_username(&username) {
        v.fail("username", "invalid_username", t.err_invalid_username);
    }
    let phone = v.phone("phone", &form.phone, false);
    let keeps = auth.viewer.role.keeps();
    let role = v.choice("role", &form.role, |r| {
        Role::parse(r).filter(|r| keeps.contains(r))
    });
    let org_id = v.id("org_id", &form.org_id);
    let post = match form.post.trim() {
        "" if role == Some(Role::Cadre) => {
            v.fail("post", "required", t.err_required);
            None
        }
        "" => None,
        p => v.choice("post", p, Post::parse),
    };
    let policy = crate::model::security::load(db).await?;
    v.new_password(
        "password",
        &form.password,
        &[&name, &username, phone.as_deref().unwrap_or_default()],
        &policy,
    );
    let (tree, scope) = auth.scope().await?;
    if let Some(org) = org_id {
        if !scope.contains(&org) || !tree.get(org).is_some_and(|o| o.active) {
            v.fail("org_id", "invalid_choice", t.err_invalid_choice);
        }
    }
    if !v.has("username") && login_taken(db, &username).await? {
        v.fail("username", "username_taken", t.err_username_taken);
    }
    if let Some(p) = &phone {
        if login_taken(db, p).await? {
            v.fail("phone", "phone_taken", t.err_phone_taken);
        }
    }
    if let Some(id) = once.settled(&v).await? {
        return Ok(id);
    }
    v.finish(&form)?;
    let (Some(role), Some(org_id)) = (role, org_id) else {
        return Err(AppError::Internal);
    };
    let hash = password::hash(&form.password).await?;
    let txn = match once.begin().await? {
        once::Begun::Earlier(id) => return Ok(id),
        once::Begun::Fresh(txn) => txn,
    };
    let now = Utc::now();
    let inserted = account::Entity::insert(account::ActiveModel {
        uuid: Set(once.uuid),
        name: Set(name),
        username: Set(username.clone()),
        phone: Set(phone.clone()),
        email: Set(None),
        password_hash: Set(hash),
        role: Set(role.as_str().to_owned()),
        org_id: Set(org_id),
        post: Set(post.map(|p| p.as_str().to_owned())),
        active: Set(true),
        locale: Set("zh-CN".to_owned()),
        joined_on: Set(Some(today())),
        left_on: Set(None),
        calendar_token: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        password_changed_at: Set(Some(now)),
        ..Default::default()
    })
    .exec(&txn)
    .await;
    let id = match inserted {
        Ok(r) => r.last_insert_id,
        // A parallel create took the username or phone number between the check and here: the
        // same message the check gives.
        Err(e) if once::is_unique_violation(&e) => {
            txn.rollback().await?;
            let mut v = Validator::new(auth.viewer.locale);
            if login_taken(db, &username).await? {
                v.fail("username", "username_taken", t.err_username_taken);
            }
            if let Some(p) = &phone {
                if login_taken(db, p).await? {
                    v.fail("phone", "phone_taken", t.err_phone_taken);
                }
            }
            v.finish(&form)?;
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
    auth.audit(
        &txn,
        "create",
        "account",
        Some(id),
        format!("{username} ({})", role.as_str()),
    )
    .await?;
    once::finish(txn, once.uuid, id).await?;
    Ok(id)
}

/// An account in the admin's subtree, or `NotFound`.
async fn in_scope(auth: &Authorised, id: &str) -> Result<account::Model, AppError> {
    let id = id.trim().parse::<i64>().map_err(|_| AppError::NotFound)?;
    let (_, scope) = auth.scope().await?;
    account::Entity::find_by_id(id)
        .one(auth.db())
        .await?
        .filter(|a| scope.contains(&a.org_id))
        .ok_or(AppError::NotFound)
}

/// Refuses changes to an account the viewer does not keep (see [`Role::keeps`]): the system
/// administrator cannot touch an administrator, nor the security administrator a cadre.
fn kept(auth: &Authorised, acct: &account::Model) -> Result<(), AppError> {
    match Role::parse(&acct.role) {
        Some(r) if auth.viewer.role.keeps().contains(&r) => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// # Errors
/// `Forbidden` (also for an account the viewer does not keep), `NotFound`, `Invalid` for a weak
/// password or the viewer's own account (that goes through `/settings`, with the current
/// password).
pub async fn reset_password(form: ResetPasswordForm) -> Result<(), AppError> {
    let auth = require(Role::ACCOUNT_KEEPERS)?;
    let acct = in_scope(&auth, &form.id).await?;
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    if acct.id == auth.viewer.id {
        v.fail("new_password", "self_reset", t.err_self_reset);
        return v.finish(&form);
    }
    kept(&auth, &acct)?;
    let phone = acct.phone.clone().unwrap_or_default();
    let policy = crate::model::security::load(auth.db()).await?;
    v.new_password(
        "new_password",
        &form.new_password,
        &[&acct.name, &acct.username, &phone],
        &policy,
    );
    password::refuse_reuse(
        &mut v,
        "new_password",
        auth.db(),
        &auth.state.metrics.password_verifications,
        &acct,
        &form.new_password,
        &policy,
    )
    .await?;
    v.finish(&form)?;
    let id = acct.id;
    password::replace(auth.db(), acct, &form.new_password).await?;
    session::end_all_for(auth.db(), id, None).await?;
    // A new password: the old guesses no longer count against the account.
    throttle::clear(auth.db(), &format!("acct:{id}")).await?;
    auth.audit(
        auth.db(),
        "reset_password",
        "account",
        Some(id),
        String::new(),
    )
    .await
}

/// # Errors
/// `Forbidden` (also for an account the viewer does not keep), `NotFound`; `Invalid` for one's
/// own account.
pub async fn deactivate(form: AccountId) -> Result<(), AppError> {
    let auth = require(Role::ACCOUNT_KEEPERS)?;
    let acct = in_scope(&auth, &form.id).await?;
    if acct.id == auth.viewer.id {
        let mut v = Validator::new(auth.viewer.locale);
        let t = v.t();
        v.fail("id", "self_deactivate", t.err_self_deactivate);
        return v.finish(&form);
    }
    kept(&auth, &acct)?;
    let id = acct.id;
    if acct.active {
        let mut am = acct.into_active_model();
        am.active = Set(false);
        am.left_on = Set(Some(today()));
        am.updated_at = Set(Utc::now());
        am.update(auth.db()).await?;
    }
    // Whatever the account was doing, it stops now.
    session::end_all_for(auth.db(), id, None).await?;
    auth.audit(auth.db(), "deactivate", "account", Some(id), String::new())
        .await
}

const PAIR: &str = "users/pair";

/// # Errors
/// `Forbidden`, `NotFound` for a cadre outside the subtree; `Invalid` for a non-cadre, an
/// organisation that is not grassroots or is already paired.
pub async fn pair(form: NewPairing) -> Result<i64, AppError> {
    let auth = require(Role::SYSADMINS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, PAIR, &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return Ok(id);
    }
    let cadre = in_scope(&auth, &form.cadre_id).await?;
    if cadre.role != Role::Cadre.as_str() {
        v.fail("cadre_id", "not_cadre", t.err_not_cadre);
    }
    let org_id = v.id("org_id", &form.org_id);
    let (tree, scope) = auth.scope().await?;
    if let Some(org) = org_id {
        match tree.get(org).filter(|o| scope.contains(&o.id) && o.active) {
            None => v.fail("org_id", "invalid_choice", t.err_invalid_choice),
            Some(o) if !OrgKind::parse(&o.kind).is_some_and(OrgKind::is_grassroots) => {
                v.fail("org_id", "not_grassroots", t.err_not_grassroots)
            }
            Some(_) => {
                let already = pairing::Entity::find()
                    .filter(pairing::Column::CadreId.eq(cadre.id))
                    .filter(pairing::Column::OrgId.eq(org))
                    .filter(pairing::Column::EndedOn.is_null())
                    .one(db)
                    .await?;
                if already.is_some() {
                    v.fail("org_id", "already_paired", t.err_already_paired);
                }
            }
        }
    }
    if let Some(id) = once.settled(&v).await? {
        return Ok(id);
    }
    v.finish(&form)?;
    let Some(org_id) = org_id else {
        return Err(AppError::Internal);
    };
    let txn = match once.begin().await? {
        once::Begun::Earlier(id) => return Ok(id),
        once::Begun::Fresh(txn) => txn,
    };
    let saved = pairing::ActiveModel {
        uuid: Set(once.uuid),
        cadre_id: Set(cadre.id),
        org_id: Set(org_id),
        started_on: Set(today()),
        ended_on: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let saved = match saved {
        Ok(p) => p,
        // A parallel pairing of the same two got there first (one open pairing per pair).
        Err(e) if once::is_unique_violation(&e) => {
            txn.rollback().await?;
            let mut v = Validator::new(auth.viewer.locale);
            v.fail("org_id", "already_paired", t.err_already_paired);
            return v.finish(&form).map(|()| 0);
        }
        Err(e) => return Err(e.into()),
    };
    auth.audit(
        &txn,
        "pair",
        "pairing",
        Some(saved.id),
        format!("cadre={} org={org_id}", cadre.id),
    )
    .await?;
    once::finish(txn, once.uuid, saved.id).await?;
    Ok(saved.id)
}

/// # Errors
/// `Forbidden`, `NotFound` outside the subtree.
pub async fn unpair(form: PairingId) -> Result<(), AppError> {
    let auth = require(Role::SYSADMINS)?;
    let id = form
        .id
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::NotFound)?;
    let p = pairing::Entity::find_by_id(id)
        .one(auth.db())
        .await?
        .ok_or(AppError::NotFound)?;
    in_scope(&auth, &p.cadre_id.to_string()).await?;
    if p.ended_on.is_none() {
        let mut am = p.into_active_model();
        am.ended_on = Set(Some(today()));
        am.update(auth.db()).await?;
        auth.audit(auth.db(), "unpair", "pairing", Some(id), String::new())
            .await?;
    }
    Ok(())
}

/// Assigns `form.role` to an account: the security administrator's work. Its own role stays
/// (nobody promotes or demotes themselves), and the account's sessions end, so the new role
/// takes effect at its next sign-in.
///
/// # Errors
/// `Forbidden`, `NotFound` outside the subtree; `Invalid` for an unknown role, one's own
/// account, or a cadre without a post.
pub async fn set_role(form: RoleForm) -> Result<(), AppError> {
    let auth = require(Role::SECADMINS)?;
    let acct = in_scope(&auth, &form.id).await?;
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let role = v.choice("role", &form.role, Role::parse);
    if acct.id == auth.viewer.id {
        v.fail("role", "self_role", t.err_self_role);
    }
    let post = match form.post.trim() {
        "" => acct.post.as_deref().and_then(Post::parse),
        p => v.choice("post", p, Post::parse),
    };
    if role == Some(Role::Cadre) && post.is_none() && !v.has("post") {
        v.fail("post", "required", t.err_required);
    }
    v.finish(&form)?;
    let Some(role) = role else {
        return Err(AppError::Internal);
    };
    let (id, from) = (acct.id, acct.role.clone());
    if from == role.as_str() {
        return Ok(());
    }
    let txn = sea_orm::TransactionTrait::begin(auth.db()).await?;
    let mut am = acct.into_active_model();
    am.role = Set(role.as_str().to_owned());
    if role == Role::Cadre {
        am.post = Set(post.map(|p| p.as_str().to_owned()));
    }
    am.updated_at = Set(Utc::now());
    am.update(&txn).await?;
    session::end_all_for(&txn, id, None).await?;
    auth.audit(
        &txn,
        "role_change",
        "account",
        Some(id),
        format!("{from} -> {}", role.as_str()),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Lifts the sign-in lock of an account (its count of wrong passwords starts again).
///
/// # Errors
/// `Forbidden`, `NotFound` outside the subtree.
pub async fn unlock(form: AccountId) -> Result<(), AppError> {
    let auth = require(Role::SECADMINS)?;
    let acct = in_scope(&auth, &form.id).await?;
    throttle::clear(auth.db(), &format!("acct:{}", acct.id)).await?;
    auth.audit(auth.db(), "unlock", "account", Some(acct.id), String::new())
        .await
}

/// # Errors
/// `Forbidden`, `NotFound` outside the subtree, `BadRequest` for the viewer's own factor (a
/// second security administrator resets that).
pub async fn reset_factor(form: FactorReset) -> Result<(), AppError> {
    let auth = require(Role::SECADMINS)?;
    let acct = in_scope(&auth, &form.account_id).await?;
    if acct.id == auth.viewer.id {
        return Err(AppError::BadRequest {
            message: auth.viewer.locale.strings().err_self_totp_reset.into(),
        });
    }
    let txn = auth.db().begin().await?;
    let removed = crate::model::second_factor::remove(&txn, acct.id).await?;
    session::end_all_for(&txn, acct.id, None).await?;
    let details = if removed {
        acct.username.clone()
    } else {
        format!("{} (had none)", acct.username)
    };
    auth.audit(&txn, "totp_reset", "account", Some(acct.id), details)
        .await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_short_ascii_words() {
        assert!(valid_username("cadre01"));
        assert!(valid_username("li_ming"));
        assert!(!valid_username("ab"));
        assert!(!valid_username("张三"));
        assert!(!valid_username("a b c"));
        assert!(!valid_username("13812345678"), "a phone number");
        assert!(!valid_username("2026"));
        assert!(valid_username("cadre2026"));
    }
}
