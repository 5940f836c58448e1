//! Names by id, for lists that show who did something or whom it is about.

use crate::error::AppError;
use crate::model::entities::{account, youth};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// The names of these accounts (unknown ids are left out).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn accounts(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, String>, AppError> {
    of::<account::Entity>(db, ids, account::Column::Id, account::Column::Name).await
}

/// The names of these youths (unknown ids are left out).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn youths(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, String>, AppError> {
    of::<youth::Entity>(db, ids, youth::Column::Id, youth::Column::Name).await
}

async fn of<E: EntityTrait>(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
    id: E::Column,
    name: E::Column,
) -> Result<HashMap<i64, String>, AppError> {
    let ids: Vec<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(E::find()
        .select_only()
        .column(id)
        .column(name)
        .filter(id.is_in(ids))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}
