//! The one error type of the application. It crosses the wire as JSON, so the same value reaches
//! an enhanced form (server-function client) and a plain HTML form (leptos' `__err` redirect).

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// A message about one form field, already in the user's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    /// A stable machine-readable code (`required`, `too_long`, …) for API clients and tests.
    pub code: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    #[error("sign in first")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Bad input: one message per field, and what the user typed (passwords excepted) so that a
    /// plain HTML form re-renders with its values after the redirect.
    #[error("invalid input")]
    Invalid {
        fields: Vec<FieldError>,
        input: Vec<(String, String)>,
    },
    #[error("too many attempts; retry in {retry_after_secs} s")]
    TooManyAttempts {
        retry_after_secs: u64,
        message: String,
    },
    /// A request that could not be read (a duplicated or malformed field, bytes that are not
    /// UTF-8): the message says so in the user's language, never the decoder's text.
    #[error("bad request")]
    BadRequest { message: String },
    /// A body over the size limit.
    #[error("request too large")]
    TooLarge { message: String },
    /// Something failed on the server. Details are logged, never sent.
    #[error("internal error")]
    Internal,
    /// The request did not reach the function (network, decoding).
    #[error("request failed: {0}")]
    Transport(String),
}

impl AppError {
    pub fn field(&self, name: &str) -> Option<&FieldError> {
        match self {
            AppError::Invalid { fields, .. } => fields.iter().find(|f| f.field == name),
            _ => None,
        }
    }

    /// What the user had typed into `name`, if this error carries it.
    pub fn input(&self, name: &str) -> Option<&str> {
        match self {
            AppError::Invalid { input, .. } => input
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str()),
            _ => None,
        }
    }

    /// HTTP status for this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Invalid { .. } => 422,
            AppError::TooManyAttempts { .. } => 429,
            AppError::BadRequest { .. } => 400,
            AppError::TooLarge { .. } => 413,
            AppError::Internal => 500,
            AppError::Transport(_) => 400,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        tracing::error!(error = %err, "database error");
        AppError::Internal
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}
