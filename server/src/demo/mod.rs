//! The demo district's story: a realistic organisation tree, accounts for every role and about a
//! thousand youths assigned to cadres, with two quarters of history. Loaded by `serve --demo`
//! into an empty database. Deterministic (a fixed random seed), with dates relative to today so
//! the data never goes stale. Its words are in `text.rs`; what every database needs (policy
//! defaults, the first administrator) is `crate::bootstrap`.

mod text;

use crate::bootstrap::{ensure_reference_data, org, person};
use text::*;

use app::model::entities::{
    account, assignment, contact, exemption, late_request, pairing, study_record, suggestion,
    visit_day, youth,
};
use app::rules::{month_bounds, week_requirement, Exemption, Policy, Quarter, Week, WorkCalendar};
use app::ssr::today;
use app::types::{
    Channel, LateKind, LateStatus, Post, RequestStatus, StudyKind, SuggestionKind, SuggestionStatus,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set, TransactionTrait,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub const DEMO_PASSWORD: &str = "demo-liaison";

fn name(rng: &mut StdRng) -> String {
    let mut n = SURNAMES.choose(rng).copied().unwrap_or("王").to_string();
    for _ in 0..rng.gen_range(1..=2) {
        n.push_str(GIVEN.choose(rng).copied().unwrap_or("明"));
    }
    n
}

fn phone(rng: &mut StdRng, taken: &mut HashSet<String>) -> String {
    const PREFIXES: &[&str] = &[
        "138", "139", "137", "136", "135", "150", "151", "152", "158", "159", "186", "187", "188",
        "177", "180", "181", "189", "199", "191", "166",
    ];
    loop {
        let p = format!(
            "{}{:08}",
            PREFIXES.choose(rng).copied().unwrap_or("138"),
            rng.gen_range(0..100_000_000u32)
        );
        if taken.insert(p.clone()) {
            return p;
        }
    }
}

/// Loads the demo district unless the database already has accounts.
///
/// # Errors
/// A database error.
pub async fn load_if_empty(db: &DatabaseConnection) -> anyhow::Result<()> {
    if account::Entity::find().count(db).await? > 0 {
        tracing::info!("database not empty: demo data not loaded");
        return Ok(());
    }
    let started = std::time::Instant::now();
    let txn = db.begin().await?;
    ensure_reference_data(&txn).await?;
    let mut rng = StdRng::seed_from_u64(20_201_225);
    let mut phones = HashSet::new();
    let today = today();
    let founded = today - Duration::days(400);

    let district = org(&txn, "青山区团委", "district", None).await?;
    let mut committees = Vec::new();
    let mut grassroots: Vec<Vec<(i64, &str)>> = Vec::new();
    for (committee, orgs) in TREE {
        let c = org(&txn, committee, "working_committee", Some(district)).await?;
        committees.push(c);
        let mut ids = Vec::new();
        for (name, kind) in *orgs {
            ids.push((org(&txn, name, kind, Some(c)).await?, *kind));
        }
        grassroots.push(ids);
    }

    // The three administrators (三权分立): none of them supervises, none sees a full number.
    for (username, name) in [
        ("sysadmin", "区团委系统管理员"),
        ("secadmin", "区团委安全管理员"),
        ("auditor", "区团委审计员"),
    ] {
        let p = phone(&mut rng, &mut phones);
        person(
            &txn,
            username,
            name,
            Some(p),
            username,
            district,
            None,
            DEMO_PASSWORD,
            founded,
        )
        .await?;
    }
    let p = phone(&mut rng, &mut phones);
    let supervisor = person(
        &txn,
        "supervisor",
        "覃书记",
        Some(p),
        "supervisor",
        district,
        Some("full_time"),
        DEMO_PASSWORD,
        founded,
    )
    .await?;
    let p = phone(&mut rng, &mut phones);
    let supervisor2 = person(
        &txn,
        "supervisor2",
        "韦书记",
        Some(p),
        "supervisor",
        committees[0],
        Some("full_time"),
        DEMO_PASSWORD,
        founded,
    )
    .await?;

    let mut rosters = Vec::with_capacity(CADRES.len());
    for (username, cadre_name, committee, post, roster, paired) in CADRES {
        let org_id = committee.map_or(district, |c| committees[c]);
        let p = phone(&mut rng, &mut phones);
        let cadre = person(
            &txn,
            username,
            cadre_name,
            Some(p),
            "cadre",
            org_id,
            Some(post.as_str()),
            DEMO_PASSWORD,
            founded,
        )
        .await?;
        let started_on = today - Duration::days(rng.gen_range(200..300));
        for (c, i) in *paired {
            pairing::ActiveModel {
                uuid: Set(Uuid::new_v4()),
                cadre_id: Set(cadre),
                org_id: Set(grassroots[*c][*i].0),
                started_on: Set(started_on),
                ended_on: Set(None),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        // Youths of the paired organisations, plus a few from elsewhere in the committee.
        let mut youths = Vec::with_capacity(*roster);
        let mut links = Vec::with_capacity(*roster);
        let mut students = Vec::with_capacity(*roster);
        let now = Utc::now();
        for n in 0..*roster {
            let (c, i) = paired[n % paired.len()];
            let (workplace, kind) = if rng.gen_bool(0.85) {
                grassroots[c][i]
            } else {
                *grassroots[c].choose(&mut rng).unwrap_or(&grassroots[c][0])
            };
            let sector = match kind {
                "school" => "student",
                "enterprise" => *["enterprise", "enterprise", "migrant"]
                    .choose(&mut rng)
                    .unwrap_or(&"enterprise"),
                "community" => *["community", "community", "other"]
                    .choose(&mut rng)
                    .unwrap_or(&"community"),
                _ => "new_employment",
            };
            let birth_year = if sector == "student" {
                rng.gen_range(2007..=2010)
            } else {
                rng.gen_range(1991..=2006)
            };
            let status = match rng.gen_range(0..10) {
                0..=5 => "league_member",
                6..=8 => "masses",
                _ => "party_member",
            };
            let id = Uuid::new_v4();
            youths.push(youth::ActiveModel {
                uuid: Set(id),
                name: Set(name(&mut rng)),
                gender: Set(if rng.gen_bool(0.5) { "male" } else { "female" }.to_owned()),
                birth_year: Set(Some(birth_year)),
                phone: Set(phone(&mut rng, &mut phones)),
                wechat: Set(rng
                    .gen_bool(0.6)
                    .then(|| format!("wx_{}", &id.simple().to_string()[..8]))),
                org_id: Set(Some(workplace)),
                workplace: Set(None),
                sector: Set(sector.to_owned()),
                political_status: Set(status.to_owned()),
                tags: Set(String::new()),
                notes: Set(String::new()),
                created_by: Set(Some(cadre)),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
            links.push((id, started_on + Duration::days(rng.gen_range(0..30))));
            students.push(sector == "student");
        }
        for chunk in youths.chunks(100) {
            youth::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        // Look the new youths up by uuid to assign them.
        let uuids: Vec<Uuid> = links.iter().map(|(u, _)| *u).collect();
        use sea_orm::{ColumnTrait, QueryFilter};
        let mut ids = HashMap::with_capacity(uuids.len());
        for chunk in uuids.chunks(200) {
            for y in youth::Entity::find()
                .filter(youth::Column::Uuid.is_in(chunk.iter().copied()))
                .all(&txn)
                .await?
            {
                ids.insert(y.uuid, y.id);
            }
        }
        // In the order they were made, not the order the database returned them: the history
        // drawn for them next stays the same from one load to the next.
        let youths = links
            .iter()
            .zip(students)
            .filter_map(|((uuid, assigned_on), student)| {
                Some(RosterYouth {
                    id: *ids.get(uuid)?,
                    student,
                    assigned_on: *assigned_on,
                })
            })
            .collect();
        rosters.push(Roster {
            username,
            cadre,
            post: *post,
            paired: paired.iter().map(|(c, i)| grassroots[*c][*i].0).collect(),
            youths,
        });
    }

    // The history is drawn after every cadre exists, so the district itself (names, phones,
    // dates) stays what it was before there was history. Drawing it may move a never-contacted
    // youth's assignment date, so assignments are written with it.
    let timeline = Timeline::new(today);
    let mut history = History::default();
    let exemptions = exemptions_for(&mut rng, &timeline, &rosters);
    for roster in &mut rosters {
        let spans: Vec<Exemption> = exemptions
            .iter()
            .filter(|e| e.cadre == roster.cadre)
            .map(|e| e.span)
            .collect();
        history_for_cadre(
            &mut rng,
            &timeline,
            roster,
            supervisor,
            &spans,
            &mut history,
        );
    }
    history
        .exemptions
        .extend(exemptions.iter().map(|e| e.model(&timeline, supervisor)));
    let counts = history.insert(&txn).await?;
    app::model::roster::refresh_all(&txn).await?;
    app::suggestions::service::reviews_from_status(&txn).await?;
    supervision_showcase(&txn, &rosters, &timeline).await?;
    signoff_showcase(&txn, committees[0], supervisor2, &timeline).await?;
    // Every demo account has `<username>@example.org`, so a local SMTP server shows the
    // reminder emails (`--smtp-url smtp://127.0.0.1:2525`).
    for a in account::Entity::find().all(&txn).await? {
        account::Entity::update_many()
            .col_expr(
                account::Column::Email,
                sea_orm::sea_query::Expr::value(format!("{}@example.org", a.username)),
            )
            .filter(account::Column::Id.eq(a.id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    tracing::info!(
        youths = counts.assignments,
        contacts = counts.contacts,
        visit_days = counts.visit_days,
        suggestions = counts.suggestions,
        study_records = counts.study_records,
        exemptions = counts.exemptions,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo data loaded"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The district's history: about two quarters of contacts, visit days, suggestions, study and
// approved absences, drawn from the seeded generator so every load tells the same story.
// ---------------------------------------------------------------------------------------------

/// The account the demo is shown with (the sign-in page suggests it): its history is arranged
/// so that every warning of the cadre pages has something to show.
const SHOWCASE_CADRE: &str = "cadre01";
/// Cadres who keep every duty (green on the dashboard): a full-time, a seconded and a part-time
/// one.
const DILIGENT: &[&str] = &["cadre04", "cadre07", "cadre10"];
/// A cadre with some youths due but nothing missed (yellow).
const ATTENTIVE: &str = "cadre08";
/// A cadre who left with an unhandled roster (for the handover).
const LEFT: &str = "cadre12";

fn diligent(username: &str) -> bool {
    DILIGENT.contains(&username)
}

/// How far back contacts go.
const HISTORY_DAYS: i64 = 180;

/// Rows per `INSERT`: well under the bind-parameter limits of SQLite and PostgreSQL.
const BATCH: usize = 200;

/// What the history of one demo cadre is drawn from.
struct Roster {
    username: &'static str,
    cadre: i64,
    post: Post,
    /// The paired grassroots organisations (联系点).
    paired: Vec<i64>,
    youths: Vec<RosterYouth>,
}

struct RosterYouth {
    id: i64,
    student: bool,
    assigned_on: NaiveDate,
}

/// The dates the history is laid out on, all relative to today.
struct Timeline {
    today: NaiveDate,
    now: DateTime<Utc>,
    current: Quarter,
    previous: Quarter,
    /// The ISO weeks before this one that have visit days: the previous quarter's and this
    /// quarter's so far, and at least 26 weeks, so that early in a quarter there are still two
    /// quarters of them.
    weeks: Vec<Week>,
    /// The six full months before this one (they always include the previous quarter's).
    months: Vec<(NaiveDate, NaiveDate)>,
    calendar: WorkCalendar,
}

impl Timeline {
    fn new(today: NaiveDate) -> Timeline {
        let current = Quarter::of(today);
        let previous = current.prev();
        let this_week = Week::of(today);
        let half_year_ago = Week::of(today - Duration::weeks(26));
        let mut week = previous
            .weeks()
            .first()
            .copied()
            .map_or(half_year_ago, |w| w.min(half_year_ago));
        let mut weeks = Vec::new();
        while week < this_week {
            weeks.push(week);
            week = week.next();
        }
        let mut months = Vec::new();
        let mut first = month_bounds(today).0;
        for _ in 0..6 {
            let month = month_bounds(first - Duration::days(1));
            first = month.0;
            months.push(month);
        }
        months.reverse();
        let days = |kind: &'static str| {
            migrations::OFFICIAL_CALENDAR
                .iter()
                .filter(move |(_, k, _)| *k == kind)
                .filter_map(|(d, _, _)| d.parse::<NaiveDate>().ok())
        };
        Timeline {
            today,
            now: Utc::now(),
            current,
            previous,
            weeks,
            months,
            calendar: WorkCalendar::new(days("holiday"), days("workday")),
        }
    }

    fn days_ago(&self, days: i64) -> NaiveDate {
        self.today - Duration::days(days)
    }

    /// `hour` o'clock on `day` in Shanghai as an instant, never later than now.
    fn at(&self, day: NaiveDate, hour: u32) -> DateTime<Utc> {
        let local = day.and_hms_opt(hour, 0, 0).unwrap_or_default().and_utc();
        (local - Duration::hours(8)).min(self.now)
    }

    /// The `n`th working day counting from `start` (itself when it is one and `n` is 1).
    fn nth_working_day(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        let mut left = n;
        loop {
            if self.calendar.is_working_day(day) {
                left = left.saturating_sub(1);
                if left == 0 {
                    return day;
                }
            }
            day += Duration::days(1);
        }
    }
}

/// Everything drawn, written in batches once every cadre's share is known.
#[derive(Default)]
struct History {
    assignments: Vec<assignment::ActiveModel>,
    contacts: Vec<contact::ActiveModel>,
    visit_days: Vec<visit_day::ActiveModel>,
    suggestions: Vec<suggestion::ActiveModel>,
    study_records: Vec<study_record::ActiveModel>,
    exemptions: Vec<exemption::ActiveModel>,
}

/// Rows written per table, for the log.
struct Counts {
    assignments: usize,
    contacts: usize,
    visit_days: usize,
    suggestions: usize,
    study_records: usize,
    exemptions: usize,
}

impl History {
    async fn insert(self, db: &impl ConnectionTrait) -> Result<Counts, sea_orm::DbErr> {
        let counts = Counts {
            assignments: self.assignments.len(),
            contacts: self.contacts.len(),
            visit_days: self.visit_days.len(),
            suggestions: self.suggestions.len(),
            study_records: self.study_records.len(),
            exemptions: self.exemptions.len(),
        };
        insert_batched(db, self.assignments).await?;
        insert_batched(db, self.contacts).await?;
        insert_batched(db, self.visit_days).await?;
        insert_batched(db, self.suggestions).await?;
        insert_batched(db, self.study_records).await?;
        insert_batched(db, self.exemptions).await?;
        Ok(counts)
    }
}

async fn insert_batched<A>(db: &impl ConnectionTrait, rows: Vec<A>) -> Result<(), sea_orm::DbErr>
where
    A: ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        A::Entity::insert_many(rows.by_ref().take(BATCH))
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// One cadre's share of the history: the assignments of its roster with their contacts, its
/// visit days, suggestions and study.
fn history_for_cadre(
    rng: &mut StdRng,
    t: &Timeline,
    roster: &mut Roster,
    reviewer: i64,
    exemptions: &[Exemption],
    out: &mut History,
) {
    let standings = if diligent(roster.username) {
        vec![Standing::Recent; roster.youths.len()]
    } else if roster.username == ATTENTIVE {
        let mut s = vec![Standing::Recent; roster.youths.len()];
        for slot in s.iter_mut().take(roster.youths.len() / 10) {
            *slot = Standing::Due;
        }
        s.shuffle(rng);
        s
    } else {
        standings(rng, roster.youths.len())
    };
    let steady = diligent(roster.username);
    for (youth, standing) in roster.youths.iter_mut().zip(standings) {
        out.contacts.extend(if steady {
            steady_contacts(rng, t, roster.cadre, youth)
        } else {
            contacts_for_youth(rng, t, roster.cadre, youth, standing)
        });
    }
    let now = t.now;
    out.assignments
        .extend(roster.youths.iter().map(|y| assignment::ActiveModel {
            uuid: Set(Uuid::new_v4()),
            youth_id: Set(y.id),
            cadre_id: Set(roster.cadre),
            assigned_on: Set(y.assigned_on),
            ended_on: Set(None),
            reason: Set(None),
            created_by: Set(None),
            created_at: Set(now),
            ..Default::default()
        }));
    out.visit_days
        .extend(visit_days_for_cadre(rng, t, roster, exemptions));
    out.suggestions
        .extend(suggestions_for_cadre(rng, t, roster, reviewer));
    out.study_records.extend(study_for_cadre(rng, t, roster));
}

/// A pending 补录申请 for a contact, as the contact form files it.
async fn late_contact(
    db: &impl ConnectionTrait,
    cadre: i64,
    youth: i64,
    date: NaiveDate,
    t: &Timeline,
) -> Result<(), sea_orm::DbErr> {
    let name = youth::Entity::find_by_id(youth)
        .one(db)
        .await?
        .map(|y| y.name)
        .unwrap_or_default();
    let form = app::contacts::api::ContactForm {
        youth_id: youth.to_string(),
        contact_date: date.to_string(),
        channel: Channel::FaceToFace.as_str().to_owned(),
        content: text::LATE_CONTACT.0.to_owned(),
        duration_minutes: "40".to_owned(),
        late: "true".to_owned(),
        late_reason: text::LATE_CONTACT.1.to_owned(),
        ..Default::default()
    };
    late_request::ActiveModel {
        uuid: Set(Uuid::new_v4()),
        cadre_id: Set(cadre),
        kind: Set(LateKind::Contact.as_str().to_owned()),
        record_date: Set(date),
        fields: Set(serde_json::to_string(&form).unwrap_or_default()),
        summary: Set(format!("{name} · 面对面 · {}", form.content)),
        reason: Set(form.late_reason.clone()),
        status: Set(LateStatus::Pending.as_str().to_owned()),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_comment: Set(None),
        record_id: Set(None),
        created_at: Set(t.now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// What a supervisor finds waiting: a pending leave request and 补录申请, and a cadre who left with an
/// unhandled roster.
async fn supervision_showcase(
    db: &impl ConnectionTrait,
    rosters: &[Roster],
    t: &Timeline,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    if let Some(r) = rosters.iter().find(|r| r.username == "cadre02") {
        let monday = Week::of(t.today + Duration::days(7)).monday();
        exemption::ActiveModel {
            uuid: Set(Uuid::new_v4()),
            cadre_id: Set(r.cadre),
            start_date: Set(monday),
            end_date: Set(monday + Duration::days(2)),
            reason: Set("training".to_owned()),
            note: Set("参加市团委基层团干部培训班".to_owned()),
            status: Set("pending".to_owned()),
            decided_by: Set(None),
            decided_at: Set(None),
            decision_comment: Set(None),
            created_at: Set(t.now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        // And a 补录申请: a contact from before the 30-day window, found in a paper notebook.
        let date = t.today - Duration::days(40);
        if let Some(y) = r.youths.iter().find(|y| y.assigned_on < date) {
            late_contact(db, r.cadre, y.id, date, t).await?;
        }
    }
    if let Some(r) = rosters.iter().find(|r| r.username == LEFT) {
        account::Entity::update_many()
            .col_expr(
                account::Column::Active,
                sea_orm::sea_query::Expr::value(false),
            )
            .col_expr(
                account::Column::LeftOn,
                sea_orm::sea_query::Expr::value(t.today - Duration::days(10)),
            )
            .filter(account::Column::Id.eq(r.cadre))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Last quarter signed off by the first street (河东街道团工委, by 韦书记) a few days after it
/// ended; the district waits for the other streets.
async fn signoff_showcase(
    db: &impl ConnectionTrait,
    street: i64,
    approver: i64,
    t: &Timeline,
) -> anyhow::Result<()> {
    let tree = app::model::orgtree::OrgTree::load(db).await?;
    let figures = app::compliance::service::freeze(db, &tree, street, t.previous, t.today)
        .await
        .map_err(|e| anyhow::anyhow!("freezing the demo's figures: {e}"))?;
    let approved_at = (t.previous.end() + Duration::days(5))
        .and_hms_opt(2, 0, 0)
        .map_or(t.now, |d| d.and_utc())
        .min(t.now);
    app::model::entities::quarter_signoff::ActiveModel {
        org_id: Set(street),
        quarter: Set(t.previous.key()),
        approved_by: Set(approver),
        approved_at: Set(approved_at),
        comment: Set(SIGNOFF_COMMENT.to_owned()),
        figures: Set(figures),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

// --- Contacts (1+100) ------------------------------------------------------------------------

/// Where a youth stands for contact once the history is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Standing {
    /// Last contact within the last 60 days.
    Recent,
    /// Last contact 60 to 89 days ago.
    Due,
    /// Last contact 90 or more days ago.
    Overdue,
    NeverContacted,
}

/// A roster's standings in the proportions of a believable district (about 15 % due, 8 %
/// overdue, 5 % never contacted), in random order. Fixed shares rather than a draw per youth, so
/// the showcase cadre's 100 youths always have 15 due, 8 overdue and 5 never contacted.
fn standings(rng: &mut StdRng, n: usize) -> Vec<Standing> {
    let share = |p: f64| (n as f64 * p).round() as usize;
    let mut all = Vec::with_capacity(n);
    all.extend(std::iter::repeat_n(Standing::NeverContacted, share(0.05)));
    all.extend(std::iter::repeat_n(Standing::Overdue, share(0.08)));
    all.extend(std::iter::repeat_n(Standing::Due, share(0.15)));
    all.resize(n, Standing::Recent);
    all.shuffle(rng);
    all
}

/// A youth's contacts, newest first, all on or after the assignment and never after today.
fn contacts_for_youth(
    rng: &mut StdRng,
    t: &Timeline,
    cadre: i64,
    youth: &mut RosterYouth,
    standing: Standing,
) -> Vec<contact::ActiveModel> {
    let (mut ago, count) = match standing {
        Standing::NeverContacted => {
            // Half joined the roster two to three months ago (due); the rest have been waiting
            // since the cadre took the roster over (overdue). Either way at least 60 days.
            if rng.gen_bool(0.5) {
                youth.assigned_on = t.days_ago(rng.gen_range(60..90));
            } else {
                youth.assigned_on = youth.assigned_on.min(t.days_ago(90));
            }
            return Vec::new();
        }
        Standing::Recent => (rng.gen_range(0..60), rng.gen_range(1..=3)),
        Standing::Due => (rng.gen_range(60..90), rng.gen_range(1..=2)),
        Standing::Overdue => (rng.gen_range(90..160), rng.gen_range(1..=2)),
    };
    let mut dates = Vec::with_capacity(count);
    while dates.len() < count && ago <= HISTORY_DAYS {
        dates.push(t.days_ago(ago));
        ago += rng.gen_range(20..60);
    }
    // Contacts come after the assignment: should a roster have been taken over later than a
    // drawn date, the assignment moves back to it.
    if let Some(earliest) = dates.last() {
        youth.assigned_on = youth.assigned_on.min(*earliest);
    }
    dates
        .into_iter()
        .map(|date| contact(rng, t, cadre, youth, date))
        .collect()
}

/// A diligent cadre's contacts with a youth: every month or so, all through the history, so
/// that the youth was never due at any point of it.
fn steady_contacts(
    rng: &mut StdRng,
    t: &Timeline,
    cadre: i64,
    youth: &mut RosterYouth,
) -> Vec<contact::ActiveModel> {
    let mut dates = Vec::new();
    let mut ago = rng.gen_range(0..40);
    while ago <= HISTORY_DAYS {
        dates.push(t.days_ago(ago));
        ago += rng.gen_range(25..45);
    }
    if let Some(earliest) = dates.last() {
        youth.assigned_on = youth.assigned_on.min(*earliest);
    }
    dates
        .into_iter()
        .map(|date| contact(rng, t, cadre, youth, date))
        .collect()
}

/// 面对面 35 %, 微信/QQ 30 %, 电话 20 %, 活动 10 %, 青年之声平台 5 %.
fn channel(rng: &mut StdRng) -> Channel {
    match rng.gen_range(0..100) {
        0..35 => Channel::FaceToFace,
        35..65 => Channel::WeChat,
        65..85 => Channel::Phone,
        85..95 => Channel::Activity,
        _ => Channel::YouthVoice,
    }
}

/// Open or in hand when recent; older ones mostly resolved.
fn request_status(rng: &mut StdRng, age_days: i64) -> RequestStatus {
    if age_days < 14 {
        if rng.gen_bool(0.6) {
            RequestStatus::Open
        } else {
            RequestStatus::InProgress
        }
    } else {
        match rng.gen_range(0..10) {
            0 => RequestStatus::Open,
            1..=2 => RequestStatus::InProgress,
            _ => RequestStatus::Resolved,
        }
    }
}

fn contact(
    rng: &mut StdRng,
    t: &Timeline,
    cadre: i64,
    youth: &RosterYouth,
    date: NaiveDate,
) -> contact::ActiveModel {
    let channel = channel(rng);
    let topics = if channel == Channel::Activity {
        ACTIVITY_TOPICS
    } else if rng.gen_bool(0.4) {
        COMMON_TOPICS
    } else if youth.student {
        STUDENT_TOPICS
    } else {
        WORKING_TOPICS
    };
    let content = topics.choose(rng).copied().unwrap_or("了解近况");
    let (request, status, resolution) = if rng.gen_bool(0.10) {
        let (request, resolution) = *REQUESTS.choose(rng).unwrap_or(&REQUESTS[0]);
        let status = request_status(rng, (t.today - date).num_days());
        (
            Some(request.to_owned()),
            Some(status.as_str().to_owned()),
            (status == RequestStatus::Resolved).then(|| resolution.to_owned()),
        )
    } else {
        (None, None, None)
    };
    // Online exchanges are short; meeting in person or at an activity takes longer.
    let minutes = if channel.online() {
        rng.gen_range(2..=6) * 5
    } else {
        rng.gen_range(4..=12) * 5
    };
    contact::ActiveModel {
        uuid: Set(Uuid::new_v4()),
        youth_id: Set(youth.id),
        cadre_id: Set(cadre),
        contact_date: Set(date),
        channel: Set(channel.as_str().to_owned()),
        online: Set(channel.online()),
        content: Set(content.to_owned()),
        request: Set(request),
        request_status: Set(status),
        resolution: Set(resolution),
        duration_minutes: Set(Some(minutes)),
        created_at: Set(t.at(date, 20)),
        updated_at: Set(t.at(date, 20)),
        ..Default::default()
    }
}

// --- Visit days (4+1) --------------------------------------------------------------------------

/// Full-time cadres visit one of their organisations every week but miss about one week in
/// seven, and none in weeks their leave or the holidays left without enough working days; the
/// others visit every three to five weeks. The showcase cadre has missed two weeks of this
/// quarter (when two have gone by).
fn visit_days_for_cadre(
    rng: &mut StdRng,
    t: &Timeline,
    roster: &Roster,
    exemptions: &[Exemption],
) -> Vec<visit_day::ActiveModel> {
    let policy = Policy::default();
    let required = |week: Week| {
        week_requirement(Some(Post::FullTime), week, exemptions, &t.calendar, &policy).is_ok()
    };
    let mut out = Vec::new();
    if roster.post == Post::FullTime {
        let missed: Vec<Week> = if roster.username == SHOWCASE_CADRE {
            let this_quarter: Vec<Week> = t
                .weeks
                .iter()
                .copied()
                .filter(|w| t.current.contains(w.thursday()) && required(*w))
                .collect();
            this_quarter.choose_multiple(rng, 2).copied().collect()
        } else {
            Vec::new()
        };
        let keen = diligent(roster.username);
        for week in &t.weeks {
            if !required(*week) || missed.contains(week) || (!keen && rng.gen_bool(0.15)) {
                continue;
            }
            out.extend(visit_day(rng, t, roster, *week, exemptions));
        }
        if keen {
            // This week's too, on its first working day so far.
            let this_week = Week::of(t.today);
            if let Some(first) = this_week
                .days()
                .find(|d| *d <= t.today && t.calendar.is_working_day(*d))
            {
                out.extend(visit_on(rng, t, roster, first));
            }
        }
    } else {
        let mut i = rng.gen_range(0..4);
        while let Some(week) = t.weeks.get(i) {
            out.extend(visit_day(rng, t, roster, *week, exemptions));
            i += rng.gen_range(3..=5);
        }
    }
    out
}

/// A visit on one of the week's free working days, if it has one.
fn visit_day(
    rng: &mut StdRng,
    t: &Timeline,
    roster: &Roster,
    week: Week,
    exemptions: &[Exemption],
) -> Option<visit_day::ActiveModel> {
    let free: Vec<NaiveDate> = week
        .days()
        .filter(|d| t.calendar.is_working_day(*d) && *d < t.today)
        .filter(|d| !exemptions.iter().any(|e| e.covers(*d)))
        .collect();
    let date = *free.choose(rng)?;
    visit_on(rng, t, roster, date)
}

/// A visit on `date` to one of the paired organisations.
fn visit_on(
    rng: &mut StdRng,
    t: &Timeline,
    roster: &Roster,
    date: NaiveDate,
) -> Option<visit_day::ActiveModel> {
    let org = *roster.paired.choose(rng)?;
    Some(visit_day::ActiveModel {
        uuid: Set(Uuid::new_v4()),
        cadre_id: Set(roster.cadre),
        org_id: Set(org),
        visit_date: Set(date),
        week_no: Set(Week::of(date).number()),
        hours: Set(f64::from(rng.gen_range(8..=16u32)) / 2.0),
        work_done: Set(WORK_DONE
            .choose(rng)
            .copied()
            .unwrap_or_default()
            .to_owned()),
        outcomes: Set(OUTCOMES.choose(rng).copied().unwrap_or_default().to_owned()),
        late_approved_by: Set(None),
        created_at: Set(t.at(date, 20)),
        updated_at: Set(t.at(date, 20)),
        ..Default::default()
    })
}

// --- Quarterly suggestions ---------------------------------------------------------------------

/// The texts of one cadre's suggestions: none repeats before all have been used.
struct SuggestionTexts {
    suggestions: Vec<(&'static str, &'static str)>,
    problems: Vec<(&'static str, &'static str)>,
}

impl SuggestionTexts {
    fn shuffled(rng: &mut StdRng) -> SuggestionTexts {
        let mut suggestions = SUGGESTIONS.to_vec();
        let mut problems = PROBLEMS_SOLVED.to_vec();
        suggestions.shuffle(rng);
        problems.shuffle(rng);
        SuggestionTexts {
            suggestions,
            problems,
        }
    }

    fn next(&mut self, kind: SuggestionKind) -> (&'static str, &'static str) {
        let (pool, all) = match kind {
            SuggestionKind::Suggestion => (&mut self.suggestions, SUGGESTIONS),
            SuggestionKind::ProblemSolved => (&mut self.problems, PROBLEMS_SOLVED),
        };
        if pool.is_empty() {
            pool.extend_from_slice(all);
        }
        pool.pop().unwrap_or(all[0])
    }
}

/// The previous quarter's suggestions, reviewed, for every pairing of a full-time cadre (their
/// duty; a quarter of them also solved a problem) and for the first pairing of the others (they
/// may); this quarter's, not yet reviewed, for about half of the full-time pairings. The
/// showcase cadre has done one of its two.
fn suggestions_for_cadre(
    rng: &mut StdRng,
    t: &Timeline,
    roster: &Roster,
    reviewer: i64,
) -> Vec<suggestion::ActiveModel> {
    let full_time = roster.post == Post::FullTime;
    let mut texts = SuggestionTexts::shuffled(rng);
    let mut out = Vec::new();
    for (i, &org) in roster.paired.iter().enumerate() {
        let mut write = |quarter: Quarter, kind: SuggestionKind| {
            suggestion(t, roster.cadre, org, quarter, kind, texts.next(kind))
        };
        if full_time || i == 0 {
            let kind = if rng.gen_bool(0.8) {
                SuggestionKind::Suggestion
            } else {
                SuggestionKind::ProblemSolved
            };
            out.push(review(rng, t, write(t.previous, kind), kind, reviewer));
            if full_time && rng.gen_bool(0.25) {
                let kind = SuggestionKind::ProblemSolved;
                out.push(review(rng, t, write(t.previous, kind), kind, reviewer));
            }
        }
        let this_quarter = if roster.username == SHOWCASE_CADRE {
            i == 0
        } else if diligent(roster.username) {
            true
        } else {
            full_time && rng.gen_bool(0.5)
        };
        if this_quarter {
            out.push(write(t.current, SuggestionKind::Suggestion));
        }
    }
    out
}

/// A submitted suggestion, not yet reviewed.
fn suggestion(
    t: &Timeline,
    cadre: i64,
    org: i64,
    quarter: Quarter,
    kind: SuggestionKind,
    (title, description): (&str, &str),
) -> suggestion::ActiveModel {
    suggestion::ActiveModel {
        uuid: Set(Uuid::new_v4()),
        cadre_id: Set(cadre),
        org_id: Set(org),
        year: Set(quarter.year),
        quarter: Set(quarter.q as i16),
        kind: Set(kind.as_str().to_owned()),
        title: Set(title.to_owned()),
        description: Set(description.to_owned()),
        status: Set(SuggestionStatus::Submitted.as_str().to_owned()),
        reviewer_id: Set(None),
        review_comment: Set(None),
        reviewed_at: Set(None),
        // Written a month into its quarter (or now, early in the current one), before any review.
        created_at: Set(t.at(quarter.start() + Duration::days(30), 15)),
        updated_at: Set(t.at(quarter.start() + Duration::days(30), 15)),
        ..Default::default()
    }
}

/// The supervisor's decision on a suggestion of the previous quarter, taken in the last weeks of
/// that quarter or the first of this one.
fn review(
    rng: &mut StdRng,
    t: &Timeline,
    mut s: suggestion::ActiveModel,
    kind: SuggestionKind,
    reviewer: i64,
) -> suggestion::ActiveModel {
    let status = match (kind, rng.gen_range(0..10)) {
        (SuggestionKind::ProblemSolved, 0..=7) => SuggestionStatus::Resolved,
        (SuggestionKind::ProblemSolved, _) => SuggestionStatus::Acknowledged,
        (SuggestionKind::Suggestion, 0..=2) => SuggestionStatus::Acknowledged,
        (SuggestionKind::Suggestion, 3..=7) => SuggestionStatus::Adopted,
        (SuggestionKind::Suggestion, _) => SuggestionStatus::Declined,
    };
    let comments: Vec<&str> = REVIEW_COMMENTS
        .iter()
        .filter(|(s, _)| *s == status)
        .map(|(_, c)| *c)
        .collect();
    let comment = comments.choose(rng).copied().unwrap_or("已阅。");
    let day = t.previous.end() + Duration::days(rng.gen_range(-20..15));
    s.status = Set(status.as_str().to_owned());
    s.reviewer_id = Set(Some(reviewer));
    s.review_comment = Set(Some(comment.to_owned()));
    s.reviewed_at = Set(Some(t.at(day, rng.gen_range(9..18))));
    s
}

// --- Study (8 hours a month) -------------------------------------------------------------------

fn study_topic(rng: &mut StdRng, date: NaiveDate) -> (StudyKind, String) {
    match rng.gen_range(0..10) {
        0..=3 => (
            StudyKind::Thematic,
            THEMATIC_TOPICS
                .choose(rng)
                .copied()
                .unwrap_or_default()
                .to_owned(),
        ),
        4..=6 => {
            let week = Week::of(date);
            (
                StudyKind::YouthStudy,
                format!("青年大学习 {}年第{}期", week.year, week.week),
            )
        }
        _ => (
            StudyKind::Other,
            OTHER_TOPICS
                .choose(rng)
                .copied()
                .unwrap_or_default()
                .to_owned(),
        ),
    }
}

/// Each full month has two to four records of 6 to 12 hours in all, so some months fall short
/// of the 8 hours; this month so far has one or two. The showcase cadre is at 4.5 hours.
fn study_for_cadre(
    rng: &mut StdRng,
    t: &Timeline,
    roster: &Roster,
) -> Vec<study_record::ActiveModel> {
    let mut out = Vec::new();
    let keen = diligent(roster.username) || roster.username == ATTENTIVE;
    for (first, last) in &t.months {
        let n = rng.gen_range(2..=4);
        // Half hours: most months reach the 8 hours, about one in five does not.
        let total = if !keen && rng.gen_bool(0.2) {
            rng.gen_range(12..16)
        } else {
            rng.gen_range(16..=24)
        };
        let hours = split_half_hours(rng, total, n);
        out.extend(study_records(rng, t, roster.cadre, (*first, *last), hours));
    }
    let hours = if roster.username == SHOWCASE_CADRE {
        vec![2.5, 2.0]
    } else if keen {
        vec![4.0, 4.5]
    } else {
        (0..rng.gen_range(1..=2))
            .map(|_| f64::from(rng.gen_range(2..=10u32)) / 2.0)
            .collect()
    };
    let this_month = (month_bounds(t.today).0, t.today);
    out.extend(study_records(rng, t, roster.cadre, this_month, hours));
    out
}

/// `total` half hours in `n` parts of at least an hour each.
fn split_half_hours(rng: &mut StdRng, total: u32, n: usize) -> Vec<f64> {
    let mut parts = vec![2u32; n];
    for _ in 0..total.saturating_sub(2 * n as u32) {
        parts[rng.gen_range(0..n)] += 1;
    }
    parts.into_iter().map(|p| f64::from(p) / 2.0).collect()
}

/// One record per entry of `hours`, on distinct days of `span` (both ends included) when it has
/// enough of them.
fn study_records(
    rng: &mut StdRng,
    t: &Timeline,
    cadre: i64,
    (first, last): (NaiveDate, NaiveDate),
    hours: Vec<f64>,
) -> Vec<study_record::ActiveModel> {
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    let mut dates: Vec<NaiveDate> = days.choose_multiple(rng, hours.len()).copied().collect();
    dates.resize(hours.len(), first);
    dates.sort();
    dates
        .into_iter()
        .zip(hours)
        .map(|(date, hours)| {
            let (kind, topic) = study_topic(rng, date);
            study_record::ActiveModel {
                uuid: Set(Uuid::new_v4()),
                cadre_id: Set(cadre),
                study_date: Set(date),
                hours: Set(hours),
                topic: Set(topic),
                kind: Set(kind.as_str().to_owned()),
                created_at: Set(t.at(date, 20)),
                ..Default::default()
            }
        })
        .collect()
}

// --- Exemptions (请假/出差) ----------------------------------------------------------------------

struct PlannedExemption {
    cadre: i64,
    span: Exemption,
    reason: (&'static str, &'static str),
}

impl PlannedExemption {
    /// Approved by the supervisor a few days before it began.
    fn model(&self, t: &Timeline, decided_by: i64) -> exemption::ActiveModel {
        let decided_on = self.span.start - Duration::days(3);
        exemption::ActiveModel {
            uuid: Set(Uuid::new_v4()),
            cadre_id: Set(self.cadre),
            start_date: Set(self.span.start),
            end_date: Set(self.span.end),
            reason: Set(self.reason.0.to_owned()),
            note: Set(self.reason.1.to_owned()),
            status: Set("approved".to_owned()),
            decided_by: Set(Some(decided_by)),
            decided_at: Set(Some(t.at(decided_on, 10))),
            created_at: Set(t.now),
            ..Default::default()
        }
    }
}

/// Two or three full-time cadres were away for three to five working days in the previous
/// quarter, with the supervisor's approval.
fn exemptions_for(rng: &mut StdRng, t: &Timeline, rosters: &[Roster]) -> Vec<PlannedExemption> {
    let full_time: Vec<i64> = rosters
        .iter()
        .filter(|r| r.post == Post::FullTime)
        .map(|r| r.cadre)
        .collect();
    // Inner weeks only, so that the absence stays inside the quarter.
    let weeks = t.previous.weeks();
    let inner = weeks.get(1..weeks.len().saturating_sub(2)).unwrap_or(&[]);
    let n = rng.gen_range(2..=3);
    let cadres: Vec<i64> = full_time.choose_multiple(rng, n).copied().collect();
    cadres
        .into_iter()
        .filter_map(|cadre| {
            let week = *inner.choose(rng)?;
            let start = t.nth_working_day(week.monday() + Duration::days(rng.gen_range(0..3)), 1);
            let end = t.nth_working_day(start, rng.gen_range(3..=5));
            Some(PlannedExemption {
                cadre,
                span: Exemption { start, end },
                reason: EXEMPTION_REASONS
                    .choose(rng)
                    .copied()
                    .unwrap_or(("leave", "事假")),
            })
        })
        .collect()
}
