//! The inbox's records as every page's header needs them.

use crate::error::AppError;
use crate::model::entities::notification;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// How many unread reminders an account has (the header's badge).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn unread(db: &impl ConnectionTrait, account: i64) -> Result<u32, AppError> {
    let n = notification::Entity::find()
        .filter(notification::Column::AccountId.eq(account))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}
