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
use calamine::{Data, DataRef, Reader};
use std::io::{Cursor, Read};

/// Cells right of this column are not read: the template's columns and as many again for a
/// numbering column or notes of the importer's own.
pub const MAX_COLUMNS: usize = 2 * COLUMNS.len();
/// The longest cell read: Excel's 32,767 characters, as UTF-8.
pub const MAX_CELL_BYTES: usize = 32_767 * 3;

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

/// What kind of ZIP entry is being inflated: XML has its runs between `<` and `>` capped; the
/// shared strings also have their elements and declared counts checked; anything else (images,
/// embedded binaries) only its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    Xml,
    SharedStrings,
    Binary,
}

/// Whether an `<sst …>` start tag declares more strings than allowed: calamine reserves room for
/// `uniqueCount` strings up front, so a 1 KB file could ask for petabytes.
fn declares_too_many(attrs: &[u8], max: u64) -> bool {
    let text = String::from_utf8_lossy(attrs);
    text.split_whitespace().any(|attr| {
        let Some((key, value)) = attr.split_once('=') else {
            return false;
        };
        let key = key.rsplit(':').next().unwrap_or(key);
        let value = value.trim_matches(|c| c == '"' || c == '\'' || c == '/');
        matches!(key, "count" | "uniqueCount")
            && value.bytes().all(|b| b.is_ascii_digit())
            && value.parse::<u64>().map_or(true, |n| n > max)
    })
}

/// Reads `entry` to its end into a counter, failing as soon as it passes `cap` bytes, (XML) a
/// run between `<` and `>` passes `limits.run`, or (shared strings) `<si>` elements, or the
/// counts the `<sst>` tag declares, pass `limits.strings`. Element names are matched by their
/// local name (`<x:si>` counts), as calamine matches them. Never holds more than one 64 KB
/// chunk.
///
/// # Errors
/// The refusal; `Unreadable` when the entry cannot be inflated.
pub fn inflate_capped(
    mut entry: impl Read,
    cap: u64,
    limits: &Limits,
    kind: Entry,
) -> Result<Inflated, Refusal> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut out = Inflated::default();
    let mut run: u64 = 0;
    // The element name being read after a `<` (bounded), and the `<sst>` tag's attributes.
    let mut name: Vec<u8> = Vec::with_capacity(32);
    let mut naming = false;
    let mut sst: Option<Vec<u8>> = None;
    let strings = kind == Entry::SharedStrings;
    let named = |name: &[u8], out: &mut Inflated, sst: &mut Option<Vec<u8>>| {
        let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
        if local == b"si" {
            out.strings += 1;
            if out.strings > limits.strings {
                return Err(Refusal::TooManyStrings);
            }
        } else if local == b"sst" {
            *sst = Some(Vec::new());
        }
        Ok(())
    };
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
        if kind == Entry::Binary {
            continue;
        }
        for &b in &buf[..n] {
            if b == b'<' || b == b'>' {
                run = 0;
                if b == b'>' {
                    if naming && strings {
                        named(&name, &mut out, &mut sst)?;
                    }
                    if let Some(attrs) = sst.take() {
                        if declares_too_many(&attrs, limits.strings) {
                            return Err(Refusal::TooManyStrings);
                        }
                    }
                }
                naming = b == b'<';
                name.clear();
                continue;
            }
            run += 1;
            if run > limits.run {
                return Err(Refusal::CellTooLong);
            }
            if !strings {
                continue;
            }
            if naming {
                if b.is_ascii_whitespace() || b == b'/' {
                    naming = false;
                    named(&name, &mut out, &mut sst)?;
                } else if name.len() < 32 {
                    name.push(b);
                } else {
                    naming = false;
                }
            } else if let Some(attrs) = sst.as_mut() {
                if attrs.len() < 4096 {
                    attrs.push(b);
                }
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
        let (cap, kind) = if name.ends_with("sharedstrings.xml") {
            (limits.shared_strings, Entry::SharedStrings)
        } else if name.contains("worksheets/") {
            (limits.sheet, Entry::Xml)
        } else if name.ends_with(".xml") || name.ends_with(".rels") {
            (limits.other, Entry::Xml)
        } else {
            (limits.other, Entry::Binary)
        };
        let cap = cap.min(limits.total - total);
        let got = inflate_capped(entry, cap, limits, kind)?;
        total += got.bytes;
    }
    Ok(())
}

/// What reading a file found (its rows went to the caller as they were read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sheet {
    /// Data rows, the header not counted.
    pub rows: usize,
    /// `XLSX`, `CSV (UTF-8)`, `CSV (GB18030)`.
    pub kind: String,
}

/// Each non-blank row as it is read, with its line number as a spreadsheet shows it (the
/// header is the first call); answering `false` stops the reading.
pub type EachRow<'a> = &'a mut dyn FnMut(usize, Vec<String>) -> bool;

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        other => other.to_string(),
    }
}

/// Rows as they stream in: blank rows are dropped, the rest go to the caller at once (no file
/// is ever held as a table), and reading stops once one data row more than allowed has come
/// (enough to say "too many").
struct Collector<'a> {
    each: EachRow<'a>,
    header: bool,
    rows: usize,
    stopped: bool,
}

impl<'a> Collector<'a> {
    fn new(each: EachRow<'a>) -> Self {
        Self {
            each,
            header: false,
            rows: 0,
            stopped: false,
        }
    }

    /// Takes a row; `false` when no more are wanted.
    fn push(&mut self, line: usize, mut cells: Vec<String>) -> bool {
        cells.truncate(MAX_COLUMNS);
        if cells.iter().all(|c| c.trim().is_empty()) {
            return true;
        }
        if self.header {
            self.rows += 1;
            if self.rows > MAX_ROWS {
                return false;
            }
        }
        self.header = true;
        if !(self.each)(line, cells) {
            self.stopped = true;
            return false;
        }
        true
    }

    fn finish(self, kind: String, t: &Strings) -> Result<Sheet, String> {
        if self.stopped {
            return Ok(Sheet {
                rows: self.rows,
                kind,
            });
        }
        if self.rows == 0 {
            return Err(t.imp_empty.to_owned());
        }
        if self.rows > MAX_ROWS {
            return Err(fill(t.imp_too_many_rows, &[("max", &MAX_ROWS.to_string())]));
        }
        Ok(Sheet {
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

fn xlsx(bytes: &[u8], limits: &Limits, t: &Strings, each: EachRow<'_>) -> Result<Sheet, String> {
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
    let mut out = Collector::new(each);
    let mut kept: u64 = 0;
    let mut current: Option<(u32, Vec<String>)> = None;
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (row, col) = cell.get_position();
        let Ok(col) = usize::try_from(col) else {
            continue;
        };
        if col >= MAX_COLUMNS {
            continue;
        }
        // Measured before it is copied: a shared string is borrowed until then, and one
        // string repeated in every cell must not be copied a million times.
        let len = match cell.get_value() {
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
            DataRef::SharedString(s) => s.len(),
            _ => 0,
        };
        if len > MAX_CELL_BYTES {
            return Err(t.imp_cell_too_long.to_owned());
        }
        kept += len as u64;
        if kept > limits.total {
            return Err(t.imp_unpacked_too_big.to_owned());
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

fn csv(bytes: &[u8], t: &Strings, each: EachRow<'_>) -> Result<Sheet, String> {
    if bytes.contains(&0) {
        return Err(t.imp_not_spreadsheet.to_owned());
    }
    let (text, encoding) = decode(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Collector::new(each);
    let mut record = csv::StringRecord::new();
    let (mut line, mut next_line): (usize, u64) = (0, 1);
    let (mut scanned, mut newlines): (usize, u64) = (0, 0);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(_) => return Err(t.imp_not_spreadsheet.to_owned()),
        }
        // The row as a spreadsheet shows it: blank lines, which the reader skips, are rows
        // too, and a quoted cell with line breaks is one row.
        // The text line the record starts on, from its byte offset.
        let start = record
            .position()
            .map_or(scanned, |p| usize::try_from(p.byte()).unwrap_or(scanned))
            .clamp(scanned, text.len());
        // The reader's record may begin at the blank lines it skipped: the row is where its
        // first cell is.
        let start = start
            + text.as_bytes()[start..]
                .iter()
                .take_while(|b| matches!(b, b'\n' | b'\r'))
                .count();
        newlines += text.as_bytes()[scanned..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        scanned = start;
        let at = newlines + 1;
        line += 1 + usize::try_from(at.saturating_sub(next_line)).unwrap_or(0);
        let breaks: usize = record.iter().map(|f| f.matches('\n').count()).sum();
        next_line = at + 1 + breaks as u64;
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
pub fn rows(bytes: &[u8], t: &Strings, each: EachRow<'_>) -> Result<Sheet, String> {
    rows_within(bytes, &Limits::UPLOAD, t, each)
}

/// [`rows`] against other limits (tests use small ones).
///
/// # Errors
/// As [`rows`].
pub fn rows_within(
    bytes: &[u8],
    limits: &Limits,
    t: &Strings,
    each: EachRow<'_>,
) -> Result<Sheet, String> {
    if bytes.starts_with(b"PK\x03\x04") {
        xlsx(bytes, limits, t, each)
    } else {
        csv(bytes, t, each)
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
            inflate_capped(Endless, 1 << 20, &SMALL, Entry::Xml),
            Err(Refusal::TooBig)
        );
        let fits = [b'a'; 50];
        assert_eq!(
            inflate_capped(&fits[..], 50, &SMALL, Entry::Xml),
            Ok(Inflated {
                bytes: 50,
                strings: 0
            })
        );
        let over = [b'a'; 51];
        assert_eq!(
            inflate_capped(&over[..], 50, &SMALL, Entry::Xml),
            Err(Refusal::TooBig)
        );
    }

    #[test]
    fn a_long_run_between_tags_is_a_cell_too_long() {
        let mut xml = b"<si><t>".to_vec();
        xml.extend(vec![b'x'; 100]);
        xml.extend(b"</t></si>");
        assert!(inflate_capped(&xml[..], 4096, &SMALL, Entry::SharedStrings).is_ok());
        let mut long = b"<si><t>".to_vec();
        long.extend(vec![b'x'; 101]);
        assert_eq!(
            inflate_capped(&long[..], 4096, &SMALL, Entry::SharedStrings),
            Err(Refusal::CellTooLong)
        );
        // A tag with a huge attribute is a run too.
        let mut attr = b"<c r=\"".to_vec();
        attr.extend(vec![b'1'; 200]);
        assert_eq!(
            inflate_capped(&attr[..], 4096, &SMALL, Entry::Xml),
            Err(Refusal::CellTooLong)
        );
    }

    #[test]
    fn shared_strings_are_counted_across_chunks() {
        let five = "<sst><si><t>a</t></si><si><t>b</t></si><si><t>c</t></si><si><t>d</t></si><si><t>e</t></si></sst>";
        assert_eq!(
            inflate_capped(five.as_bytes(), 4096, &SMALL, Entry::SharedStrings).map(|i| i.strings),
            Ok(5)
        );
        let six = format!("{five}<si><t>f</t></si>");
        assert_eq!(
            inflate_capped(six.as_bytes(), 4096, &SMALL, Entry::SharedStrings),
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
            inflate_capped(Trickle(six.as_bytes()), 4096, &SMALL, Entry::SharedStrings),
            Err(Refusal::TooManyStrings)
        );
    }

    #[test]
    fn prefixed_strings_count_and_a_declared_count_is_believed_only_when_small() {
        let prefixed =
            "<x:sst><x:si><x:t>a</x:t></x:si><x:si/><x:si/><x:si/><x:si/><x:si/></x:sst>";
        assert_eq!(
            inflate_capped(prefixed.as_bytes(), 4096, &SMALL, Entry::SharedStrings),
            Err(Refusal::TooManyStrings)
        );
        let huge = r#"<?xml version="1.0"?><sst xmlns="x" count="3" uniqueCount="1000000000000000"><si><t>a</t></si></sst>"#;
        assert_eq!(
            inflate_capped(huge.as_bytes(), 4096, &SMALL, Entry::SharedStrings),
            Err(Refusal::TooManyStrings)
        );
        let honest =
            r#"<sst xmlns="x" count="2" uniqueCount='2'><si><t>a</t></si><si><t>b</t></si></sst>"#;
        assert_eq!(
            inflate_capped(honest.as_bytes(), 4096, &SMALL, Entry::SharedStrings)
                .map(|i| i.strings),
            Ok(2)
        );
        // Closing tags are not strings; binary entries have no runs.
        assert_eq!(
            inflate_capped(&[b'x'; 1000][..], 4096, &SMALL, Entry::Binary).map(|i| i.bytes),
            Ok(1000)
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
        let big = b"<a/>".repeat(1250);
        let bytes = zip_of(&[("xl/worksheets/sheet1.xml", &big)]);
        assert!(bytes.len() < 200, "deflate makes it small: {}", bytes.len());
        assert_eq!(check_workbook(&bytes, &SMALL), Err(Refusal::TooBig));
        // Each entry within its cap, together past the total.
        let part = b"<a/>".repeat(750);
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

    /// Every row read, the header first.
    fn collected(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, String> {
        let t = crate::i18n::Locale::ZhCn.strings();
        let mut all = Vec::new();
        rows(bytes, t, &mut |line, cells| {
            all.push((line, cells));
            true
        })?;
        Ok(all)
    }

    #[test]
    fn csv_rows_stop_one_past_the_limit_and_columns_past_the_last_are_dropped() {
        let wide = format!("a{}\nb,c\n", ",x".repeat(100));
        let all = collected(wide.as_bytes()).unwrap();
        assert_eq!(all[0].1.len(), MAX_COLUMNS);
        assert_eq!(all[1..], [(2, vec!["b".to_owned(), "c".to_owned()])]);
        let mut long = String::from("h\n");
        for i in 0..MAX_ROWS + 10 {
            long.push_str(&format!("{i}\n"));
        }
        let err = collected(long.as_bytes()).err().unwrap();
        assert!(err.contains("50000"), "{err}");
        // Blank lines do not count, and line numbers are the file's.
        let all = collected(b"h\n\n,\nv\n").unwrap();
        assert_eq!(all[1..], [(4, vec!["v".to_owned()])]);
        // A cell with a line break in it is one row.
        let all = collected(b"h,n\n\"a\nb\",1\n\nc,2\n").unwrap();
        assert_eq!(
            all.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            vec![1, 2, 4]
        );
        // Answering false stops the reading there.
        let t = crate::i18n::Locale::ZhCn.strings();
        let mut seen = 0;
        let sheet = rows(b"h\na\nb\nc\n", t, &mut |_, _| {
            seen += 1;
            seen < 2
        })
        .unwrap();
        assert_eq!((seen, sheet.rows), (2, 1));
    }
}
