//! `server generate`: a large district for benchmarks (10,000 cadres, a million youths, five
//! million contacts, a year of visit days, suggestions and study), written fast with multi-row
//! inserts in transactions. Deterministic: the same arguments give the same district.

use app::model::entities::{
    account, assignment, contact, organisation, pairing, study_record, suggestion, visit_day, youth,
};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::sea_query::{IntoIden, Query, SimpleExpr};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait, TransactionTrait,
    Value,
};
use std::time::Instant;
use uuid::Uuid;

/// Rows per `INSERT`.
const BATCH: usize = 1000;
/// Cadres per street committee.
const CADRES_PER_STREET: usize = 500;
const GRASSROOTS_PER_STREET: usize = 25;

#[derive(Clone, Copy, Debug)]
pub struct Size {
    pub cadres: usize,
    pub youths_per_cadre: usize,
    pub contacts_per_youth: usize,
}

/// Buffers rows of one table and writes them `BATCH` at a time.
struct Writer<'a, C: ConnectionTrait> {
    db: &'a C,
    table: sea_orm::sea_query::DynIden,
    columns: Vec<sea_orm::sea_query::DynIden>,
    rows: Vec<Vec<SimpleExpr>>,
    /// Write every `BATCH` rows as they come; otherwise only on `flush` (for rows that others
    /// reference, written first).
    auto: bool,
}

impl<'a, C: ConnectionTrait> Writer<'a, C> {
    fn new<E: EntityTrait>(db: &'a C, entity: E, columns: Vec<E::Column>) -> Self {
        Writer {
            db,
            table: entity.into_iden(),
            columns: columns.into_iter().map(IntoIden::into_iden).collect(),
            rows: Vec::with_capacity(BATCH),
            auto: true,
        }
    }

    async fn push(&mut self, row: Vec<Value>) -> anyhow::Result<()> {
        self.rows
            .push(row.into_iter().map(SimpleExpr::from).collect());
        if self.auto && self.rows.len() >= BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> anyhow::Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.rows);
        for chunk in rows.chunks(BATCH) {
            let mut q = Query::insert();
            q.into_table(self.table.clone())
                .columns(self.columns.clone());
            for row in chunk {
                q.values(row.clone())?;
            }
            self.db.execute(&q).await?;
        }
        Ok(())
    }
}

fn v<T: Into<Value>>(x: T) -> Value {
    x.into()
}

/// Writes the district into an empty, migrated database.
///
/// # Errors
/// The database is not empty, or a write failed.
pub async fn generate(db: &DatabaseConnection, size: Size, password: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        account::Entity::find().count(db).await? == 0,
        "the database already has accounts: generate into an empty one"
    );
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(10_000);
    let today = app::ssr::today();
    let now = Utc::now();
    let hash = app::ssr::password::hash(password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let streets = size.cadres.div_ceil(CADRES_PER_STREET).max(1);
    let txn = db.begin().await?;

    // Organisations: the district, its street committees, their grassroots organisations.
    let mut orgs = Writer::new(
        &txn,
        organisation::Entity,
        vec![
            organisation::Column::Id,
            organisation::Column::Uuid,
            organisation::Column::Name,
            organisation::Column::Kind,
            organisation::Column::ParentId,
            organisation::Column::Active,
            organisation::Column::CreatedAt,
            organisation::Column::UpdatedAt,
        ],
    );
    let org_row = |id: i64, name: String, kind: &str, parent: Option<i64>| {
        vec![
            v(id),
            v(Uuid::new_v4()),
            v(name),
            v(kind.to_owned()),
            v(parent),
            v(true),
            v(now),
            v(now),
        ]
    };
    orgs.push(org_row(1, "生成区团委".into(), "district", None))
        .await?;
    let street_id = |s: usize| 2 + s as i64;
    let grassroots_id =
        |s: usize, g: usize| 2 + streets as i64 + (s * GRASSROOTS_PER_STREET + g) as i64;
    for s in 0..streets {
        orgs.push(org_row(
            street_id(s),
            format!("第{}街道团工委", s + 1),
            "working_committee",
            Some(1),
        ))
        .await?;
    }
    for s in 0..streets {
        for g in 0..GRASSROOTS_PER_STREET {
            let kind = ["school", "enterprise", "community"][g % 3];
            orgs.push(org_row(
                grassroots_id(s, g),
                format!("第{}街道第{}团支部", s + 1, g + 1),
                kind,
                Some(street_id(s)),
            ))
            .await?;
        }
    }
    orgs.flush().await?;

    // Accounts: an admin, a district supervisor, one supervisor per street, the cadres.
    let mut accounts = Writer::new(
        &txn,
        account::Entity,
        vec![
            account::Column::Id,
            account::Column::Uuid,
            account::Column::Name,
            account::Column::Username,
            account::Column::PasswordHash,
            account::Column::Role,
            account::Column::OrgId,
            account::Column::Post,
            account::Column::Active,
            account::Column::Locale,
            account::Column::JoinedOn,
            account::Column::CreatedAt,
            account::Column::UpdatedAt,
        ],
    );
    let joined = today - Duration::days(400);
    let person =
        |id: i64, name: String, username: String, role: &str, org: i64, post: Option<&str>| {
            vec![
                v(id),
                v(Uuid::new_v4()),
                v(name),
                v(username),
                v(hash.clone()),
                v(role.to_owned()),
                v(org),
                v(post.map(str::to_owned)),
                v(true),
                v("zh-CN".to_owned()),
                v(joined),
                v(now),
                v(now),
            ]
        };
    accounts
        .push(person(
            1,
            "系统管理员".into(),
            "sysadmin".into(),
            "sysadmin",
            1,
            None,
        ))
        .await?;
    accounts
        .push(person(
            2,
            "区团委书记".into(),
            "supervisor".into(),
            "supervisor",
            1,
            None,
        ))
        .await?;
    for s in 0..streets {
        accounts
            .push(person(
                3 + s as i64,
                format!("街道书记{}", s + 1),
                format!("supervisor_s{}", s + 1),
                "supervisor",
                street_id(s),
                None,
            ))
            .await?;
    }
    let first_cadre = 3 + streets as i64;
    let mut posts = Vec::with_capacity(size.cadres);
    for c in 0..size.cadres {
        let post = match c % 5 {
            0..=2 => "full_time",
            3 => "seconded",
            _ => "part_time",
        };
        posts.push(post);
        accounts
            .push(person(
                first_cadre + c as i64,
                format!("团干部{:05}", c + 1),
                format!("g{:05}", c + 1),
                "cadre",
                street_id(c / CADRES_PER_STREET),
                Some(post),
            ))
            .await?;
    }
    accounts.flush().await?;
    txn.commit().await?;
    tracing::info!(
        elapsed_s = started.elapsed().as_secs(),
        "organisations and accounts"
    );

    // Pairings: each cadre with two grassroots organisations of their street.
    let txn = db.begin().await?;
    let mut pairings = Writer::new(
        &txn,
        pairing::Entity,
        vec![
            pairing::Column::Uuid,
            pairing::Column::CadreId,
            pairing::Column::OrgId,
            pairing::Column::StartedOn,
            pairing::Column::CreatedAt,
        ],
    );
    let paired = |c: usize| {
        let s = c / CADRES_PER_STREET;
        [
            grassroots_id(s, c % GRASSROOTS_PER_STREET),
            grassroots_id(s, (c + 7) % GRASSROOTS_PER_STREET),
        ]
    };
    for c in 0..size.cadres {
        for org in paired(c) {
            pairings
                .push(vec![
                    v(Uuid::new_v4()),
                    v(first_cadre + c as i64),
                    v(org),
                    v(joined),
                    v(now),
                ])
                .await?;
        }
    }
    pairings.flush().await?;
    txn.commit().await?;

    // Youths, their assignments and their contacts, a cadre at a time (a transaction per
    // hundred cadres keeps memory flat).
    let sectors = [
        "student",
        "enterprise",
        "new_employment",
        "community",
        "migrant",
        "other",
    ];
    let statuses = ["league_member", "league_member", "masses", "party_member"];
    let channels = [
        ("face_to_face", false),
        ("wechat", true),
        ("phone", true),
        ("activity", false),
        ("youth_voice", true),
    ];
    let mut youth_id = 0i64;
    for chunk in (0..size.cadres).collect::<Vec<_>>().chunks(100) {
        let txn = db.begin().await?;
        let mut youths = Writer::new(
            &txn,
            youth::Entity,
            vec![
                youth::Column::Id,
                youth::Column::Uuid,
                youth::Column::Name,
                youth::Column::Gender,
                youth::Column::BirthYear,
                youth::Column::Phone,
                youth::Column::OrgId,
                youth::Column::Sector,
                youth::Column::PoliticalStatus,
                youth::Column::CreatedAt,
                youth::Column::UpdatedAt,
                youth::Column::CadreId,
                youth::Column::AssignedOn,
                youth::Column::LastContactOn,
                youth::Column::LastOfflineOn,
            ],
        );
        let mut assignments = Writer::new(
            &txn,
            assignment::Entity,
            vec![
                assignment::Column::Uuid,
                assignment::Column::YouthId,
                assignment::Column::CadreId,
                assignment::Column::AssignedOn,
                assignment::Column::CreatedAt,
            ],
        );
        let mut contacts = Writer::new(
            &txn,
            contact::Entity,
            vec![
                contact::Column::Uuid,
                contact::Column::YouthId,
                contact::Column::CadreId,
                contact::Column::ContactDate,
                contact::Column::Channel,
                contact::Column::Online,
                contact::Column::Content,
                contact::Column::CreatedAt,
                contact::Column::UpdatedAt,
            ],
        );
        // Youths first: assignments and contacts refer to them.
        youths.auto = false;
        assignments.auto = false;
        contacts.auto = false;
        for &c in chunk {
            let cadre = first_cadre + c as i64;
            let orgs = paired(c);
            for _ in 0..size.youths_per_cadre {
                youth_id += 1;
                let assigned_on = today - Duration::days(rng.gen_range(300..400));
                // Contacts spread over the last year; how recent the last one is varies, so
                // some youths are due or overdue.
                let mut last: Option<NaiveDate> = None;
                let mut last_offline: Option<NaiveDate> = None;
                let mut ago = rng.gen_range(0..140);
                for _ in 0..size.contacts_per_youth {
                    if ago > 365 {
                        break;
                    }
                    let date = today - Duration::days(ago);
                    let (channel, online) = channels[rng.gen_range(0..channels.len())];
                    last = Some(last.map_or(date, |l: NaiveDate| l.max(date)));
                    if !online {
                        last_offline = Some(last_offline.map_or(date, |l: NaiveDate| l.max(date)));
                    }
                    contacts
                        .push(vec![
                            v(Uuid::new_v4()),
                            v(youth_id),
                            v(cadre),
                            v(date),
                            v(channel.to_owned()),
                            v(online),
                            v("了解近况，宣传团的政策".to_owned()),
                            v(now),
                            v(now),
                        ])
                        .await?;
                    ago += rng.gen_range(30..90);
                }
                youths
                    .push(vec![
                        v(youth_id),
                        v(Uuid::new_v4()),
                        v(format!("青年{youth_id}")),
                        v(if rng.gen_bool(0.5) { "male" } else { "female" }.to_owned()),
                        v(Some(rng.gen_range(1990..2010))),
                        v(format!(
                            "1{:010}",
                            rng.gen_range(3_000_000_000u64..9_999_999_999)
                        )),
                        v(Some(orgs[rng.gen_range(0..2)])),
                        v(sectors[rng.gen_range(0..sectors.len())].to_owned()),
                        v(statuses[rng.gen_range(0..statuses.len())].to_owned()),
                        v(now),
                        v(now),
                        v(Some(cadre)),
                        v(Some(assigned_on)),
                        v(last),
                        v(last_offline),
                    ])
                    .await?;
                assignments
                    .push(vec![
                        v(Uuid::new_v4()),
                        v(youth_id),
                        v(cadre),
                        v(assigned_on),
                        v(now),
                    ])
                    .await?;
            }
        }
        youths.flush().await?;
        assignments.flush().await?;
        contacts.flush().await?;
        txn.commit().await?;
    }
    tracing::info!(
        elapsed_s = started.elapsed().as_secs(),
        youths = youth_id,
        "youths and contacts"
    );

    // A year of visit days (full-time cadres, most weeks), suggestions each quarter, study each
    // month.
    let txn = db.begin().await?;
    let mut visits = Writer::new(
        &txn,
        visit_day::Entity,
        vec![
            visit_day::Column::Uuid,
            visit_day::Column::CadreId,
            visit_day::Column::OrgId,
            visit_day::Column::VisitDate,
            visit_day::Column::WeekNo,
            visit_day::Column::Hours,
            visit_day::Column::WorkDone,
            visit_day::Column::CreatedAt,
            visit_day::Column::UpdatedAt,
        ],
    );
    let mut suggestions = Writer::new(
        &txn,
        suggestion::Entity,
        vec![
            suggestion::Column::Uuid,
            suggestion::Column::CadreId,
            suggestion::Column::OrgId,
            suggestion::Column::Year,
            suggestion::Column::Quarter,
            suggestion::Column::Kind,
            suggestion::Column::Title,
            suggestion::Column::Description,
            suggestion::Column::Status,
            suggestion::Column::CreatedAt,
            suggestion::Column::UpdatedAt,
        ],
    );
    let mut study = Writer::new(
        &txn,
        study_record::Entity,
        vec![
            study_record::Column::Uuid,
            study_record::Column::CadreId,
            study_record::Column::StudyDate,
            study_record::Column::Hours,
            study_record::Column::Topic,
            study_record::Column::Kind,
            study_record::Column::CreatedAt,
        ],
    );
    let this_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let quarters: Vec<app::rules::Quarter> = {
        let mut q = app::rules::Quarter::of(today);
        let mut out = vec![q];
        for _ in 0..3 {
            q = q.prev();
            out.push(q);
        }
        out
    };
    for (c, post) in posts.iter().enumerate().take(size.cadres) {
        let cadre = first_cadre + c as i64;
        let orgs = paired(c);
        if *post == "full_time" {
            for w in 1..=52i64 {
                if rng.gen_bool(0.12) {
                    continue;
                }
                let day = this_monday - Duration::weeks(w) + Duration::days(rng.gen_range(0..5));
                visits
                    .push(vec![
                        v(Uuid::new_v4()),
                        v(cadre),
                        v(orgs[rng.gen_range(0..2)]),
                        v(day),
                        v(app::rules::Week::of(day).number()),
                        v(8.0f64),
                        v("参加组织生活会，走访团员青年".to_owned()),
                        v(now),
                        v(now),
                    ])
                    .await?;
            }
            for q in &quarters {
                for org in orgs {
                    if q.start() > today || !rng.gen_bool(0.7) {
                        continue;
                    }
                    let status = if *q == quarters[0] {
                        "submitted"
                    } else {
                        ["acknowledged", "adopted", "declined"][rng.gen_range(0..3)]
                    };
                    suggestions
                        .push(vec![
                            v(Uuid::new_v4()),
                            v(cadre),
                            v(org),
                            v(q.year),
                            v(i16::try_from(q.q).unwrap_or(1)),
                            v("suggestion".to_owned()),
                            v("建立团员积分制度".to_owned()),
                            v("按季度公示团员参加活动的积分".to_owned()),
                            v(status.to_owned()),
                            v(now),
                            v(now),
                        ])
                        .await?;
                }
            }
        }
        let mut month = app::rules::month_bounds(today).0;
        for _ in 0..12 {
            for (day, hours) in [
                (3u32, 4.0f64),
                (17, if rng.gen_bool(0.8) { 4.5 } else { 2.0 }),
            ] {
                let date = month.with_day(day).unwrap_or(month);
                if date > today {
                    continue;
                }
                study
                    .push(vec![
                        v(Uuid::new_v4()),
                        v(cadre),
                        v(date),
                        v(hours),
                        v("青年大学习".to_owned()),
                        v("youth_study".to_owned()),
                        v(now),
                    ])
                    .await?;
            }
            month = app::rules::month_bounds(month - Duration::days(1)).0;
        }
    }
    visits.flush().await?;
    suggestions.flush().await?;
    study.flush().await?;
    txn.commit().await?;

    // PostgreSQL's sequences follow the ids written by hand.
    if db.get_database_backend() == DbBackend::Postgres {
        for table in ["organisations", "accounts", "youths"] {
            db.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .await?;
        }
        db.execute_unprepared("ANALYZE").await?;
    }
    tracing::info!(
        elapsed_s = started.elapsed().as_secs(),
        "district written; judging the trend's 13 weeks"
    );
    let tree = app::model::orgtree::OrgTree::load(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    app::compliance::service::trend(db, &tree, None, today, 13)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    tracing::info!(elapsed_s = started.elapsed().as_secs(), "done");
    Ok(())
}
