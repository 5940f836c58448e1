//! The one server-side guard every server function goes through: who is signed in, with which
//! role, and which part of the organisation tree they may see.

use super::audit;
use super::session::{request_info, RequestInfo};
use super::{state, AppState};
use crate::error::AppError;
use crate::model::orgtree::OrgTree;
use crate::types::{Role, Viewer};
use sea_orm::DatabaseConnection;
use std::collections::HashSet;

/// An authorised request: the state, the signed-in viewer and what the middleware learnt.
pub struct Authorised {
    pub state: AppState,
    pub viewer: Viewer,
    pub info: RequestInfo,
}

impl Authorised {
    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// The viewer's organisation and everything below it, with the tree itself.
    ///
    /// # Errors
    /// A database error, as `Internal`.
    pub async fn scope(&self) -> Result<(OrgTree, HashSet<i64>), AppError> {
        let tree = OrgTree::load(self.db()).await?;
        let ids = tree.subtree(self.viewer.org_id);
        Ok((tree, ids))
    }

    /// The organisation a request asks for (empty: the viewer's own), within the viewer's
    /// subtree; anything else is the same 404 as an organisation that does not exist.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn org_in_scope(&self, tree: &OrgTree, org_id: &str) -> Result<i64, AppError> {
        match org_id.trim() {
            "" => Ok(self.viewer.org_id),
            id => {
                let id = super::record_id(id)?;
                if tree.get(id).is_some() && tree.is_within(id, self.viewer.org_id) {
                    Ok(id)
                } else {
                    Err(AppError::NotFound)
                }
            }
        }
    }

    /// A cadre (active or not) whose organisation lies in the viewer's subtree, or `NotFound`
    /// (whether the account does not exist, is no cadre, or lies elsewhere).
    ///
    /// # Errors
    /// `NotFound`; a database error as `Internal`.
    pub async fn cadre_in_scope(
        &self,
        tree: &OrgTree,
        id: i64,
    ) -> Result<crate::model::entities::account::Model, AppError> {
        use sea_orm::EntityTrait;
        crate::model::entities::account::Entity::find_by_id(id)
            .one(self.db())
            .await?
            .filter(|a| a.role == Role::Cadre.as_str())
            .filter(|a| tree.is_within(a.org_id, self.viewer.org_id))
            .ok_or(AppError::NotFound)
    }

    /// Writes an audit entry for an action of this viewer that succeeded.
    ///
    /// # Errors
    /// A database error, as `Internal`.
    pub async fn audit<C>(
        &self,
        db: &C,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        details: String,
    ) -> Result<(), AppError>
    where
        C: sea_orm::ConnectionTrait + sea_orm::TransactionTrait,
    {
        self.actor()
            .audit(db, action, entity, entity_id, details)
            .await
    }

    pub async fn audit_outcome<C>(
        &self,
        db: &C,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        details: String,
        result: audit::Outcome,
    ) -> Result<(), AppError>
    where
        C: sea_orm::ConnectionTrait + sea_orm::TransactionTrait,
    {
        self.actor()
            .audit_outcome(db, action, entity, entity_id, details, result)
            .await
    }

    /// Who acts, owned: for a job of the instance's [`writer`](super::writer), which runs
    /// outside the request.
    pub fn actor(&self) -> Actor {
        Actor {
            id: self.viewer.id,
            role: self.viewer.role,
            ip: self.info.ip.clone(),
        }
    }
}

/// The signed-in account as the audit trail names it.
#[derive(Clone, Debug)]
pub struct Actor {
    pub id: i64,
    role: Role,
    ip: Option<String>,
}

impl Actor {
    /// An audit row of a success by this actor, for a writer's job ([`super::writer::Txn::audit`]).
    pub fn row(
        &self,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        details: String,
    ) -> audit::Row {
        audit::Row {
            actor_id: Some(self.id),
            role: Some(self.role),
            action: action.to_owned(),
            entity: entity.to_owned(),
            entity_id,
            details,
            ip: self.ip.clone(),
            result: audit::Outcome::Success,
        }
    }

    /// # Errors
    /// A database error, as `Internal`.
    pub async fn audit<C>(
        &self,
        db: &C,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        details: String,
    ) -> Result<(), AppError>
    where
        C: sea_orm::ConnectionTrait + sea_orm::TransactionTrait,
    {
        self.audit_outcome(
            db,
            action,
            entity,
            entity_id,
            details,
            audit::Outcome::Success,
        )
        .await
    }

    /// # Errors
    /// A database error, as `Internal`.
    pub async fn audit_outcome<C>(
        &self,
        db: &C,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        details: String,
        result: audit::Outcome,
    ) -> Result<(), AppError>
    where
        C: sea_orm::ConnectionTrait + sea_orm::TransactionTrait,
    {
        audit::record(
            db,
            audit::Entry {
                actor_id: Some(self.id),
                role: Some(self.role),
                action,
                entity,
                entity_id,
                details,
                ip: self.ip.clone(),
                result,
            },
        )
        .await
    }
}

/// What a viewer who must still set up a second factor can reach: the settings page (where it
/// is set up) and what that page posts, signing out, and the language.
pub const OPEN_WITHOUT_FACTOR: &[&str] = &[
    "/settings",
    "/api/totp/begin",
    "/api/totp/confirm",
    "/api/totp/status",
    "/api/password",
    "/api/language",
    "/api/logout",
];

/// Any signed-in account.
///
/// # Errors
/// `Unauthenticated` without a live session; `Forbidden` for anything but setting up a second
/// factor while the policy asks for one that the account has not set up.
pub fn signed_in() -> Result<Authorised, AppError> {
    let info = request_info();
    let viewer = info.viewer.clone().ok_or(AppError::Unauthenticated)?;
    if viewer.factor_missing && !OPEN_WITHOUT_FACTOR.contains(&info.path.as_str()) {
        return Err(AppError::Forbidden);
    }
    Ok(Authorised {
        state: state()?,
        viewer,
        info,
    })
}

/// A signed-in account with one of `roles`.
///
/// # Errors
/// `Unauthenticated` without a session; `Forbidden` for any other role.
pub fn require(roles: &[Role]) -> Result<Authorised, AppError> {
    let auth = signed_in()?;
    if roles.contains(&auth.viewer.role) {
        Ok(auth)
    } else {
        Err(AppError::Forbidden)
    }
}
