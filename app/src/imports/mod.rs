//! Roster import: a template to fill in, a dry run that reports every bad row and every
//! duplicate, then the import of exactly what the dry run showed, all or nothing.
//!
//! - `rules` (server only): the columns, decoding a CSV's bytes, and checking a row. Pure.
//! - `read` (server only): a file's rows, from XLSX (calamine) or CSV (any of UTF-8 with or
//!   without a BOM, GBK/GB18030).
//! - `service` (server only): the dry run against the database, the import, the templates.

pub mod api;
#[cfg(feature = "ssr")]
pub mod read;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod service;
