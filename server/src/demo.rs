//! The demo district: a realistic organisation tree, accounts for every role and about a thousand
//! youths assigned to cadres. Loaded by `serve --demo` into an empty database. Deterministic (a
//! fixed random seed), with dates relative to today so the data never goes stale.

use app::ssr::entities::{account, assignment, calendar_day, organisation, pairing, policy, youth};
use app::ssr::{password, today};
use chrono::{Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, Set,
    TransactionTrait,
};
use std::collections::HashSet;
use uuid::Uuid;

pub const DEMO_PASSWORD: &str = "demo-liaison";

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

/// 2026 public holidays and adjusted working days (调休), as published by the State Council.
const CALENDAR_2026: &[(&str, &str, &str)] = &[
    ("2026-01-01", "holiday", "元旦"),
    ("2026-01-02", "holiday", "元旦"),
    ("2026-01-04", "workday", "元旦调休"),
    ("2026-02-14", "workday", "春节调休"),
    ("2026-02-16", "holiday", "春节"),
    ("2026-02-17", "holiday", "春节"),
    ("2026-02-18", "holiday", "春节"),
    ("2026-02-19", "holiday", "春节"),
    ("2026-02-20", "holiday", "春节"),
    ("2026-02-23", "holiday", "春节"),
    ("2026-02-28", "workday", "春节调休"),
    ("2026-04-06", "holiday", "清明节"),
    ("2026-05-01", "holiday", "劳动节"),
    ("2026-05-04", "holiday", "劳动节"),
    ("2026-05-05", "holiday", "劳动节"),
    ("2026-05-09", "workday", "劳动节调休"),
    ("2026-06-19", "holiday", "端午节"),
    ("2026-09-20", "workday", "国庆节调休"),
    ("2026-09-25", "holiday", "中秋节"),
    ("2026-10-01", "holiday", "国庆节"),
    ("2026-10-02", "holiday", "国庆节"),
    ("2026-10-05", "holiday", "国庆节"),
    ("2026-10-06", "holiday", "国庆节"),
    ("2026-10-07", "holiday", "国庆节"),
    ("2026-10-10", "workday", "国庆节调休"),
];

/// (working committee, [(grassroots organisation, kind)])
const TREE: &[(&str, &[(&str, &str)])] = &[
    (
        "河东街道团工委",
        &[
            ("河东中学团委", "school"),
            ("河东职业技术学校团委", "school"),
            ("河东社区团支部", "community"),
            ("东环社区团支部", "community"),
            ("河东商贸有限公司团支部", "enterprise"),
        ],
    ),
    (
        "河西街道团工委",
        &[
            ("河西中学团委", "school"),
            ("河西社区团支部", "community"),
            ("西江社区团支部", "community"),
            ("河西物流有限公司团支部", "enterprise"),
            ("河西外卖骑手团支部", "grassroots"),
        ],
    ),
    (
        "柳南街道团工委",
        &[
            ("柳南高级中学团委", "school"),
            ("柳南社区团支部", "community"),
            ("飞鹅社区团支部", "community"),
            ("柳南汽车配件厂团支部", "enterprise"),
            ("柳南快递行业团支部", "grassroots"),
        ],
    ),
    (
        "高新园区团工委",
        &[
            ("园区职业培训学校团委", "school"),
            ("园区青年人才公寓团支部", "community"),
            ("园区机械制造有限公司团支部", "enterprise"),
            ("园区电子科技有限公司团支部", "enterprise"),
            ("园区新能源汽车有限公司团支部", "enterprise"),
        ],
    ),
];

/// (username, name, working committee index or None for the district, post, roster size,
/// paired grassroots organisations as (committee, index))
type CadreSpec = (
    &'static str,
    &'static str,
    Option<usize>,
    &'static str,
    usize,
    &'static [(usize, usize)],
);
const CADRES: &[CadreSpec] = &[
    ("cadre01", "李明", None, "full_time", 100, &[(0, 0), (0, 2)]),
    ("cadre02", "王芳", None, "full_time", 96, &[(1, 0), (1, 1)]),
    ("cadre03", "张伟", None, "full_time", 88, &[(2, 0), (2, 1)]),
    ("cadre04", "刘洋", None, "full_time", 92, &[(3, 2), (3, 1)]),
    (
        "cadre05",
        "陈静",
        Some(0),
        "full_time",
        85,
        &[(0, 1), (0, 3)],
    ),
    (
        "cadre06",
        "杨帆",
        Some(1),
        "full_time",
        80,
        &[(1, 2), (1, 3)],
    ),
    ("cadre07", "赵磊", Some(2), "seconded", 78, &[(2, 2)]),
    ("cadre08", "黄丽", Some(3), "seconded", 84, &[(3, 0)]),
    ("cadre09", "周杰", Some(0), "seconded", 76, &[(0, 4)]),
    ("cadre10", "吴敏", Some(1), "part_time", 90, &[(1, 4)]),
    (
        "cadre11",
        "徐婷",
        Some(2),
        "part_time",
        70,
        &[(2, 3), (2, 4)],
    ),
    (
        "cadre12",
        "孙浩",
        Some(3),
        "part_time",
        64,
        &[(3, 3), (3, 4)],
    ),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "覃", "韦", "莫", "蒙", "卢", "廖", "陆", "黎", "甘", "农",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "建", "文", "辉", "宇", "浩",
    "欣", "怡", "佳", "思", "雨", "婷", "晨", "阳", "子", "梓", "涵", "轩", "博", "诗", "琪", "俊",
    "嘉", "睿", "泽", "悦", "彤", "昊", "然", "凯", "鑫", "晓", "瑶", "琳",
];

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

async fn org(
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
async fn person(
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
            value: Set((*v).to_owned()),
            updated_by: Set(None),
            updated_at: Set(now),
        }))
        .exec_without_returning(db)
        .await?;
    }
    if calendar_day::Entity::find().count(db).await? == 0 {
        let now = Utc::now();
        let days = CALENDAR_2026.iter().filter_map(|(d, kind, name)| {
            Some(calendar_day::ActiveModel {
                uuid: Set(Uuid::new_v4()),
                day: Set(d.parse().ok()?),
                kind: Set((*kind).to_owned()),
                name: Set((*name).to_owned()),
                created_at: Set(now),
                ..Default::default()
            })
        });
        calendar_day::Entity::insert_many(days)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
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

    let p = phone(&mut rng, &mut phones);
    person(
        &txn,
        "admin",
        "区团委管理员",
        Some(p),
        "admin",
        district,
        None,
        DEMO_PASSWORD,
        founded,
    )
    .await?;
    let p = phone(&mut rng, &mut phones);
    person(
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
    person(
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

    let mut youth_count = 0usize;
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
            Some(post),
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
        }
        for chunk in youths.chunks(100) {
            youth::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        // Look the new youths up by uuid to assign them.
        let ids: Vec<Uuid> = links.iter().map(|(u, _)| *u).collect();
        use sea_orm::{ColumnTrait, QueryFilter};
        let mut rows = Vec::new();
        for chunk in ids.chunks(200) {
            rows.extend(
                youth::Entity::find()
                    .filter(youth::Column::Uuid.is_in(chunk.iter().copied()))
                    .all(&txn)
                    .await?,
            );
        }
        let assigned: std::collections::HashMap<Uuid, NaiveDate> = links.into_iter().collect();
        let assignments: Vec<assignment::ActiveModel> = rows
            .iter()
            .map(|y| assignment::ActiveModel {
                uuid: Set(Uuid::new_v4()),
                youth_id: Set(y.id),
                cadre_id: Set(cadre),
                assigned_on: Set(assigned.get(&y.uuid).copied().unwrap_or(started_on)),
                ended_on: Set(None),
                reason: Set(None),
                created_by: Set(None),
                created_at: Set(now),
                ..Default::default()
            })
            .collect();
        for chunk in assignments.chunks(200) {
            assignment::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        youth_count += rows.len();
    }
    txn.commit().await?;
    tracing::info!(
        youths = youth_count,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo data loaded"
    );
    Ok(())
}

/// Creates an administrator at the root of the tree (creating the district when the tree is empty).
///
/// # Errors
/// A short password, a taken username, or a database error.
pub async fn create_admin(
    db: &DatabaseConnection,
    username: &str,
    name: &str,
    password: &str,
    district: &str,
) -> anyhow::Result<i64> {
    use sea_orm::{ColumnTrait, QueryFilter};
    anyhow::ensure!(
        password.chars().count() >= password::MIN_LEN,
        "the password needs at least {} characters",
        password::MIN_LEN
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
        "admin",
        root,
        None,
        password,
        today(),
    )
    .await
}
