//! Saving an activity with 200 attendees in one request, and 200 youths signing in at once.
//!
//! `cargo bench -p server --bench activities` (SQLite in a temporary file; set
//! `BENCH_DATABASE_URL=postgres://…/db` for an empty PostgreSQL database instead). On the demo
//! district it gives `cadre01` 200 more youths, then, each run on a fresh activity:
//! `POST /api/activities/create` with all 200 ticked (200 contacts and the youths' summaries in
//! one transaction), and `update` unticking 100 and ticking them back. Then 200 sign-ins by
//! unknown phones, 20 at a time, on one code. The budget (issue 19): the 200-attendee save within
//! 200 ms of server time on SQLite. Figures in `docs/BENCHMARKS.md`.

use reqwest::header;
use server::config::ServeArgs;
use server::startup::Application;
use std::time::{Duration, Instant};

const RUNS: usize = 30;
const ATTENDEES: usize = 200;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        let path = std::env::temp_dir().join(format!(
            "liaison-bench-{}.db",
            uuid::Uuid::new_v4().simple()
        ));
        format!("sqlite://{}", path.display())
    });
    let mut args = ServeArgs::new("127.0.0.1:0".parse()?, url.clone());
    args.demo = true;
    let app = Application::build(args).await?;
    let base = format!("http://{}", app.local_addr());
    let db = app.db().clone();
    tokio::spawn(app.run_until_stopped());

    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let call = |path: &str, form: Vec<(&'static str, String)>| {
        client
            .post(format!("{base}{path}"))
            .header(header::ACCEPT, "application/json")
            .form(&form)
            .send()
    };
    let res = call(
        "/api/login",
        vec![
            ("login", "cadre01".to_owned()),
            ("password", "demo-liaison".to_owned()),
        ],
    )
    .await?;
    anyhow::ensure!(res.status().is_success(), "sign-in: {}", res.status());
    let me: i64 = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        app::model::entities::account::Entity::find()
            .filter(app::model::entities::account::Column::Username.eq("cadre01"))
            .one(&db)
            .await?
            .map(|a| a.id)
            .ok_or_else(|| anyhow::anyhow!("no cadre01"))?
    };
    // 200 youths of cadre01's, added as the youth form would.
    let today = app::ssr::today();
    let mut youths = Vec::with_capacity(ATTENDEES);
    for i in 0..ATTENDEES {
        let y = app::model::youth::insert(
            &db,
            uuid::Uuid::new_v4(),
            app::model::youth::YouthFields {
                name: format!("活动青年{i:03}"),
                gender: "female".to_owned(),
                birth_year: Some(2000),
                phone: format!("1360000{i:04}"),
                wechat: None,
                org_id: None,
                workplace: None,
                sector: "student".to_owned(),
                political_status: "league_member".to_owned(),
                tags: String::new(),
                notes: String::new(),
                basis: "duty".to_owned(),
                notice_version: Some(1),
                birth_month: None,
                guardian: None,
            },
            me,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        app::model::roster::assign(&db, y.id, me, today, "", Some(me))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        youths.push(y.id.to_string());
    }
    let all = youths.join(",");
    let half = youths[..ATTENDEES / 2].join(",");
    let form = |title: String, ticked: &str| {
        vec![
            ("request_id", uuid::Uuid::new_v4().to_string()),
            ("title", title),
            ("kind", "theme_day".to_owned()),
            ("activity_date", today.to_string()),
            ("start_time", String::new()),
            ("place", "街道团工委活动室".to_owned()),
            ("org_id", String::new()),
            ("youth_ids", ticked.to_owned()),
        ]
    };

    let mut create = Vec::with_capacity(RUNS);
    let mut update = Vec::with_capacity(RUNS);
    let mut last = 0;
    for run in 0..RUNS + 3 {
        let started = Instant::now();
        let res = call("/api/activities/create", form(format!("活动 {run}"), &all)).await?;
        anyhow::ensure!(res.status().is_success(), "create: {}", res.status());
        let id: i64 = res.json().await?;
        let took = started.elapsed();
        let mut change = form(format!("活动 {run}"), &half);
        change.push(("id", id.to_string()));
        let started = Instant::now();
        let res = call("/api/activities/update", change.clone()).await?;
        anyhow::ensure!(res.status().is_success(), "update: {}", res.status());
        let unticked = started.elapsed();
        if run >= 3 {
            create.push(took);
            update.push(unticked);
        }
        last = id;
    }
    let code: String = {
        let res = call("/api/activities/get", vec![("id", last.to_string())]).await?;
        let v: serde_json::Value = res.json().await?;
        anyhow::ensure!(
            v["row"]["attendees"] == ATTENDEES / 2,
            "the last activity keeps the half left ticked: {}",
            v["row"]["attendees"]
        );
        v["code"].as_str().unwrap_or_default().to_owned()
    };
    let started = Instant::now();
    let mut latencies = Vec::with_capacity(ATTENDEES);
    for chunk in (0..ATTENDEES).collect::<Vec<_>>().chunks(20) {
        let mut set = tokio::task::JoinSet::new();
        for &i in chunk {
            let c = reqwest::Client::new();
            let base = base.clone();
            let code = code.clone();
            set.spawn(async move {
                let at = Instant::now();
                let res = c
                    .post(format!("{base}/api/public/checkin"))
                    .header(header::ACCEPT, "application/json")
                    .form(&[
                        ("code", code.as_str()),
                        ("name", "扫码青年"),
                        ("phone", &format!("1350000{i:04}")),
                        ("consent", "true"),
                    ])
                    .send()
                    .await;
                (
                    res.map(|r| r.status().is_success()).unwrap_or(false),
                    at.elapsed(),
                )
            });
        }
        while let Some(done) = set.join_next().await {
            let (ok, took) = done?;
            anyhow::ensure!(ok, "a sign-in failed");
            latencies.push(took);
        }
    }
    let burst = started.elapsed();
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("activities on the demo district ({backend}, {RUNS} runs after 3 warm-up)");
    report("create with 200 attendees (200 contacts)", &mut create);
    report(
        "update: untick 100 (their contacts deleted, summaries recomputed)",
        &mut update,
    );
    report("sign-in (20 at a time)", &mut latencies);
    println!(
        "200 sign-ins, 20 at a time: {:.0} ms in all ({:.0} per second)",
        ms(burst),
        ATTENDEES as f64 / burst.as_secs_f64()
    );
    Ok(())
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    println!(
        "{what}: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms(pct(0.50)),
        ms(pct(0.95)),
        ms(samples[samples.len() - 1])
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
