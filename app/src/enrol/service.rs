//! The new-friends queue on the server.

use super::api::{DecideForm, EnrolPage, EnrolRow, RegenerateLink};
use crate::error::AppError;
use crate::model::entities::{account, activity, enrol_request, youth};
use crate::model::privacy;
use crate::model::youth as rules;
use crate::ssr::guard::{require, Authorised};
use crate::ssr::once;
use crate::ssr::today;
use crate::ssr::validate::Validator;
use crate::types::{Basis, EnrolDecision, EnrolSource, EnrolStatus, Gender, Role, Sector};
use chrono::{Datelike, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;

const PENDING_MAX: u64 = 500;
const DECIDED_SHOWN: u64 = 20;

/// New friends waiting in a cadre's queue.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn pending_count(db: &impl ConnectionTrait, cadre: i64) -> Result<u32, AppError> {
    let n = enrol_request::Entity::find()
        .filter(enrol_request::Column::CadreId.eq(cadre))
        .filter(enrol_request::Column::Status.eq(EnrolStatus::Pending.as_str()))
        .count(db)
        .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The public address of an enrolment link.
pub fn link_url(public_url: &str, token: &str) -> String {
    format!("{}/j/{token}", public_url.trim_end_matches('/'))
}

/// The cadre's enrolment token, made on first use (a parallel first use keeps the one that won).
async fn token_of(db: &impl ConnectionTrait, cadre: i64) -> Result<String, AppError> {
    let current = account::Entity::find_by_id(cadre)
        .one(db)
        .await?
        .ok_or(AppError::Unauthenticated)?
        .enrol_token;
    if let Some(t) = current {
        return Ok(t);
    }
    let t = new_token();
    account::Entity::update_many()
        .col_expr(account::Column::EnrolToken, Expr::value(t.clone()))
        .filter(account::Column::Id.eq(cadre))
        .filter(account::Column::EnrolToken.is_null())
        .exec(db)
        .await?;
    Ok(account::Entity::find_by_id(cadre)
        .one(db)
        .await?
        .and_then(|a| a.enrol_token)
        .unwrap_or(t))
}

/// Under 14, or may be (the month unknown where it decides).
fn minor(year: Option<i32>, month: Option<i16>) -> bool {
    year.is_some_and(|y| {
        privacy::under_14(y, month.and_then(|m| u32::try_from(m).ok()), today()) != Some(false)
    })
}

async fn rows(
    auth: &Authorised,
    list: Vec<enrol_request::Model>,
) -> Result<Vec<EnrolRow>, AppError> {
    let db = auth.db();
    let titles: HashMap<i64, String> = activity::Entity::find()
        .select_only()
        .column(activity::Column::Id)
        .column(activity::Column::Title)
        .filter(activity::Column::Id.is_in(list.iter().filter_map(|r| r.activity_id)))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let holders: HashMap<String, Option<i64>> = youth::Entity::find()
        .filter(youth::Column::Phone.is_in(list.iter().map(|r| r.phone.clone())))
        .filter(youth::Column::AnonymisedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|y| (y.phone, y.cadre_id))
        .collect();
    Ok(list
        .into_iter()
        .map(|r| EnrolRow {
            id: r.id,
            source: EnrolSource::parse(&r.source).unwrap_or(EnrolSource::Checkin),
            status: EnrolStatus::parse(&r.status).unwrap_or(EnrolStatus::Pending),
            holder: holders.get(&r.phone).map(|c| {
                match c {
                    Some(c) if *c == auth.viewer.id => "mine",
                    Some(_) => "elsewhere",
                    None => "none",
                }
                .to_owned()
            }),
            minor: minor(r.birth_year, r.birth_month),
            name: r.name,
            phone: r.phone,
            gender: r.gender.as_deref().and_then(Gender::parse),
            birth_year: r.birth_year,
            birth_month: r.birth_month,
            sector: r.sector.as_deref().and_then(Sector::parse),
            workplace: r.workplace,
            request: r.request,
            activity_title: r.activity_id.and_then(|a| titles.get(&a).cloned()),
            activity_id: r.activity_id,
            notice_version: r.notice_version,
            consented_at: r.consented_at,
            youth_id: r.youth_id,
        })
        .collect())
}

/// # Errors
/// `Forbidden` for anyone but cadres.
pub async fn list() -> Result<EnrolPage, AppError> {
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let mine =
        || enrol_request::Entity::find().filter(enrol_request::Column::CadreId.eq(auth.viewer.id));
    let pending = mine()
        .filter(enrol_request::Column::Status.eq(EnrolStatus::Pending.as_str()))
        .order_by_asc(enrol_request::Column::Id)
        .limit(PENDING_MAX)
        .all(db)
        .await?;
    let decided = mine()
        .filter(enrol_request::Column::Status.is_in([
            EnrolStatus::Accepted.as_str(),
            EnrolStatus::Dismissed.as_str(),
        ]))
        .order_by_desc(enrol_request::Column::DecidedAt)
        .order_by_desc(enrol_request::Column::Id)
        .limit(DECIDED_SHOWN)
        .all(db)
        .await?;
    let link = link_url(
        &auth.state.settings.public_url,
        &token_of(db, auth.viewer.id).await?,
    );
    Ok(EnrolPage {
        pending: rows(&auth, pending).await?,
        decided: rows(&auth, decided).await?,
        qr_svg: crate::model::second_factor::qr_svg(&link),
        link,
        today: today(),
    })
}

/// Where an accepted youth goes.
enum Target {
    /// Already on this cadre's roster: only the attendance is new.
    Mine(youth::Model),
    /// On no roster (never assigned, or consent withdrawn earlier): assigned with the new consent.
    Returning(youth::Model),
    New,
}

/// Takes `form`'s value where given, else the request's.
fn or_given(form: &str, given: Option<String>) -> String {
    match form.trim() {
        "" => given.unwrap_or_default(),
        v => v.to_owned(),
    }
}

/// # Errors
/// `Forbidden`; `NotFound` for a request in another cadre's queue; `Invalid` for a request
/// already decided otherwise, a youth on another cadre's roster, a guardian's consent missing.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn decide(form: DecideForm) -> Result<Option<i64>, AppError> {
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, "enrol/decide", &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return Ok((id > 0).then_some(id));
    }
    let id = form
        .id
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::NotFound)?;
    let req = enrol_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|r| r.cadre_id == auth.viewer.id)
        .filter(|r| r.status != EnrolStatus::Attended.as_str())
        .ok_or(AppError::NotFound)?;
    let decision = v.choice("decision", &form.decision, EnrolDecision::parse);
    let done_as = match EnrolStatus::parse(&req.status) {
        Some(EnrolStatus::Accepted) => Some(EnrolDecision::Accept),
        Some(EnrolStatus::Dismissed) => Some(EnrolDecision::Dismiss),
        _ => None,
    };
    if let (Some(done), Some(asked)) = (done_as, decision) {
        if done == asked {
            // Decided so already (another tab, another device): nothing changes.
            return Ok(req.youth_id);
        }
        v.fail("id", "already_decided", t.err_already_decided);
    }
    let mut target = Target::New;
    let mut fields = None;
    if decision == Some(EnrolDecision::Accept) && done_as.is_none() {
        let holder = rules::holders_of(db, &req.phone, None)
            .await?
            .into_iter()
            .find(|y| y.anonymised_at.is_none());
        target = match holder {
            Some(y) if y.cadre_id == Some(auth.viewer.id) => Target::Mine(y),
            Some(y) if y.cadre_id.is_some() => {
                v.fail("id", "youth_elsewhere", t.err_youth_elsewhere);
                Target::New
            }
            Some(y) => Target::Returning(y),
            None => Target::New,
        };
        if !matches!(target, Target::Mine(_)) {
            fields = accepted_fields(&mut v, &form, &req);
        }
    }
    v.finish(&form)?;
    let decision = decision.ok_or(AppError::Internal)?;
    let txn = match once.begin().await? {
        once::Begun::Earlier(id) => return Ok((id > 0).then_some(id)),
        once::Begun::Fresh(txn) => txn,
    };
    let now = Utc::now();
    let request_id = req.id;
    let mut am = req.clone().into_active_model();
    am.decided_by = Set(Some(auth.viewer.id));
    am.decided_at = Set(Some(now));
    if decision == EnrolDecision::Dismiss {
        am.status = Set(EnrolStatus::Dismissed.as_str().to_owned());
        am.update(&txn).await?;
        auth.audit(
            &txn,
            "enrol_dismiss",
            "enrol_request",
            Some(request_id),
            String::new(),
        )
        .await?;
        once::finish(txn, once.uuid, 0).await?;
        return Ok(None);
    }
    let youth_id = match target {
        Target::Mine(y) => y.id,
        Target::Returning(y) => {
            let f = fields.ok_or(AppError::Internal)?;
            let id = y.id;
            let mut ym = y.into_active_model();
            ym.basis = Set(Basis::Consent.as_str().to_owned());
            ym.notice_version = Set(Some(req.notice_version));
            ym.basis_recorded_at = Set(Some(req.consented_at));
            ym.basis_recorded_by = Set(Some(auth.viewer.id));
            ym.withdrawn_on = Set(None);
            ym.birth_year = Set(f.birth_year);
            ym.birth_month = Set(f.birth_month.and_then(|m| i16::try_from(m).ok()));
            ym.guardian_name = Set(f.guardian.as_ref().map(|g| g.name.clone()));
            ym.guardian_relation = Set(f.guardian.as_ref().map(|g| g.relation.clone()));
            ym.guardian_consent_on = Set(f.guardian.as_ref().map(|g| g.consent_on));
            ym.updated_at = Set(now);
            ym.update(&txn).await?;
            crate::model::roster::assign(
                &txn,
                id,
                auth.viewer.id,
                today(),
                "",
                Some(auth.viewer.id),
            )
            .await?;
            id
        }
        Target::New => {
            let f = fields.ok_or(AppError::Internal)?;
            let saved = rules::insert(&txn, uuid::Uuid::new_v4(), f, auth.viewer.id).await?;
            // Consent was given when the youth sent the form, not when it was accepted.
            youth::Entity::update_many()
                .col_expr(
                    youth::Column::BasisRecordedAt,
                    Expr::value(req.consented_at),
                )
                .filter(youth::Column::Id.eq(saved.id))
                .exec(&txn)
                .await?;
            crate::model::roster::assign(
                &txn,
                saved.id,
                auth.viewer.id,
                today(),
                "",
                Some(auth.viewer.id),
            )
            .await?;
            saved.id
        }
    };
    if let Some(aid) = req.activity_id {
        if let Some(a) = activity::Entity::find_by_id(aid).one(&txn).await? {
            crate::activities::service::attend(&txn, &a, &[youth_id], req.request.as_deref())
                .await?;
        }
    }
    am.status = Set(EnrolStatus::Accepted.as_str().to_owned());
    am.youth_id = Set(Some(youth_id));
    am.update(&txn).await?;
    auth.audit(
        &txn,
        "enrol_accept",
        "youth",
        Some(youth_id),
        format!("request={request_id}; notice={}", req.notice_version),
    )
    .await?;
    once::finish(txn, once.uuid, youth_id).await?;
    Ok(Some(youth_id))
}

/// The youth's fields on accepting: what they gave, with the cadre's corrections; the guardian's
/// consent for a youth under 14. `None` when a field failed (the validator says which).
fn accepted_fields(
    v: &mut Validator,
    form: &DecideForm,
    req: &enrol_request::Model,
) -> Option<rules::YouthFields> {
    let today = today();
    let gender = or_given(&form.gender, req.gender.clone());
    let gender = match gender.as_str() {
        "" => Some(String::new()),
        g => v
            .choice("gender", g, Gender::parse)
            .map(|g| g.as_str().to_owned()),
    };
    let years = rules::birth_years(today.year());
    let birth_year = v.optional_int(
        "birth_year",
        &or_given(&form.birth_year, req.birth_year.map(|y| y.to_string())),
        *years.start(),
        *years.end(),
    );
    let birth_month = v
        .optional_int(
            "birth_month",
            &or_given(&form.birth_month, req.birth_month.map(|m| m.to_string())),
            1,
            12,
        )
        .and_then(|m| u32::try_from(m).ok());
    let sector = v.choice(
        "sector",
        &or_given(
            &form.sector,
            req.sector.clone().or(Some("other".to_owned())),
        ),
        Sector::parse,
    );
    let workplace = v.optional_text(
        "workplace",
        &or_given(&form.workplace, req.workplace.clone()),
        rules::WORKPLACE_MAX,
    );
    let guardian_form = crate::youth::api::YouthForm {
        guardian_name: form.guardian_name.clone(),
        guardian_relation: form.guardian_relation.clone(),
        guardian_consent_on: form.guardian_consent_on.clone(),
        ..Default::default()
    };
    let guardian =
        crate::youth::service::guardian(v, &guardian_form, birth_year, birth_month, today);
    match (gender, sector, guardian) {
        (Some(gender), Some(sector), Ok(guardian)) => Some(rules::YouthFields {
            name: req.name.clone(),
            gender,
            birth_year,
            phone: req.phone.clone(),
            wechat: None,
            org_id: None,
            workplace,
            sector: sector.as_str().to_owned(),
            political_status: String::new(),
            tags: String::new(),
            notes: String::new(),
            basis: Basis::Consent.as_str().to_owned(),
            notice_version: Some(req.notice_version),
            birth_month,
            guardian,
        }),
        _ => None,
    }
}

/// # Errors
/// `Forbidden` for anyone but cadres.
pub async fn regenerate(form: RegenerateLink) -> Result<String, AppError> {
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let once = once::Request::new(&auth, "enrol/regenerate", &mut v, &form);
    let current = || async {
        Ok::<_, AppError>(link_url(
            &auth.state.settings.public_url,
            &token_of(db, auth.viewer.id).await?,
        ))
    };
    if once.earlier().await?.is_some() {
        return current().await;
    }
    v.finish(&form)?;
    let txn = match once.begin().await? {
        once::Begun::Earlier(_) => return current().await,
        once::Begun::Fresh(txn) => txn,
    };
    let token = new_token();
    account::Entity::update_many()
        .col_expr(account::Column::EnrolToken, Expr::value(token.clone()))
        .filter(account::Column::Id.eq(auth.viewer.id))
        .exec(&txn)
        .await?;
    // The link is a secret: the audit says that it changed, not what it is.
    auth.audit(
        &txn,
        "regenerate",
        "enrol_link",
        Some(auth.viewer.id),
        String::new(),
    )
    .await?;
    once::finish(txn, once.uuid, auth.viewer.id).await?;
    Ok(link_url(&auth.state.settings.public_url, &token))
}
