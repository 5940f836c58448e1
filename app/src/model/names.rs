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
    let ids: Vec<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .column(account::Column::Name)
        .filter(account::Column::Id.is_in(ids))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// The names of these youths (unknown ids are left out).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn youths(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, String>, AppError> {
    let ids: Vec<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(youth::Entity::find()
        .select_only()
        .column(youth::Column::Id)
        .column(youth::Column::Name)
        .filter(youth::Column::Id.is_in(ids))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}
