//! The dry run (check every row against the rules and the database, keep the plan), the import
//! (apply the plan in one transaction, or nothing) and the templates.

use super::api::{ApplyForm, Duplicate, ImportReport, Imported, RowError, RunQuery};
use super::rules::{self, Context, Youth, COLUMNS};
use crate::error::AppError;
use crate::ssr::entities::{account, import_run, youth};
use crate::ssr::guard::{require, SUPERVISORS};
use crate::ssr::once;
use crate::ssr::orgtree::OrgTree;
use crate::ssr::validate::Validator;
use crate::ssr::{audit, today, AppState};
use crate::types::{OrgKind, Role, Viewer};
use chrono::{DateTime, Datelike, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// A dry run may be imported within a day.
const KEEP_HOURS: i64 = 24;
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
    new
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
        && new.cadre_id.is_none_or(|c| old.cadre_id == Some(c))
}

/// Checks an uploaded file and keeps what importing it would change.
///
/// # Errors
/// `Forbidden` for cadres; `Invalid` on `file` for a file that is not a spreadsheet, has no
/// template header or too many rows; a database error.
pub async fn dry_run(
    state: &AppState,
    viewer: &Viewer,
    ip: Option<String>,
    file_name: &str,
    bytes: &[u8],
) -> Result<ImportReport, AppError> {
    if !matches!(viewer.role, Role::Supervisor | Role::Admin) {
        return Err(AppError::Forbidden);
    }
    let db = &state.db;
    let t = viewer.locale.strings();
    let file_name: String = file_name
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let sheet =
        super::read::rows(bytes, t).map_err(|m| refuse(viewer, &file_name, "unreadable", m))?;
    let at = rules::columns(&sheet.header, t)
        .map_err(|m| refuse(viewer, &file_name, "missing_columns", m))?;

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
    for c in cadre_rows.iter().filter(|c| scope.contains(&c.org_id)) {
        cadres.insert(c.username.clone(), c.id);
        if let Some(p) = &c.phone {
            cadres.insert(p.clone(), c.id);
        }
    }
    let ctx = Context {
        t,
        this_year: today().year(),
        orgs,
        cadres,
    };

    let mut errors: Vec<RowError> = Vec::new();
    let mut good: Vec<Youth> = Vec::new();
    for (line, cells) in &sheet.rows {
        match rules::check(*line, cells, &at, &ctx) {
            Ok(y) => good.push(y),
            Err(e) => errors.extend(e),
        }
    }

    // The same phone twice in the file: the later rows are duplicates of the first.
    let mut duplicates: Vec<Duplicate> = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut unique: Vec<Youth> = Vec::new();
    for y in good {
        match first_line.get(&y.phone) {
            Some(first) => duplicates.push(Duplicate {
                line: y.line,
                phone: y.phone.clone(),
                with_line: Some(*first),
                message: crate::i18n::fill(t.imp_dup_in_file, &[("line", &first.to_string())]),
            }),
            None => {
                first_line.insert(y.phone.clone(), y.line);
                unique.push(y);
            }
        }
    }

    // Youths already there, by phone (the whole district: a phone outside the importer's part
    // of the tree is a duplicate they cannot resolve).
    let phones: Vec<String> = unique.iter().map(|y| y.phone.clone()).collect();
    let mut existing: HashMap<String, Vec<youth::Model>> = HashMap::new();
    for chunk in phones.chunks(500) {
        for y in youth::Entity::find()
            .filter(youth::Column::Phone.is_in(chunk.iter().cloned()))
            .all(db)
            .await?
        {
            existing.entry(y.phone.clone()).or_default().push(y);
        }
    }
    let cadre_orgs: HashMap<i64, i64> = cadre_rows.iter().map(|c| (c.id, c.org_id)).collect();
    let mut missing_cadres: HashSet<i64> = existing
        .values()
        .flatten()
        .filter_map(|y| y.cadre_id)
        .filter(|c| !cadre_orgs.contains_key(c))
        .collect();
    let mut cadre_orgs = cadre_orgs;
    if !missing_cadres.is_empty() {
        for chunk in missing_cadres.drain().collect::<Vec<_>>().chunks(500) {
            for a in account::Entity::find()
                .filter(account::Column::Id.is_in(chunk.iter().copied()))
                .all(db)
                .await?
            {
                cadre_orgs.insert(a.id, a.org_id);
            }
        }
    }

    let mut changes: Vec<Change> = Vec::new();
    let (mut create, mut update, mut unchanged) = (0u32, 0u32, 0u32);
    for y in unique {
        match existing.get(&y.phone).map(Vec::as_slice) {
            None | Some([]) => {
                create += 1;
                changes.push(Change {
                    youth_id: None,
                    checked_at: None,
                    youth: y,
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
            Some([_]) => duplicates.push(Duplicate {
                line: y.line,
                phone: y.phone.clone(),
                with_line: None,
                message: t.imp_out_of_scope.to_owned(),
            }),
            Some(many) => duplicates.push(Duplicate {
                line: y.line,
                phone: y.phone.clone(),
                with_line: None,
                message: crate::i18n::fill(t.imp_dup_in_db, &[("n", &many.len().to_string())]),
            }),
        }
    }
    errors.sort_by_key(|e| e.line);
    duplicates.sort_by_key(|d| d.line);
    let bad_lines: HashSet<usize> = errors
        .iter()
        .map(|e| e.line)
        .chain(duplicates.iter().map(|d| d.line))
        .collect();

    #[derive(Serialize)]
    struct Stored<'a> {
        errors: &'a [RowError],
        duplicates: &'a [Duplicate],
    }
    let now = Utc::now();
    let rows = u32::try_from(sheet.rows.len()).unwrap_or(u32::MAX);
    let count = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    let run = import_run::ActiveModel {
        account_id: Set(viewer.id),
        file_name: Set(file_name.clone()),
        kind: Set(sheet.kind.clone()),
        rows: Set(count(rows)),
        to_create: Set(count(create)),
        to_update: Set(count(update)),
        unchanged: Set(count(unchanged)),
        bad: Set(i32::try_from(bad_lines.len()).unwrap_or(i32::MAX)),
        report: Set(serde_json::to_string(&Stored {
            errors: &errors,
            duplicates: &duplicates,
        })
        .map_err(|_| AppError::Internal)?),
        plan: Set(serde_json::to_string(&changes).map_err(|_| AppError::Internal)?),
        status: Set("checked".to_owned()),
        created_at: Set(now),
        applied_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        audit::Entry {
            actor_id: Some(viewer.id),
            action: "import_check",
            entity: "import_run",
            entity_id: Some(run.id),
            details: format!(
                "{file_name} ({}): {rows} rows, {create} new, {update} changed, {unchanged} unchanged, {} bad",
                sheet.kind,
                bad_lines.len()
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

/// The viewer's own dry run (anyone else's is a 404).
async fn own_run(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i64,
) -> Result<import_run::Model, AppError> {
    import_run::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|r| r.account_id == viewer.id)
        .ok_or(AppError::NotFound)
}

/// # Errors
/// `Forbidden` for cadres; `NotFound` for another person's run.
pub async fn get(query: RunQuery) -> Result<ImportReport, AppError> {
    let auth = require(SUPERVISORS)?;
    let id = crate::ssr::record_id(&query.id)?;
    Ok(stored_report(&own_run(auth.db(), &auth.viewer, id).await?))
}

/// # Errors
/// `Forbidden`; `NotFound` for another person's run; `Invalid` (`has_errors`, `expired`,
/// `changed`) when it cannot be applied as checked; a database error.
pub async fn apply(form: ApplyForm) -> Result<Imported, AppError> {
    let auth = require(SUPERVISORS)?;
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
    let changes: Vec<Change> = serde_json::from_str(&run.plan).map_err(|_| AppError::Internal)?;
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
    // What the dry run saw must still hold: the youths it would update are as they were, and
    // nobody has since taken a phone number it would create.
    let mut changed = false;
    let updates: Vec<&Change> = changes.iter().filter(|c| c.youth_id.is_some()).collect();
    for chunk in updates.chunks(500) {
        let ids: Vec<i64> = chunk.iter().filter_map(|c| c.youth_id).collect();
        let now: HashMap<i64, DateTime<Utc>> = youth::Entity::find()
            .filter(youth::Column::Id.is_in(ids))
            .all(&txn)
            .await?
            .into_iter()
            .map(|y| (y.id, y.updated_at))
            .collect();
        changed |= chunk
            .iter()
            .any(|c| c.youth_id.and_then(|id| now.get(&id)) != c.checked_at.as_ref());
    }
    let creates: Vec<&Change> = changes.iter().filter(|c| c.youth_id.is_none()).collect();
    for chunk in creates.chunks(500) {
        let taken = youth::Entity::find()
            .filter(youth::Column::Phone.is_in(chunk.iter().map(|c| c.youth.phone.clone())))
            .one(&txn)
            .await?;
        changed |= taken.is_some();
    }
    if changed {
        txn.rollback().await?;
        let mut v = Validator::new(auth.viewer.locale);
        v.fail("id", "changed", t.imp_changed);
        v.finish(&form)?;
        return Err(AppError::Internal);
    }

    let now = Utc::now();
    let on = today();
    let (mut created, mut updated) = (0u32, 0u32);
    for c in &changes {
        let y = &c.youth;
        match c.youth_id {
            None => {
                let saved = youth::ActiveModel {
                    uuid: Set(uuid::Uuid::new_v4()),
                    name: Set(y.name.clone()),
                    gender: Set(y.gender.clone()),
                    birth_year: Set(y.birth_year),
                    phone: Set(y.phone.clone()),
                    wechat: Set(y.wechat.clone()),
                    org_id: Set(y.org_id),
                    workplace: Set(y.workplace.clone()),
                    sector: Set(y.sector.clone()),
                    political_status: Set(y.political_status.clone()),
                    tags: Set(y.tags.clone()),
                    notes: Set(y.notes.clone()),
                    created_by: Set(Some(auth.viewer.id)),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                if let Some(cadre) = y.cadre_id {
                    crate::ssr::roster::assign(
                        &txn,
                        saved.id,
                        cadre,
                        on,
                        REASON,
                        Some(auth.viewer.id),
                    )
                    .await?;
                }
                created += 1;
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
                    .col_expr(youth::Column::UpdatedAt, Expr::value(now))
                    .filter(youth::Column::Id.eq(id))
                    .exec(&txn)
                    .await?;
                let current = youth::Entity::find_by_id(id)
                    .one(&txn)
                    .await?
                    .and_then(|y| y.cadre_id);
                if let Some(cadre) = y.cadre_id.filter(|c| current != Some(*c)) {
                    crate::ssr::roster::assign(&txn, id, cadre, on, REASON, Some(auth.viewer.id))
                        .await?;
                }
                updated += 1;
            }
        }
    }
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
    ws.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
    let help = book.add_worksheet();
    help.set_name("填写说明").map_err(|e| e.to_string())?;
    let notes: Vec<(&str, String)> = vec![
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
            "联系该青年的团干部的用户名或手机号；留空则不分配".to_owned(),
        ),
        ("标签", "选填".to_owned()),
        ("备注", "选填".to_owned()),
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
