//! A youth's record: the rules every way in (the youth form and the roster import) applies, and
//! the one way a new youth is written.

use std::ops::RangeInclusive;

pub const NAME_MAX: usize = 30;
pub const WECHAT_MAX: usize = 64;
pub const WORKPLACE_MAX: usize = 100;
pub const TAGS_MAX: usize = 200;
pub const NOTES_MAX: usize = 1000;

/// A phone number as typed, without the spaces and dashes people put in it.
pub fn phone(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// A mainland mobile number: 11 digits starting with 1.
pub fn is_mobile(v: &str) -> bool {
    v.len() == 11 && v.starts_with('1') && v.chars().all(|c| c.is_ascii_digit())
}

/// The birth years a youth may have (the League's 14 to 28, with room on both sides): from 40
/// to 10 years before this year.
pub fn birth_years(this_year: i32) -> RangeInclusive<i32> {
    this_year - 40..=this_year - 10
}

/// A youth's fields, checked, with the codes as stored.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, PartialEq)]
pub struct YouthFields {
    pub name: String,
    pub gender: String,
    pub birth_year: Option<i32>,
    pub phone: String,
    pub wechat: Option<String>,
    pub org_id: Option<i64>,
    pub workplace: Option<String>,
    pub sector: String,
    pub political_status: String,
    pub tags: String,
    pub notes: String,
    /// `consent` or `duty`.
    pub basis: String,
    /// The privacy notice shown (none: recorded by an import, no notice shown by this system).
    pub notice_version: Option<i32>,
    pub birth_month: Option<u32>,
    /// A guardian's consent, for a youth under 14.
    pub guardian: Option<Guardian>,
}

/// A guardian's consent to recording a youth under 14.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Guardian {
    pub name: String,
    /// `father`, `mother` or `guardian`.
    pub relation: String,
    pub consent_on: chrono::NaiveDate,
}

/// Writes a new youth (not yet on any roster: `model::roster::assign` puts them on one).
///
/// # Errors
/// A database error (a phone already taken is a unique violation).
#[cfg(feature = "ssr")]
pub async fn insert(
    db: &impl sea_orm::ConnectionTrait,
    uuid: uuid::Uuid,
    f: YouthFields,
    created_by: i64,
) -> Result<crate::model::entities::youth::Model, crate::error::AppError> {
    use crate::model::entities::youth;
    use sea_orm::{ActiveModelTrait, Set};
    let now = chrono::Utc::now();
    Ok(youth::ActiveModel {
        uuid: Set(uuid),
        name: Set(f.name),
        gender: Set(f.gender),
        birth_year: Set(f.birth_year),
        phone: Set(f.phone),
        wechat: Set(f.wechat),
        org_id: Set(f.org_id),
        workplace: Set(f.workplace),
        sector: Set(f.sector),
        political_status: Set(f.political_status),
        tags: Set(f.tags),
        notes: Set(f.notes),
        basis: Set(f.basis),
        notice_version: Set(f.notice_version),
        basis_recorded_at: Set(Some(now)),
        basis_recorded_by: Set(Some(created_by)),
        birth_month: Set(f.birth_month.and_then(|m| i16::try_from(m).ok())),
        guardian_name: Set(f.guardian.as_ref().map(|g| g.name.clone())),
        guardian_relation: Set(f.guardian.as_ref().map(|g| g.relation.clone())),
        guardian_consent_on: Set(f.guardian.as_ref().map(|g| g.consent_on)),
        created_by: Set(Some(created_by)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The youths already holding `phone`, other than `except`: a phone number is a youth's
/// identity (the import matches rows by it), so the youth form refuses a second youth with it.
///
/// # Errors
/// A database error, as `Internal`.
#[cfg(feature = "ssr")]
pub async fn holders_of(
    db: &impl sea_orm::ConnectionTrait,
    phone: &str,
    except: Option<i64>,
) -> Result<Vec<crate::model::entities::youth::Model>, crate::error::AppError> {
    use crate::model::entities::youth;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mut q = youth::Entity::find().filter(youth::Column::Phone.eq(phone));
    if let Some(id) = except {
        q = q.filter(youth::Column::Id.ne(id));
    }
    Ok(q.all(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_read_as_typed_and_checked_once() {
        assert_eq!(phone(" 138-0013 8000 "), "13800138000");
        assert!(is_mobile("13800138000"));
        assert!(!is_mobile("23800138000") && !is_mobile("1380013800") && !is_mobile("1380013800x"));
        assert_eq!(birth_years(2026), 1986..=2016);
    }
}
