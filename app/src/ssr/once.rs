//! Creating a record exactly once per client-generated request id, however often the form is
//! sent. The first send records the id with a fingerprint of its payload, in the same transaction
//! as the record itself: a resend answers with the first record, and the same id sent with another
//! payload (or by someone else, or to another endpoint) is refused, never silently answered with
//! a record the sender did not ask for.
//!
//! ```ignore
//! let once = once::Request::new(&auth, "contacts/create", &mut v, &form);
//! if let Some(id) = once.earlier().await? { return Ok(id) }
//! // … validate …
//! match once.insert(record, |m| m.id, "contact", details).await? { … }
//! ```
//! (or `once.begin()` … `once::finish(txn, …)` around several inserts.)

use super::guard::Authorised;
use super::validate::echo;
use crate::error::AppError;
use crate::model::entities::idempotency_key;
use sea_orm::{
    sea_query::OnConflict, ActiveModelBehavior, ActiveModelTrait, ActiveValue::Set, ColumnTrait,
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, IntoActiveModel,
    QueryFilter, TransactionTrait,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The fingerprint of a form: every field but the request id and passwords (a password's hash
/// would be a fast one, kept in the database).
pub fn fingerprint(form: &impl Serialize) -> String {
    let mut h = Sha256::new();
    for (k, v) in echo(form) {
        if k == "request_id" {
            continue;
        }
        h.update(k.as_bytes());
        h.update([0]);
        h.update(v.trim().as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// One create request, by its request id.
pub struct Request<'a> {
    auth: &'a Authorised,
    endpoint: &'static str,
    pub uuid: Uuid,
    hash: String,
    /// The request id was malformed (the validator has said so): nothing to look up.
    invalid: bool,
}

/// A unique index refused the record: an "only one" rule met by a parallel request.
#[derive(Debug)]
pub struct Conflict;

impl<'a> Request<'a> {
    /// Reads the form's request id (a malformed one fails `request_id` in `v`).
    pub fn new(
        auth: &'a Authorised,
        endpoint: &'static str,
        v: &mut super::validate::Validator,
        form: &(impl Serialize + HasRequestId),
    ) -> Self {
        let uuid = v.request_id(form.request_id());
        Request {
            auth,
            endpoint,
            uuid,
            hash: fingerprint(form),
            invalid: v.has("request_id"),
        }
    }

    /// The record an earlier send of this very request created, if any.
    ///
    /// # Errors
    /// `Invalid` (`request_reused`) for the id used otherwise; a database error.
    pub async fn earlier(&self) -> Result<Option<i64>, AppError> {
        if self.invalid {
            return Ok(None);
        }
        match idempotency_key::Entity::find_by_id(self.uuid)
            .one(self.auth.db())
            .await?
        {
            Some(key) => judge(&key, self.auth, self.endpoint, &self.hash),
            None => Ok(None),
        }
    }

    /// When validation failed: an earlier send of this very request may be the reason (its
    /// visit day now takes the date, its username is now taken), and then its record is the
    /// answer.
    ///
    /// # Errors
    /// As [`Request::earlier`].
    pub async fn settled(&self, v: &super::validate::Validator) -> Result<Option<i64>, AppError> {
        if v.is_empty() {
            return Ok(None);
        }
        self.earlier().await
    }

    /// Takes the request id inside a new transaction (see [`begin`]).
    ///
    /// # Errors
    /// As [`Request::earlier`].
    pub async fn begin(&self) -> Result<Begun, AppError> {
        begin(
            self.auth.db(),
            self.auth,
            self.endpoint,
            self.uuid,
            &self.hash,
        )
        .await
    }

    /// The request id to take inside a writer's job (see [`Key`]).
    pub fn key(&self) -> Key {
        Key {
            uuid: self.uuid,
            actor_id: self.auth.viewer.id,
            locale: self.auth.viewer.locale,
            endpoint: self.endpoint,
            hash: self.hash.clone(),
        }
    }

    /// Inserts one record for this request, with its audit entry, exactly once.
    ///
    /// # Errors
    /// As [`Request::earlier`]; a database error.
    pub async fn insert<A>(
        &self,
        record: A,
        id_of: fn(&<A::Entity as EntityTrait>::Model) -> i64,
        entity: &str,
        details: String,
    ) -> Result<Result<i64, Conflict>, AppError>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    {
        let txn = match self.begin().await? {
            Begun::Earlier(id) => return Ok(Ok(id)),
            Begun::Fresh(txn) => txn,
        };
        let id = match record.insert(&txn).await {
            Ok(m) => id_of(&m),
            Err(e) if is_unique_violation(&e) => {
                txn.rollback().await?;
                return Ok(Err(Conflict));
            }
            Err(e) => return Err(e.into()),
        };
        self.auth
            .audit(&txn, "create", entity, Some(id), details)
            .await?;
        finish(txn, self.uuid, id).await?;
        Ok(Ok(id))
    }
}

/// A request id, owned, for a job of the instance's [`writer`](super::writer): the job runs on
/// the writer's thread, outside the request.
#[derive(Clone, Debug)]
pub struct Key {
    pub uuid: Uuid,
    actor_id: i64,
    locale: crate::i18n::Locale,
    endpoint: &'static str,
    hash: String,
}

impl Key {
    /// Takes the request id in `txn` for the record `entity_id` just created: `None` when
    /// this is the id's first use, else the record an earlier send of the very same request
    /// created (the caller then undoes its own).
    ///
    /// Taken after the record, so that a first send (the common case) costs one statement.
    ///
    /// # Errors
    /// `Invalid` (`request_reused`) for the id used otherwise; a database error.
    pub async fn claim(
        &self,
        txn: &impl ConnectionTrait,
        entity_id: i64,
    ) -> Result<Option<i64>, AppError> {
        if take(
            txn,
            self.actor_id,
            self.endpoint,
            self.uuid,
            &self.hash,
            Some(entity_id),
        )
        .await?
        {
            return Ok(None);
        }
        self.earlier(txn).await.map(Some)
    }

    /// The record an earlier send of this request created, read in `txn`.
    ///
    /// # Errors
    /// `Invalid` (`request_reused`) when the id is not this request's (or records nothing);
    /// a database error.
    pub async fn earlier(&self, txn: &impl ConnectionTrait) -> Result<i64, AppError> {
        let key = idempotency_key::Entity::find_by_id(self.uuid)
            .one(txn)
            .await?;
        match key {
            Some(key) => judge_by(&key, self.actor_id, self.locale, self.endpoint, &self.hash)?,
            None => None,
        }
        .ok_or_else(|| reused_in(self.locale))
    }
}

/// Forms that carry a request id. Each area declares its own forms with [`has_request_id`].
pub trait HasRequestId {
    fn request_id(&self) -> &str;
}

/// Implements [`HasRequestId`] for forms with a `request_id` field.
macro_rules! has_request_id {
    ($($form:ty),* $(,)?) => {$(
        impl $crate::ssr::once::HasRequestId for $form {
            fn request_id(&self) -> &str {
                &self.request_id
            }
        }
    )*};
}
pub(crate) use has_request_id;

/// What an earlier send of the same request id means for this one.
fn judge(
    key: &idempotency_key::Model,
    auth: &Authorised,
    endpoint: &str,
    hash: &str,
) -> Result<Option<i64>, AppError> {
    judge_by(key, auth.viewer.id, auth.viewer.locale, endpoint, hash)
}

fn judge_by(
    key: &idempotency_key::Model,
    actor_id: i64,
    locale: crate::i18n::Locale,
    endpoint: &str,
    hash: &str,
) -> Result<Option<i64>, AppError> {
    if key.actor_id == actor_id && key.endpoint == endpoint && key.payload_hash == hash {
        Ok(key.entity_id)
    } else {
        Err(reused_in(locale))
    }
}

/// The 422 for a request id already used for something else.
pub fn reused(auth: &Authorised) -> AppError {
    reused_in(auth.viewer.locale)
}

fn reused_in(locale: crate::i18n::Locale) -> AppError {
    let mut v = super::validate::Validator::new(locale);
    let t = v.t();
    v.fail("request_id", "request_reused", t.err_request_reused);
    match v.finish(&()) {
        Err(e) => e,
        Ok(()) => AppError::Internal,
    }
}

pub enum Begun {
    /// A concurrent send of the same request got there first: its record.
    Earlier(i64),
    /// The transaction to create the record in; the request id is taken inside it.
    Fresh(DatabaseTransaction),
}

/// Takes the request id inside a new transaction. A concurrent send with the same id waits here
/// until the first one commits (or rolls back), then answers with its record.
///
/// # Errors
/// As [`earlier`].
async fn begin(
    db: &DatabaseConnection,
    auth: &Authorised,
    endpoint: &str,
    uuid: Uuid,
    hash: &str,
) -> Result<Begun, AppError> {
    let txn = db.begin().await?;
    if take(&txn, auth.viewer.id, endpoint, uuid, hash, None).await? {
        return Ok(Begun::Fresh(txn));
    }
    txn.rollback().await?;
    let key = idempotency_key::Entity::find_by_id(uuid)
        .one(db)
        .await?
        .ok_or(AppError::Internal)?;
    match judge(&key, auth, endpoint, hash)? {
        Some(id) => Ok(Begun::Earlier(id)),
        // The first send is still open (cannot happen once it committed): treat as a reuse.
        None => Err(reused(auth)),
    }
}

/// Inserts the request id unless it is there: whether it was not.
async fn take(
    txn: &impl ConnectionTrait,
    actor_id: i64,
    endpoint: &str,
    uuid: Uuid,
    hash: &str,
    entity_id: Option<i64>,
) -> Result<bool, AppError> {
    let taken = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
        id: Set(uuid),
        actor_id: Set(actor_id),
        endpoint: Set(endpoint.to_owned()),
        payload_hash: Set(hash.to_owned()),
        entity_id: Set(entity_id),
        created_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::column(idempotency_key::Column::Id)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(taken == 1)
}

/// Records which record the request created, and commits.
///
/// # Errors
/// A database error.
pub async fn finish(txn: DatabaseTransaction, uuid: Uuid, entity_id: i64) -> Result<(), AppError> {
    settle(&txn, uuid, entity_id).await?;
    txn.commit().await?;
    Ok(())
}

async fn settle(txn: &impl ConnectionTrait, uuid: Uuid, entity_id: i64) -> Result<(), AppError> {
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::EntityId,
            sea_orm::sea_query::Expr::value(entity_id),
        )
        .filter(idempotency_key::Column::Id.eq(uuid))
        .exec(txn)
        .await?;
    Ok(())
}

/// True when a database error is a unique index refusing a second row: the "only one" rules
/// (one visit day per date, one open pairing, one username) answer it with the same message as
/// the check before the insert.
pub fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Form {
        request_id: String,
        name: String,
        password: String,
    }

    #[test]
    fn the_fingerprint_ignores_the_request_id_and_passwords() {
        let a = Form {
            request_id: "1".into(),
            name: "张三".into(),
            password: "x".into(),
        };
        let b = Form {
            request_id: "2".into(),
            name: "张三".into(),
            password: "y".into(),
        };
        let c = Form {
            request_id: "1".into(),
            name: "李四".into(),
            password: "x".into(),
        };
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
    }
}
