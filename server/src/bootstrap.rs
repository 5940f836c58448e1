//! What every database needs before anyone signs in: the policy defaults and the first
//! administrator (`server create-admin`), at the root of the organisation tree.

use app::model::entities::{account, organisation, policy};
use app::ssr::{password, today};
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, Set,
};
use uuid::Uuid;

/// The policy defaults of the specification.
pub const POLICY_DEFAULTS: &[(&str, &str)] = &[
    ("roster_target", "100"),
    ("contact_due_days", "60"),
    ("contact_overdue_days", "90"),
    ("offline_contacts_per_year", "1"),
    ("visit_days_per_week", "1"),
    ("visit_late_entry_days", "7"),
    ("min_working_days_per_week", "3"),
    ("suggestions_per_quarter", "1"),
    ("study_hours_per_month", "8"),
];

pub(crate) async fn org(
    db: &impl ConnectionTrait,
    name: &str,
    kind: &str,
    parent: Option<i64>,
) -> Result<i64, sea_orm::DbErr> {
    let now = Utc::now();
    Ok(organisation::ActiveModel {
        uuid: Set(Uuid::new_v4()),
        name: Set(name.to_owned()),
        kind: Set(kind.to_owned()),
        parent_id: Set(parent),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .id)
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn person(
    db: &impl ConnectionTrait,
    username: &str,
    name: &str,
    phone: Option<String>,
    role: &str,
    org_id: i64,
    post: Option<&str>,
    password: &str,
    joined_on: NaiveDate,
) -> anyhow::Result<i64> {
    let now = Utc::now();
    let hash = password::hash(password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(account::ActiveModel {
        uuid: Set(Uuid::new_v4()),
        name: Set(name.to_owned()),
        username: Set(username.to_owned()),
        phone: Set(phone),
        email: Set(None),
        password_hash: Set(hash),
        role: Set(role.to_owned()),
        org_id: Set(org_id),
        post: Set(post.map(str::to_owned)),
        active: Set(true),
        locale: Set("zh-CN".to_owned()),
        joined_on: Set(Some(joined_on)),
        left_on: Set(None),
        calendar_token: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        password_changed_at: Set(Some(now)),
        ..Default::default()
    }
    .insert(db)
    .await?
    .id)
}

/// Writes the policy defaults and the work calendar where they are missing.
///
/// # Errors
/// A database error.
pub async fn ensure_reference_data(db: &impl ConnectionTrait) -> Result<(), sea_orm::DbErr> {
    if policy::Entity::find().count(db).await? == 0 {
        let now = Utc::now();
        policy::Entity::insert_many(POLICY_DEFAULTS.iter().map(|(k, v)| policy::ActiveModel {
            key: Set((*k).to_owned()),
            effective_from: Set(app::rules::policy_epoch()),
            value: Set((*v).to_owned()),
            updated_by: Set(None),
            updated_at: Set(now),
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// Creates an administrator at the root of the tree (creating the district when the tree is empty).
///
/// # Errors
/// A short password, a taken username, or a database error.
pub async fn create_admin(
    db: &DatabaseConnection,
    role: app::types::Role,
    username: &str,
    name: &str,
    password: &str,
    district: &str,
) -> anyhow::Result<i64> {
    use sea_orm::{ColumnTrait, QueryFilter};
    match password::weakness(password, &[name, username]) {
        None => {}
        Some(password::Weakness::TooShort) => {
            anyhow::bail!(
                "the password needs at least {} characters",
                password::MIN_LEN
            )
        }
        Some(password::Weakness::TooLong) => {
            anyhow::bail!(
                "the password may have at most {} characters",
                password::MAX_LEN
            )
        }
        Some(password::Weakness::Common) => {
            anyhow::bail!("the password is too common: choose another")
        }
        Some(password::Weakness::Personal) => {
            anyhow::bail!("the password may not contain the name, the username or the app's name")
        }
    }
    anyhow::ensure!(
        app::users::service::valid_username(username),
        "the username needs 3 to 30 letters, digits or underscores, not digits only"
    );
    let policy = app::model::security::load(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    anyhow::ensure!(
        password.chars().count() >= usize::try_from(policy.min_length).unwrap_or(8),
        "the security policy asks for at least {} characters",
        policy.min_length
    );
    anyhow::ensure!(
        app::model::security::char_classes(password) >= policy.char_classes,
        "the security policy asks for at least {} of: lower case, upper case, digits, others",
        policy.char_classes
    );
    anyhow::ensure!(
        account::Entity::find()
            .filter(account::Column::Username.eq(username))
            .one(db)
            .await?
            .is_none(),
        "the username {username} is taken"
    );
    ensure_reference_data(db).await?;
    let root = match organisation::Entity::find()
        .filter(organisation::Column::ParentId.is_null())
        .one(db)
        .await?
    {
        Some(o) => o.id,
        None => org(db, district, "district", None).await?,
    };
    person(
        db,
        username,
        name,
        None,
        role.as_str(),
        root,
        None,
        password,
        today(),
    )
    .await
}
