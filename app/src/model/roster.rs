//! Keeping each youth's summary (current cadre, assignment date, last contact, last offline
//! contact) true. The compliance engine reads it instead of every contact; every write that
//! changes an assignment or a contact calls one of these, in the same transaction.

use crate::error::AppError;
use crate::model::entities::{assignment, contact, youth};
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};

/// Recomputes a youth's last contact and last offline contact (after a contact was logged,
/// changed or deleted).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn contacts_changed(db: &impl ConnectionTrait, youth_id: i64) -> Result<(), AppError> {
    let last = |offline: bool| {
        let mut q = contact::Entity::find()
            .select_only()
            .column_as(contact::Column::ContactDate.max(), "last")
            .filter(contact::Column::YouthId.eq(youth_id));
        if offline {
            q = q.filter(contact::Column::Online.eq(false));
        }
        q.into_tuple::<Option<NaiveDate>>().one(db)
    };
    let last_contact = last(false).await?.flatten();
    let last_offline = last(true).await?.flatten();
    youth::Entity::update_many()
        .col_expr(youth::Column::LastContactOn, Expr::value(last_contact))
        .col_expr(youth::Column::LastOfflineOn, Expr::value(last_offline))
        .filter(youth::Column::Id.eq(youth_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The youths' summary after new contacts on `date`: a new contact can only move the last
/// contact (and, offline, the last offline contact) forward, so one statement does it for all,
/// without reading the contacts again.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn contacts_added(
    db: &impl ConnectionTrait,
    youth_ids: &[i64],
    date: NaiveDate,
    online: bool,
) -> Result<(), AppError> {
    use sea_orm::sea_query::{CaseStatement, ExprTrait};
    if youth_ids.is_empty() {
        return Ok(());
    }
    let later = |col: youth::Column| {
        CaseStatement::new()
            .case(
                Expr::col(col)
                    .is_null()
                    .or(Expr::col(col).lt(Expr::value(date))),
                Expr::value(date),
            )
            .finally(Expr::col(col))
    };
    for chunk in youth_ids.chunks(500) {
        let mut q = youth::Entity::update_many().col_expr(
            youth::Column::LastContactOn,
            later(youth::Column::LastContactOn).into(),
        );
        if !online {
            q = q.col_expr(
                youth::Column::LastOfflineOn,
                later(youth::Column::LastOfflineOn).into(),
            );
        }
        q.filter(youth::Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Assigns a youth to a cadre from `on`: the open assignment (if any) ends that day with the
/// same reason, a new one opens, and the youth's summary follows. Contacts stay with the youth.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn assign(
    db: &impl ConnectionTrait,
    youth_id: i64,
    cadre_id: i64,
    on: NaiveDate,
    reason: &str,
    by: Option<i64>,
) -> Result<(), AppError> {
    assignment::Entity::update_many()
        .col_expr(assignment::Column::EndedOn, Expr::value(on))
        .filter(assignment::Column::YouthId.eq(youth_id))
        .filter(assignment::Column::EndedOn.is_null())
        .exec(db)
        .await?;
    assignment::ActiveModel {
        uuid: Set(uuid::Uuid::new_v4()),
        youth_id: Set(youth_id),
        cadre_id: Set(cadre_id),
        assigned_on: Set(on),
        ended_on: Set(None),
        reason: Set((!reason.is_empty()).then(|| reason.to_owned())),
        created_by: Set(by),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    youth::Entity::update_many()
        .col_expr(youth::Column::CadreId, Expr::value(cadre_id))
        .col_expr(youth::Column::AssignedOn, Expr::value(on))
        // A change of cadre is a change of the youth: a dry run checked before it is stale.
        .col_expr(youth::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(youth::Column::Id.eq(youth_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Recomputes every youth's summary from assignments and contacts (after bulk loads: the demo,
/// the generated district).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn refresh_all(db: &impl ConnectionTrait) -> Result<(), AppError> {
    db.execute_unprepared(
        "UPDATE youths SET \
           cadre_id = (SELECT a.cadre_id FROM assignments a \
             WHERE a.youth_id = youths.id AND a.ended_on IS NULL ORDER BY a.id DESC LIMIT 1), \
           assigned_on = (SELECT a.assigned_on FROM assignments a \
             WHERE a.youth_id = youths.id AND a.ended_on IS NULL ORDER BY a.id DESC LIMIT 1), \
           last_contact_on = (SELECT MAX(c.contact_date) FROM contacts c \
             WHERE c.youth_id = youths.id), \
           last_offline_on = (SELECT MAX(c.contact_date) FROM contacts c \
             WHERE c.youth_id = youths.id AND NOT c.online)",
    )
    .await?;
    Ok(())
}

/// A youth on the cadre's roster, or `NotFound` (whether it exists or belongs to someone else).
///
/// # Errors
/// `NotFound`; a database error as `Internal`.
pub async fn own_youth(
    db: &impl ConnectionTrait,
    cadre_id: i64,
    youth_id: i64,
) -> Result<(assignment::Model, youth::Model), AppError> {
    // The assignment with its youth, in one query.
    let to_youth = assignment::Entity::belongs_to(youth::Entity)
        .from(assignment::Column::YouthId)
        .to(youth::Column::Id)
        .into();
    assignment::Entity::find()
        .filter(assignment::Column::CadreId.eq(cadre_id))
        .filter(assignment::Column::YouthId.eq(youth_id))
        .filter(assignment::Column::EndedOn.is_null())
        .join(sea_orm::JoinType::InnerJoin, to_youth)
        .select_two_required(youth::Entity)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}
