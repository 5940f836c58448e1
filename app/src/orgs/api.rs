//! Server functions for the organisation tree.

use crate::error::AppError;
use crate::types::OrgNode;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewOrg {
    pub request_id: String,
    pub name: String,
    pub kind: String,
    pub parent_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RenameOrgForm {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MoveOrgForm {
    pub id: String,
    pub parent_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrgActiveForm {
    pub id: String,
    /// `true` or `false`
    pub active: String,
}

/// The viewer's part of the tree, depth first.
#[server(prefix = "/api", endpoint = "orgs/list")]
pub async fn list_orgs() -> Result<Vec<OrgNode>, AppError> {
    crate::ssr::respond(super::service::list().await)
}

/// Creates an organisation under a parent in the admin's subtree; returns its id.
#[server(prefix = "/api", endpoint = "orgs/create")]
pub async fn create_org(#[server(flatten)] form: NewOrg) -> Result<i64, AppError> {
    let id = crate::ssr::respond(super::service::create(form).await)?;
    crate::ssr::saved_redirect();
    Ok(id)
}

#[server(prefix = "/api", endpoint = "orgs/rename")]
pub async fn rename_org(#[server(flatten)] form: RenameOrgForm) -> Result<(), AppError> {
    crate::ssr::respond(super::service::rename(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

#[server(prefix = "/api", endpoint = "orgs/move")]
pub async fn move_org(#[server(flatten)] form: MoveOrgForm) -> Result<(), AppError> {
    crate::ssr::respond(super::service::move_to(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

/// Deactivates (`active=false`) or reactivates an organisation.
#[server(prefix = "/api", endpoint = "orgs/active")]
pub async fn set_org_active(#[server(flatten)] form: OrgActiveForm) -> Result<(), AppError> {
    crate::ssr::respond(super::service::set_active(form).await)?;
    crate::ssr::saved_redirect();
    Ok(())
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(NewOrg);
