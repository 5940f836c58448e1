//! Writing sheets row by row: an XLSX workbook in rust_xlsxwriter's constant-memory mode (each
//! row goes to a temporary file as soon as the next begins), or a ZIP of CSV files written
//! straight into the archive. Either way memory holds one row, whatever the quarter's size.
//!
//! Both write the same columns, 序号 first. Only the workbook has a title block above each table
//! and a print set-up: a CSV file starts with its header row, so that programs read it as it is.

use super::sheets::{part_name, Cell, Sheet, Title, MAX_SHEET_ROWS};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("xlsx: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("a row before any sheet")]
    NoSheet,
}

/// Where rows go.
pub trait Sink: Send {
    /// Starts a sheet and writes its header row.
    ///
    /// # Errors
    /// The file cannot be written.
    fn sheet(&mut self, sheet: &Sheet) -> Result<(), WriteError>;

    /// One row of the current sheet, `serial` its number in the ledger (the 序号 column), then
    /// `cells` for the sheet's other columns.
    ///
    /// # Errors
    /// The file cannot be written.
    fn row(&mut self, serial: u64, cells: &[Cell]) -> Result<(), WriteError>;

    /// Writes what is left and closes the file.
    ///
    /// # Errors
    /// The file cannot be written.
    fn finish(self: Box<Self>) -> Result<(), WriteError>;
}

/// The sheet being written: which, its worksheet's index and the next row.
struct Current {
    sheet: Sheet,
    index: usize,
    row: u32,
}

/// An XLSX workbook.
pub struct Xlsx {
    workbook: Workbook,
    path: PathBuf,
    title: Title,
    current: Option<Current>,
    part: u32,
    heading: Format,
    header: Format,
    date: Format,
    text: Format,
}

/// The header row's index: below the title block.
const HEADER_ROW: u32 = Title::ROWS;

/// Excel's paper size code for A4.
const A4: u8 = 9;

impl Xlsx {
    /// A workbook whose sheets open with `title`'s block.
    ///
    /// # Errors
    /// The temporary directory cannot be used.
    pub fn create(path: &Path, title: Title) -> Result<Xlsx, WriteError> {
        let mut workbook = Workbook::new();
        // Constant memory keeps each sheet's rows in a temporary file beside the export, not
        // in a tmpfs.
        if let Some(dir) = path.parent() {
            workbook.set_tempdir(dir)?;
        }
        Ok(Xlsx {
            workbook,
            path: path.to_owned(),
            title,
            current: None,
            part: 0,
            heading: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_background_color("#E8EEF7")
                .set_align(FormatAlign::Center),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            text: Format::new().set_num_format("@"),
        })
    }

    /// Starts a worksheet: the title block, the header row (frozen, repeated on every printed
    /// page), printed landscape on A4 and as wide as one page.
    fn start(&mut self, sheet: &Sheet, part: u32) -> Result<(), WriteError> {
        self.close()?;
        let name = part_name(sheet.name, part);
        let ws = self.workbook.add_worksheet_with_constant_memory();
        ws.set_name(&name)?;
        for (i, c) in sheet.columns.iter().enumerate() {
            ws.set_column_width(col(i), c.width)?;
        }
        // One line a cell in column A: each is longer than the 序号 column and runs on over the
        // empty cells beside it.
        for (r, line) in (0u32..).zip(self.title.lines(&name)) {
            if r == 0 {
                ws.write_string_with_format(r, 0, line, &self.heading)?;
            } else {
                ws.write_string(r, 0, line)?;
            }
        }
        for (i, c) in sheet.columns.iter().enumerate() {
            ws.write_string_with_format(HEADER_ROW, col(i), &c.header, &self.header)?;
        }
        ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
        ws.set_landscape()
            .set_paper_size(A4)
            .set_print_fit_to_pages(1, 0)
            .set_footer("&C第 &P 页 / 共 &N 页");
        ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
        let index = self.workbook.worksheets_mut().len() - 1;
        self.current = Some(Current {
            sheet: sheet.clone(),
            index,
            row: HEADER_ROW + 1,
        });
        self.part = part;
        Ok(())
    }

    /// Ends the current worksheet: its autofilter spans the header and every row written (in
    /// constant-memory mode it is kept aside and written when the workbook is saved).
    fn close(&mut self) -> Result<(), WriteError> {
        let Some(c) = self.current.take() else {
            return Ok(());
        };
        let last_col = col(c.sheet.columns.len().saturating_sub(1));
        let ws = self.workbook.worksheet_from_index(c.index)?;
        ws.autofilter(HEADER_ROW, 0, c.row - 1, last_col)?;
        Ok(())
    }
}

fn col(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

impl Sink for Xlsx {
    fn sheet(&mut self, sheet: &Sheet) -> Result<(), WriteError> {
        self.start(sheet, 1)
    }

    fn row(&mut self, serial: u64, cells: &[Cell]) -> Result<(), WriteError> {
        let full = match &self.current {
            Some(c) => c.row >= MAX_SHEET_ROWS,
            None => return Err(WriteError::NoSheet),
        };
        if full {
            // Excel's last row: the ledger goes on in the next sheet, with its header again.
            let sheet = self
                .current
                .as_ref()
                .map(|c| c.sheet.clone())
                .ok_or(WriteError::NoSheet)?;
            let part = self.part + 1;
            self.start(&sheet, part)?;
        }
        let Some(current) = self.current.as_mut() else {
            return Err(WriteError::NoSheet);
        };
        let r = current.row;
        current.row += 1;
        let ws = self.workbook.worksheet_from_index(current.index)?;
        // Row numbers: exact in a double.
        #[allow(clippy::cast_precision_loss)]
        ws.write_number(r, 0, serial as f64)?;
        for (i, cell) in cells.iter().enumerate() {
            let col = col(i + 1);
            match cell {
                Cell::Text(s) => {
                    ws.write_string_with_format(r, col, super::sheets::neutralise(s), &self.text)?;
                }
                Cell::Int(n) => {
                    // Years and counts: exact in a double.
                    #[allow(clippy::cast_precision_loss)]
                    ws.write_number(r, col, *n as f64)?;
                }
                Cell::Num(x) => {
                    ws.write_number(r, col, *x)?;
                }
                Cell::Date(d) => {
                    ws.write_date_with_format(r, col, d, &self.date)?;
                }
                Cell::Blank => {}
            }
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<(), WriteError> {
        self.close()?;
        self.workbook.save(&self.path)?;
        Ok(())
    }
}

/// A ZIP of one CSV per sheet (a ledger too long for Excel stays one CSV), each UTF-8 with a
/// byte-order mark so Excel opens the Chinese text correctly.
pub struct CsvZip {
    zip: zip::ZipWriter<BufWriter<File>>,
    open: bool,
}

impl CsvZip {
    /// # Errors
    /// The file cannot be created.
    pub fn create(path: &Path) -> Result<CsvZip, WriteError> {
        let file = BufWriter::new(File::create(path)?);
        Ok(CsvZip {
            zip: zip::ZipWriter::new(file),
            open: false,
        })
    }

    fn record<'a>(
        &mut self,
        fields: impl IntoIterator<Item = std::borrow::Cow<'a, str>>,
    ) -> Result<(), WriteError> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::with_capacity(256));
        w.write_record(fields.into_iter().map(|f| f.into_owned()))?;
        let bytes = w.into_inner().map_err(|e| WriteError::Io(e.into_error()))?;
        self.zip.write_all(&bytes)?;
        Ok(())
    }
}

impl Sink for CsvZip {
    fn sheet(&mut self, sheet: &Sheet) -> Result<(), WriteError> {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        self.zip
            .start_file(format!("{}.csv", sheet.name), options)?;
        self.zip.write_all("\u{feff}".as_bytes())?;
        self.open = true;
        self.record(
            sheet
                .columns
                .iter()
                .map(|c| std::borrow::Cow::Borrowed(c.header.as_str())),
        )
    }

    fn row(&mut self, serial: u64, cells: &[Cell]) -> Result<(), WriteError> {
        if !self.open {
            return Err(WriteError::NoSheet);
        }
        self.record(
            std::iter::once(std::borrow::Cow::Owned(serial.to_string()))
                .chain(cells.iter().map(Cell::csv)),
        )
    }

    fn finish(self: Box<Self>) -> Result<(), WriteError> {
        let mut file = self.zip.finish()?;
        file.flush()?;
        Ok(())
    }
}
