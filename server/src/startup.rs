//! Building and running the HTTP application.

use crate::config::ServeArgs;
use crate::{api, assets, db, demo, security};
use app::ssr::{session, AppState, Settings};
use app::{shell, App};
use axum::{
    extract::State, http::StatusCode, middleware, response::IntoResponse, routing::get, Router,
};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub struct Application {
    listener: TcpListener,
    router: Router,
    pub state: AppState,
    tick_every: Option<std::time::Duration>,
    nightly: Option<crate::backup::nightly::Nightly>,
}

impl Application {
    /// Connects, migrates, loads demo data when asked, and binds the listener (port 0 picks one).
    ///
    /// # Errors
    /// The database cannot be opened or migrated, or the address cannot be bound.
    pub async fn build(args: ServeArgs) -> anyhow::Result<Self> {
        let db = db::connect(&args.database).await?;
        db::migrate(&db).await?;
        let writer = db::writer(&args.database).await?;
        if args.demo {
            demo::load_if_empty(&db).await?;
        }
        let listener = TcpListener::bind(args.listen).await?;
        let addr = listener.local_addr()?;
        let assets = assets::Assets::find(&args.site_root);
        // Read and compressed once: the pages name it by its content, the worker loads it.
        let outbox_script = crate::outbox::script(&args.site_root);
        let outbox_href = outbox_script.href(app::components::outbox::SCRIPT_PATH);
        let mut leptos_options = LeptosOptions::builder()
            .output_name("liaison")
            .site_root(args.site_root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();
        if let Some(hash_file) = &assets.hash_file {
            leptos_options.hash_files = true;
            leptos_options.hash_file = hash_file.to_string_lossy().to_string().into();
        }
        let host = crate::scheduler::host_name();
        let state = AppState {
            leptos_options,
            db,
            writer,
            cache: Arc::default(),
            settings: Arc::new(Settings {
                secure_cookies: args.secure_cookies,
                demo: args.demo,
                trust_proxy: args.trust_proxy,
                proxy_hops: args.proxy_hops,
                session_days: args.session_days,
                css_href: assets.css_href,
                pkg_files: assets.pkg_files,
                outbox_href,
                public_url: args.mail.public_url.trim_end_matches('/').to_owned(),
                mailer: args.mail.mailer()?,
                instance: crate::scheduler::instance_name(&host),
                host,
                export_dir: args.export_dir.clone(),
                jobs: Arc::default(),
                pdf_font: args.pdf_font.clone(),
                pdf_font_index: args.pdf_font_index,
                parsers: Arc::new(tokio::sync::Semaphore::new(args.upload_parsers.max(1))),
            }),
            metrics: Arc::default(),
        };
        let router = router(state.clone(), &outbox_script);
        let nightly = args
            .backup_dir
            .clone()
            .map(|dir| crate::backup::nightly::Nightly {
                dir,
                keep: usize::try_from(args.backup_keep).unwrap_or(usize::MAX),
                database_url: args.database.url.clone(),
                instance: state.settings.instance.clone(),
            });
        Ok(Application {
            nightly,
            listener,
            router,
            state,
            tick_every: (args.tick_seconds > 0)
                .then(|| std::time::Duration::from_secs(args.tick_seconds)),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound listener has an address")
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// Serves until SIGTERM or Ctrl-C, then lets requests in flight finish.
    ///
    /// # Errors
    /// The server failed.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        tracing::info!(addr = %self.local_addr(), "listening");
        let worker =
            crate::exports::spawn_worker(self.state.clone(), std::time::Duration::from_secs(5));
        let housekeeping = crate::exports::spawn_housekeeping(
            self.state.clone(),
            std::time::Duration::from_secs(600),
        );
        let scheduler = self.tick_every.map(|every| {
            tracing::info!(
                instance = %self.state.settings.instance,
                every_s = every.as_secs(),
                email = self.state.settings.mailer.is_some(),
                "reminder scheduler on"
            );
            crate::scheduler::spawn(
                self.state.db.clone(),
                app::reminders::service::env_of(&self.state),
                every,
            )
        });
        let backups = self.nightly.clone().map(|nightly| {
            tracing::info!(
                dir = %nightly.dir.display(),
                keep = nightly.keep,
                "nightly backup at 02:00 Asia/Shanghai on"
            );
            crate::backup::nightly::spawn(self.state.db.clone(), nightly)
        });
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await?;
        if let Some(s) = scheduler {
            s.abort();
        }
        if let Some(b) = backups {
            b.abort();
        }
        worker.abort();
        housekeeping.abort();
        tracing::info!("stopped");
        Ok(())
    }
}

pub fn router(state: AppState, outbox_script: &assets::Packed) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let site_root = std::path::Path::new(state.leptos_options.site_root.as_ref());
    let pkg_dir = site_root.join("pkg");
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/cal/{file}", get(crate::feed::calendar))
        .route("/settings/email/confirm", get(crate::email::confirm))
        .route("/exports/{id}/download", get(crate::exports::download))
        .route("/audit/export.csv", get(crate::audit::export_csv))
        .route("/pi-requests/{id}/copy", get(crate::pirequests::copy))
        .route(
            crate::api::UPLOAD_PATH,
            axum::routing::post(crate::imports::dry_run).layer(
                axum::extract::DefaultBodyLimit::max(crate::api::UPLOAD_LIMIT),
            ),
        )
        .route("/import/{file}", get(crate::imports::template))
        .route("/api/{*fn_name}", get(api::unknown).post(api::unknown))
        .nest_service("/pkg", assets::static_files(&pkg_dir))
        .route_service(
            "/favicon.svg",
            assets::site_file(site_root, "favicon.svg", assets::WEEK),
        )
        .route_service(
            "/manifest.webmanifest",
            assets::site_file(site_root, "manifest.webmanifest", assets::REVALIDATE),
        )
        .route_service(
            app::components::outbox::SCRIPT_PATH,
            outbox_script.clone().router(),
        )
        .nest_service("/icons", assets::static_files(&site_root.join("icons")))
        .route_service(
            app::components::outbox::WORKER_PATH,
            crate::outbox::worker(site_root, &state.settings.pkg_files, outbox_script),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(middleware::from_fn_with_state(state.clone(), api::edge))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::middleware,
        ))
        .layer(middleware::from_fn(security::csrf_guard))
        .layer(middleware::from_fn(security::security_headers))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(crate::feed::redacted_span))
        .with_state(state);
    // The outbox's replay sends each record through `app` itself, with every layer above.
    Router::new()
        .route(
            app::components::outbox::REPLAY_PATH,
            axum::routing::post(crate::outbox::replay),
        )
        .with_state(app.clone())
        .layer(middleware::from_fn(security::csrf_guard))
        .layer(middleware::from_fn(security::security_headers))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(crate::feed::redacted_span))
        .merge(app)
}

/// 200 when the database answers.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.execute_unprepared("SELECT 1").await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
