//! The instance's writer: writes queue here and run one after another on the writer's own
//! connection, as many as are waiting in one transaction ("group commit").
//!
//! Why: on SQLite only one connection writes at a time. Left to the pool, every request's
//! transaction takes the write lock for as long as its statements take *plus* every wait for the
//! async runtime to poll it again between them, while the others sleep in SQLite's busy handler
//! and wake late. Here the lock has one owner, on a thread of its own that nothing else keeps
//! busy; a transaction's fixed cost (taking the lock, writing the WAL pages at commit) is paid
//! once for everything that queued meanwhile, and the busier the instance, the more each commit
//! carries. On PostgreSQL the same queue keeps the audit chain's head locked once per batch, not
//! once per request.
//!
//! What a write keeps: the batch commits only when every job in it asked to keep its changes.
//! When one fails (or asks to undo, see [`Kept::Undo`], or panics), the batch is rolled back and
//! each of its jobs runs again alone, in a transaction of its own: the others are kept, and the
//! one that failed answers with its error. (That is why a job is `Fn`: it may run twice, and
//! only the last run counts. No savepoints: a job costs its own statements, nothing more, in the
//! common case where all succeed.) Nobody hears "done" before the transaction that holds their
//! change has committed. A job sees only its transaction: it carries what it needs (it runs
//! on another thread, outside the request's context). Its audit rows ([`Txn::audit`]) are
//! chained at the end of the batch, all in three statements, in the same transaction: they stand
//! or fall with the changes they record, and on PostgreSQL the chain's head is locked only from
//! there to the commit.
//!
//! ```ignore
//! let id = auth.state.writer.write(move |txn| async move {
//!     let saved = record.insert(&*txn).await?;
//!     txn.audit(actor.row("create", "contact", Some(saved.id), String::new()));
//!     Ok(Kept::Commit(saved.id))
//! }).await?;
//! ```

use super::audit;
use crate::error::AppError;
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, TransactionTrait,
};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// Most writes committed together: a failed commit fails no more than these.
const BATCH: usize = 128;
/// Writes that may wait for the writer before senders wait to queue.
const QUEUE: usize = 4096;

/// What a write decided.
pub enum Kept<R> {
    /// Keep the changes; answer `R` once they are committed.
    Commit(R),
    /// Undo whatever the job changed and answer `R` (an earlier send of the same request was
    /// found after the job had started).
    Undo(R),
}

/// A job's transaction (the batch's, as `&*txn`), and what it leaves for the batch's end.
pub struct Txn {
    conn: Arc<DatabaseTransaction>,
    tail: Arc<Mutex<Vec<audit::Row>>>,
}

impl std::ops::Deref for Txn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.conn
    }
}

impl Txn {
    /// Records `row` in the audit trail, in this transaction (chained when the batch ends).
    pub fn audit(&self, row: audit::Row) {
        if let Ok(mut tail) = self.tail.lock() {
            tail.push(row);
        }
    }
}

/// A queued write: run (again, when its batch is retried one by one), then answered.
trait Queued: Send {
    /// Runs the job in `txn`; whether it asks to keep its changes. Its result is kept for
    /// [`Queued::answer`].
    fn run(&mut self, txn: Txn) -> Pin<Box<dyn Future<Output = bool> + Send>>;
    /// Answers with the last run's result; `settled`: its transaction ended as the job asked
    /// (committed when it asked to keep its changes).
    fn answer(self: Box<Self>, settled: bool);
}

type Slot<R> = Arc<Mutex<Option<Result<Kept<R>, AppError>>>>;

struct Write<R, F> {
    job: Arc<F>,
    result: Slot<R>,
    answer: oneshot::Sender<Result<R, AppError>>,
}

impl<R, F, Fut> Queued for Write<R, F>
where
    R: Send + 'static,
    F: Fn(Txn) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Kept<R>, AppError>> + Send + 'static,
{
    fn run(&mut self, txn: Txn) -> Pin<Box<dyn Future<Output = bool> + Send>> {
        let (job, slot) = (Arc::clone(&self.job), Arc::clone(&self.result));
        Box::pin(async move {
            let result = job(txn).await;
            let keep = matches!(result, Ok(Kept::Commit(_)));
            if let Ok(mut slot) = slot.lock() {
                *slot = Some(result);
            }
            keep
        })
    }

    fn answer(self: Box<Self>, settled: bool) {
        let result = self.result.lock().ok().and_then(|mut r| r.take());
        let _ = self.answer.send(match result {
            Some(Ok(Kept::Commit(r) | Kept::Undo(r))) if settled => Ok(r),
            Some(Err(e)) => Err(e),
            _ => Err(AppError::Internal),
        });
    }
}

type Job = Box<dyn Queued>;

/// The handle requests queue their writes on. Cloning shares the one writer.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

impl Writer {
    /// Opens the writer's connection (one) on a thread of its own and starts taking writes.
    /// The thread ends when the last handle is dropped.
    ///
    /// # Errors
    /// The database cannot be reached.
    pub async fn start(mut opts: ConnectOptions) -> Result<Writer, sea_orm::DbErr> {
        opts.max_connections(1).min_connections(1);
        let (jobs, queue) = mpsc::channel::<Job>(QUEUE);
        let (opened, is_open) = oneshot::channel();
        std::thread::Builder::new()
            .name("liaison-writer".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = opened.send(Err(sea_orm::DbErr::Custom(e.to_string())));
                        return;
                    }
                };
                rt.block_on(async move {
                    match Database::connect(opts).await {
                        Ok(db) => {
                            let _ = opened.send(Ok(()));
                            serve(db, queue).await;
                        }
                        Err(e) => {
                            let _ = opened.send(Err(e));
                        }
                    }
                });
            })
            .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
        is_open
            .await
            .map_err(|_| sea_orm::DbErr::Custom("the writer did not start".into()))??;
        Ok(Writer { jobs })
    }

    /// Runs `job` in the writer's transaction and answers once it is committed (or has failed).
    ///
    /// # Errors
    /// The job's error; `Internal` when its transaction could not be committed.
    pub async fn write<R, F, Fut>(&self, job: F) -> Result<R, AppError>
    where
        R: Send + 'static,
        F: Fn(Txn) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Kept<R>, AppError>> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel::<Result<R, AppError>>();
        let job: Job = Box::new(Write {
            job: Arc::new(job),
            result: Arc::default(),
            answer,
        });
        self.jobs.send(job).await.map_err(|_| {
            tracing::error!("the writer has stopped");
            AppError::Internal
        })?;
        // A job dropped unanswered is a failure.
        answered.await.unwrap_or(Err(AppError::Internal))
    }
}

/// Takes what is waiting, up to [`BATCH`], and commits it together.
async fn serve(db: DatabaseConnection, mut queue: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(BATCH);
    while queue.recv_many(&mut jobs, BATCH).await > 0 {
        let mut batch = std::mem::take(&mut jobs);
        if together(&db, &mut batch).await {
            for job in batch {
                job.answer(true);
            }
        } else {
            // One of them failed: each alone, so that it fails alone.
            for mut job in batch {
                let settled = alone(&db, job.as_mut()).await;
                job.answer(settled);
            }
        }
    }
}

/// Runs `jobs` in one transaction and commits it: whether all asked to keep their changes and
/// the commit held. Otherwise nothing is kept.
async fn together(db: &DatabaseConnection, jobs: &mut [Job]) -> bool {
    let txn = match db.begin().await {
        Ok(txn) => Arc::new(txn),
        Err(e) => {
            tracing::error!(error = %e, writes = jobs.len(), "a batch of writes could not begin");
            return false;
        }
    };
    let tail: Arc<Mutex<Vec<audit::Row>>> = Arc::default();
    for job in jobs.iter_mut() {
        if !run(job.as_mut(), &txn, &tail).await {
            if let Ok(txn) = Arc::try_unwrap(txn) {
                if let Err(e) = txn.rollback().await {
                    tracing::error!(error = %e, "a batch of writes could not be rolled back");
                }
            }
            return false;
        }
    }
    finish(txn, &tail, jobs.len()).await
}

/// Runs one job in a transaction of its own: whether it ended as the job asked.
async fn alone(db: &DatabaseConnection, job: &mut dyn Queued) -> bool {
    let txn = match db.begin().await {
        Ok(txn) => Arc::new(txn),
        Err(e) => {
            tracing::error!(error = %e, "a write could not begin");
            return false;
        }
    };
    let tail: Arc<Mutex<Vec<audit::Row>>> = Arc::default();
    if run(job, &txn, &tail).await {
        return finish(txn, &tail, 1).await;
    }
    // It asked to undo, or failed: it answers with that.
    match Arc::try_unwrap(txn) {
        Ok(txn) => txn.rollback().await.is_ok(),
        Err(_) => false,
    }
}

/// One run of `job` in `txn`: whether it asks to keep its changes.
async fn run(
    job: &mut dyn Queued,
    txn: &Arc<DatabaseTransaction>,
    tail: &Arc<Mutex<Vec<audit::Row>>>,
) -> bool {
    let handle = Txn {
        conn: Arc::clone(txn),
        tail: Arc::clone(tail),
    };
    // Its own task, so that a panic fails this job alone.
    match tokio::spawn(job.run(handle)).await {
        Ok(keep) => keep,
        Err(e) => {
            tracing::error!(error = %e, "a write panicked");
            false
        }
    }
}

/// Chains the audit rows the jobs left and commits.
async fn finish(
    txn: Arc<DatabaseTransaction>,
    tail: &Arc<Mutex<Vec<audit::Row>>>,
    writes: usize,
) -> bool {
    let Ok(txn) = Arc::try_unwrap(txn) else {
        tracing::error!("a write kept its transaction past its end");
        return false;
    };
    let Ok(rows) = tail.lock().map(|mut t| std::mem::take(&mut *t)) else {
        return false;
    };
    if let Err(e) = audit::append(&txn, rows).await {
        tracing::error!(error = ?e, writes, "the audit rows of a batch could not be appended");
        return false;
    }
    match txn.commit().await {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(error = %e, writes, "a batch of writes failed to commit");
            false
        }
    }
}
