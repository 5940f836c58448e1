//! A file's rows as text cells, from an XLSX workbook (its first sheet) or a CSV file. What is
//! neither gets a clear message, never a 500.
//!
//! An upload is hostile until read: a 1.6 KB workbook can name a cell at XFD1048576 (a grid of
//! 550 GB) or hold a gigabyte of text that inflates from a megabyte. So reading never builds a
//! grid: the first sheet's cells are streamed, rows stop at [`MAX_ROWS`] + 1, and columns right
//! of [`MAX_COLUMNS`] are skipped. Before calamine opens a workbook, every ZIP entry is inflated
//! once into a counter that stops at its cap ([`Limits`]): the sizes a ZIP *claims* are not
//! believed, and calamine, which reads the shared strings whole, only ever sees a workbook that
//! fits in memory.

use super::rules::{decode, COLUMNS, MAX_ROWS};
use crate::i18n::{fill, Strings};
use calamine::{Data, Reader};
use std::io::{Cursor, Read};

/// Cells right of this column are not read: the template's columns and as many again for a
/// numbering column or notes of the importer's own.
pub const MAX_COLUMNS: usize = 2 * COLUMNS.len();

/// What a workbook may inflate to before it is parsed.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Entries in the ZIP.
    pub entries: usize,
    /// Any one worksheet's XML (50,000 rows of the template take about 30 MB).
    pub sheet: u64,
    /// The shared strings' XML, which calamine keeps in memory whole.
    pub shared_strings: u64,
    /// The shared strings' count (one per cell of a full file is 600,000).
    pub strings: u64,
    /// Any other entry (styles, workbook, relationships…).
    pub other: u64,
    /// All entries together.
    pub total: u64,
    /// The longest text or tag between two `<`/`>`: Excel itself holds at most 32,767
    /// characters in a cell.
    pub run: u64,
}

impl Limits {
    pub const UPLOAD: Self = Self {
        entries: 1_000,
        sheet: 64 << 20,
        shared_strings: 48 << 20,
        strings: 800_000,
        other: 16 << 20,
        total: 160 << 20,
        run: 256 << 10,
    };
}

/// Why a ZIP entry was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// It (or the whole archive) inflates past its cap.
    TooBig,
    /// One cell's text, or one tag, is longer than a spreadsheet allows.
    CellTooLong,
    /// More shared strings than a full file has.
    TooManyStrings,
    /// The ZIP cannot be read.
    Unreadable,
}

/// What inflating one entry found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Inflated {
    pub bytes: u64,
    /// `<si>` elements: shared strings.
    pub strings: u64,
}

/// Reads `entry` to its end into a counter, failing as soon as it passes `cap` bytes, a run
/// between `<` and `>` passes `limits.run`, or (with `count_strings`) `<si` elements pass
/// `limits.strings`. Never holds more than one 64 KB chunk.
///
/// # Errors
/// The refusal; `Unreadable` when the entry cannot be inflated.
pub fn inflate_capped(
    mut entry: impl Read,
    cap: u64,
    limits: &Limits,
    count_strings: bool,
) -> Result<Inflated, Refusal> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut out = Inflated::default();
    let mut run: u64 = 0;
    // The last bytes after a `<`, to recognise `<si>` / `<si ` across chunk boundaries.
    let mut tag: [u8; 3] = [0; 3];
    let mut tag_len: usize = 0;
    loop {
        let n = match entry.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(Refusal::Unreadable),
        };
        out.bytes += n as u64;
        if out.bytes > cap {
            return Err(Refusal::TooBig);
        }
        for &b in &buf[..n] {
            if b == b'<' || b == b'>' {
                run = 0;
                tag_len = if b == b'<' { 1 } else { 0 };
                tag[0] = b;
                continue;
            }
            run += 1;
            if run > limits.run {
                return Err(Refusal::CellTooLong);
            }
            if count_strings && tag_len > 0 && tag_len < 3 {
                tag[tag_len] = b;
                tag_len += 1;
                if tag_len == 3 {
                    tag_len = 0;
                    if &tag[1..3] == b"si" {
                        // `<si>` or `<si …>`; the next byte is checked loosely: `<sis…` is
                        // no SpreadsheetML element, and over-counting only errs on refusal.
                        out.strings += 1;
                        if out.strings > limits.strings {
                            return Err(Refusal::TooManyStrings);
                        }
                    }
                }
            } else {
                tag_len = 0;
            }
        }
    }
}

/// Inflates every entry of the workbook once, against `limits`.
///
/// # Errors
/// The first refusal.
pub fn check_workbook(bytes: &[u8], limits: &Limits) -> Result<(), Refusal> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Refusal::Unreadable)?;
    if zip.len() > limits.entries {
        return Err(Refusal::TooBig);
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| Refusal::Unreadable)?;
        let name = entry.name().to_ascii_lowercase();
        let (cap, strings) = if name.ends_with("sharedstrings.xml") {
            (limits.shared_strings, true)
        } else if name.contains("worksheets/") {
            (limits.sheet, false)
        } else {
            (limits.other, false)
        };
        let cap = cap.min(limits.total - total);
        let got = inflate_capped(entry, cap, limits, strings)?;
        total += got.bytes;
    }
    Ok(())
}

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

/// Rows as they stream in: blank rows are dropped, the first non-blank row is the header, and
/// reading stops once one data row more than allowed has come (enough to say "too many").
struct Collector {
    header: Option<Vec<String>>,
    rows: Vec<(usize, Vec<String>)>,
}

impl Collector {
    fn new() -> Self {
        Self {
            header: None,
            rows: Vec::new(),
        }
    }

    /// Takes a row; `false` when no more are wanted.
    fn push(&mut self, line: usize, mut cells: Vec<String>) -> bool {
        cells.truncate(MAX_COLUMNS);
        if cells.iter().all(|c| c.trim().is_empty()) {
            return true;
        }
        if self.header.is_none() {
            self.header = Some(cells);
        } else {
            self.rows.push((line, cells));
        }
        self.rows.len() <= MAX_ROWS
    }

    fn finish(self, kind: String, t: &Strings) -> Result<Sheet, String> {
        let header = self.header.ok_or_else(|| t.imp_empty.to_owned())?;
        if self.rows.is_empty() {
            return Err(t.imp_empty.to_owned());
        }
        if self.rows.len() > MAX_ROWS {
            return Err(fill(t.imp_too_many_rows, &[("max", &MAX_ROWS.to_string())]));
        }
        Ok(Sheet {
            header,
            rows: self.rows,
            kind,
        })
    }
}

fn refusal_message(r: Refusal, t: &Strings) -> String {
    match r {
        Refusal::TooBig | Refusal::TooManyStrings => t.imp_unpacked_too_big.to_owned(),
        Refusal::CellTooLong => t.imp_cell_too_long.to_owned(),
        Refusal::Unreadable => t.imp_not_spreadsheet.to_owned(),
    }
}

fn xlsx(bytes: &[u8], limits: &Limits, t: &Strings) -> Result<Sheet, String> {
    check_workbook(bytes, limits).map_err(|r| refusal_message(r, t))?;
    let unreadable = |_| t.imp_not_spreadsheet.to_owned();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| t.imp_empty.to_owned())?;
    let mut cells = book.worksheet_cells_reader(&first).map_err(unreadable)?;
    let mut out = Collector::new();
    let mut current: Option<(u32, Vec<String>)> = None;
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (row, col) = cell.get_position();
        let Ok(col) = usize::try_from(col) else {
            continue;
        };
        if col >= MAX_COLUMNS {
            continue;
        }
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        if current.as_ref().is_some_and(|(r, _)| *r != row) {
            if let Some((r, cells)) = current.take() {
                if !out.push(r as usize + 1, cells) {
                    return out.finish("XLSX".to_owned(), t);
                }
            }
        }
        let (_, line) = current.get_or_insert_with(|| (row, Vec::new()));
        if line.len() <= col {
            line.resize(col + 1, String::new());
        }
        line[col] = text;
    }
    if let Some((r, cells)) = current {
        out.push(r as usize + 1, cells);
    }
    out.finish("XLSX".to_owned(), t)
}

fn csv(bytes: &[u8], t: &Strings) -> Result<Sheet, String> {
    if bytes.contains(&0) {
        return Err(t.imp_not_spreadsheet.to_owned());
    }
    let (text, encoding) = decode(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Collector::new();
    let mut record = csv::StringRecord::new();
    let mut line = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(_) => return Err(t.imp_not_spreadsheet.to_owned()),
        }
        line += 1;
        let cells = record.iter().take(MAX_COLUMNS).map(str::to_owned).collect();
        if !out.push(line, cells) {
            break;
        }
    }
    out.finish(format!("CSV ({encoding})"), t)
}

/// # Errors
/// A message in the importer's language: not a spreadsheet, empty, too many rows, or a workbook
/// that inflates past [`Limits::UPLOAD`].
pub fn rows(bytes: &[u8], t: &Strings) -> Result<Sheet, String> {
    rows_within(bytes, &Limits::UPLOAD, t)
}

/// [`rows`] against other limits (tests use small ones).
///
/// # Errors
/// As [`rows`].
pub fn rows_within(bytes: &[u8], limits: &Limits, t: &Strings) -> Result<Sheet, String> {
    if bytes.starts_with(b"PK\x03\x04") {
        xlsx(bytes, limits, t)
    } else {
        csv(bytes, t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const SMALL: Limits = Limits {
        entries: 10,
        sheet: 4096,
        shared_strings: 4096,
        strings: 5,
        other: 4096,
        total: 10_000,
        run: 100,
    };

    /// A reader that would go on for ever: the cap, not the end, must stop it.
    struct Endless;
    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            for (i, b) in buf.iter_mut().enumerate() {
                *b = if i % 10 == 0 { b'<' } else { b'x' };
            }
            Ok(buf.len())
        }
    }

    #[test]
    fn the_counter_stops_at_the_cap_not_at_the_end() {
        assert_eq!(
            inflate_capped(Endless, 1 << 20, &SMALL, false),
            Err(Refusal::TooBig)
        );
        let fits = [b'a'; 50];
        assert_eq!(
            inflate_capped(&fits[..], 50, &SMALL, false),
            Ok(Inflated {
                bytes: 50,
                strings: 0
            })
        );
        let over = [b'a'; 51];
        assert_eq!(
            inflate_capped(&over[..], 50, &SMALL, false),
            Err(Refusal::TooBig)
        );
    }

    #[test]
    fn a_long_run_between_tags_is_a_cell_too_long() {
        let mut xml = b"<si><t>".to_vec();
        xml.extend(vec![b'x'; 100]);
        xml.extend(b"</t></si>");
        assert!(inflate_capped(&xml[..], 4096, &SMALL, true).is_ok());
        let mut long = b"<si><t>".to_vec();
        long.extend(vec![b'x'; 101]);
        assert_eq!(
            inflate_capped(&long[..], 4096, &SMALL, true),
            Err(Refusal::CellTooLong)
        );
        // A tag with a huge attribute is a run too.
        let mut attr = b"<c r=\"".to_vec();
        attr.extend(vec![b'1'; 200]);
        assert_eq!(
            inflate_capped(&attr[..], 4096, &SMALL, false),
            Err(Refusal::CellTooLong)
        );
    }

    #[test]
    fn shared_strings_are_counted_across_chunks() {
        let five = "<sst><si><t>a</t></si><si><t>b</t></si><si><t>c</t></si><si><t>d</t></si><si><t>e</t></si></sst>";
        assert_eq!(
            inflate_capped(five.as_bytes(), 4096, &SMALL, true).map(|i| i.strings),
            Ok(5)
        );
        let six = format!("{five}<si><t>f</t></si>");
        assert_eq!(
            inflate_capped(six.as_bytes(), 4096, &SMALL, true),
            Err(Refusal::TooManyStrings)
        );
        // One byte at a time: a tag split over reads is still seen.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                match self.0.split_first() {
                    Some((b, rest)) if !buf.is_empty() => {
                        buf[0] = *b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        assert_eq!(
            inflate_capped(Trickle(six.as_bytes()), 4096, &SMALL, true),
            Err(Refusal::TooManyStrings)
        );
    }

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, body) in entries {
            z.start_file(*name, opts).unwrap();
            z.write_all(body).unwrap();
        }
        z.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn a_small_zip_that_inflates_past_its_cap_is_refused_before_parsing() {
        let big = vec![b' '; 5000];
        let bytes = zip_of(&[("xl/worksheets/sheet1.xml", &big)]);
        assert!(bytes.len() < 200, "deflate makes it small: {}", bytes.len());
        assert_eq!(check_workbook(&bytes, &SMALL), Err(Refusal::TooBig));
        // Each entry within its cap, together past the total.
        let part = vec![b' '; 3000];
        let parts: Vec<(String, Vec<u8>)> = (0..4)
            .map(|i| (format!("xl/worksheets/sheet{i}.xml"), part.clone()))
            .collect();
        let named: Vec<(&str, &[u8])> = parts
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        assert_eq!(
            check_workbook(&zip_of(&named), &SMALL),
            Err(Refusal::TooBig)
        );
        let ok = zip_of(&[("xl/worksheets/sheet1.xml", &part)]);
        assert_eq!(check_workbook(&ok, &SMALL), Ok(()));
        assert_eq!(
            check_workbook(b"PK\x03\x04 not a zip", &SMALL),
            Err(Refusal::Unreadable)
        );
    }

    #[test]
    fn csv_rows_stop_one_past_the_limit_and_columns_past_the_last_are_dropped() {
        let t = crate::i18n::Locale::ZhCn.strings();
        let wide = format!("a{}\nb,c\n", ",x".repeat(100));
        let sheet = rows(wide.as_bytes(), t).unwrap();
        assert_eq!(sheet.header.len(), MAX_COLUMNS);
        assert_eq!(sheet.rows, vec![(2, vec!["b".to_owned(), "c".to_owned()])]);
        let mut long = String::from("h\n");
        for i in 0..MAX_ROWS + 10 {
            long.push_str(&format!("{i}\n"));
        }
        let err = rows(long.as_bytes(), t).err().unwrap();
        assert!(err.contains("50000"), "{err}");
        // Blank lines do not count, and line numbers are the file's.
        let sheet = rows(b"h\n\n,\nv\n", t).unwrap();
        assert_eq!(sheet.rows, vec![(4, vec!["v".to_owned()])]);
    }
}
