//! The dry run (check every row against the rules and the database, keep the plan), the import
//! (apply the plan in one transaction, or nothing) and the templates.

use super::api::{ApplyForm, Duplicate, ImportReport, Imported, RowError, RunQuery};
use super::rules::{self, Context, Youth, COLUMNS};
use crate::error::AppError;
use crate::model::entities::{account, import_plan_page, import_run, youth};
use crate::model::orgtree::OrgTree;
use crate::ssr::guard::require;
use crate::ssr::once;
use crate::ssr::validate::Validator;
use crate::ssr::{audit, today, AppState};
use crate::types::{OrgKind, Role, Viewer};
use axum::body::Bytes;
use chrono::{DateTime, Datelike, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// A dry run may be imported within a day.
const KEEP_HOURS: i64 = 24;
/// Changes per page of a plan: the rows compared with the database, written and applied
/// together (the phones of one page are one `IN` list).
const PLAN_PAGE: usize = 500;
/// The reason recorded on assignments an import makes.
pub const REASON: &str = "导入";

/// One change the import will make.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Change {
    /// The youth to update, with its `updated_at` when checked; `None`: a new youth.
    youth_id: Option<i64>,
    checked_at: Option<DateTime<Utc>>,
    youth: Youth,
}

#[derive(Serialize)]
struct FileField<'a> {
    file: &'a str,
}

fn refuse(viewer: &Viewer, file_name: &str, code: &str, message: String) -> AppError {
    let mut v = Validator::new(viewer.locale);
    v.fail("file", code, message);
    v.finish(&FileField { file: file_name })
        .err()
        .unwrap_or(AppError::Internal)
}

/// Whether a youth lies in the importer's part of the tree: its cadre's organisation does, or,
/// unassigned, its own organisation does (an admin of the root sees every youth).
fn in_scope(
    y: &youth::Model,
    cadre_orgs: &HashMap<i64, i64>,
    scope: &HashSet<i64>,
    root: bool,
) -> bool {
    if root {
        return true;
    }
    match y.cadre_id {
        Some(c) => cadre_orgs.get(&c).is_some_and(|o| scope.contains(o)),
        None => y.org_id.is_some_and(|o| scope.contains(&o)),
    }
}

/// The youth as the file would leave it: columns the file does not have keep their value.
fn merged(mut new: Youth, old: &youth::Model, at: &HashMap<&'static str, usize>) -> Youth {
    if !at.contains_key("出生年份") {
        new.birth_year = old.birth_year;
    }
    if !at.contains_key("微信号") {
        new.wechat.clone_from(&old.wechat);
    }
    if !at.contains_key("所属组织") {
        new.org_id = old.org_id;
    }
    if !at.contains_key("单位/学校") {
        new.workplace.clone_from(&old.workplace);
    }
    if !at.contains_key("标签") {
        new.tags.clone_from(&old.tags);
    }
    if !at.contains_key("备注") {
        new.notes.clone_from(&old.notes);
    }
    if !at.contains_key("出生月份") {
        new.birth_month = old.birth_month.and_then(|m| u32::try_from(m).ok());
    }
    if new.guardian.is_none() && !at.contains_key("监护人姓名") {
        new.guardian = guardian_of(old);
    }
    new
}

/// The guardian's consent on record.
fn guardian_of(old: &youth::Model) -> Option<crate::model::youth::Guardian> {
    match (
        &old.guardian_name,
        &old.guardian_relation,
        old.guardian_consent_on,
    ) {
        (Some(name), Some(relation), Some(consent_on)) => Some(crate::model::youth::Guardian {
            name: name.clone(),
            relation: relation.clone(),
            consent_on,
        }),
        _ => None,
    }
}

fn same(new: &Youth, old: &youth::Model) -> bool {
    new.name == old.name
        && new.gender == old.gender
        && new.birth_year == old.birth_year
        && new.phone == old.phone
        && new.wechat == old.wechat
        && new.org_id == old.org_id
        && new.workplace == old.workplace
        && new.sector == old.sector
        && new.political_status == old.political_status
        && new.tags == old.tags
        && new.notes == old.notes
        && new.birth_month == old.birth_month.and_then(|m| u32::try_from(m).ok())
        && new.guardian == guardian_of(old)
        && new.basis.as_ref().is_none_or(|b| *b == old.basis)
        && new.cadre_id.is_none_or(|c| old.cadre_id == Some(c))
}

/// Problems a run keeps (and a report shows); the counts cover them all.
pub const KEPT_PROBLEMS: usize = 1_000;
/// How long an upload waits for a free parser before it is told to try again.
const PARSER_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

/// The masked form of a phone number, as SQL: the same expression as the index
/// `idx_youths_phone_mask`, so lookups by it use the index on SQLite and PostgreSQL alike.
const MASK_SQL: &str = "(substr(phone, 1, 3) || '****' || substr(phone, length(phone) - 3))";

fn busy(t: &crate::i18n::Strings, secs: u64) -> AppError {
    AppError::TooManyAttempts {
        retry_after_secs: secs,
        message: t.imp_busy.to_owned(),
    }
}

/// At most [`rules::DRY_RUNS_PER_DAY`] uploads a day per importer, whatever became of them.
async fn within_daily_limit(db: &impl ConnectionTrait, viewer: &Viewer) -> Result<(), AppError> {
    use crate::model::entities::audit_log;
    use sea_orm::PaginatorTrait;
    let since = Utc::now() - Duration::hours(24);
    let used = audit_log::Entity::find()
        .filter(audit_log::Column::ActorId.eq(viewer.id))
        .filter(audit_log::Column::Action.eq("import_upload"))
        .filter(audit_log::Column::At.gt(since))
        .count(db)
        .await?;
    if used >= rules::DRY_RUNS_PER_DAY {
        let t = viewer.locale.strings();
        return Err(AppError::TooManyAttempts {
            retry_after_secs: 3600,
            message: crate::i18n::fill(
                t.imp_daily_limit,
                &[("max", &rules::DRY_RUNS_PER_DAY.to_string())],
            ),
        });
    }
    Ok(())
}

/// A turn at the instance's parsers (`--upload-parsers`, one by default), waited for at most
/// [`PARSER_WAIT`]. Held for the whole dry run, so that one importer's checks, counts and
/// guesses are settled before the next upload of this instance is looked at.
async fn parser_turn(
    state: &AppState,
    t: &'static crate::i18n::Strings,
) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
    tokio::time::timeout(PARSER_WAIT, state.settings.parsers.clone().acquire_owned())
        .await
        .map_err(|_| busy(t, 30))?
        .map_err(|_| AppError::Internal)
}

/// What reading and checking a file's rows found.
struct Checked {
    sheet: Result<super::read::Sheet, String>,
    /// The columns, from the header; `None` when the file had no row at all.
    header: Option<Result<HashMap<&'static str, usize>, String>>,
    /// The first [`KEPT_PROBLEMS`] problems, and the lines of all of them.
    errors: Vec<RowError>,
    bad: HashSet<usize>,
    good: Vec<Youth>,
}

/// Reads the upload and checks each row as it comes, on a blocking thread: never on the
/// threads that answer other requests.
async fn check_off_thread(bytes: Bytes, ctx: Context<'static>) -> Result<Checked, AppError> {
    tokio::task::spawn_blocking(move || {
        let mut out = Checked {
            sheet: Ok(super::read::Sheet {
                rows: 0,
                kind: String::new(),
            }),
            header: None,
            errors: Vec::new(),
            bad: HashSet::new(),
            good: Vec::new(),
        };
        let sheet = super::read::rows(&bytes, ctx.t, &mut |line, cells| {
            let Some(header) = out.header.as_ref() else {
                let columns = rules::columns(&cells, ctx.t);
                let ok = columns.is_ok();
                out.header = Some(columns);
                return ok;
            };
            let Ok(at) = header else {
                return false;
            };
            match rules::check(line, &cells, at, &ctx) {
                Ok(y) => out.good.push(y),
                Err(e) => {
                    out.bad.insert(line);
                    let room = KEPT_PROBLEMS.saturating_sub(out.errors.len());
                    out.errors.extend(e.into_iter().take(room));
                }
            }
            true
        });
        out.sheet = sheet;
        out
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "reading an upload failed");
        AppError::Internal
    })
}

/// Masked forms (of `masks`) that some youth's number has, anywhere in the district, with the
/// hashes of those numbers.
async fn masks_in_use(
    db: &impl ConnectionTrait,
    masks: &[String],
) -> Result<HashMap<String, HashSet<String>>, AppError> {
    use sea_orm::{FromQueryResult, QuerySelect};
    #[derive(FromQueryResult)]
    struct Row {
        mask: String,
        phone: String,
    }
    let mut found: HashMap<String, HashSet<String>> = HashMap::new();
    for chunk in masks.chunks(500) {
        let rows = youth::Entity::find()
            .select_only()
            .column_as(Expr::cust(MASK_SQL), "mask")
            .column(youth::Column::Phone)
            .filter(sea_orm::sea_query::ExprTrait::is_in(
                Expr::cust(MASK_SQL),
                chunk.iter().cloned(),
            ))
            .into_model::<Row>()
            .all(db)
            .await?;
        for r in rows {
            found
                .entry(r.mask)
                .or_default()
                .insert(phone_hash(&r.phone));
        }
    }
    Ok(found)
}

fn phone_hash(phone: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(phone.as_bytes())[..8])
}

/// Records the importer's wrong numbers for masked numbers that exist, and answers the masked
/// forms that have now been tried too often (see [`rules::guesses_allowed`]).
async fn guessed_too_often(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    unique: &[Youth],
) -> Result<HashSet<String>, AppError> {
    use crate::model::entities::import_guess;
    use sea_orm::sea_query::OnConflict;
    let mut masks: Vec<String> = unique
        .iter()
        .map(|y| crate::types::mask_phone(&y.phone))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    masks.sort();
    let in_use = masks_in_use(db, &masks).await?;
    if in_use.is_empty() {
        return Ok(HashSet::new());
    }
    // A number tried before that has since become a youth's is no longer a wrong guess.
    let numbers: HashSet<&String> = in_use.values().flatten().collect();
    // This file's wrong numbers: no youth has them, but a youth's number looks the same masked.
    let mut wrong: HashMap<String, HashSet<String>> = HashMap::new();
    for y in unique {
        let mask = crate::types::mask_phone(&y.phone);
        if let Some(theirs) = in_use.get(&mask) {
            let hash = phone_hash(&y.phone);
            if !theirs.contains(&hash) {
                wrong.entry(mask).or_default().insert(hash);
            }
        }
    }
    let since = Utc::now() - Duration::days(rules::GUESS_DAYS);
    let mut earlier: HashMap<String, HashSet<String>> = HashMap::new();
    let probed: Vec<String> = in_use.keys().cloned().collect();
    for chunk in probed.chunks(500) {
        for g in import_guess::Entity::find()
            .filter(import_guess::Column::AccountId.eq(viewer.id))
            .filter(import_guess::Column::Mask.is_in(chunk.iter().cloned()))
            .filter(import_guess::Column::At.gt(since))
            .all(db)
            .await?
        {
            if !numbers.contains(&g.phone_hash) {
                earlier.entry(g.mask).or_default().insert(g.phone_hash);
            }
        }
    }
    let mut refused: HashSet<String> = HashSet::new();
    for mask in &probed {
        let before = earlier.get(mask).map_or(0, HashSet::len);
        let new = wrong.get(mask).map_or(0, |w| {
            w.iter()
                .filter(|h| !earlier.get(mask).is_some_and(|e| e.contains(*h)))
                .count()
        });
        if !rules::guesses_allowed(before, new) {
            refused.insert(mask.clone());
        }
    }
    // Wrong numbers count whether or not the file goes on: a refused file is no free try.
    let now = Utc::now();
    let rows: Vec<import_guess::ActiveModel> = wrong
        .into_iter()
        .flat_map(|(mask, hashes)| {
            hashes.into_iter().map(move |h| import_guess::ActiveModel {
                account_id: Set(viewer.id),
                mask: Set(mask.clone()),
                phone_hash: Set(h),
                at: Set(now),
                ..Default::default()
            })
        })
        .collect();
    for chunk in rows.chunks(200) {
        import_guess::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    import_guess::Column::AccountId,
                    import_guess::Column::Mask,
                    import_guess::Column::PhoneHash,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(refused)
}

/// Refuses a file as a probe of masked numbers, and says so in the audit log.
async fn refuse_probe(
    db: &(impl ConnectionTrait + sea_orm::TransactionTrait),
    viewer: &Viewer,
    ip: Option<String>,
    file_name: &str,
    mask: &str,
    why: &str,
) -> Result<AppError, AppError> {
    let t = viewer.locale.strings();
    audit::record(
        db,
        audit::Entry {
            actor_id: Some(viewer.id),
            role: Some(viewer.role),
            result: audit::Outcome::Failure,
            action: "import_probe",
            entity: "import_run",
            entity_id: None,
            details: format!("{file_name}: {why} {mask}"),
            ip,
        },
    )
    .await?;
    Ok(refuse(viewer, file_name, "probe", t.imp_probe.to_owned()))
}

/// Checks an uploaded file and keeps what importing it would change.
///
/// What an importer learns is limited on purpose (see the README): numbers outside their
/// subtree are refused without saying whether they exist; a file with many numbers behind one
/// masked form, or a fourth wrong number for a masked number within 30 days, is refused as a
/// probe (audit-logged); and at most 30 dry runs a day.
///
/// # Errors
/// `Forbidden` for cadres; `TooManyAttempts` past the daily limit or while the parsers are
/// busy; `Invalid` on `file` for a file that is not a spreadsheet, has no template header, too
/// many rows, or probes masked numbers; a database error.
pub async fn dry_run(
    state: &AppState,
    viewer: &Viewer,
    ip: Option<String>,
    file_name: &str,
    bytes: Bytes,
) -> Result<ImportReport, AppError> {
    if !Role::IMPORTERS.contains(&viewer.role) {
        return Err(AppError::Forbidden);
    }
    let db = &state.db;
    let t = viewer.locale.strings();
    let file_name: String = file_name
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let _turn = parser_turn(state, t).await?;
    // Every upload counts, read or not: a file that is refused still cost a turn.
    within_daily_limit(db, viewer).await?;
    audit::record(
        db,
        audit::Entry {
            actor_id: Some(viewer.id),
            role: Some(viewer.role),
            result: audit::Outcome::Success,
            action: "import_upload",
            entity: "import_run",
            entity_id: None,
            details: format!("{file_name}: {} bytes", bytes.len()),
            ip: ip.clone(),
        },
    )
    .await?;
    // What rows may name, loaded before the file is read: each row is checked as it streams
    // in, so no file is ever held as a table.
    let tree = OrgTree::load(db).await?;
    let root = tree.root() == Some(viewer.org_id);
    let scope = tree.subtree(viewer.org_id);
    let mut orgs: HashMap<String, Vec<i64>> = HashMap::new();
    for id in &scope {
        if let Some(o) = tree.get(*id) {
            if o.active && OrgKind::parse(&o.kind).is_some_and(OrgKind::is_grassroots) {
                orgs.entry(o.name.clone()).or_default().push(o.id);
            }
        }
    }
    let mut cadres: HashMap<String, i64> = HashMap::new();
    let cadre_rows = account::Entity::find()
        .filter(account::Column::Role.eq(Role::Cadre.as_str()))
        .filter(account::Column::Active.eq(true))
        .all(db)
        .await?;
    let mut by_name: HashMap<String, Vec<i64>> = HashMap::new();
    for c in cadre_rows.iter().filter(|c| scope.contains(&c.org_id)) {
        cadres.insert(c.username.clone(), c.id);
        if let Some(p) = &c.phone {
            cadres.insert(p.clone(), c.id);
        }
        by_name
            .entry(c.name.trim().to_owned())
            .or_default()
            .push(c.id);
    }
    // A name names a cadre when one active cadre of the subtree has it; a username or phone
    // number that happens to read the same wins.
    let mut same_name: HashMap<String, usize> = HashMap::new();
    for (name, ids) in by_name {
        match ids.as_slice() {
            [id] => {
                cadres.entry(name).or_insert(*id);
            }
            many => {
                same_name.insert(name, many.len());
            }
        }
    }
    let ctx = Context {
        t,
        this_year: today().year(),
        today: today(),
        orgs,
        cadres,
        same_name,
    };
    let checked = check_off_thread(bytes, ctx).await?;
    let at = match checked.header {
        Some(Ok(at)) => at,
        Some(Err(m)) => return Err(refuse(viewer, &file_name, "missing_columns", m)),
        // No row at all: the reading says the file is empty.
        None => HashMap::new(),
    };
    let sheet = checked
        .sheet
        .map_err(|m| refuse(viewer, &file_name, "unreadable", m))?;
    let (mut errors, error_lines, mut good) = (checked.errors, checked.bad, checked.good);
    let rows = u32::try_from(sheet.rows).unwrap_or(u32::MAX);
    let kind = sheet.kind;

    // The file alone: many numbers behind one masked form are candidates for it.
    if let Some(mask) = rules::crowded_mask(good.iter().map(|y| y.phone.as_str())) {
        return Err(refuse_probe(db, viewer, ip, &file_name, &mask, "many numbers for").await?);
    }

    // The same phone twice in the file: the later rows are duplicates of the first.
    let mut duplicates: Vec<Duplicate> = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    good.retain(|y| match first_line.get(&y.phone) {
        Some(first) => {
            duplicates.push(Duplicate {
                line: y.line,
                name: y.name.clone(),
                phone: y.phone.clone(),
                with_line: Some(*first),
                message: crate::i18n::fill(t.imp_dup_in_file, &[("line", &first.to_string())]),
            });
            false
        }
        None => {
            first_line.insert(y.phone.clone(), y.line);
            true
        }
    });
    drop(first_line);
    // Rows whose masked number this importer has tried too often are held back, right number
    // or wrong, with the same words as any row they cannot import.
    let held = guessed_too_often(db, viewer, &good).await?;
    if !held.is_empty() {
        let mut masks: Vec<&String> = held.iter().collect();
        masks.sort();
        audit::record(
            db,
            audit::Entry {
                actor_id: Some(viewer.id),
                role: Some(viewer.role),
                result: audit::Outcome::Failure,
                action: "import_held",
                entity: "import_run",
                entity_id: None,
                details: format!(
                    "{file_name}: too many wrong numbers for {}",
                    masks
                        .iter()
                        .map(|m| m.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                ip: ip.clone(),
            },
        )
        .await?;
        good.retain(|y| {
            let hold = held.contains(&crate::types::mask_phone(&y.phone));
            if hold {
                duplicates.push(Duplicate {
                    line: y.line,
                    name: y.name.clone(),
                    phone: y.phone.clone(),
                    with_line: None,
                    message: t.imp_out_of_scope.to_owned(),
                });
            }
            !hold
        });
    }

    // The plan is written a page at a time as the rows are compared with the youths already
    // there: the run is `checking` until its counts are in, and no one can see or apply it.
    let count = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    let run_id = import_run::Entity::insert(import_run::ActiveModel {
        account_id: Set(viewer.id),
        file_name: Set(file_name.clone()),
        kind: Set(kind.clone()),
        rows: Set(count(rows)),
        to_create: Set(0),
        to_update: Set(0),
        unchanged: Set(0),
        bad: Set(0),
        report: Set(String::new()),
        status: Set("checking".to_owned()),
        created_at: Set(Utc::now()),
        applied_at: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await?
    .last_insert_id;
    let mut cadre_orgs: HashMap<i64, i64> = cadre_rows.iter().map(|c| (c.id, c.org_id)).collect();
    let (mut create, mut update, mut unchanged) = (0u32, 0u32, 0u32);
    let mut youths = good.into_iter();
    let mut page = 0i32;
    loop {
        let chunk: Vec<Youth> = youths.by_ref().take(PLAN_PAGE).collect();
        if chunk.is_empty() {
            break;
        }
        // Youths already there, by phone (the whole district: a phone outside the importer's
        // part of the tree is a row they cannot import, and the report does not say why).
        let mut existing: HashMap<String, Vec<youth::Model>> = HashMap::new();
        for y in youth::Entity::find()
            .filter(youth::Column::Phone.is_in(chunk.iter().map(|y| y.phone.clone())))
            .all(db)
            .await?
        {
            existing.entry(y.phone.clone()).or_default().push(y);
        }
        // Cadres of those youths who are not active cadres now: where they are.
        let missing: HashSet<i64> = existing
            .values()
            .flatten()
            .filter_map(|y| y.cadre_id)
            .filter(|c| !cadre_orgs.contains_key(c))
            .collect();
        if !missing.is_empty() {
            for a in account::Entity::find()
                .filter(account::Column::Id.is_in(missing))
                .all(db)
                .await?
            {
                cadre_orgs.insert(a.id, a.org_id);
            }
        }
        let mut changes: Vec<Change> = Vec::new();
        for y in chunk {
            match existing.get(&y.phone).map(Vec::as_slice) {
                None | Some([]) => {
                    create += 1;
                    changes.push(Change {
                        youth_id: None,
                        checked_at: None,
                        youth: y,
                    });
                }
                // Consent withdrawn: nothing new is recorded about them, a file included.
                Some([old])
                    if old.withdrawn_on.is_some() && in_scope(old, &cadre_orgs, &scope, root) =>
                {
                    duplicates.push(Duplicate {
                        line: y.line,
                        name: y.name.clone(),
                        phone: y.phone.clone(),
                        with_line: None,
                        message: t.imp_withdrawn.to_owned(),
                    });
                }
                Some([old]) if in_scope(old, &cadre_orgs, &scope, root) => {
                    let y = merged(y, old, &at);
                    if same(&y, old) {
                        unchanged += 1;
                    } else {
                        update += 1;
                        changes.push(Change {
                            youth_id: Some(old.id),
                            checked_at: Some(old.updated_at),
                            youth: y,
                        });
                    }
                }
                // Several youths with the number: named only when the importer sees them all.
                Some(many)
                    if many.len() > 1
                        && many
                            .iter()
                            .all(|old| in_scope(old, &cadre_orgs, &scope, root)) =>
                {
                    duplicates.push(Duplicate {
                        line: y.line,
                        name: y.name.clone(),
                        phone: y.phone.clone(),
                        with_line: None,
                        message: crate::i18n::fill(
                            t.imp_dup_in_db,
                            &[("n", &many.len().to_string())],
                        ),
                    });
                }
                Some(_) => duplicates.push(Duplicate {
                    line: y.line,
                    name: y.name.clone(),
                    phone: y.phone.clone(),
                    with_line: None,
                    message: t.imp_out_of_scope.to_owned(),
                }),
            }
        }
        if !changes.is_empty() {
            import_plan_page::Entity::insert(import_plan_page::ActiveModel {
                run_id: Set(run_id),
                page: Set(page),
                changes: Set(serde_json::to_string(&changes).map_err(|_| AppError::Internal)?),
                ..Default::default()
            })
            .exec_without_returning(db)
            .await?;
            page += 1;
        }
    }
    errors.sort_by_key(|e| e.line);
    duplicates.sort_by_key(|d| d.line);
    let mut bad_lines = error_lines;
    bad_lines.extend(duplicates.iter().map(|d| d.line));

    #[derive(Serialize)]
    struct Stored<'a> {
        errors: &'a [RowError],
        duplicates: &'a [Duplicate],
    }
    // The counts cover every problem; the run keeps (and the report shows) the first ones.
    let bad = bad_lines.len();
    errors.truncate(KEPT_PROBLEMS);
    duplicates.truncate(KEPT_PROBLEMS.saturating_sub(errors.len()));
    let stored = serde_json::to_string(&Stored {
        errors: &errors,
        duplicates: &duplicates,
    })
    .map_err(|_| AppError::Internal)?;
    import_run::Entity::update_many()
        .col_expr(import_run::Column::ToCreate, Expr::value(count(create)))
        .col_expr(import_run::Column::ToUpdate, Expr::value(count(update)))
        .col_expr(import_run::Column::Unchanged, Expr::value(count(unchanged)))
        .col_expr(
            import_run::Column::Bad,
            Expr::value(i32::try_from(bad).unwrap_or(i32::MAX)),
        )
        .col_expr(import_run::Column::Report, Expr::value(stored))
        .col_expr(import_run::Column::Status, Expr::value("checked"))
        .filter(import_run::Column::Id.eq(run_id))
        .exec(db)
        .await?;
    // One plan waits per importer: this one replaces the ones not imported (their pages go
    // with them).
    import_run::Entity::delete_many()
        .filter(import_run::Column::AccountId.eq(viewer.id))
        .filter(import_run::Column::Status.eq("checked"))
        .filter(import_run::Column::Id.ne(run_id))
        .exec(db)
        .await?;
    let run = own_run(db, viewer, run_id).await?;
    audit::record(
        db,
        audit::Entry {
            actor_id: Some(viewer.id),
            role: Some(viewer.role),
            result: audit::Outcome::Success,
            action: "import_check",
            entity: "import_run",
            entity_id: Some(run.id),
            details: format!(
                "{file_name} ({}): {rows} rows, {create} new, {update} changed, {unchanged} unchanged, {} bad",
                kind, bad
            ),
            ip,
        },
    )
    .await?;
    Ok(report(&run, errors, duplicates))
}

fn report(
    run: &import_run::Model,
    errors: Vec<RowError>,
    duplicates: Vec<Duplicate>,
) -> ImportReport {
    let n = |v: i32| u32::try_from(v).unwrap_or(0);
    ImportReport {
        id: run.id,
        file_name: run.file_name.clone(),
        kind: run.kind.clone(),
        rows: n(run.rows),
        create: n(run.to_create),
        update: n(run.to_update),
        unchanged: n(run.unchanged),
        bad: n(run.bad),
        errors,
        duplicates,
        status: run.status.clone(),
        created_at: run.created_at,
        applied_at: run.applied_at,
    }
}

fn stored_report(run: &import_run::Model) -> ImportReport {
    #[derive(Deserialize, Default)]
    struct Stored {
        errors: Vec<RowError>,
        duplicates: Vec<Duplicate>,
    }
    let s: Stored = serde_json::from_str(&run.report).unwrap_or_default();
    report(run, s.errors, s.duplicates)
}

/// The viewer's own dry run (anyone else's, or one still being written, is a 404).
async fn own_run(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i64,
) -> Result<import_run::Model, AppError> {
    import_run::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|r| r.account_id == viewer.id && r.status != "checking")
        .ok_or(AppError::NotFound)
}

/// # Errors
/// `Forbidden` for cadres; `NotFound` for another person's run.
pub async fn get(query: RunQuery) -> Result<ImportReport, AppError> {
    let auth = require(Role::IMPORTERS)?;
    let id = crate::ssr::record_id(&query.id)?;
    Ok(stored_report(&own_run(auth.db(), &auth.viewer, id).await?))
}

/// # Errors
/// `Forbidden`; `NotFound` for another person's run; `Invalid` (`has_errors`, `expired`,
/// `changed`) when it cannot be applied as checked; a database error.
pub async fn apply(form: ApplyForm) -> Result<Imported, AppError> {
    let auth = require(Role::IMPORTERS)?;
    let db = auth.db();
    let mut v = Validator::new(auth.viewer.locale);
    let t = v.t();
    let once = once::Request::new(&auth, "import/apply", &mut v, &form);
    if let Some(id) = once.earlier().await? {
        return imported(db, &auth.viewer, id).await;
    }
    let id = crate::ssr::record_id(&form.id)?;
    let run = own_run(db, &auth.viewer, id).await?;
    if run.status == "applied" {
        return imported(db, &auth.viewer, id).await;
    }
    if run.bad > 0 {
        v.fail("id", "has_errors", t.imp_has_errors);
    } else if run.created_at < Utc::now() - Duration::hours(KEEP_HOURS) {
        v.fail("id", "expired", t.imp_expired);
    }
    if let Some(id) = once.settled(&v).await? {
        return imported(db, &auth.viewer, id).await;
    }
    v.finish(&form)?;
    let txn = match once.begin().await? {
        once::Begun::Earlier(id) => return imported(db, &auth.viewer, id).await,
        once::Begun::Fresh(txn) => txn,
    };
    // One import of a run, even from two tabs at once: the status flips once.
    let won = import_run::Entity::update_many()
        .col_expr(import_run::Column::Status, Expr::value("applied"))
        .col_expr(import_run::Column::AppliedAt, Expr::value(Utc::now()))
        .filter(import_run::Column::Id.eq(run.id))
        .filter(import_run::Column::Status.eq("checked"))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !won {
        txn.rollback().await?;
        return imported(db, &auth.viewer, id).await;
    }
    let now = Utc::now();
    let on = today();
    let scope = Scope::now(&txn, &auth.viewer).await?;
    let default_basis = crate::model::privacy::settings(&txn).await?.default_basis;
    let (mut created, mut updated) = (0u32, 0u32);
    // A page at a time, all in one transaction: a page that no longer holds undoes the pages
    // written before it.
    for page in 0.. {
        let Some(stored) = import_plan_page::Entity::find()
            .filter(import_plan_page::Column::RunId.eq(run.id))
            .filter(import_plan_page::Column::Page.eq(page))
            .one(&txn)
            .await?
        else {
            break;
        };
        let changes: Vec<Change> =
            serde_json::from_str(&stored.changes).map_err(|_| AppError::Internal)?;
        drop(stored);
        // What the dry run saw must still hold, checked again now: the youths it would update
        // are as they were and still in the importer's subtree, nobody has since taken a number
        // it would create, and every cadre and organisation it names is still active and in
        // scope.
        if !still_holds(&txn, &scope, &changes).await? {
            txn.rollback().await?;
            let mut v = Validator::new(auth.viewer.locale);
            v.fail("id", "changed", t.imp_changed);
            v.finish(&form)?;
            return Err(AppError::Internal);
        }
        for c in &changes {
            write_change(&txn, &auth.viewer, c, (now, on), default_basis).await?;
            match c.youth_id {
                None => created += 1,
                Some(_) => updated += 1,
            }
        }
    }
    // An imported run keeps its counts and report, not its plan.
    import_plan_page::Entity::delete_many()
        .filter(import_plan_page::Column::RunId.eq(run.id))
        .exec(&txn)
        .await?;
    auth.audit(
        &txn,
        "import",
        "import_run",
        Some(run.id),
        format!(
            "{} ({}): {created} created, {updated} updated, {} unchanged",
            run.file_name, run.kind, run.unchanged
        ),
    )
    .await?;
    once::finish(txn, once.uuid, run.id).await?;
    Ok(Imported {
        id: run.id,
        created,
        updated,
        unchanged: u32::try_from(run.unchanged).unwrap_or(0),
    })
}

/// The importer's part of the tree as it is now, read once per apply.
struct Scope {
    tree: OrgTree,
    root: bool,
    orgs: HashSet<i64>,
}

impl Scope {
    async fn now(db: &impl ConnectionTrait, viewer: &Viewer) -> Result<Self, AppError> {
        let tree = OrgTree::load(db).await?;
        Ok(Self {
            root: tree.root() == Some(viewer.org_id),
            orgs: tree.subtree(viewer.org_id),
            tree,
        })
    }
}

/// Writes one change of a plan (see [`apply`]).
async fn write_change(
    txn: &impl ConnectionTrait,
    viewer: &Viewer,
    c: &Change,
    (now, on): (DateTime<Utc>, chrono::NaiveDate),
    default_basis: crate::types::Basis,
) -> Result<(), AppError> {
    let y = &c.youth;
    match c.youth_id {
        None => {
            let saved = crate::model::youth::insert(
                txn,
                uuid::Uuid::new_v4(),
                crate::model::youth::YouthFields {
                    name: y.name.clone(),
                    gender: y.gender.clone(),
                    birth_year: y.birth_year,
                    phone: y.phone.clone(),
                    wechat: y.wechat.clone(),
                    org_id: y.org_id,
                    workplace: y.workplace.clone(),
                    sector: y.sector.clone(),
                    political_status: y.political_status.clone(),
                    tags: y.tags.clone(),
                    notes: y.notes.clone(),
                    basis: y
                        .basis
                        .clone()
                        .unwrap_or_else(|| default_basis.as_str().to_owned()),
                    // The file cannot tell which notice the youth was shown.
                    notice_version: None,
                    birth_month: y.birth_month,
                    guardian: y.guardian.clone(),
                },
                viewer.id,
            )
            .await?;
            if let Some(cadre) = y.cadre_id {
                crate::model::roster::assign(txn, saved.id, cadre, on, REASON, Some(viewer.id))
                    .await?;
            }
        }
        Some(id) => {
            youth::Entity::update_many()
                .col_expr(youth::Column::Name, Expr::value(y.name.clone()))
                .col_expr(youth::Column::Gender, Expr::value(y.gender.clone()))
                .col_expr(youth::Column::BirthYear, Expr::value(y.birth_year))
                .col_expr(youth::Column::Wechat, Expr::value(y.wechat.clone()))
                .col_expr(youth::Column::OrgId, Expr::value(y.org_id))
                .col_expr(youth::Column::Workplace, Expr::value(y.workplace.clone()))
                .col_expr(youth::Column::Sector, Expr::value(y.sector.clone()))
                .col_expr(
                    youth::Column::PoliticalStatus,
                    Expr::value(y.political_status.clone()),
                )
                .col_expr(youth::Column::Tags, Expr::value(y.tags.clone()))
                .col_expr(youth::Column::Notes, Expr::value(y.notes.clone()))
                .col_expr(
                    youth::Column::BirthMonth,
                    Expr::value(y.birth_month.and_then(|m| i16::try_from(m).ok())),
                )
                .col_expr(
                    youth::Column::GuardianName,
                    Expr::value(y.guardian.as_ref().map(|g| g.name.clone())),
                )
                .col_expr(
                    youth::Column::GuardianRelation,
                    Expr::value(y.guardian.as_ref().map(|g| g.relation.clone())),
                )
                .col_expr(
                    youth::Column::GuardianConsentOn,
                    Expr::value(y.guardian.as_ref().map(|g| g.consent_on)),
                )
                .col_expr(youth::Column::UpdatedAt, Expr::value(now))
                .filter(youth::Column::Id.eq(id))
                .exec(txn)
                .await?;
            if let Some(basis) = &y.basis {
                youth::Entity::update_many()
                    .col_expr(youth::Column::Basis, Expr::value(basis.clone()))
                    .col_expr(youth::Column::BasisRecordedAt, Expr::value(now))
                    .col_expr(youth::Column::BasisRecordedBy, Expr::value(viewer.id))
                    .filter(youth::Column::Id.eq(id))
                    .filter(youth::Column::Basis.ne(basis.clone()))
                    .exec(txn)
                    .await?;
            }
            let current = youth::Entity::find_by_id(id)
                .one(txn)
                .await?
                .and_then(|y| y.cadre_id);
            if let Some(cadre) = y.cadre_id.filter(|c| current != Some(*c)) {
                crate::model::roster::assign(txn, id, cadre, on, REASON, Some(viewer.id)).await?;
            }
        }
    }
    Ok(())
}

/// Whether a page of the plan can still be applied as checked (see [`apply`]).
async fn still_holds(
    db: &impl ConnectionTrait,
    scope: &Scope,
    changes: &[Change],
) -> Result<bool, AppError> {
    let Scope {
        tree,
        root,
        orgs: scope,
    } = scope;
    let root = *root;
    let org_ok = |id: i64| {
        scope.contains(&id)
            && tree.get(id).is_some_and(|o| {
                o.active && OrgKind::parse(&o.kind).is_some_and(OrgKind::is_grassroots)
            })
    };
    let mut cadre_ids: HashSet<i64> = changes.iter().filter_map(|c| c.youth.cadre_id).collect();
    let updates: Vec<&Change> = changes.iter().filter(|c| c.youth_id.is_some()).collect();
    let mut current: HashMap<i64, youth::Model> = HashMap::new();
    for chunk in updates.chunks(500) {
        let ids: Vec<i64> = chunk.iter().filter_map(|c| c.youth_id).collect();
        for y in youth::Entity::find()
            .filter(youth::Column::Id.is_in(ids))
            .all(db)
            .await?
        {
            cadre_ids.extend(y.cadre_id);
            current.insert(y.id, y);
        }
    }
    // Cadres named by the plan and cadres of the youths it updates: where they are now.
    let mut cadres: HashMap<i64, account::Model> = HashMap::new();
    let ids: Vec<i64> = cadre_ids.into_iter().collect();
    for chunk in ids.chunks(500) {
        for a in account::Entity::find()
            .filter(account::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            cadres.insert(a.id, a);
        }
    }
    let target_ok = |id: i64| {
        cadres.get(&id).is_some_and(|a| {
            a.active && a.role == Role::Cadre.as_str() && scope.contains(&a.org_id)
        })
    };
    if changes
        .iter()
        .filter_map(|c| c.youth.cadre_id)
        .any(|c| !target_ok(c))
    {
        return Ok(false);
    }
    let cadre_orgs: HashMap<i64, i64> = cadres.values().map(|a| (a.id, a.org_id)).collect();
    // Organisations the plan sets (a youth that keeps its organisation is judged by its cadre).
    for c in changes {
        let kept = c
            .youth_id
            .and_then(|id| current.get(&id))
            .is_some_and(|y| y.org_id == c.youth.org_id);
        if let Some(o) = c.youth.org_id.filter(|_| !kept) {
            if !org_ok(o) {
                return Ok(false);
            }
        }
    }
    for c in &updates {
        let Some(y) = c.youth_id.and_then(|id| current.get(&id)) else {
            return Ok(false);
        };
        if Some(&y.updated_at) != c.checked_at.as_ref() || !in_scope(y, &cadre_orgs, scope, root) {
            return Ok(false);
        }
    }
    let creates: Vec<&Change> = changes.iter().filter(|c| c.youth_id.is_none()).collect();
    for chunk in creates.chunks(500) {
        let taken = youth::Entity::find()
            .filter(youth::Column::Phone.is_in(chunk.iter().map(|c| c.youth.phone.clone())))
            .one(db)
            .await?;
        if taken.is_some() {
            return Ok(false);
        }
    }
    Ok(true)
}

async fn imported(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i64,
) -> Result<Imported, AppError> {
    let run = own_run(db, viewer, id).await?;
    let n = |v: i32| u32::try_from(v).unwrap_or(0);
    Ok(Imported {
        id: run.id,
        created: n(run.to_create),
        updated: n(run.to_update),
        unchanged: n(run.unchanged),
    })
}

/// Forgets what can no longer be used: dry runs not imported within their 24 hours (an
/// imported one keeps its counts and report; its plan went when it was imported) and wrong
/// numbers older than the guessing window. Run by
/// every instance now and then; running it twice is harmless.
///
/// # Errors
/// A database error.
pub async fn sweep(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    use crate::model::entities::import_guess;
    let cutoff = Utc::now() - Duration::hours(KEEP_HOURS);
    // Not imported in time, or left `checking` by an instance that stopped mid-way; their
    // plans' pages go with them.
    let gone = import_run::Entity::delete_many()
        .filter(import_run::Column::Status.ne("applied"))
        .filter(import_run::Column::CreatedAt.lt(cutoff))
        .exec(db)
        .await?
        .rows_affected;
    import_guess::Entity::delete_many()
        .filter(import_guess::Column::At.lt(Utc::now() - Duration::days(rules::GUESS_DAYS)))
        .exec(db)
        .await?;
    Ok(gone)
}

/// The template: the columns' headers, as XLSX (with a sheet explaining each column) or CSV
/// (UTF-8 with a BOM).
///
/// # Errors
/// The workbook cannot be written.
pub fn template(xlsx: bool) -> Result<Vec<u8>, String> {
    if !xlsx {
        let mut out = "\u{feff}".as_bytes().to_vec();
        out.extend(COLUMNS.join(",").as_bytes());
        out.extend(b"\r\n");
        return Ok(out);
    }
    use rust_xlsxwriter::{Format, Workbook};
    let zh = crate::i18n::Locale::ZhCn.strings();
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let text = Format::new().set_num_format("@");
    let ws = book.add_worksheet();
    ws.set_name("青年名单").map_err(|e| e.to_string())?;
    for (i, c) in COLUMNS.iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(0);
        ws.write_string_with_format(0, col, *c, &bold)
            .map_err(|e| e.to_string())?;
        ws.set_column_width(
            col,
            if *c == "备注" || *c == "单位/学校" {
                24.0
            } else {
                12.0
            },
        )
        .map_err(|e| e.to_string())?;
    }
    // Phone numbers stay text (Excel would turn 13800138000 into 1.38E+10).
    ws.set_column_format(3, &text).map_err(|e| e.to_string())?;
    // The coded columns offer their choices as a drop-down, and refuse anything else.
    let choices: [(&str, Vec<&str>); 5] = [
        (
            "监护人关系",
            crate::types::GuardianRelation::ALL
                .iter()
                .map(|r| r.label(zh))
                .collect(),
        ),
        (
            "处理依据",
            crate::types::Basis::ALL
                .iter()
                .map(|b| b.label(zh))
                .collect(),
        ),
        (
            "性别",
            crate::types::Gender::ALL
                .iter()
                .map(|g| g.label(zh))
                .collect(),
        ),
        (
            "领域",
            crate::types::Sector::ALL
                .iter()
                .map(|s| s.label(zh))
                .collect(),
        ),
        (
            "政治面貌",
            crate::types::PoliticalStatus::ALL
                .iter()
                .map(|p| p.label(zh))
                .collect(),
        ),
    ];
    for (column, list) in choices {
        let col = COLUMNS
            .iter()
            .position(|c| *c == column)
            .and_then(|i| u16::try_from(i).ok())
            .ok_or("a coded column is missing")?;
        let rule = rust_xlsxwriter::DataValidation::new()
            .allow_list_strings(&list)
            .and_then(|v| v.set_error_title(column))
            .and_then(|v| v.set_error_message(format!("请从列表中选择：{}", list.join("、"))))
            .map_err(|e| e.to_string())?;
        let last = u32::try_from(crate::imports::rules::MAX_ROWS).unwrap_or(50_000);
        ws.add_data_validation(1, col, last, col, &rule)
            .map_err(|e| e.to_string())?;
    }
    ws.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
    let help = book.add_worksheet();
    help.set_name("填写说明").map_err(|e| e.to_string())?;
    let notes: Vec<(&str, String)> =
        vec![
        ("姓名", "必填，最多 30 个字".to_owned()),
        ("性别", "必填：男、女".to_owned()),
        ("出生年份", "四位数字，如 1998".to_owned()),
        (
            "手机号",
            "必填，11 位；已有同一手机号的青年会被更新".to_owned(),
        ),
        ("微信号", "选填".to_owned()),
        (
            "所属组织",
            "基层团组织的名称，须在您管辖的范围内".to_owned(),
        ),
        ("单位/学校", "选填".to_owned()),
        (
            "领域",
            format!(
                "必填：{}",
                crate::types::Sector::ALL
                    .iter()
                    .map(|s| s.label(zh))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        ),
        (
            "政治面貌",
            format!(
                "必填：{}",
                crate::types::PoliticalStatus::ALL
                    .iter()
                    .map(|s| s.label(zh))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        ),
        (
            "团干部",
            "联系该青年的团干部的用户名、手机号或姓名（姓名须在您管辖的范围内唯一）；留空则不分配"
                .to_owned(),
        ),
        ("标签", "选填".to_owned()),
        ("备注", "选填".to_owned()),
        (
            "出生月份",
            "1 到 12；出生年份加 14 等于今年的青年必填（看月份判断是否已满 14 周岁）".to_owned(),
        ),
        (
            "监护人姓名",
            "未满 14 周岁的青年必填：须经监护人同意才能登记".to_owned(),
        ),
        ("监护人关系", "未满 14 周岁必填：父亲、母亲、其他监护人".to_owned()),
        (
            "监护人同意日期",
            "未满 14 周岁必填，如 2026-11-30，不晚于今天".to_owned(),
        ),
        (
            "处理依据",
            "选填：本人同意、履行法定职责或义务；留空按系统设置的默认依据".to_owned(),
        ),
    ];
    help.set_column_width(0, 12.0).map_err(|e| e.to_string())?;
    help.set_column_width(1, 60.0).map_err(|e| e.to_string())?;
    help.write_string_with_format(0, 0, "列", &bold)
        .map_err(|e| e.to_string())?;
    help.write_string_with_format(0, 1, "说明", &bold)
        .map_err(|e| e.to_string())?;
    for (i, (c, n)) in notes.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(0);
        help.write_string(row, 0, *c).map_err(|e| e.to_string())?;
        help.write_string(row, 1, n).map_err(|e| e.to_string())?;
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}
