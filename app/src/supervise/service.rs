//! The dashboard and the drill-down on the server.

use super::api::{
    AssignmentLine, CadreDetail, ContactLine, DashboardPage, DashboardQuery, LeftWithRoster,
    OrgChoice, RollupRow, SupervisedYouth, Tiles,
};
use crate::compliance::service::{evaluate_one, subtree_rows, trend};
use crate::compliance::{CadreRow, Light, Period};
use crate::error::AppError;
use crate::model::entities::{account, assignment, contact, exemption, suggestion, youth};
use crate::model::names;
use crate::model::orgtree::OrgTree;
use crate::model::paging::Paging;
use crate::model::policy;
use crate::rules::Quarter;
use crate::ssr::guard::require;
use crate::ssr::today;
use crate::ssr::validate::Validator;
use crate::types::{mask_phone, mask_wechat, Channel, RequestStatus, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

pub const PAGE_SIZE: usize = 50;
const TREND_WEEKS: usize = 13;

/// The period asked for (empty: this quarter).
fn chosen_period(v: &mut Validator, period: &str) -> Period {
    let default = Period::Quarter(Quarter::of(today()));
    match period.trim() {
        "" => default,
        p => Period::parse(p).unwrap_or_else(|| {
            let t = v.t();
            v.fail("period", "invalid_choice", t.err_invalid_choice);
            default
        }),
    }
}

/// The cadres of `org` and everything below it (`None` when that is the whole tree).
fn orgs_of(tree: &OrgTree, org: i64) -> Option<HashSet<i64>> {
    if tree.root() == Some(org) {
        None
    } else {
        Some(tree.subtree(org))
    }
}

/// How a column sorts; worst first is the default order of each.
fn compare(sort: &str, a: &CadreRow, b: &CadreRow) -> Ordering {
    let by_light = || b.light.cmp(&a.light).then(b.overdue.cmp(&a.overdue));
    match sort {
        "name" => a.name.cmp(&b.name),
        "org" => a.org_name.cmp(&b.org_name).then(a.name.cmp(&b.name)),
        "roster" => a.roster.cmp(&b.roster),
        "contacted" => a
            .contacted_share()
            .partial_cmp(&b.contacted_share())
            .unwrap_or(Ordering::Equal),
        "overdue" => b.overdue.cmp(&a.overdue),
        "weeks" => b
            .weeks_missed
            .cmp(&a.weeks_missed)
            .then(a.weeks_covered.cmp(&b.weeks_covered)),
        "suggestions" => b.suggestions_missing.cmp(&a.suggestions_missing),
        "study" => a
            .study_hours
            .partial_cmp(&b.study_hours)
            .unwrap_or(Ordering::Equal),
        _ => by_light(),
    }
    .then_with(|| a.name.cmp(&b.name))
}

pub const SORTS: &[&str] = &[
    "light",
    "name",
    "org",
    "roster",
    "contacted",
    "overdue",
    "weeks",
    "suggestions",
    "study",
];

/// # Errors
/// `Forbidden` for cadres; `NotFound` for an organisation outside the viewer's subtree;
/// `Invalid` for a bad period, sort or light.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn dashboard(query: DashboardQuery) -> Result<DashboardPage, AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let db = auth.db();
    let t = auth.viewer.locale.strings();
    let (tree, _) = auth.scope().await?;
    let org = auth.org_in_scope(&tree, &query.org_id)?;
    let mut v = Validator::new(auth.viewer.locale);
    let period = chosen_period(&mut v, &query.period);
    let sort = match query.sort.trim() {
        "" => "light",
        s if SORTS.contains(&s) => s,
        _ => {
            v.fail("sort", "invalid_choice", t.err_invalid_choice);
            "light"
        }
    };
    let light = match query.light.trim() {
        "" => None,
        l => {
            let parsed = Light::parse(l);
            if parsed.is_none() {
                v.fail("light", "invalid_choice", t.err_invalid_choice);
            }
            parsed
        }
    };
    let dir = if query.dir.trim() == "asc" {
        "asc"
    } else {
        "desc"
    };
    v.finish(&query)?;

    let today = today();
    let orgs = orgs_of(&tree, org);
    let (rows, approval) = subtree_rows(db, &tree, org, orgs.clone(), period, today, t).await?;
    let signoff = match &approval {
        Some(a) => Some(crate::signoff::service::stamp(db, &tree, a).await?),
        None => None,
    };
    // Each line's sign-off, for a quarter.
    let approved: HashSet<i64> = match period {
        Period::Quarter(q) => crate::model::signoff::approvals(db, q)
            .await?
            .into_keys()
            .collect(),
        _ => HashSet::new(),
    };
    let signoff_of = |id: i64| {
        matches!(period, Period::Quarter(_)).then(|| {
            crate::signoff::rules::state(id, &tree.parents(), &approved)
                .as_str()
                .to_owned()
        })
    };
    let mut tiles = Tiles::default();
    for r in &rows {
        tiles.cadres += 1;
        match r.light {
            Light::Red => tiles.red += 1,
            Light::Yellow => tiles.yellow += 1,
            Light::Green => tiles.green += 1,
        }
        tiles.overdue += r.overdue;
        tiles.weeks_missed += r.weeks_missed;
        tiles.suggestions_missing += r.suggestions_missing;
    }
    let cadre_ids: Vec<i64> = rows.iter().map(|r| r.cadre_id).collect();
    tiles.activities =
        crate::compliance::service::activity_reach(db, &cadre_ids, (period.start(), period.end()))
            .await?;

    // One line per child organisation (with everything below it), and one for the cadres of
    // the organisation itself.
    let mut rollup: Vec<RollupRow> = tree
        .children(org)
        .iter()
        .filter_map(|c| tree.get(*c))
        .map(|o| RollupRow {
            org_id: o.id,
            org_name: o.name.clone(),
            child: true,
            cadres: 0,
            green: 0,
            yellow: 0,
            red: 0,
            signoff: signoff_of(o.id),
        })
        .collect();
    let own = RollupRow {
        org_id: org,
        org_name: tree.get(org).map(|o| o.name.clone()).unwrap_or_default(),
        child: false,
        cadres: 0,
        green: 0,
        yellow: 0,
        red: 0,
        signoff: None,
    };
    rollup.push(own);
    let position: HashMap<i64, usize> = rollup
        .iter()
        .enumerate()
        .map(|(i, r)| (r.org_id, i))
        .collect();
    for r in &rows {
        let line = tree.child_towards(org, r.org_id).unwrap_or(org);
        if let Some(i) = position.get(&line) {
            let slot = &mut rollup[*i];
            slot.cadres += 1;
            match r.light {
                Light::Red => slot.red += 1,
                Light::Yellow => slot.yellow += 1,
                Light::Green => slot.green += 1,
            }
        }
    }
    // An organisation without any cadre has nothing to show (本级 neither).
    rollup.retain(|r| r.cadres > 0);

    // The tiles and roll-up count every cadre; the search and the light narrow the table.
    let search = crate::ssr::validate::search_text(&query.q, 30);
    let needle = search.to_lowercase();
    let mut table: Vec<CadreRow> = rows
        .into_iter()
        .filter(|r| light.is_none_or(|l| r.light == l))
        .filter(|r| {
            needle.is_empty()
                || r.name.to_lowercase().contains(&needle)
                || r.username.to_lowercase().contains(&needle)
                || r.org_name.to_lowercase().contains(&needle)
        })
        .collect();
    table.sort_by(|a, b| {
        let o = compare(sort, a, b);
        if dir == "asc" {
            o.reverse()
        } else {
            o
        }
    });
    let matching = table.len();
    let paging = Paging::new(&query.page, matching, PAGE_SIZE);
    let (page, pages) = (paging.page, paging.pages);
    let cadres: Vec<CadreRow> = table
        .into_iter()
        .skip(paging.skip())
        .take(paging.size)
        .collect();
    let trend = trend(db, &tree, orgs.clone(), today, TREND_WEEKS).await?;
    let ids: Vec<i64> = cadres.iter().map(|c| c.cadre_id).collect();
    let mut reminded: Vec<(i64, chrono::DateTime<chrono::Utc>)> =
        crate::reminders::service::last_reminded(db, auth.viewer.id, &ids)
            .await?
            .into_iter()
            .collect();
    reminded.sort();

    // Cadres who left with youths still on their roster.
    let mut left = account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .filter(account::Column::Role.eq(Role::Cadre.as_str()))
        .filter(account::Column::Active.eq(false));
    if let Some(o) = &orgs {
        left = left.filter(account::Column::OrgId.is_in(o.iter().copied()));
    }
    let holding: Vec<(Option<i64>, i64)> = youth::Entity::find()
        .select_only()
        .column(youth::Column::CadreId)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(youth::Column::CadreId.in_subquery(left.into_query()))
        .group_by(youth::Column::CadreId)
        .into_tuple()
        .all(db)
        .await?;
    let names = names::accounts(db, holding.iter().filter_map(|(c, _)| *c)).await?;
    let left_with_roster = holding
        .into_iter()
        .filter_map(|(c, n)| {
            let c = c?;
            Some(LeftWithRoster {
                cadre_id: c,
                name: names.get(&c).cloned().unwrap_or_default(),
                youths: u32::try_from(n).unwrap_or(0),
            })
        })
        .collect();
    Ok(DashboardPage {
        org_id: org,
        org_name: tree.get(org).map(|o| o.name.clone()).unwrap_or_default(),
        orgs: tree
            .listing(auth.viewer.org_id)
            .into_iter()
            .filter(|o| o.active && !o.kind.is_grassroots())
            .map(|o| OrgChoice {
                id: o.id,
                name: o.name,
                depth: o.depth,
            })
            .collect(),
        period,
        period_key: period.key(),
        today,
        tiles,
        rollup,
        cadres,
        matching,
        page,
        pages,
        sort: sort.to_owned(),
        dir: dir.to_owned(),
        light: light.map(|l| l.as_str().to_owned()).unwrap_or_default(),
        q: search,
        reminded,
        trend,
        left_with_roster,
        signoff,
    })
}

/// # Errors
/// `Forbidden` for cadres; `NotFound` for a cadre outside the subtree; `Invalid` for a bad
/// period.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn cadre(id: i64, period: &str) -> Result<CadreDetail, AppError> {
    let auth = require(Role::SUPERVISORS)?;
    let db = auth.db();
    let t = auth.viewer.locale.strings();
    let (tree, _) = auth.scope().await?;
    let acct = auth.cadre_in_scope(&tree, id).await?;
    let mut v = Validator::new(auth.viewer.locale);
    let period = chosen_period(&mut v, period);
    v.finish(&())?;
    let today = today();
    let (row, weeks) = evaluate_one(db, &tree, id, period, today, t).await?;
    let policy = policy::load(db).await?;

    let roster = crate::youth::service::roster_of(db, &tree, id, &policy, today)
        .await?
        .into_iter()
        .map(|(e, y)| SupervisedYouth {
            id: e.id,
            name: e.name,
            phone: mask_phone(&y.phone),
            wechat: y.wechat.as_deref().map(mask_wechat),
            workplace: e.workplace,
            last_contact: e.last_contact,
            days: e.days,
            status: e.status,
        })
        .collect();

    let recent = contact::Entity::find()
        .filter(contact::Column::CadreId.eq(id))
        .order_by_desc(contact::Column::ContactDate)
        .order_by_desc(contact::Column::Id)
        .limit(20)
        .all(db)
        .await?;
    let youth_names = names::youths(db, recent.iter().map(|c| c.youth_id)).await?;
    let contacts = recent
        .into_iter()
        .map(|c| ContactLine {
            id: c.id,
            date: c.contact_date,
            youth_id: c.youth_id,
            youth_name: youth_names.get(&c.youth_id).cloned().unwrap_or_default(),
            channel: Channel::parse(&c.channel),
            content: c.content,
            request: c.request,
            request_status: c.request_status.as_deref().and_then(RequestStatus::parse),
        })
        .collect();

    // This quarter's and last quarter's suggestions.
    let quarter = period.quarter();
    let q = |q: Quarter| {
        sea_orm::Condition::all()
            .add(suggestion::Column::Year.eq(q.year))
            .add(suggestion::Column::Quarter.eq(i16::try_from(q.q).unwrap_or(0)))
    };
    let sugg = suggestion::Entity::find()
        .filter(suggestion::Column::CadreId.eq(id))
        .filter(
            sea_orm::Condition::any()
                .add(q(quarter))
                .add(q(quarter.prev())),
        )
        .order_by_desc(suggestion::Column::CreatedAt)
        .all(db)
        .await?;
    let suggestions = crate::suggestions::service::rows(db, sugg, &tree).await?;

    let ex = exemption::Entity::find()
        .filter(exemption::Column::CadreId.eq(id))
        .order_by_desc(exemption::Column::StartDate)
        .limit(20)
        .all(db)
        .await?;
    let exemptions = crate::exemptions::service::rows(db, ex, &tree).await?;

    let changes = assignment::Entity::find()
        .filter(assignment::Column::CadreId.eq(id))
        .order_by_desc(assignment::Column::Id)
        .limit(30)
        .all(db)
        .await?;
    let names = names::youths(db, changes.iter().map(|a| a.youth_id)).await?;
    let assignments = changes
        .into_iter()
        .map(|a| AssignmentLine {
            youth_id: a.youth_id,
            youth_name: names.get(&a.youth_id).cloned().unwrap_or_default(),
            assigned_on: a.assigned_on,
            ended_on: a.ended_on,
            reason: a.reason.unwrap_or_default(),
        })
        .collect();

    let last_reminded = crate::reminders::service::last_reminded(db, auth.viewer.id, &[acct.id])
        .await?
        .remove(&acct.id);
    let span = (period.start(), period.end());
    let activities = crate::activities::service::of_cadre(db, id, span).await?;
    let reach = crate::compliance::service::activity_reach(db, &[id], span).await?;
    Ok(CadreDetail {
        activities,
        reach,
        last_reminded,
        row,
        active: acct.active,
        period,
        period_key: period.key(),
        weeks,
        roster,
        contacts,
        suggestions,
        exemptions,
        assignments,
    })
}
