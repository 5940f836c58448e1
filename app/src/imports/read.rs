//! A file's rows as text cells, from an XLSX workbook (its first sheet) or a CSV file. What is
//! neither gets a clear message, never a 500.

use super::rules::{decode, MAX_ROWS};
use crate::i18n::{fill, Strings};
use calamine::{Data, Reader};
use std::io::Cursor;

/// The header and the data rows (each with its line number as a spreadsheet shows it).
pub struct Sheet {
    pub header: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
    /// `XLSX`, `CSV (UTF-8)`, `CSV (GB18030)`.
    pub kind: String,
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        other => other.to_string(),
    }
}

/// # Errors
/// A message in the importer's language: not a spreadsheet, empty, or too many rows.
pub fn rows(bytes: &[u8], t: &Strings) -> Result<Sheet, String> {
    let mut lines: Vec<Vec<String>> = Vec::new();
    let kind = if bytes.starts_with(b"PK\x03\x04") {
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
            .map_err(|_| t.imp_not_spreadsheet.to_owned())?;
        let first = book
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| t.imp_empty.to_owned())?;
        let range = book
            .worksheet_range(&first)
            .map_err(|_| t.imp_not_spreadsheet.to_owned())?;
        // Rows as the sheet numbers them: the range may start below row 1.
        let start = range.start().map_or(0, |(r, _)| r as usize);
        for _ in 0..start {
            lines.push(Vec::new());
        }
        for row in range.rows() {
            lines.push(row.iter().map(cell_text).collect());
        }
        "XLSX".to_owned()
    } else {
        if bytes.contains(&0) {
            return Err(t.imp_not_spreadsheet.to_owned());
        }
        let (text, encoding) = decode(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        for record in reader.records() {
            let record = record.map_err(|_| t.imp_not_spreadsheet.to_owned())?;
            lines.push(record.iter().map(str::to_owned).collect());
        }
        format!("CSV ({encoding})")
    };
    let mut numbered = lines
        .into_iter()
        .enumerate()
        .map(|(i, cells)| (i + 1, cells))
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let (_, header) = numbered.next().ok_or_else(|| t.imp_empty.to_owned())?;
    let rows: Vec<(usize, Vec<String>)> = numbered.collect();
    if rows.is_empty() {
        return Err(t.imp_empty.to_owned());
    }
    if rows.len() > MAX_ROWS {
        return Err(fill(
            t.imp_too_many_rows,
            &[
                ("max", &MAX_ROWS.to_string()),
                ("n", &rows.len().to_string()),
            ],
        ));
    }
    Ok(Sheet { header, rows, kind })
}
