//! Workbooks written by hand, for the hostile-upload tests and benchmark: what no spreadsheet
//! program would write (a cell at XFD1048576, a gigabyte of shared strings) in a few bytes.
#![allow(dead_code)]

use std::io::Write;

/// Writes one part of the workbook.
pub type Part<'a> = &'a dyn Fn(&mut dyn Write);

const NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A workbook written by hand, so that a test can put in it what no spreadsheet program would:
/// the first sheet's XML from `sheet`, and shared strings from `strings` when given.
pub fn workbook(sheet: Part<'_>, strings: Option<Part<'_>>) -> Vec<u8> {
    match strings {
        None => build(sheet, None),
        Some(strings) => build(
            sheet,
            Some(&|w: &mut dyn Write| {
                write!(
                    w,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"{NS}\">"
                )
                .unwrap();
                strings(w);
                write!(w, "</sst>").unwrap();
            }),
        ),
    }
}

/// The workbook, with `sst` writing the whole shared-strings part when given.
fn build(sheet: Part<'_>, sst: Option<Part<'_>>) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let mut put = |name: &str, body: &dyn Fn(&mut dyn Write)| {
        z.start_file(name, opts).unwrap();
        body(&mut z);
    };
    put("[Content_Types].xml", &|w| {
        write!(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>").unwrap();
    });
    put("_rels/.rels", &|w| {
        write!(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>").unwrap();
    });
    put("xl/workbook.xml", &|w| {
        write!(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{NS}\" xmlns:r=\"{REL}\"><sheets><sheet name=\"名单\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>").unwrap();
    });
    put("xl/_rels/workbook.xml.rels", &|w| {
        write!(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"{REL}/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>").unwrap();
    });
    put("xl/worksheets/sheet1.xml", &|w| {
        write!(
            w,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{NS}\"><sheetData>"
        )
        .unwrap();
        sheet(w);
        write!(w, "</sheetData></worksheet>").unwrap();
    });
    if let Some(sst) = sst {
        put("xl/sharedStrings.xml", sst);
    }
    z.finish().unwrap();
    out.into_inner()
}

pub fn column(i: usize) -> String {
    let mut n = i + 1;
    let mut s = String::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.insert(0, char::from(b'A' + u8::try_from(r).unwrap()));
        n = (n - 1) / 26;
    }
    s
}

/// A row of inline strings.
pub fn row(w: &mut dyn Write, r: usize, cells: &[&str]) {
    write!(w, "<row r=\"{r}\">").unwrap();
    for (i, c) in cells.iter().enumerate() {
        write!(
            w,
            "<c r=\"{}{r}\" t=\"inlineStr\"><is><t>{c}</t></is></c>",
            column(i)
        )
        .unwrap();
    }
    write!(w, "</row>").unwrap();
}

/// A workbook whose shared-strings part is `open` (the `<sst …>` tag, as the test wants it),
/// then `body`, then `</sst>`.
pub fn workbook_with_sst_tag(sheet: Part<'_>, open: &str, body: &str) -> Vec<u8> {
    let (open, body) = (open.to_owned(), body.to_owned());
    build(
        sheet,
        Some(&|w: &mut dyn Write| {
            w.write_all(open.as_bytes()).unwrap();
            w.write_all(body.as_bytes()).unwrap();
            w.write_all(b"</sst>").unwrap();
        }),
    )
}
