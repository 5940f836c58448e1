//! Pairings: which grassroots organisations a cadre is paired with (4+1 visit days are logged
//! at them, and each owes a quarterly suggestion).

use crate::error::AppError;
use crate::model::entities::pairing;
use crate::model::orgtree::OrgTree;
use crate::ssr::guard::Authorised;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

/// The viewer's active paired organisations: (id, name), in the order they were paired.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn open(auth: &Authorised) -> Result<Vec<(i64, String)>, AppError> {
    let (tree, _) = auth.scope().await?;
    open_in(auth, &tree).await
}

/// [`open`], with the tree already loaded.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn open_in(auth: &Authorised, tree: &OrgTree) -> Result<Vec<(i64, String)>, AppError> {
    Ok(pairing::Entity::find()
        .filter(pairing::Column::CadreId.eq(auth.viewer.id))
        .filter(pairing::Column::EndedOn.is_null())
        .order_by_asc(pairing::Column::Id)
        .all(auth.db())
        .await?
        .into_iter()
        .filter_map(|p| tree.get(p.org_id).map(|o| (o.id, o.name.clone())))
        .collect())
}
