//! Creating a cadre's record exactly once per client-generated request id, however often the form
//! is sent: a resend answers with the first record; a request id of someone else's record is not
//! found.

use super::entities::{contact, study_record, suggestion, visit_day};
use crate::error::AppError;
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

/// A record that belongs to one cadre and carries a request id.
pub trait CadreRecord: EntityTrait {
    fn uuid_column() -> Self::Column;
    fn id(m: &Self::Model) -> i64;
    fn owner(m: &Self::Model) -> i64;
}

macro_rules! cadre_record {
    ($($entity:ident),*) => {$(
        impl CadreRecord for $entity::Entity {
            fn uuid_column() -> Self::Column {
                $entity::Column::Uuid
            }
            fn id(m: &Self::Model) -> i64 {
                m.id
            }
            fn owner(m: &Self::Model) -> i64 {
                m.cadre_id
            }
        }
    )*};
}
cadre_record!(contact, visit_day, suggestion, study_record);

/// The id of the record an earlier send of the same form created, if any.
///
/// # Errors
/// `NotFound` when the request id belongs to another cadre's record; a database error.
pub async fn earlier<E: CadreRecord>(
    db: &impl ConnectionTrait,
    uuid: Uuid,
    cadre: i64,
) -> Result<Option<i64>, AppError> {
    match E::find().filter(E::uuid_column().eq(uuid)).one(db).await? {
        Some(m) if E::owner(&m) == cadre => Ok(Some(E::id(&m))),
        Some(_) => Err(AppError::NotFound),
        None => Ok(None),
    }
}

/// Inserts the record; when a concurrent send of the same form won the race on the unique request
/// id, answers with that one.
///
/// # Errors
/// A database error.
pub async fn insert<E, A>(
    db: &impl ConnectionTrait,
    record: A,
    uuid: Uuid,
    cadre: i64,
) -> Result<i64, AppError>
where
    E: CadreRecord,
    A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    E::Model: IntoActiveModel<A>,
{
    match record.insert(db).await {
        Ok(m) => Ok(E::id(&m)),
        Err(e) => earlier::<E>(db, uuid, cadre).await?.ok_or_else(|| e.into()),
    }
}
