//! The public sign-in and join on the server. No session: the client address is what the rate
//! limits and the audit trail know of the sender.

use super::api::{CheckinForm, JoinCadre, JoinForm, SignInActivity};
use crate::activities::rules::SignIn;
use crate::activities::service as activities;
use crate::error::AppError;
use crate::model::entities::{account, enrol_request};
use crate::model::privacy;
use crate::model::youth as rules;
use crate::ssr::audit::{self, Outcome};
use crate::ssr::limit::{self, Limit};
use crate::ssr::session::request_info;
use crate::ssr::validate::Validator;
use crate::ssr::{state, today};
use crate::types::{EnrolSource, EnrolStatus, Gender, Role, Sector};
use chrono::{Datelike, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait,
};

/// Sign-ins from one client address: a venue's Wi-Fi or a carrier's NAT puts a whole activity
/// behind one address, so an activity's worth is allowed; a flood is not.
pub const CHECKIN_PER_ADDRESS: Limit = Limit {
    max: 300,
    window: Duration::minutes(10),
};
/// Sign-ins for one code: far more than one activity's attendees.
pub const CHECKIN_PER_CODE: Limit = Limit {
    max: 1000,
    window: Duration::minutes(10),
};
/// Requests to join from one client address, and through one cadre's link.
pub const JOIN_PER_ADDRESS: Limit = Limit {
    max: 300,
    window: Duration::minutes(10),
};
pub const JOIN_PER_LINK: Limit = Limit {
    max: 300,
    window: Duration::minutes(10),
};
const REQUEST_MAX: usize = 500;

fn address() -> String {
    request_info().ip.unwrap_or_else(|| "unknown".to_owned())
}

async fn notice(db: &impl ConnectionTrait) -> Result<(i32, String), AppError> {
    Ok(privacy::current_notice(db)
        .await?
        .map(|n| (n.version, n.body))
        .unwrap_or_default())
}

/// Writes an audit entry for a public request (no actor; the address).
async fn record<C>(
    db: &C,
    action: &str,
    entity: &str,
    id: Option<i64>,
    details: String,
    result: Outcome,
) -> Result<(), AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    audit::record(
        db,
        audit::Entry {
            actor_id: None,
            role: None,
            action,
            entity,
            entity_id: id,
            details,
            ip: request_info().ip,
            result,
        },
    )
    .await
}

/// # Errors
/// `NotFound` for a code that is none.
pub async fn activity(code: &str) -> Result<SignInActivity, AppError> {
    let st = state()?;
    let db = &st.db;
    let (a, sign_in) = activities::by_code(db, code)
        .await?
        .ok_or(AppError::NotFound)?;
    let organiser = match account::Entity::find_by_id(a.cadre_id).one(db).await? {
        Some(acct) => org_name(db, acct.org_id).await?,
        None => String::new(),
    };
    let (notice_version, notice) = notice(db).await?;
    Ok(SignInActivity {
        code: a.code,
        title: a.title,
        date: a.activity_date,
        start_time: a.start_time,
        place: a.place,
        organiser,
        sign_in,
        notice_version,
        notice,
    })
}

/// An organisation's name (one row, not the tree: these pages are public and cheap).
async fn org_name(db: &impl ConnectionTrait, id: i64) -> Result<String, AppError> {
    Ok(crate::model::entities::organisation::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default())
}

/// The active cadre whose enrolment link this is.
async fn link_owner(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<account::Model>, AppError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 64 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    Ok(account::Entity::find()
        .filter(account::Column::EnrolToken.eq(token))
        .filter(account::Column::Role.eq(Role::Cadre.as_str()))
        .filter(account::Column::Active.eq(true))
        .one(db)
        .await?)
}

/// # Errors
/// `NotFound` for a link that is none.
pub async fn cadre(token: &str) -> Result<JoinCadre, AppError> {
    let st = state()?;
    let db = &st.db;
    let acct = link_owner(db, token).await?.ok_or(AppError::NotFound)?;
    let organisation = org_name(db, acct.org_id).await?;
    let (notice_version, notice) = notice(db).await?;
    Ok(JoinCadre {
        token: acct.enrol_token.unwrap_or_default(),
        name: acct.name,
        organisation,
        notice_version,
        notice,
    })
}

fn consent(v: &mut Validator, raw: &str) {
    if raw.trim() != "true" {
        let t = v.t();
        v.fail("consent", "consent_required", t.err_consent_required);
    }
}

/// The birth year and month, both optional at a sign-in.
fn birth(v: &mut Validator, year: &str, month: &str, required: bool) -> (Option<i32>, Option<i16>) {
    let t = v.t();
    let years = rules::birth_years(today().year());
    let y = v.optional_int("birth_year", year, *years.start(), *years.end());
    let m = v.optional_int("birth_month", month, 1, 12);
    if required && y.is_none() && !v.has("birth_year") {
        v.fail("birth_year", "required", t.err_required);
    }
    if required && m.is_none() && !v.has("birth_month") {
        v.fail("birth_month", "required", t.err_required);
    }
    (y, m.and_then(|m| i16::try_from(m).ok()))
}

/// What every sign-in and request to join records: whose queue, its key, who (name, phone), the
/// notice consented to and when, and from where; waiting to be decided.
fn asked(
    cadre_id: i64,
    source: EnrolSource,
    dedupe: String,
    (name, phone): (String, String),
    notice_version: i32,
    address: String,
) -> enrol_request::ActiveModel {
    enrol_request::ActiveModel {
        cadre_id: Set(cadre_id),
        source: Set(source.as_str().to_owned()),
        dedupe: Set(dedupe),
        name: Set(name),
        phone: Set(phone),
        notice_version: Set(notice_version),
        consented_at: Set(Utc::now()),
        address: Set(address),
        status: Set(EnrolStatus::Pending.as_str().to_owned()),
        ..Default::default()
    }
}

/// Inserts a sign-in or request once: `false` when its dedupe key is taken (a repeat).
async fn insert_once(
    db: &impl ConnectionTrait,
    row: enrol_request::ActiveModel,
) -> Result<bool, AppError> {
    // No conflict target: the partial unique keys on `dedupe` (not the primary key) decide.
    let inserted = enrol_request::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::new()
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(inserted > 0)
}

/// # Errors
/// `TooManyAttempts` over the rate limits; `Invalid` for bad fields or a code that does not
/// work now (unknown, not yet open, over, closed).
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn checkin(form: CheckinForm) -> Result<String, AppError> {
    let st = state()?;
    let db = &st.db;
    let locale = request_info().locale;
    let mut v = Validator::new(locale);
    let t = v.t();
    let addr = address();
    limit::hit(
        db,
        &format!("checkin:ip:{addr}"),
        CHECKIN_PER_ADDRESS,
        t.err_too_many_signins,
    )
    .await?;
    let code = crate::activities::rules::normalise_code(&form.code);
    if let Some(code) = &code {
        limit::hit(
            db,
            &format!("checkin:code:{code}"),
            CHECKIN_PER_CODE,
            t.err_too_many_signins,
        )
        .await?;
    }
    let found = match &code {
        Some(c) => activities::by_code(db, c).await?,
        None => None,
    };
    match &found {
        None => v.fail("code", "code_invalid", t.err_code_invalid),
        Some((_, SignIn::NotYet)) => v.fail("code", "signin_not_open", t.err_signin_not_open),
        Some((_, SignIn::Over)) => v.fail("code", "signin_over", t.err_signin_over),
        Some((_, SignIn::Closed)) => v.fail("code", "signin_closed", t.err_signin_closed),
        Some((_, SignIn::Open)) => {}
    }
    let name = v.text("name", &form.name, rules::NAME_MAX, true);
    let phone = v.phone("phone", &form.phone, true);
    let request =
        Some(v.lines("request", &form.request, REQUEST_MAX, false)).filter(|r| !r.is_empty());
    let (birth_year, birth_month) = birth(&mut v, &form.birth_year, &form.birth_month, false);
    consent(&mut v, &form.consent);
    if let (Some((a, state)), true) = (&found, v.has("code")) {
        // A code that is out of its time is worth knowing about; the fields are not recorded.
        let why = match state {
            SignIn::NotYet => "not_yet",
            SignIn::Over => "over",
            _ => "closed",
        };
        record(
            db,
            "checkin",
            "activity",
            Some(a.id),
            format!("refused={why}"),
            Outcome::Failure,
        )
        .await?;
    }
    v.finish(&form)?;
    let (Some((a, _)), Some(phone)) = (found, phone) else {
        return Err(AppError::Internal);
    };
    let (notice_version, _) = notice(db).await?;
    let known = activities::roster_youth_by_phone(db, a.cadre_id, &phone).await?;
    let txn = db.begin().await?;
    let mut row = asked(
        a.cadre_id,
        EnrolSource::Checkin,
        format!("a:{}:{phone}", a.id),
        (name, phone),
        notice_version,
        addr,
    );
    row.activity_id = Set(Some(a.id));
    row.birth_year = Set(birth_year);
    row.birth_month = Set(birth_month);
    row.request = Set(request.clone());
    if let Some(y) = &known {
        row.status = Set(EnrolStatus::Attended.as_str().to_owned());
        row.youth_id = Set(Some(y.id));
        row.decided_at = Set(Some(Utc::now()));
    }
    let fresh = insert_once(&txn, row).await?;
    let details = match (&known, fresh) {
        (_, false) => "repeat".to_owned(),
        (Some(y), true) => {
            activities::attend(&txn, &a, &[y.id], request.as_deref()).await?;
            format!("youth={}", y.id)
        }
        (None, true) => "new_friend".to_owned(),
    };
    record(
        &txn,
        "checkin",
        "activity",
        Some(a.id),
        details,
        Outcome::Success,
    )
    .await?;
    txn.commit().await?;
    Ok(t.signin_done.to_owned())
}

/// # Errors
/// `TooManyAttempts` over the rate limits; `NotFound` for a link that is none; `Invalid` for
/// bad fields.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn join(form: JoinForm) -> Result<String, AppError> {
    let st = state()?;
    let db = &st.db;
    let locale = request_info().locale;
    let mut v = Validator::new(locale);
    let t = v.t();
    let addr = address();
    limit::hit(
        db,
        &format!("join:ip:{addr}"),
        JOIN_PER_ADDRESS,
        t.err_too_many_signins,
    )
    .await?;
    let cadre = link_owner(db, &form.token)
        .await?
        .ok_or(AppError::NotFound)?;
    limit::hit(
        db,
        &format!("join:cadre:{}", cadre.id),
        JOIN_PER_LINK,
        t.err_too_many_signins,
    )
    .await?;
    let name = v.text("name", &form.name, rules::NAME_MAX, true);
    let phone = v.phone("phone", &form.phone, true);
    let gender = v.choice("gender", &form.gender, Gender::parse);
    let (birth_year, birth_month) = birth(&mut v, &form.birth_year, &form.birth_month, true);
    let sector = v.choice("sector", &form.sector, Sector::parse);
    let workplace = v.optional_text("workplace", &form.workplace, rules::WORKPLACE_MAX);
    consent(&mut v, &form.consent);
    v.finish(&form)?;
    let (Some(phone), Some(gender), Some(sector)) = (phone, gender, sector) else {
        return Err(AppError::Internal);
    };
    let (notice_version, _) = notice(db).await?;
    let txn = db.begin().await?;
    let details = if activities::roster_youth_by_phone(&txn, cadre.id, &phone)
        .await?
        .is_some()
    {
        // Already on the list: nothing to ask, and the answer is the same.
        "on_roster".to_owned()
    } else {
        let mut row = asked(
            cadre.id,
            EnrolSource::Join,
            format!("j:{}:{phone}", cadre.id),
            (name, phone),
            notice_version,
            addr,
        );
        row.gender = Set(Some(gender.as_str().to_owned()));
        row.birth_year = Set(birth_year);
        row.birth_month = Set(birth_month);
        row.sector = Set(Some(sector.as_str().to_owned()));
        row.workplace = Set(workplace);
        let fresh = insert_once(&txn, row).await?;
        if fresh { "new_friend" } else { "repeat" }.to_owned()
    };
    record(
        &txn,
        "join",
        "account",
        Some(cadre.id),
        details,
        Outcome::Success,
    )
    .await?;
    txn.commit().await?;
    Ok(t.join_done.to_owned())
}
