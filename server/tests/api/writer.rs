//! The instance's writer (group commit): what one write does to the others queued with it.

use crate::db_test;
use crate::helpers::TestApp;
use app::error::AppError;
use app::model::entities::rate_limit;
use app::ssr::writer::Kept;
use sea_orm::{EntityTrait, Set};

/// A row only this test writes, to see afterwards what was kept.
fn row(key: &str) -> rate_limit::ActiveModel {
    rate_limit::ActiveModel {
        key: Set(format!("writer-test:{key}")),
        count: Set(1),
        expires_at: Set(chrono::Utc::now()),
    }
}

async fn kept(app: &TestApp, key: &str) -> bool {
    rate_limit::Entity::find_by_id(format!("writer-test:{key}"))
        .one(&app.db)
        .await
        .expect("the table reads")
        .is_some()
}

async fn a_failed_write_is_undone_and_the_others_queued_with_it_are_kept(app: TestApp) {
    let w = &app.state.writer;
    // Sent together, so that they queue together (and mostly share a transaction).
    let (ok1, failed, undone, panicked, ok2) = tokio::join!(
        w.write(|txn| async move {
            rate_limit::Entity::insert(row("ok1")).exec(&*txn).await?;
            Ok(Kept::Commit(1))
        }),
        w.write(|txn| async move {
            rate_limit::Entity::insert(row("failed"))
                .exec(&*txn)
                .await?;
            // The second insert of the same key fails: the first must go with it.
            rate_limit::Entity::insert(row("failed"))
                .exec(&*txn)
                .await?;
            Ok(Kept::Commit(2))
        }),
        w.write(|txn| async move {
            rate_limit::Entity::insert(row("undone"))
                .exec(&*txn)
                .await?;
            Ok(Kept::Undo(3))
        }),
        w.write(|txn| async move {
            rate_limit::Entity::insert(row("panicked"))
                .exec(&*txn)
                .await?;
            if std::hint::black_box(true) {
                panic!("a bug in a write");
            }
            Ok::<_, AppError>(Kept::Commit(4))
        }),
        w.write(|txn| async move {
            rate_limit::Entity::insert(row("ok2")).exec(&*txn).await?;
            Ok(Kept::Commit(5))
        }),
    );
    assert_eq!(ok1.ok(), Some(1));
    assert!(failed.is_err(), "the failed write answers with its error");
    assert_eq!(undone.ok(), Some(3), "an undone write still answers");
    assert!(matches!(panicked, Err(AppError::Internal)), "{panicked:?}");
    assert_eq!(ok2.ok(), Some(5));
    assert!(kept(&app, "ok1").await);
    assert!(kept(&app, "ok2").await);
    assert!(!kept(&app, "failed").await, "the failed write left nothing");
    assert!(!kept(&app, "undone").await, "the undone write left nothing");
    assert!(
        !kept(&app, "panicked").await,
        "the write that panicked left nothing"
    );
    // And the writer goes on.
    let after = w
        .write(|txn| async move {
            rate_limit::Entity::insert(row("after")).exec(&*txn).await?;
            Ok(Kept::Commit(6))
        })
        .await;
    assert_eq!(after.ok(), Some(6));
    assert!(kept(&app, "after").await);
}

async fn many_writes_at_once_are_all_committed_and_answered(app: TestApp) {
    let w = app.state.writer.clone();
    let writes = (0..300).map(|i| {
        let w = w.clone();
        tokio::spawn(async move {
            w.write(move |txn| async move {
                rate_limit::Entity::insert(row(&format!("many-{i}")))
                    .exec(&*txn)
                    .await?;
                Ok(Kept::Commit(i))
            })
            .await
        })
    });
    let mut answered = Vec::new();
    for w in writes {
        answered.push(w.await.expect("the task ran").expect("the write committed"));
    }
    assert_eq!(answered, (0..300).collect::<Vec<_>>());
    let rows = rate_limit::Entity::find()
        .all(&app.db)
        .await
        .expect("the table reads")
        .into_iter()
        .filter(|r| r.key.starts_with("writer-test:many-"))
        .count();
    assert_eq!(rows, 300);
}

db_test!(a_failed_write_is_undone_and_the_others_queued_with_it_are_kept);
db_test!(many_writes_at_once_are_all_committed_and_answered);
