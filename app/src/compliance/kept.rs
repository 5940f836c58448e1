//! Facts kept between views. The district's dashboard reads ten thousand cadres' facts by
//! aggregate queries over a million youths, five million contacts and a year of visit days; most
//! of them have not changed since the last view. So each cadre's facts for a period are kept
//! (`cadre_facts`) with the cadre's stamp, and a view recomputes only the cadres whose stamp has
//! moved since: the database's triggers move it on every write that can change a cadre's facts
//! (youths, contacts, visit days, exemptions, pairings, suggestions, study), whichever code path
//! or instance writes. A kept row also names the day and the policies it was read for; a new
//! day, or a policy change, reads everything again.
//!
//! The stamps are read before the facts: a write that lands in between leaves its cadre's kept
//! row with the older stamp, so the next view reads that cadre again. Never the other way round.

use super::rules::Facts;
use super::service::{read, Cadres, Policies, Source};
use super::Period;
use crate::error::AppError;
use crate::model::entities::cadre_fact;
use crate::model::orgtree::OrgTree;
use crate::rules::{Exemption, Week};
use chrono::NaiveDate;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Above this share of stale cadres, one pass over everything is cheaper than narrowing.
const MOSTLY_STALE: f64 = 0.25;
/// Rows written per statement.
const BATCH: usize = 500;

/// A kept row, as read back.
#[derive(sea_orm::FromQueryResult)]
struct Kept {
    cadre_id: i64,
    read_for: String,
    stamp: i64,
    facts: String,
}

/// The figures of [`Facts`], as kept; who the cadre is comes from the account at each view.
#[derive(Serialize, Deserialize)]
struct Figures {
    roster: u32,
    contacted: u32,
    contacted_quarter: u32,
    due: u32,
    overdue: u32,
    never: u32,
    no_offline: u32,
    visit_weeks: Vec<Week>,
    exemptions: Vec<Exemption>,
    paired: u32,
    paired_with_suggestion: u32,
    suggested: u32,
    study: Vec<(NaiveDate, f64)>,
}

impl Figures {
    fn of(f: &Facts) -> Figures {
        let mut visit_weeks: Vec<Week> = f.visit_weeks.iter().copied().collect();
        visit_weeks.sort();
        Figures {
            roster: f.roster,
            contacted: f.contacted,
            contacted_quarter: f.contacted_quarter,
            due: f.due,
            overdue: f.overdue,
            never: f.never,
            no_offline: f.no_offline,
            visit_weeks,
            exemptions: f.exemptions.clone(),
            paired: f.paired,
            paired_with_suggestion: f.paired_with_suggestion,
            suggested: f.suggested,
            study: f.study.clone(),
        }
    }

    fn into_facts(self, mut who: Facts) -> Facts {
        who.roster = self.roster;
        who.contacted = self.contacted;
        who.contacted_quarter = self.contacted_quarter;
        who.due = self.due;
        who.overdue = self.overdue;
        who.never = self.never;
        who.no_offline = self.no_offline;
        who.visit_weeks = self.visit_weeks.into_iter().collect();
        who.exemptions = self.exemptions;
        who.paired = self.paired;
        who.paired_with_suggestion = self.paired_with_suggestion;
        who.suggested = self.suggested;
        who.study = self.study;
        who
    }
}

/// What else a kept row was read for: the day, and every policy value the facts depend on.
fn read_for(period: Period, today: NaiveDate, policies: Policies<'_>) -> String {
    let policy = |p: &crate::rules::Policy| serde_json::to_string(p).unwrap_or_default();
    let text = format!(
        "{today}|{}|{}|{}",
        period.end(),
        policy(policies.period),
        policy(policies.contacts)
    );
    use sha2::{Digest, Sha256};
    format!("{today}:{}", hex::encode(Sha256::digest(text.as_bytes())))
}

/// The facts of `cadres` (of organisations, as they are now): kept where still valid, read
/// again for the rest, and kept for next time.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn facts(
    db: &impl ConnectionTrait,
    tree: &OrgTree,
    cadres: &Cadres,
    period: Period,
    today: NaiveDate,
    policies: Policies<'_>,
) -> Result<Vec<Facts>, AppError> {
    // The stamps first (see the module's note).
    let accounts = super::service::accounts(db, cadres, period, Source::Now).await?;
    let key = period.key();
    let wanted = read_for(period, today, policies);
    let mut kept_rows = cadre_fact::Entity::find()
        .select_only()
        .columns([
            cadre_fact::Column::CadreId,
            cadre_fact::Column::ReadFor,
            cadre_fact::Column::Stamp,
            cadre_fact::Column::Facts,
        ])
        .filter(cadre_fact::Column::PeriodKey.eq(&key));
    if let Some(c) = cadres.narrow((cadre_fact::Entity, cadre_fact::Column::CadreId)) {
        kept_rows = kept_rows.filter(c);
    }
    let mut kept: HashMap<i64, Kept> = kept_rows
        .into_model::<Kept>()
        .all(db)
        .await?
        .into_iter()
        .map(|k| (k.cadre_id, k))
        .collect();
    let stamps: HashMap<i64, i64> = accounts.iter().map(|a| (a.id, a.facts_stamp)).collect();

    let mut out: Vec<Option<Facts>> = Vec::with_capacity(accounts.len());
    let mut stale: Vec<i64> = Vec::new();
    for a in accounts {
        let id = a.id;
        let stamp = a.facts_stamp;
        let who = super::service::who(a, tree);
        let valid = kept
            .remove(&id)
            .filter(|k| k.stamp == stamp && k.read_for == wanted)
            .and_then(|k| serde_json::from_str::<Figures>(&k.facts).ok());
        match valid {
            Some(figures) => out.push(Some(figures.into_facts(who))),
            None => {
                stale.push(id);
                out.push(None);
            }
        }
    }
    if stale.is_empty() {
        return Ok(out.into_iter().flatten().collect());
    }
    #[allow(clippy::cast_precision_loss)]
    let mostly = stale.len() as f64 > MOSTLY_STALE * out.len() as f64;
    let narrowed = if mostly {
        cadres.clone()
    } else {
        Cadres::Ids(stale.clone())
    };
    let mut fresh: HashMap<i64, Facts> =
        read(db, tree, &narrowed, period, today, policies, Source::Now)
            .await?
            .into_iter()
            .map(|f| (f.cadre_id, f))
            .collect();
    // In key order, so that two views keeping the same rows at once take them in one order.
    let mut ids = stale.clone();
    ids.sort_unstable();
    let rows: Vec<cadre_fact::ActiveModel> = ids
        .iter()
        .filter_map(|id| fresh.get(id))
        .filter_map(|f| {
            Some(cadre_fact::ActiveModel {
                period_key: Set(key.clone()),
                cadre_id: Set(f.cadre_id),
                read_for: Set(wanted.clone()),
                stamp: Set(*stamps.get(&f.cadre_id)?),
                facts: Set(serde_json::to_string(&Figures::of(f)).ok()?),
            })
        })
        .collect();
    keep(db, rows).await;
    let mut stale = stale.into_iter();
    Ok(out
        .into_iter()
        .filter_map(|f| match f {
            Some(f) => Some(f),
            // A cadre the second read no longer finds (deactivated in between) is left out,
            // as that read leaves them out.
            None => stale.next().and_then(|id| fresh.remove(&id)),
        })
        .collect())
}

/// Keeps the facts just read. A failure (a busy database) costs the next view a read, never
/// this one its answer.
async fn keep(db: &impl ConnectionTrait, rows: Vec<cadre_fact::ActiveModel>) {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<_> = rows.by_ref().take(BATCH).collect();
        let written = cadre_fact::Entity::insert_many(batch)
            .on_conflict(
                OnConflict::columns([cadre_fact::Column::PeriodKey, cadre_fact::Column::CadreId])
                    .update_columns([
                        cadre_fact::Column::ReadFor,
                        cadre_fact::Column::Stamp,
                        cadre_fact::Column::Facts,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await;
        if let Err(e) = written {
            tracing::warn!(error = %e, "compliance facts not kept");
            return;
        }
    }
}

/// Reads and keeps the whole district's facts for the periods a supervisor picks from (this
/// week, this month, this quarter, last quarter), so the day's first dashboard does not pay
/// for them. Each instance's scheduler calls it once a day, after midnight.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn warm(db: &impl ConnectionTrait, today: NaiveDate) -> Result<(), AppError> {
    let tree = OrgTree::load(db).await?;
    let t = crate::i18n::Locale::ZhCn.strings();
    for period in Period::choices(today) {
        super::service::evaluate_cadres(db, &tree, &Cadres::InOrgs(None), period, today, t).await?;
    }
    Ok(())
}
