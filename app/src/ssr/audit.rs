//! The audit log: who did what to which record, when and from where.

use crate::error::AppError;
use crate::model::entities::audit_log;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

pub struct Entry<'a> {
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub details: String,
    pub ip: Option<String>,
}

/// # Errors
/// A database error, as `Internal`.
pub async fn record(db: &impl ConnectionTrait, entry: Entry<'_>) -> Result<(), AppError> {
    audit_log::ActiveModel {
        at: Set(chrono::Utc::now()),
        actor_id: Set(entry.actor_id),
        action: Set(entry.action.to_owned()),
        entity: Set(entry.entity.to_owned()),
        entity_id: Set(entry.entity_id),
        details: Set(entry.details),
        ip: Set(entry.ip),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
