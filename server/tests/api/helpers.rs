//! `spawn_app()` and friends.

use app::types::Role;
use reqwest::{header, Client, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::Value;
use server::config::ServeArgs;
use server::startup::Application;
use std::net::SocketAddr;
use std::sync::Arc;

pub const ADMIN_PASSWORD: &str = "district-keeper-2026";

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub db: DatabaseConnection,
    /// The running app's state (its counters tell what happened inside).
    pub state: app::ssr::AppState,
    pub client: Client,
    /// The database's URL (for the command-line tools).
    pub database_url: String,
    /// Drops the test's PostgreSQL database once the last session of the test is gone.
    cleanup: Option<Arc<DropDatabase>>,
}

/// A test database to drop when the test ends, so runs do not pile databases up.
pub struct DropDatabase {
    admin_url: String,
    name: String,
}

impl Drop for DropDatabase {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop is not async and runs inside the test's runtime: use a thread with its own.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let admin = Database::connect(&url).await.ok()?;
                // FORCE: the app under test still holds connections.
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

/// Runs one test body against a backend. Generates `sqlite` and `postgres` tests for a case.
#[macro_export]
macro_rules! db_test {
    ($case:ident) => {
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) =
                    $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await
                {
                    super::$case(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) =
                    $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await
                {
                    super::$case(app).await;
                }
            }
        }
    };
}

/// `db_test!(case, |args| …)`: the same, with the app's settings adjusted first.
#[macro_export]
macro_rules! db_test_with {
    ($case:ident, $adjust:expr) => {
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) =
                    $crate::helpers::spawn_with($crate::helpers::Backend::Sqlite, $adjust).await
                {
                    super::$case(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) =
                    $crate::helpers::spawn_with($crate::helpers::Backend::Postgres, $adjust).await
                {
                    super::$case(app).await;
                }
            }
        }
    };
}

/// `smtp_test!(case)`: like `db_test!`, with the app's mail going to a fresh [`SmtpSink`]; the
/// case gets `(app, sink)`.
#[macro_export]
macro_rules! smtp_test {
    ($case:ident) => {
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some((app, sink)) =
                    $crate::helpers::spawn_with_smtp($crate::helpers::Backend::Sqlite).await
                {
                    super::$case(app, sink).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some((app, sink)) =
                    $crate::helpers::spawn_with_smtp($crate::helpers::Backend::Postgres).await
                {
                    super::$case(app, sink).await;
                }
            }
        }
    };
}

/// The public address the apps of the mail tests say they have (links in emails, the feed).
pub const PUBLIC_URL: &str = "https://liaison.test";

/// The app with its mail going to a fresh SMTP server on a local port.
pub async fn spawn_with_smtp(backend: Backend) -> Option<(TestApp, crate::smtp::SmtpSink)> {
    let sink = crate::smtp::SmtpSink::start().await;
    let url = sink.url();
    let app = spawn_with(backend, move |args| {
        args.mail.smtp_url = Some(url);
        args.mail.mail_from = "团干部联系青年 <noreply@liaison.test>".to_owned();
        args.mail.public_url = PUBLIC_URL.to_owned();
    })
    .await?;
    Some((app, sink))
}

fn unique() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A brand-new database for one test: a fresh SQLite file, or a fresh PostgreSQL database made
/// next to `TEST_DATABASE_URL`. `None` when PostgreSQL is not configured (a failure instead when
/// `LIAISON_REQUIRE_POSTGRES=1`, so CI cannot silently skip it).
pub async fn fresh_database(backend: Backend) -> Option<(String, Option<DropDatabase>)> {
    match backend {
        Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("liaison-test-{}.db", unique()));
            Some((format!("sqlite://{}", path.display()), None))
        }
        Backend::Postgres => {
            let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
                assert!(
                    std::env::var("LIAISON_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                    "LIAISON_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set"
                );
                eprintln!("skipped: TEST_DATABASE_URL is not set");
                return None;
            };
            let admin = Database::connect(&base)
                .await
                .expect("connect to TEST_DATABASE_URL");
            let name = format!("liaison_test_{}", unique());
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            let (prefix, _) = base
                .rsplit_once('/')
                .expect("TEST_DATABASE_URL names a database");
            let url = format!("{prefix}/{name}");
            Some((
                url,
                Some(DropDatabase {
                    admin_url: base,
                    name,
                }),
            ))
        }
    }
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, |_| {}).await
}

/// Starts the app with adjusted settings, and an admin account (`admin` / [`ADMIN_PASSWORD`]).
pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut ServeArgs)) -> Option<TestApp> {
    // With `RUST_LOG` set, what the app logs (its internal errors) shows in a failing test.
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
    }
    let (url, cleanup) = fresh_database(backend).await?;
    let mut args = ServeArgs::new("127.0.0.1:0".parse().unwrap(), url.clone());
    adjust(&mut args);
    let app = Application::build(args).await.expect("app builds");
    let addr = app.local_addr();
    let db = app.db().clone();
    let state = app.state.clone();
    // The three administrators: `admin` is the system administrator (demo mode has its own).
    let demo = {
        use sea_orm::{EntityTrait, PaginatorTrait};
        app::model::entities::account::Entity::find()
            .count(&db)
            .await
            .unwrap_or(0)
            > 0
    };
    for (role, username) in if demo {
        vec![]
    } else {
        vec![
            (Role::Sysadmin, "admin"),
            (Role::Secadmin, "secadmin"),
            (Role::Auditor, "auditor"),
        ]
    } {
        if server::bootstrap::create_admin(&db, role, username, "管理员", ADMIN_PASSWORD, "区团委")
            .await
            .is_err()
        {
            // demo mode already made them
        }
    }
    tokio::spawn(app.run_until_stopped());
    Some(TestApp {
        cleanup: cleanup.map(Arc::new),
        database_url: url,
        addr,
        db,
        state,
        client: client(),
    })
}

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A new browser-like session on the same app (its own cookies).
    pub fn session(&self) -> TestApp {
        TestApp {
            cleanup: self.cleanup.clone(),
            database_url: self.database_url.clone(),
            addr: self.addr,
            db: self.db.clone(),
            state: self.state.clone(),
            client: client(),
        }
    }

    /// Another handle on this session (the same cookies).
    pub fn same_session(&self) -> TestApp {
        TestApp {
            cleanup: self.cleanup.clone(),
            database_url: self.database_url.clone(),
            addr: self.addr,
            db: self.db.clone(),
            state: self.state.clone(),
            client: self.client.clone(),
        }
    }

    /// Calls a server function as an API client: form-encoded in, JSON out.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(endpoint))
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// Submits a form the way a browser without JavaScript does.
    pub async fn submit(&self, page: &str, endpoint: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(endpoint))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, self.url(page))
            .header(header::ORIGIN, self.url(""))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn page(&self, path: &str) -> String {
        let res = self.get(path).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        res.text().await.unwrap()
    }

    pub async fn login(&self, login: &str, password: &str) -> Response {
        self.call("/api/login", &[("login", login), ("password", password)])
            .await
    }

    pub async fn login_as_admin(&self) {
        let res = self.login("admin", ADMIN_PASSWORD).await;
        assert!(
            res.status().is_success(),
            "admin signs in: {}",
            res.status()
        );
    }

    /// Creates an organisation under `parent` as the signed-in admin; returns its id.
    pub async fn create_org(&self, name: &str, kind: &str, parent: i64) -> i64 {
        let rid = uuid::Uuid::new_v4().to_string();
        let res = self
            .call(
                "/api/orgs/create",
                &[
                    ("request_id", &rid),
                    ("name", name),
                    ("kind", kind),
                    ("parent_id", &parent.to_string()),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "create org {name}");
        res.json::<i64>().await.unwrap()
    }

    /// Creates an account as the signed-in admin; returns its id.
    pub async fn create_account(
        &self,
        username: &str,
        role: &str,
        org: i64,
        password: &str,
    ) -> i64 {
        let rid = uuid::Uuid::new_v4().to_string();
        let post = if role == "cadre" { "full_time" } else { "" };
        let res = self
            .call(
                "/api/users/create",
                &[
                    ("request_id", &rid),
                    ("name", "测试用户"),
                    ("username", username),
                    ("phone", ""),
                    ("role", role),
                    ("org_id", &org.to_string()),
                    ("post", post),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "create account {username}");
        res.json::<i64>().await.unwrap()
    }

    /// The root organisation's id.
    pub async fn root_org(&self) -> i64 {
        let orgs = self.orgs().await;
        orgs[0]["id"].as_i64().unwrap()
    }

    pub async fn orgs(&self) -> Vec<Value> {
        let res = self.call("/api/orgs/list", &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<Vec<Value>>().await.unwrap()
    }

    pub async fn count(&self, table: &str) -> i64 {
        use sea_orm::{FromQueryResult, Statement};
        #[derive(FromQueryResult)]
        struct Count {
            n: i64,
        }
        let backend = self.db.get_database_backend();
        Count::find_by_statement(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .one(&self.db)
        .await
        .expect("count query")
        .expect("a count row")
        .n
    }
}

/// The JSON error body of a failed server function call.
pub async fn error_of(res: Response) -> Value {
    res.json::<Value>().await.expect("a JSON error body")
}

/// The message on `field` in an `Invalid` error body.
pub fn field_error<'a>(err: &'a Value, field: &str) -> Option<&'a Value> {
    err["Invalid"]["fields"]
        .as_array()?
        .iter()
        .find(|f| f["field"] == field)
}

/// The code an authenticator app shows for `account_id`'s factor (being set up or confirmed),
/// `steps` time steps from now (−1: the code of the 30 seconds before). Computed with totp-rs
/// from the secret in the database, as the app on a phone does from the scanned secret.
pub async fn totp_code(db: &DatabaseConnection, account_id: i64, steps: i64) -> String {
    use app::model::entities::totp_factor;
    use sea_orm::EntityTrait;
    let factor = totp_factor::Entity::find_by_id(account_id)
        .one(db)
        .await
        .expect("a query")
        .expect("a factor");
    totp_for(&factor.secret, steps)
}

/// The code of a Base32 secret `steps` time steps from now.
pub fn totp_for(secret: &str, steps: i64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .expect("a Base32 secret");
    let totp = totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 0, 30, bytes);
    let now = chrono::Utc::now().timestamp();
    totp.generate(u64::try_from(now + steps * 30).expect("after 1970"))
}

/// Waits, if need be, until a fresh 30-second step has begun, so that the next `margin` seconds
/// stay in one step (a test about steps must not cross into the next unawares).
pub async fn early_in_a_step(margin: i64) {
    let into = chrono::Utc::now().timestamp().rem_euclid(30);
    if into > 30 - margin {
        tokio::time::sleep(std::time::Duration::from_millis(
            u64::try_from((30 - into) * 1000 + 200).unwrap_or(0),
        ))
        .await;
    }
}
