//! Keeping the organisation tree. Only admins change it, and only inside their own subtree.

use super::api::{MoveOrgForm, NewOrg, OrgActiveForm, RenameOrgForm};
use crate::error::AppError;
use crate::model::entities::organisation;
use crate::ssr::guard::{require, signed_in};
use crate::ssr::validate::Validator;
use crate::ssr::{once, session};
use crate::types::{OrgKind, OrgNode, Role};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};

pub const NAME_MAX: usize = 60;

/// # Errors
/// `Unauthenticated`; a database error as `Internal`.
pub async fn list() -> Result<Vec<OrgNode>, AppError> {
    let auth = signed_in()?;
    let (tree, _) = auth.scope().await?;
    Ok(tree.listing(auth.viewer.org_id))
}

const CREATE: &str = "orgs/create";

/// Creates an organisation. Idempotent on `request_id`: a resend returns the first one's id.
///
/// # Errors
/// `Forbidden` for non-admins; `Invalid` for a bad name, kind or parent, or a reused request id.
#[tracing::instrument(skip_all, fields(name = %form.name), err(level = "info"))]
pub async fn create(form: NewOrg) -> Result<i64, AppError> {
    let auth = require(Role::SYSADMINS)?;
    let mut v = Validator::new(auth.viewer.locale);
    let once = once::Request::new(&auth, CREATE, &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return Ok(id);
    }
    let (tree, scope) = auth.scope().await?;
    let name = v.text("name", &form.name, NAME_MAX, true);
    let kind = v.choice("kind", &form.kind, OrgKind::parse);
    let parent = v.id("parent_id", &form.parent_id);
    let t = v.t();
    if let Some(p) = parent {
        match tree.get(p).filter(|_| scope.contains(&p)) {
            None => v.fail("parent_id", "invalid_choice", t.err_invalid_choice),
            Some(o) if !o.active => v.fail("parent_id", "parent_inactive", t.err_parent_inactive),
            Some(_) => {}
        }
    }
    if kind == Some(OrgKind::District) {
        v.fail("kind", "invalid_choice", t.err_invalid_choice);
    }
    if let Some(id) = once.settled(&v).await? {
        return Ok(id);
    }
    v.finish(&form)?;
    let (Some(kind), Some(parent)) = (kind, parent) else {
        return Err(AppError::Internal);
    };
    let now = Utc::now();
    let record = organisation::ActiveModel {
        uuid: Set(once.uuid),
        name: Set(name.clone()),
        kind: Set(kind.as_str().to_owned()),
        parent_id: Set(Some(parent)),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    once.insert(record, |m| m.id, "organisation", name)
        .await?
        .map_err(|_| AppError::Internal)
}

/// Loads an organisation in the admin's subtree for a change.
async fn editable(
    auth: &crate::ssr::guard::Authorised,
    v: &mut Validator,
    id: &str,
) -> Result<Option<(crate::model::orgtree::OrgTree, organisation::Model)>, AppError> {
    let Some(id) = id.trim().parse::<i64>().ok() else {
        return Err(AppError::NotFound);
    };
    let (tree, scope) = auth.scope().await?;
    if !scope.contains(&id) {
        return Err(AppError::NotFound);
    }
    let org = tree.get(id).cloned().ok_or(AppError::NotFound)?;
    if org.parent_id.is_none() || id == auth.viewer.org_id {
        let t = v.t();
        v.fail("id", "root_immovable", t.err_root_immovable);
        return Ok(None);
    }
    Ok(Some((tree, org)))
}

/// Renames an organisation below the viewer's own (like moving and deactivating: an admin does
/// not change the organisation that scopes them, nor the district).
///
/// # Errors
/// `Forbidden`, `NotFound` outside the subtree, `Invalid` for a bad name or the viewer's own
/// organisation.
pub async fn rename(form: RenameOrgForm) -> Result<(), AppError> {
    let auth = require(Role::SYSADMINS)?;
    let mut v = Validator::new(auth.viewer.locale);
    let name = v.text("name", &form.name, NAME_MAX, true);
    let found = editable(&auth, &mut v, &form.id).await?;
    v.finish(&form)?;
    let Some((_, org)) = found else {
        return Err(AppError::Internal);
    };
    let id = org.id;
    let old = org.name.clone();
    let mut am = org.into_active_model();
    am.name = Set(name.clone());
    am.updated_at = Set(Utc::now());
    am.update(auth.db()).await?;
    auth.audit(
        auth.db(),
        "rename",
        "organisation",
        Some(id),
        format!("{old} → {name}"),
    )
    .await
}

/// # Errors
/// `Forbidden`, `NotFound`, `Invalid` for a parent outside the subtree or below the moved node.
pub async fn move_to(form: MoveOrgForm) -> Result<(), AppError> {
    let auth = require(Role::SYSADMINS)?;
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let parent = v.id("parent_id", &form.parent_id);
    let found = editable(&auth, &mut v, &form.id).await?;
    if let (Some((tree, org)), Some(p)) = (&found, parent) {
        let scope = tree.subtree(auth.viewer.org_id);
        match tree.get(p).filter(|_| scope.contains(&p)) {
            None => v.fail("parent_id", "invalid_choice", t.err_invalid_choice),
            Some(_) if tree.is_within(p, org.id) => v.fail("parent_id", "cycle", t.err_cycle),
            Some(po) if !po.active => v.fail("parent_id", "parent_inactive", t.err_parent_inactive),
            Some(_) => {}
        }
    }
    v.finish(&form)?;
    let (Some((_, org)), Some(parent)) = (found, parent) else {
        return Err(AppError::Internal);
    };
    let id = org.id;
    let mut am = org.into_active_model();
    am.parent_id = Set(Some(parent));
    am.updated_at = Set(Utc::now());
    am.update(auth.db()).await?;
    auth.audit(
        auth.db(),
        "move",
        "organisation",
        Some(id),
        format!("parent={parent}"),
    )
    .await
}

/// # Errors
/// `Forbidden`, `NotFound`; `Invalid` when deactivating an organisation with active children.
pub async fn set_active(form: OrgActiveForm) -> Result<(), AppError> {
    let auth = require(Role::SYSADMINS)?;
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let active = match form.active.trim() {
        "true" => true,
        "false" => false,
        _ => {
            v.fail("active", "invalid_choice", t.err_invalid_choice);
            false
        }
    };
    let found = editable(&auth, &mut v, &form.id).await?;
    if let Some((tree, org)) = &found {
        if !active && tree.has_active_children(org.id) {
            v.fail("id", "has_active_children", t.err_has_active_children);
        }
        if active {
            if let Some(parent) = org.parent_id.and_then(|p| tree.get(p)) {
                if !parent.active {
                    v.fail("id", "parent_inactive", t.err_parent_inactive);
                }
            }
        }
    }
    v.finish(&form)?;
    let Some((_, org)) = found else {
        return Err(AppError::Internal);
    };
    let id = org.id;
    let mut am = org.into_active_model();
    am.active = Set(active);
    am.updated_at = Set(Utc::now());
    am.update(auth.db()).await?;
    if !active {
        // Its accounts are suspended with it: their sessions end now, and sign-in is refused
        // until the organisation is reactivated (or the accounts are moved).
        session::end_all_in_org(auth.db(), id).await?;
    }
    let action = if active { "reactivate" } else { "deactivate" };
    auth.audit(auth.db(), action, "organisation", Some(id), String::new())
        .await
}
