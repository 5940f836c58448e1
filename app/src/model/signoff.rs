//! Quarter sign-off as the records see it: which organisations have approved a quarter, and
//! whether a cadre's record of a day is locked. A quarter approved for an organisation locks the
//! records of every cadre in its subtree (approval goes bottom up, so a level above is approved
//! only once the levels below are).

use crate::error::AppError;
use crate::model::entities::quarter_signoff;
use crate::model::orgtree::OrgTree;
use crate::rules::Quarter;
use crate::ssr::validate::Validator;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// The approvals of a quarter, by organisation.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn approvals(
    db: &impl ConnectionTrait,
    quarter: Quarter,
) -> Result<HashMap<i64, quarter_signoff::Model>, AppError> {
    Ok(quarter_signoff::Entity::find()
        .filter(quarter_signoff::Column::Quarter.eq(quarter.key()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.org_id, s))
        .collect())
}

/// The approval of one organisation's quarter.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn approval(
    db: &impl ConnectionTrait,
    org: i64,
    quarter: Quarter,
) -> Result<Option<quarter_signoff::Model>, AppError> {
    Ok(quarter_signoff::Entity::find()
        .filter(quarter_signoff::Column::OrgId.eq(org))
        .filter(quarter_signoff::Column::Quarter.eq(quarter.key()))
        .one(db)
        .await?)
}

/// The quarters from `from` to `to` (a leave can span two).
fn quarters(from: NaiveDate, to: NaiveDate) -> Vec<Quarter> {
    let mut q = Quarter::of(from);
    let mut out = vec![q];
    while q.end() < to {
        q = q.next();
        out.push(q);
    }
    out
}

/// The first quarter from `from` to `to` that is approved for `org` or an organisation above
/// it: the records of those days by a cadre of `org` are locked.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn locked_quarter(
    db: &impl ConnectionTrait,
    org: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Option<Quarter>, AppError> {
    let keys: Vec<String> = quarters(from, to).iter().map(|q| q.key()).collect();
    // Usually nothing is approved for these quarters: one small query, and no tree to load.
    let approved: Vec<(i64, String)> = quarter_signoff::Entity::find()
        .select_only()
        .column(quarter_signoff::Column::OrgId)
        .column(quarter_signoff::Column::Quarter)
        .filter(quarter_signoff::Column::Quarter.is_in(keys))
        .into_tuple()
        .all(db)
        .await?;
    if approved.is_empty() {
        return Ok(None);
    }
    let tree = OrgTree::load(db).await?;
    Ok(quarters(from, to).into_iter().find(|q| {
        approved
            .iter()
            .any(|(o, k)| *k == q.key() && tree.is_within(org, *o))
    }))
}

/// The lock on a cadre's write of a record of the days `from` to `to`. When the quarter is
/// locked and the form is not a late entry, `field` fails with `quarter_locked`. Returns whether
/// it is locked (a late entry is then what the form must be).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn guard(
    db: &impl ConnectionTrait,
    v: &mut Validator,
    field: &str,
    org: i64,
    days: (NaiveDate, NaiveDate),
    late: bool,
) -> Result<bool, AppError> {
    let locked = locked_quarter(db, org, days.0, days.1).await?.is_some();
    if locked && !late {
        let t = v.t();
        v.fail(field, "quarter_locked", t.err_quarter_locked);
    }
    Ok(locked)
}

/// [`guard`] for a record whose only reason to be a late entry is the lock (everything but a
/// new contact or visit day, which also have a late-entry window): a late form where nothing is
/// locked fails `late` with `late_not_needed`.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn guard_lock_only(
    db: &impl ConnectionTrait,
    v: &mut Validator,
    field: &str,
    org: i64,
    days: (NaiveDate, NaiveDate),
    late: bool,
) -> Result<bool, AppError> {
    let locked = guard(db, v, field, org, days, late).await?;
    if late && !locked {
        let t = v.t();
        v.fail("late", "late_not_needed", t.err_late_not_needed);
    }
    Ok(locked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn a_span_covers_each_quarter_it_touches() {
        let keys = |a, b| {
            quarters(d(a), d(b))
                .iter()
                .map(|q| q.key())
                .collect::<Vec<_>>()
        };
        assert_eq!(keys("2026-09-28", "2026-09-30"), ["2026Q3"]);
        assert_eq!(keys("2026-09-28", "2026-10-02"), ["2026Q3", "2026Q4"]);
        assert_eq!(keys("2026-12-30", "2027-01-02"), ["2026Q4", "2027Q1"]);
    }
}
