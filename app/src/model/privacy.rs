//! Personal information as the PIPL asks: who is under 14 (and so needs a guardian's consent),
//! when a rights request is due, when the retention rule reaches a youth, and the two writes
//! that take a youth out of the work for good: withdrawal of consent and anonymisation. Every
//! way in (the youth form, the import, rights requests, the retention sweep) uses these.

use chrono::{Datelike, Months, NaiveDate};

/// Below this age a youth's information needs a guardian's consent (PIPL Art. 31).
pub const GUARDIAN_AGE: i32 = 14;
/// Working days a rights request may take (the notice promises fifteen).
pub const DUE_WORKING_DAYS: u32 = 15;
pub const RETENTION_YEARS_DEFAULT: i32 = 3;
pub const RETENTION_YEARS_MAX: i32 = 30;
pub const GUARDIAN_NAME_MAX: usize = 30;
pub const REASON_MAX: usize = 200;
pub const NOTICE_MAX: usize = 5_000;
/// What an anonymised youth is called wherever a name is shown.
pub const ANONYMOUS: &str = "（已匿名）";

/// Whether a youth born in `year` (and `month`, 1–12, when known) is under 14 on `on`.
/// `None` when that depends on the month and the month is not known. The day of birth is never
/// asked (minimisation), so a youth counts as under 14 until their birth month of the
/// fourteenth year is over: the careful side.
pub fn under_14(year: i32, month: Option<u32>, on: NaiveDate) -> Option<bool> {
    let fourteenth = year + GUARDIAN_AGE;
    if on.year() < fourteenth {
        return Some(true);
    }
    if on.year() > fourteenth {
        return Some(false);
    }
    month.map(|m| on.month() <= m)
}

/// Whether the roster marks a youth as (possibly) under 14 today.
pub fn maybe_minor(year: Option<i32>, month: Option<u32>, on: NaiveDate) -> bool {
    year.is_some_and(|y| under_14(y, month, on) != Some(false))
}

/// The day a rights request received on `received` is due: `working_days` working days later
/// by the work calendar (holidays off, adjusted working days on).
pub fn due_on(
    received: NaiveDate,
    working_days: u32,
    calendar: &crate::rules::WorkCalendar,
) -> NaiveDate {
    let mut day = received;
    let mut left = working_days;
    // A year holds far more than the most working days asked for: the loop ends.
    for _ in 0..366 * 2 {
        if left == 0 {
            break;
        }
        day = day.succ_opt().unwrap_or(day);
        if calendar.is_working_day(day) {
            left -= 1;
        }
    }
    day
}

/// The last day on which leaving every roster puts a youth past the retention rule today: a
/// youth off every roster since that day or earlier is anonymised.
pub fn retention_cutoff(today: NaiveDate, years: i32) -> NaiveDate {
    let months = u32::try_from(years.clamp(0, RETENTION_YEARS_MAX) * 12).unwrap_or(0);
    today
        .checked_sub_months(Months::new(months))
        .unwrap_or(today)
}

#[cfg(feature = "ssr")]
pub use db::*;

#[cfg(feature = "ssr")]
mod db {
    use crate::error::AppError;
    use crate::model::entities::{
        assignment, contact, late_request, pi_request, privacy_notice, privacy_setting, youth,
    };
    use crate::types::{Basis, PiKind, PiStatus};
    use chrono::{NaiveDate, Utc};
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

    /// The privacy settings: the default basis and the retention period in years.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Settings {
        pub default_basis: Basis,
        pub retention_years: i32,
    }

    /// # Errors
    /// A database error, as `Internal`.
    pub async fn settings(db: &impl ConnectionTrait) -> Result<Settings, AppError> {
        let row = privacy_setting::Entity::find_by_id(1).one(db).await?;
        Ok(Settings {
            default_basis: row
                .as_ref()
                .and_then(|r| Basis::parse(&r.default_basis))
                .unwrap_or(Basis::Duty),
            retention_years: row.map_or(super::RETENTION_YEARS_DEFAULT, |r| r.retention_years),
        })
    }

    /// The notice in force: the newest version.
    ///
    /// # Errors
    /// A database error, as `Internal`.
    pub async fn current_notice(
        db: &impl ConnectionTrait,
    ) -> Result<Option<privacy_notice::Model>, AppError> {
        Ok(privacy_notice::Entity::find()
            .order_by_desc(privacy_notice::Column::Version)
            .one(db)
            .await?)
    }

    /// Whether a notice version exists.
    ///
    /// # Errors
    /// A database error, as `Internal`.
    pub async fn notice_exists(db: &impl ConnectionTrait, version: i32) -> Result<bool, AppError> {
        Ok(privacy_notice::Entity::find_by_id(version)
            .one(db)
            .await?
            .is_some())
    }

    /// Takes a youth off every roster from `on` (the open assignment ends with `reason`).
    async fn off_roster(
        db: &impl ConnectionTrait,
        youth_id: i64,
        on: NaiveDate,
        reason: &str,
    ) -> Result<(), AppError> {
        assignment::Entity::update_many()
            .col_expr(assignment::Column::EndedOn, Expr::value(on))
            .col_expr(assignment::Column::Reason, Expr::value(reason))
            .filter(assignment::Column::YouthId.eq(youth_id))
            .filter(assignment::Column::EndedOn.is_null())
            .exec(db)
            .await?;
        youth::Entity::update_many()
            .col_expr(youth::Column::CadreId, Expr::value(None::<i64>))
            .col_expr(youth::Column::AssignedOn, Expr::value(None::<NaiveDate>))
            .col_expr(youth::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(youth::Column::Id.eq(youth_id))
            .exec(db)
            .await?;
        Ok(())
    }

    /// Records that a youth withdrew consent on `on`: they leave every roster (`today`: what
    /// was counted before stays counted, closed quarters unchanged) and nothing new is recorded
    /// about them. Their data stay until the retention rule reaches them.
    ///
    /// # Errors
    /// A database error, as `Internal`.
    pub async fn withdraw(
        db: &impl ConnectionTrait,
        youth_id: i64,
        on: NaiveDate,
        today: NaiveDate,
    ) -> Result<(), AppError> {
        off_roster(db, youth_id, today, "withdrawn").await?;
        youth::Entity::update_many()
            .col_expr(youth::Column::WithdrawnOn, Expr::value(on))
            .filter(youth::Column::Id.eq(youth_id))
            .exec(db)
            .await?;
        Ok(())
    }

    /// Marks a youth's open rights requests of `kind` done (`action` the kind's code): what
    /// they asked for has been done another way (a withdrawal recorded by the cadre).
    ///
    /// # Errors
    /// A database error, as `Internal`.
    pub async fn close_requests(
        db: &impl ConnectionTrait,
        youth_id: i64,
        kind: PiKind,
        by: i64,
    ) -> Result<u64, AppError> {
        Ok(pi_request::Entity::update_many()
            .col_expr(
                pi_request::Column::Status,
                Expr::value(PiStatus::Done.as_str()),
            )
            .col_expr(pi_request::Column::Action, Expr::value(kind.as_str()))
            .col_expr(pi_request::Column::ActedBy, Expr::value(by))
            .col_expr(pi_request::Column::ActedAt, Expr::value(Utc::now()))
            .filter(pi_request::Column::YouthId.eq(youth_id))
            .filter(pi_request::Column::Kind.eq(kind.as_str()))
            .filter(pi_request::Column::Status.eq(PiStatus::Open.as_str()))
            .exec(db)
            .await?
            .rows_affected)
    }

    /// Erases what identifies a youth: name, phone, WeChat ID, workplace, birth year and month,
    /// tags, notes, the guardian; their contacts keep date, channel and cadre (so every figure,
    /// closed quarters' included, stays as it was) and lose what was said. The youth leaves any
    /// roster they are still on. Idempotent: an anonymised youth is left as it is.
    ///
    /// # Errors
    /// A database error, as `Internal`.
    pub async fn anonymise(
        db: &impl ConnectionTrait,
        youth_id: i64,
        today: NaiveDate,
    ) -> Result<bool, AppError> {
        let Some(y) = youth::Entity::find_by_id(youth_id).one(db).await? else {
            return Ok(false);
        };
        if y.anonymised_at.is_some() {
            return Ok(false);
        }
        if y.cadre_id.is_some() {
            off_roster(db, youth_id, today, "anonymised").await?;
        }
        let none = Expr::value(None::<String>);
        youth::Entity::update_many()
            .col_expr(youth::Column::Name, Expr::value(super::ANONYMOUS))
            .col_expr(youth::Column::Phone, Expr::value(""))
            .col_expr(youth::Column::Wechat, none.clone())
            .col_expr(youth::Column::Workplace, none.clone())
            .col_expr(youth::Column::BirthYear, Expr::value(None::<i32>))
            .col_expr(youth::Column::BirthMonth, Expr::value(None::<i16>))
            .col_expr(youth::Column::Tags, Expr::value(""))
            .col_expr(youth::Column::Notes, Expr::value(""))
            .col_expr(youth::Column::GuardianName, none.clone())
            .col_expr(youth::Column::GuardianRelation, none.clone())
            .col_expr(youth::Column::AnonymisedAt, Expr::value(Utc::now()))
            .col_expr(youth::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(youth::Column::Id.eq(youth_id))
            .exec(db)
            .await?;
        // What was said goes; that a request was made and how it stands stay (figures count them).
        contact::Entity::update_many()
            .col_expr(contact::Column::Content, Expr::value(""))
            .filter(contact::Column::YouthId.eq(youth_id))
            .exec(db)
            .await?;
        contact::Entity::update_many()
            .col_expr(contact::Column::Request, Expr::value(""))
            .filter(contact::Column::YouthId.eq(youth_id))
            .filter(contact::Column::Request.is_not_null())
            .exec(db)
            .await?;
        contact::Entity::update_many()
            .col_expr(contact::Column::Resolution, Expr::value(""))
            .filter(contact::Column::YouthId.eq(youth_id))
            .filter(contact::Column::Resolution.is_not_null())
            .exec(db)
            .await?;
        // Late requests for this youth's contacts carry the name and the words too.
        let late = late_request::Entity::find()
            .filter(late_request::Column::Kind.eq("contact"))
            .all(db)
            .await?;
        for l in late {
            let about: Option<i64> = serde_json::from_str::<serde_json::Value>(&l.fields)
                .ok()
                .and_then(|f| {
                    f.get("youth_id").and_then(|v| {
                        v.as_i64()
                            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                    })
                });
            if about == Some(youth_id) {
                late_request::Entity::update_many()
                    .col_expr(late_request::Column::Fields, Expr::value("{}"))
                    .col_expr(late_request::Column::Summary, Expr::value(super::ANONYMOUS))
                    .filter(late_request::Column::Id.eq(l.id))
                    .exec(db)
                    .await?;
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::WorkCalendar;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn under_14_is_decided_by_the_year_and_where_it_matters_the_month() {
        let today = d(2026, 12, 3);
        assert_eq!(under_14(2013, None, today), Some(true));
        assert_eq!(under_14(2011, None, today), Some(false));
        // Born in 2012: 14 this year, so the month decides; unknown, it cannot be told.
        assert_eq!(under_14(2012, None, today), None);
        assert_eq!(under_14(2012, Some(11), today), Some(false));
        // Born in December 2012: may not be 14 yet on 3 December (the day is not asked).
        assert_eq!(under_14(2012, Some(12), today), Some(true));
        assert_eq!(under_14(2012, Some(1), d(2026, 1, 31)), Some(true));
        assert_eq!(under_14(2012, Some(1), d(2026, 2, 1)), Some(false));
        assert!(maybe_minor(Some(2012), None, today));
        assert!(!maybe_minor(Some(2000), None, today));
        assert!(!maybe_minor(None, None, today));
    }

    #[test]
    fn a_request_is_due_fifteen_working_days_later_by_the_calendar() {
        let none = WorkCalendar::default();
        // Thursday 3 December 2026 + 15 working days = Thursday 24 December.
        assert_eq!(due_on(d(2026, 12, 3), 15, &none), d(2026, 12, 24));
        // A holiday on the 24th pushes it to the 25th; a Saturday made a working day pulls it
        // back two (the 24th stays off).
        let cal = WorkCalendar::new([d(2026, 12, 24)], []);
        assert_eq!(due_on(d(2026, 12, 3), 15, &cal), d(2026, 12, 25));
        let cal = WorkCalendar::new([d(2026, 12, 24)], [d(2026, 12, 19)]);
        assert_eq!(due_on(d(2026, 12, 3), 15, &cal), d(2026, 12, 23));
        // Received on a Saturday: counting starts on Monday.
        assert_eq!(due_on(d(2026, 12, 5), 1, &none), d(2026, 12, 7));
    }

    #[test]
    fn retention_counts_whole_years_back_even_from_a_leap_day() {
        assert_eq!(retention_cutoff(d(2026, 12, 3), 3), d(2023, 12, 3));
        assert_eq!(retention_cutoff(d(2028, 2, 29), 1), d(2027, 2, 28));
        assert_eq!(retention_cutoff(d(2026, 12, 3), 0), d(2026, 12, 3));
    }
}
