//! The roster on the server.

use super::api::{
    OrgChoices, RevealForm, Roster, RosterEntry, RosterFilter, WithdrawForm, YouthDetail,
    YouthForm, YouthNotice, YouthProfile,
};
use crate::contacts::service::contact_rows;
use crate::error::AppError;
use crate::model::entities::{contact, youth};
use crate::model::orgtree::OrgTree;
use crate::model::policy;
use crate::model::privacy;
use crate::model::roster::own_youth;
use crate::model::youth as rules;
use crate::rules::Policy;
use crate::rules::{contact_status, days_without_contact, ContactStatus};
use crate::ssr::guard::{require, Authorised};
use crate::ssr::validate::Validator;
use crate::ssr::{once, today};
use crate::types::{
    Basis, Gender, GuardianRelation, OrgKind, PoliticalStatus, RevealField, Role, Sector,
};
use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};

/// A cadre's roster as it stands, most overdue first, each youth with its model (for the
/// phone). Read from the youths' summaries, like the compliance engine: the same counts.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn roster_of(
    db: &impl ConnectionTrait,
    tree: &OrgTree,
    cadre_id: i64,
    policy: &Policy,
    today: NaiveDate,
) -> Result<Vec<(RosterEntry, youth::Model)>, AppError> {
    let youths = youth::Entity::find()
        .filter(youth::Column::CadreId.eq(cadre_id))
        .all(db)
        .await?;
    let mut entries: Vec<(RosterEntry, youth::Model)> = youths
        .into_iter()
        .map(|y| {
            let assigned_on = y.assigned_on.unwrap_or(today);
            let last_contact = y.last_contact_on;
            let entry = RosterEntry {
                id: y.id,
                workplace: y
                    .org_id
                    .and_then(|o| tree.get(o).map(|o| o.name.clone()))
                    .or(y.workplace.clone())
                    .unwrap_or_default(),
                name: y.name.clone(),
                gender: Gender::parse(&y.gender),
                sector: Sector::parse(&y.sector),
                last_contact,
                days: days_without_contact(last_contact, assigned_on, today),
                status: contact_status(last_contact, assigned_on, today, policy),
                minor: privacy::maybe_minor(y.birth_year, month_of(&y), today),
            };
            (entry, y)
        })
        .collect();
    entries.sort_by(|(a, _), (b, _)| b.days.cmp(&a.days).then_with(|| a.name.cmp(&b.name)));
    Ok(entries)
}

/// The viewer's whole roster with contact status, most overdue first.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn full_roster(auth: &Authorised) -> Result<(Vec<RosterEntry>, u32), AppError> {
    let db = auth.db();
    let policy = policy::load(db).await?;
    let (tree, _) = auth.scope().await?;
    let entries = roster_of(db, &tree, auth.viewer.id, &policy, today()).await?;
    Ok((
        entries.into_iter().map(|(e, _)| e).collect(),
        policy.roster_target,
    ))
}

/// # Errors
/// `Forbidden` for anyone but cadres.
pub async fn roster(filter: RosterFilter, q: &str) -> Result<Roster, AppError> {
    let auth = require(Role::CADRES)?;
    let (all, target) = full_roster(&auth).await?;
    let count = |s: ContactStatus| all.iter().filter(|e| e.status == s).count();
    let (due, overdue) = (count(ContactStatus::Due), count(ContactStatus::Overdue));
    let never = all.iter().filter(|e| e.last_contact.is_none()).count();
    let total = all.len();
    let q = q.trim();
    let entries = all
        .into_iter()
        .filter(|e| match filter {
            RosterFilter::All => true,
            RosterFilter::Due => e.status == ContactStatus::Due,
            RosterFilter::Overdue => e.status == ContactStatus::Overdue,
            RosterFilter::Never => e.last_contact.is_none(),
        })
        .filter(|e| q.is_empty() || e.name.contains(q))
        .collect();
    Ok(Roster {
        entries,
        target,
        total,
        due,
        overdue,
        never,
    })
}

/// # Errors
/// `Forbidden`, `NotFound` for a youth not on the viewer's roster.
pub async fn profile(id: i64) -> Result<YouthProfile, AppError> {
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let (a, y) = own_youth(db, auth.viewer.id, id).await?;
    let policy = policy::load(db).await?;
    let contacts = contact::Entity::find()
        .filter(contact::Column::YouthId.eq(id))
        .order_by_desc(contact::Column::ContactDate)
        .order_by_desc(contact::Column::Id)
        .all(db)
        .await?;
    let last = contacts.first().map(|c| c.contact_date);
    let today = today();
    let (tree, _) = auth.scope().await?;
    // The profile shows the number in full (to call it): every such view is on the record.
    auth.audit(db, "phone_view", "youth", Some(y.id), String::new())
        .await?;
    let workplace = y
        .org_id
        .and_then(|o| tree.get(o).map(|o| o.name.clone()))
        .or(y.workplace.clone())
        .unwrap_or_default();
    let month = month_of(&y);
    Ok(YouthProfile {
        status: contact_status(last, a.assigned_on, today, &policy),
        days: days_without_contact(last, a.assigned_on, today),
        contacts: contact_rows(db, contacts, auth.viewer.id, today).await?,
        youth: YouthDetail {
            id: y.id,
            name: y.name,
            gender: Gender::parse(&y.gender),
            birth_year: y.birth_year,
            phone: y.phone,
            wechat: y.wechat,
            org_id: y.org_id,
            workplace,
            workplace_other: y.workplace.unwrap_or_default(),
            sector: Sector::parse(&y.sector),
            political_status: PoliticalStatus::parse(&y.political_status),
            birth_month: month,
            minor: privacy::maybe_minor(y.birth_year, month, today),
            basis: Basis::parse(&y.basis).unwrap_or(Basis::Duty),
            notice_version: y.notice_version,
            guardian_name: y.guardian_name,
            guardian_relation: y
                .guardian_relation
                .as_deref()
                .and_then(GuardianRelation::parse),
            guardian_consent_on: y.guardian_consent_on,
            tags: y.tags,
            notes: y.notes,
            assigned_on: a.assigned_on,
        },
    })
}

/// A youth's birth month, 1–12, when known.
pub fn month_of(y: &youth::Model) -> Option<u32> {
    y.birth_month
        .and_then(|m| u32::try_from(m).ok())
        .filter(|m| (1..=12).contains(m))
}

/// The grassroots organisations of the district a youth may belong to: a youth's workplace or
/// school can lie anywhere in the district, not only under the cadre's own committee.
///
/// # Errors
/// `Forbidden` for anyone but cadres.
pub async fn org_choices() -> Result<OrgChoices, AppError> {
    let auth = require(Role::CADRES)?;
    let (tree, _) = auth.scope().await?;
    let mut root = auth.viewer.org_id;
    while let Some(parent) = tree.get(root).and_then(|o| o.parent_id) {
        root = parent;
    }
    // The cadre's own paired organisations first: most youths belong to one of them.
    let paired: std::collections::HashSet<i64> = crate::model::pairings::open(&auth)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let t = auth.viewer.locale.strings();
    let (mine, others): (Vec<_>, Vec<_>) = tree
        .listing(root)
        .into_iter()
        .filter(|o| o.active && o.kind.is_grassroots())
        .partition(|o| paired.contains(&o.id));
    Ok(mine
        .into_iter()
        .map(|o| {
            (
                o.id,
                crate::i18n::fill(t.paired_org_option, &[("org", &o.name)]),
            )
        })
        .chain(others.into_iter().map(|o| (o.id, o.name)))
        .collect())
}

struct ValidYouth {
    name: String,
    gender: Gender,
    birth_year: Option<i32>,
    phone: String,
    wechat: Option<String>,
    org_id: Option<i64>,
    workplace: Option<String>,
    sector: Sector,
    political_status: PoliticalStatus,
    tags: String,
    notes: String,
    basis: Basis,
    notice_version: Option<i32>,
    birth_month: Option<u32>,
    guardian: Option<rules::Guardian>,
}

/// `except`: the youth being edited, whose own number is no clash.
async fn validate(
    auth: &Authorised,
    v: &mut Validator,
    form: &YouthForm,
    except: Option<i64>,
) -> Result<Option<ValidYouth>, AppError> {
    let name = v.text("name", &form.name, rules::NAME_MAX, true);
    let gender = v.choice("gender", &form.gender, Gender::parse);
    let this_year = today().year();
    let years = rules::birth_years(this_year);
    let birth_year = v.optional_int("birth_year", &form.birth_year, *years.start(), *years.end());
    let phone = v.phone("phone", &form.phone, true);
    if let Some(p) = &phone {
        // One youth per phone number, as the import has it: the one already there is named
        // when the cadre may see it, else where to ask.
        if let Some(other) = rules::holders_of(auth.db(), p, except).await?.first() {
            let t = v.t();
            if other.cadre_id == Some(auth.viewer.id) {
                let message = crate::i18n::fill(t.err_phone_on_roster, &[("name", &other.name)]);
                v.fail("phone", "phone_taken", &message);
            } else {
                v.fail("phone", "phone_taken", t.err_phone_elsewhere);
            }
        }
    }
    let wechat = v.optional_text("wechat", &form.wechat, rules::WECHAT_MAX);
    let org_id = match form.org_id.trim() {
        "" => None,
        other => v.id("org_id", other),
    };
    if let Some(org) = org_id {
        let (tree, _) = auth.scope().await?;
        if !tree.get(org).is_some_and(|o| {
            o.active && OrgKind::parse(&o.kind).is_some_and(OrgKind::is_grassroots)
        }) {
            let t = v.t();
            v.fail("org_id", "invalid_choice", t.err_invalid_choice);
        }
    }
    let workplace = v.optional_text("workplace", &form.workplace, rules::WORKPLACE_MAX);
    let sector = v.choice("sector", &form.sector, Sector::parse);
    let political_status = v.choice(
        "political_status",
        &form.political_status,
        PoliticalStatus::parse,
    );
    let tags = v.text("tags", &form.tags, rules::TAGS_MAX, false);
    let notes = v.lines("notes", &form.notes, rules::NOTES_MAX, false);
    // Left out, the basis is the one the operator set as default.
    let basis = match form.basis.trim() {
        "" => Some(privacy::settings(auth.db()).await?.default_basis),
        raw => v.choice("basis", raw, Basis::parse),
    };
    let notice_version = match form.notice_version.trim() {
        // An edit that leaves the notice out keeps the one on record.
        "" if except.is_some() => None,
        raw => match v
            .id("notice_version", raw)
            .and_then(|n| i32::try_from(n).ok())
        {
            Some(n) if privacy::notice_exists(auth.db(), n).await? => Some(n),
            Some(_) => {
                let t = v.t();
                v.fail("notice_version", "invalid_choice", t.err_invalid_choice);
                None
            }
            None => None,
        },
    };
    let birth_month = v
        .optional_int("birth_month", &form.birth_month, 1, 12)
        .and_then(|m| u32::try_from(m).ok());
    let guardian = guardian(v, form, birth_year, birth_month, today());
    Ok(
        match (gender, phone, sector, political_status, basis, guardian) {
            (
                Some(gender),
                Some(phone),
                Some(sector),
                Some(political_status),
                Some(basis),
                Ok(guardian),
            ) => Some(ValidYouth {
                name,
                gender,
                birth_year,
                phone,
                wechat,
                org_id,
                workplace,
                sector,
                political_status,
                tags,
                notes,
                basis,
                notice_version,
                birth_month,
                guardian,
            }),
            _ => None,
        },
    )
}

/// The guardian's consent, asked of a youth under 14 on `today` (and only then kept: what is not
/// needed is not collected). A birth year that makes the age depend on the month needs the month.
/// `Err` when a field failed.
pub(crate) fn guardian(
    v: &mut Validator,
    form: &YouthForm,
    birth_year: Option<i32>,
    birth_month: Option<u32>,
    today: NaiveDate,
) -> Result<Option<rules::Guardian>, ()> {
    let t = v.t();
    let Some(year) = birth_year else {
        return Ok(None);
    };
    if v.has("birth_month") {
        return Err(());
    }
    match privacy::under_14(year, birth_month, today) {
        Some(false) => Ok(None),
        None => {
            let message =
                crate::i18n::fill(t.err_birth_month_needed, &[("year", &year.to_string())]);
            v.fail("birth_month", "birth_month_needed", message);
            Err(())
        }
        Some(true) => {
            let name = v.text(
                "guardian_name",
                &form.guardian_name,
                privacy::GUARDIAN_NAME_MAX,
                false,
            );
            if name.is_empty() && !v.has("guardian_name") {
                v.fail(
                    "guardian_name",
                    "guardian_required",
                    t.err_guardian_required,
                );
            }
            let relation = match form.guardian_relation.trim() {
                "" => {
                    v.fail(
                        "guardian_relation",
                        "guardian_required",
                        t.err_guardian_required,
                    );
                    None
                }
                raw => v.choice("guardian_relation", raw, GuardianRelation::parse),
            };
            let consent_on = match form.guardian_consent_on.trim() {
                "" => {
                    v.fail(
                        "guardian_consent_on",
                        "guardian_required",
                        t.err_guardian_required,
                    );
                    None
                }
                raw => v.date("guardian_consent_on", raw),
            };
            if consent_on.is_some_and(|on| on > today) {
                v.fail("guardian_consent_on", "date_future", t.err_date_future);
            }
            match (name.is_empty(), relation, consent_on) {
                (false, Some(relation), Some(consent_on)) if consent_on <= today => {
                    Ok(Some(rules::Guardian {
                        name,
                        relation: relation.as_str().to_owned(),
                        consent_on,
                    }))
                }
                _ => Err(()),
            }
        }
    }
}

/// # Errors
/// `Forbidden`; `Invalid` for bad fields.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn create(form: YouthForm) -> Result<i64, AppError> {
    let auth = require(Role::CADRES)?;
    let mut v = Validator::new(auth.viewer.locale);
    let once = once::Request::new(&auth, "youth/create", &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return Ok(id);
    }
    let valid = validate(&auth, &mut v, &form, None).await?;
    if let Some(id) = once.settled(&v).await? {
        return Ok(id);
    }
    v.finish(&form)?;
    let y = valid.ok_or(AppError::Internal)?;
    let txn = match once.begin().await? {
        once::Begun::Earlier(id) => return Ok(id),
        once::Begun::Fresh(txn) => txn,
    };
    let saved = rules::insert(
        &txn,
        once.uuid,
        rules::YouthFields {
            name: y.name,
            gender: y.gender.as_str().to_owned(),
            birth_year: y.birth_year,
            phone: y.phone,
            wechat: y.wechat,
            org_id: y.org_id,
            workplace: y.workplace,
            sector: y.sector.as_str().to_owned(),
            political_status: y.political_status.as_str().to_owned(),
            tags: y.tags,
            notes: y.notes,
            basis: y.basis.as_str().to_owned(),
            notice_version: y.notice_version,
            birth_month: y.birth_month,
            guardian: y.guardian,
        },
        auth.viewer.id,
    )
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
    auth.audit(&txn, "create", "youth", Some(saved.id), String::new())
        .await?;
    once::finish(txn, once.uuid, saved.id).await?;
    Ok(saved.id)
}

/// # Errors
/// `Forbidden`, `NotFound` for another cadre's youth, `Invalid` for bad fields.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn update(form: YouthForm) -> Result<i64, AppError> {
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let id = form
        .id
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::NotFound)?;
    let (_, existing) = own_youth(db, auth.viewer.id, id).await?;
    let mut v = Validator::new(auth.viewer.locale);
    let valid = validate(&auth, &mut v, &form, Some(id)).await?;
    v.finish(&form)?;
    let y = valid.ok_or(AppError::Internal)?;
    let (existing_basis, existing_notice) = (existing.basis.clone(), existing.notice_version);
    let mut am = existing.into_active_model();
    am.name = Set(y.name);
    am.gender = Set(y.gender.as_str().to_owned());
    am.birth_year = Set(y.birth_year);
    am.phone = Set(y.phone);
    am.wechat = Set(y.wechat);
    am.org_id = Set(y.org_id);
    am.workplace = Set(y.workplace);
    am.sector = Set(y.sector.as_str().to_owned());
    am.political_status = Set(y.political_status.as_str().to_owned());
    am.tags = Set(y.tags);
    am.notes = Set(y.notes);
    let basis = y.basis.as_str().to_owned();
    let notice = y.notice_version.or(existing_notice);
    if basis != existing_basis || notice != existing_notice {
        am.basis_recorded_at = Set(Some(Utc::now()));
        am.basis_recorded_by = Set(Some(auth.viewer.id));
    }
    am.basis = Set(basis);
    am.notice_version = Set(notice);
    am.birth_month = Set(y.birth_month.and_then(|m| i16::try_from(m).ok()));
    am.guardian_name = Set(y.guardian.as_ref().map(|g| g.name.clone()));
    am.guardian_relation = Set(y.guardian.as_ref().map(|g| g.relation.clone()));
    am.guardian_consent_on = Set(y.guardian.as_ref().map(|g| g.consent_on));
    am.updated_at = Set(Utc::now());
    am.update(db).await?;
    auth.audit(db, "update", "youth", Some(id), String::new())
        .await?;
    Ok(id)
}

/// The notice in force and the default basis, for the youth form.
///
/// # Errors
/// `Forbidden` for anyone but cadres.
pub async fn privacy() -> Result<YouthNotice, AppError> {
    let auth = require(Role::CADRES)?;
    let db = auth.db();
    let settings = privacy::settings(db).await?;
    let notice = privacy::current_notice(db)
        .await?
        .ok_or(AppError::Internal)?;
    Ok(YouthNotice {
        notice_version: notice.version,
        notice: notice.body,
        default_basis: settings.default_basis,
    })
}

/// A youth the viewer may ask about: a cadre their own; a supervisor one held by a cadre of
/// the subtree, or on no roster and belonging to an organisation of it; the system
/// administrator any. Anything else is the same 404 as a youth that does not exist.
async fn youth_in_reach(auth: &Authorised, id: i64) -> Result<youth::Model, AppError> {
    let db = auth.db();
    if auth.viewer.role == Role::Cadre {
        return Ok(own_youth(db, auth.viewer.id, id).await?.1);
    }
    let y = youth::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|y| y.anonymised_at.is_none())
        .ok_or(AppError::NotFound)?;
    if auth.viewer.role == Role::Sysadmin {
        return Ok(y);
    }
    let (tree, orgs) = auth.scope().await?;
    let reachable = match y.cadre_id {
        Some(cadre) => auth.cadre_in_scope(&tree, cadre).await.is_ok(),
        None => y.org_id.is_some_and(|o| orgs.contains(&o)),
    };
    if reachable {
        Ok(y)
    } else {
        Err(AppError::NotFound)
    }
}

/// # Errors
/// `Forbidden` for the security administrator and the auditor; `NotFound` for a youth out of
/// reach; `Invalid` without a reason, for an unknown field or one the youth has not given.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn reveal(form: RevealForm) -> Result<String, AppError> {
    let auth = require(Role::REVEALERS)?;
    let id = crate::ssr::record_id(&form.id)?;
    let y = youth_in_reach(&auth, id).await?;
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    // A plain form's answer would be lost in the redirect back: reveal only what is shown.
    if crate::ssr::plain_form() {
        let mut refused = Validator::new(auth.viewer.locale);
        refused.fail("reason", "needs_script", t.err_reveal_script);
        refused.finish(&form)?;
        return Err(AppError::Internal);
    }
    let field = v.choice("field", &form.field, RevealField::parse);
    let reason = v.text("reason", &form.reason, privacy::REASON_MAX, true);
    if !reason.is_empty() && reason.chars().count() < 2 {
        v.fail("reason", "reason_too_short", t.err_reveal_reason);
    }
    let value = match field {
        Some(RevealField::Phone) => Some(y.phone.clone()),
        Some(RevealField::Wechat) => y.wechat.clone(),
        None => None,
    };
    if field.is_some() && value.as_deref().is_none_or(str::is_empty) {
        v.fail("field", "not_recorded", t.err_reveal_nothing);
    }
    v.finish(&form)?;
    let (field, value) = (field.ok_or(AppError::Internal)?, value.unwrap_or_default());
    auth.audit(
        auth.db(),
        "reveal",
        "youth",
        Some(y.id),
        format!("field={}; reason={reason}", field.as_str()),
    )
    .await?;
    Ok(value)
}

/// # Errors
/// `Forbidden`; `NotFound` for a youth out of reach (for a cadre: not on their roster);
/// `Invalid` for a bad date.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn withdraw(form: WithdrawForm) -> Result<(i64, &'static str), AppError> {
    let auth = require(Role::WITHDRAWERS)?;
    let back = if auth.viewer.role == Role::Cadre {
        "/youth?saved=1"
    } else {
        "/admin/pi-requests?saved=1"
    };
    let mut v = Validator::new(auth.viewer.locale);
    let once = once::Request::new(&auth, "youth/withdraw", &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return Ok((id, back));
    }
    let id = crate::ssr::record_id(&form.id)?;
    let y = youth_in_reach(&auth, id).await?;
    let today = today();
    let t = v.t();
    let on = match form.withdrawn_on.trim() {
        "" => Some(today),
        raw => v.date("withdrawn_on", raw),
    };
    if on.is_some_and(|on| on > today) {
        v.fail("withdrawn_on", "date_future", t.err_date_future);
    }
    if y.withdrawn_on.is_some() {
        v.fail("id", "already_withdrawn", t.err_already_withdrawn);
    }
    if let Some(id) = once.settled(&v).await? {
        return Ok((id, back));
    }
    v.finish(&form)?;
    let on = on.ok_or(AppError::Internal)?;
    let txn = match once.begin().await? {
        once::Begun::Earlier(id) => return Ok((id, back)),
        once::Begun::Fresh(txn) => txn,
    };
    privacy::withdraw(&txn, y.id, on, today).await?;
    privacy::close_requests(&txn, y.id, crate::types::PiKind::Withdraw, auth.viewer.id).await?;
    auth.audit(&txn, "withdraw", "youth", Some(y.id), format!("on={on}"))
        .await?;
    once::finish(txn, once.uuid, y.id).await?;
    Ok((y.id, back))
}
