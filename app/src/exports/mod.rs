//! Quarterly review exports (台账): a supervisor chooses an organisation, a quarter and a format;
//! a background job streams the ledgers from the database into an XLSX workbook or a ZIP of CSV
//! files, with its progress in the database, and the requester downloads the file.
//!
//! - [`sheets`]: the sheets, their fixed Chinese headers and column widths, and what a cell
//!   becomes (formula-looking text neutralised). Pure.
//! - `ledger` (server only): the rows, read from the database a page at a time.
//! - `writer` (server only): XLSX (constant memory) and CSV-in-ZIP writers behind one trait.
//! - `service` (server only): jobs (create, claim, run, expire), status, download checks.

pub mod api;
#[cfg(feature = "ssr")]
pub mod ledger;
#[cfg(feature = "ssr")]
pub mod pdf;
#[cfg(feature = "ssr")]
pub mod service;
pub mod sheets;
#[cfg(feature = "ssr")]
pub mod worker;
#[cfg(feature = "ssr")]
pub mod writer;

use serde::{Deserialize, Serialize};

/// What an export produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// One workbook, a sheet per ledger.
    Xlsx,
    /// A ZIP of one CSV per sheet, UTF-8 with a BOM.
    Csv,
    /// The printable summary.
    Pdf,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [ExportFormat::Xlsx, ExportFormat::Csv, ExportFormat::Pdf];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Csv => "csv",
            ExportFormat::Pdf => "pdf",
        }
    }

    pub fn parse(s: &str) -> Option<ExportFormat> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The downloaded file's extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Csv => "zip",
            ExportFormat::Pdf => "pdf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Csv => "application/zip",
            ExportFormat::Pdf => "application/pdf",
        }
    }

    /// What the page calls it.
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => "Excel (XLSX)",
            ExportFormat::Csv => "CSV (ZIP)",
            ExportFormat::Pdf => "PDF",
        }
    }
}

/// A job's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        [
            JobState::Queued,
            JobState::Running,
            JobState::Done,
            JobState::Failed,
        ]
        .into_iter()
        .find(|j| j.as_str() == s)
    }

    /// Still working: the page keeps refreshing.
    pub fn active(self) -> bool {
        matches!(self, JobState::Queued | JobState::Running)
    }
}

/// Progress in whole percent, never 100 before the job is done.
pub fn percent(done: u64, total: u64, state: JobState) -> u32 {
    if state == JobState::Done {
        return 100;
    }
    if total == 0 {
        return 0;
    }
    let p = done.saturating_mul(100) / total;
    u32::try_from(p.min(99)).unwrap_or(99)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reaches_a_hundred_only_when_done() {
        assert_eq!(percent(0, 0, JobState::Queued), 0);
        assert_eq!(percent(50, 200, JobState::Running), 25);
        assert_eq!(percent(200, 200, JobState::Running), 99);
        assert_eq!(percent(250, 200, JobState::Running), 99);
        assert_eq!(percent(0, 0, JobState::Done), 100);
    }

    #[test]
    fn formats_and_states_read_back() {
        for f in ExportFormat::ALL {
            assert_eq!(ExportFormat::parse(f.as_str()), Some(f));
        }
        assert_eq!(ExportFormat::parse("doc"), None);
        assert_eq!(JobState::parse("done"), Some(JobState::Done));
        assert!(JobState::Queued.active() && !JobState::Failed.active());
    }
}
