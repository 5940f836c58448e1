//! Server functions for roster imports. The dry run itself takes a file upload
//! (`POST /api/import/dry-run`, multipart), served by the server crate.

use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A problem with one cell (or one row), as a spreadsheet numbers it: the header is line 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: usize,
    /// The row's 姓名, so a long report reads by person.
    #[serde(default)]
    pub name: String,
    pub column: String,
    /// What the cell holds (at most 40 characters).
    #[serde(default)]
    pub value: String,
    pub message: String,
}

/// A row whose youth cannot be told apart: the same phone number earlier in the file
/// (`with_line`), or a phone number the database cannot match to one youth in scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    pub line: usize,
    #[serde(default)]
    pub name: String,
    pub phone: String,
    pub with_line: Option<usize>,
    pub message: String,
}

/// What a dry run found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    pub id: i64,
    pub file_name: String,
    /// `XLSX`, `CSV (UTF-8)`, `CSV (GB18030)`.
    pub kind: String,
    pub rows: u32,
    pub create: u32,
    pub update: u32,
    pub unchanged: u32,
    /// Rows with a problem, all of them; `errors` and `duplicates` hold the first 1,000.
    pub bad: u32,
    pub errors: Vec<RowError>,
    pub duplicates: Vec<Duplicate>,
    /// `checked`, or `applied` once imported.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub applied_at: Option<DateTime<Utc>>,
}

impl ImportReport {
    /// Nothing stands in the way of importing it.
    pub fn clean(&self) -> bool {
        self.errors.is_empty() && self.duplicates.is_empty()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunQuery {
    pub id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplyForm {
    pub request_id: String,
    /// The dry run's id.
    pub id: String,
}

/// What an import changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    pub id: i64,
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
}

/// A dry run's report, for the person who made it.
#[server(prefix = "/api", endpoint = "import/get")]
pub async fn get_import(#[server(flatten)] query: RunQuery) -> Result<ImportReport, AppError> {
    crate::ssr::respond(super::service::get(query).await)
}

/// Imports exactly what the dry run showed, in one transaction, or nothing.
#[server(prefix = "/api", endpoint = "import/apply")]
pub async fn apply_import(#[server(flatten)] form: ApplyForm) -> Result<Imported, AppError> {
    let r = crate::ssr::respond(super::service::apply(form).await)?;
    crate::ssr::saved_redirect();
    Ok(r)
}

#[cfg(feature = "ssr")]
crate::ssr::once::has_request_id!(ApplyForm);
