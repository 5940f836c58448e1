//! The reminder scheduler: every app instance ticks about once a minute. Ticks in several
//! instances at once are safe (see `app::reminders::scheduler`): each reminder is made once and
//! each email sent once.

use app::reminders::scheduler::{tick, TickEnv};
use chrono::Utc;
use sea_orm::DatabaseConnection;
use std::time::Duration;

/// This host's name, for the health page.
pub fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.trim().is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
        })
        .unwrap_or_else(|| "localhost".to_owned())
}

/// A name for this process among the instances sharing the database.
pub fn instance_name(host: &str) -> String {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}:{}:{}", std::process::id(), &tag[..6])
}

/// Ticks every `every` until the process ends. A failed tick is logged (and recorded for the
/// health page); the next one catches up what it missed the same day.
pub fn spawn(db: DatabaseConnection, env: TickEnv, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The day whose compliance facts this instance has read and kept (see
        // `app::compliance::kept`): once a day, so supervisors' first views are quick.
        let mut warmed = None;
        // The day this instance last tried the retention sweep (one instance sweeps a day).
        let mut swept = None;
        loop {
            interval.tick().await;
            let today = app::ssr::today();
            if swept != Some(today) {
                swept = Some(today);
                match app::privacy::service::sweep(&db, today, &env.instance).await {
                    Ok(app::privacy::service::Sweep::Done { anonymised }) => {
                        tracing::info!(anonymised, "retention sweep");
                    }
                    Ok(app::privacy::service::Sweep::Claimed) => {}
                    Err(e) => tracing::warn!(error = ?e, "retention sweep failed"),
                }
            }
            if warmed != Some(today) {
                let started = std::time::Instant::now();
                match app::compliance::kept::warm(&db, today).await {
                    Ok(()) => {
                        warmed = Some(today);
                        tracing::info!(
                            ms = started.elapsed().as_millis(),
                            "compliance facts kept for the day"
                        );
                    }
                    Err(e) => tracing::warn!(error = ?e, "compliance facts not kept"),
                }
            }
            match tick(&db, &env, Utc::now()).await {
                Ok(r) if r.made + r.sent + r.failed > 0 => {
                    tracing::info!(
                        made = r.made,
                        sent = r.sent,
                        failed = r.failed,
                        "reminder tick"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = ?e, "reminder tick failed"),
            }
        }
    })
}
