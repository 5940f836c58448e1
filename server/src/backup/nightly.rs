//! The nightly backup of `serve --backup-dir`: every instance ticks once a minute; once 02:00 has
//! struck in Asia/Shanghai ([`super::due_night`]) each tries to claim the night in `backup_runs`
//! (`INSERT … ON CONFLICT DO NOTHING` on the night), and the one whose row went in makes the
//! backup, records how it went in its row, and deletes the oldest backups beyond the newest N.
//! A failure is logged and recorded, never raised: serving goes on.

use super::{due_night, make, stale_partial, to_prune, Made, MANIFEST_SUFFIX};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often an instance looks whether the night's backup is due.
pub const EVERY: Duration = Duration::from_secs(60);

/// A night's backup: who claimed it, and how it went.
pub mod backup_run {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "backup_runs")]
    pub struct Model {
        /// The Shanghai date of the night (its 02:00).
        #[sea_orm(primary_key, auto_increment = false)]
        pub night: Date,
        /// The instance that claimed it.
        pub instance: String,
        pub started_at: DateTimeUtc,
        pub finished_at: Option<DateTimeUtc>,
        /// The backup written, once written.
        pub file: Option<String>,
        /// Why no backup was written.
        pub error: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The nightly backup's settings in one instance.
#[derive(Clone, Debug)]
pub struct Nightly {
    pub dir: PathBuf,
    /// Backups kept in `dir` (at least 1).
    pub keep: usize,
    pub database_url: String,
    /// This instance, as it claims nights.
    pub instance: String,
}

/// What one tick did.
#[derive(Debug)]
pub enum Night {
    /// No night is due (before 02:00, or tonight's is known to be claimed).
    NotDue,
    /// Another instance claimed the night.
    Taken(NaiveDate),
    /// This instance made the night's backup, then deleted these old ones.
    Made {
        night: NaiveDate,
        made: Box<Made>,
        pruned: Vec<PathBuf>,
    },
    /// This instance claimed the night, but the backup failed (recorded in the row).
    Failed { night: NaiveDate, error: String },
}

/// Claims `night` for `instance`: true for the one claim that inserted the row, false for every
/// other, however many race.
///
/// # Errors
/// A database error.
pub async fn claim(
    db: &impl ConnectionTrait,
    night: NaiveDate,
    instance: &str,
) -> Result<bool, DbErr> {
    let inserted = backup_run::Entity::insert(backup_run::ActiveModel {
        night: Set(night),
        instance: Set(instance.to_owned()),
        started_at: Set(Utc::now()),
        finished_at: Set(None),
        file: Set(None),
        error: Set(None),
    })
    .on_conflict(
        OnConflict::column(backup_run::Column::Night)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted == 1)
}

/// One tick as if at `at`: claims the night due, if one is and `known` (the newest night this
/// instance knows to be claimed) is older; when the claim is won, makes the backup, records it
/// and prunes the directory.
///
/// # Errors
/// A database error while claiming or recording (a failed backup is no error: see
/// [`Night::Failed`]).
pub async fn tick(
    db: &DatabaseConnection,
    nightly: &Nightly,
    at: DateTime<Utc>,
    known: &mut Option<NaiveDate>,
) -> Result<Night, DbErr> {
    let Some(night) = due_night(at, *known) else {
        return Ok(Night::NotDue);
    };
    let won = claim(db, night, &nightly.instance).await?;
    *known = Some(night);
    if !won {
        return Ok(Night::Taken(night));
    }
    let made = make(db, &nightly.database_url, &nightly.dir).await;
    let (file, error) = match &made {
        Ok(m) => (Some(m.path.display().to_string()), None),
        Err(e) => (None, Some(format!("{e:#}"))),
    };
    backup_run::Entity::update_many()
        .set(backup_run::ActiveModel {
            finished_at: Set(Some(Utc::now())),
            file: Set(file),
            error: Set(error.clone()),
            ..Default::default()
        })
        .filter(backup_run::Column::Night.eq(night))
        .exec(db)
        .await?;
    Ok(match made {
        Ok(made) => {
            let pruned = prune(&nightly.dir, nightly.keep).unwrap_or_else(|e| {
                tracing::warn!(dir = %nightly.dir.display(), error = %e, "old backups not deleted");
                Vec::new()
            });
            Night::Made {
                night,
                made: Box::new(made),
                pruned,
            }
        }
        Err(_) => Night::Failed {
            night,
            error: error.unwrap_or_default(),
        },
    })
}

/// Deletes the backups in `dir` beyond the newest `keep` (at least one is kept), each with its
/// manifest, and the temporary files of backups that began over a day ago and never finished;
/// files this tool did not name are left alone. The backups deleted.
///
/// # Errors
/// The directory cannot be read.
pub fn prune(dir: &Path, keep: usize) -> std::io::Result<Vec<PathBuf>> {
    let names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    let now = Utc::now().naive_utc();
    for name in names.iter().filter(|n| stale_partial(n, now)) {
        // A backup that began over a day ago and never finished (its process was killed).
        let path = dir.join(name);
        if std::fs::remove_file(&path).is_ok() {
            tracing::info!(file = %path.display(), "unfinished old backup deleted");
        }
    }
    let mut deleted = Vec::new();
    for name in to_prune(names.iter().map(String::as_str), keep.max(1)) {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => {
                let _ = std::fs::remove_file(dir.join(format!("{name}{MANIFEST_SUFFIX}")));
                deleted.push(path);
            }
            Err(e) => tracing::warn!(file = %path.display(), error = %e, "old backup not deleted"),
        }
    }
    Ok(deleted)
}

/// Ticks every [`EVERY`] until the process ends.
pub fn spawn(db: DatabaseConnection, nightly: Nightly) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(EVERY);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut known = None;
        loop {
            interval.tick().await;
            match tick(&db, &nightly, Utc::now(), &mut known).await {
                Ok(Night::NotDue) => {}
                Ok(Night::Taken(night)) => {
                    tracing::info!(%night, "nightly backup made by another instance");
                }
                Ok(Night::Made {
                    night,
                    made,
                    pruned,
                }) => tracing::info!(
                    %night,
                    file = %made.path.display(),
                    bytes = made.manifest.bytes,
                    ms = made.manifest.took_ms,
                    deleted = pruned.len(),
                    "nightly backup written"
                ),
                Ok(Night::Failed { night, error }) => {
                    tracing::error!(%night, %error, "nightly backup failed");
                }
                Err(e) => {
                    tracing::warn!(error = %e, "nightly backup: the night could not be claimed or recorded")
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_deletes_the_oldest_backups_with_their_manifests_only() {
        let dir = std::env::temp_dir().join(format!("liaison-prune-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let names = [
            "liaison-20261201T180000Z.db",
            "liaison-20261202T180000Z.db",
            "liaison-20261203T180000Z.db",
        ];
        for n in names {
            std::fs::write(dir.join(n), b"db").unwrap();
            std::fs::write(dir.join(format!("{n}{MANIFEST_SUFFIX}")), b"{}").unwrap();
        }
        std::fs::write(dir.join("notes.txt"), b"mine").unwrap();
        // A backup killed while it was written, long ago.
        std::fs::write(dir.join(".liaison-20261101T180000Z.db.partial"), b"half").unwrap();
        let deleted = prune(&dir, 2).unwrap();
        assert_eq!(deleted, vec![dir.join(names[0])]);
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            vec![
                "liaison-20261202T180000Z.db",
                "liaison-20261202T180000Z.db.manifest.json",
                "liaison-20261203T180000Z.db",
                "liaison-20261203T180000Z.db.manifest.json",
                "notes.txt",
            ]
        );
        // Never the last one, whatever `keep` says.
        prune(&dir, 0).unwrap();
        assert!(dir.join(names[2]).exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
