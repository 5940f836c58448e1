//! The printable summary for the review meeting: A4 pages with a table per organisation of its
//! cadres, their figures and light (from the compliance engine, as everywhere), page numbers
//! 第 n 页 / 共 m 页 and a signature block. Real text in a subset of a CJK font (copyable,
//! found by `pdftotext`). krilla has no layout: lines are broken and rows paginated here, with
//! glyph advances from the font.

use super::sheets::Title;
use crate::compliance::{CadreRow, Light};
use crate::i18n::Strings;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 40.0;
const TOP: f32 = 50.0;
const BOTTOM: f32 = 60.0;
const CELL: f32 = 8.0;
const LINE: f32 = 11.0;
const PAD: f32 = 3.0;

/// Punctuation that may not begin a line.
const CLOSING: &str = "，。；：、！？）》」』】%,.;:!?)";

/// A CJK font with its glyph advances, for measuring text.
pub struct PdfFont {
    font: Font,
    /// Advance of each character at size 1.
    advances: HashMap<char, f32>,
}

impl PdfFont {
    /// # Errors
    /// The file is missing or is not a font with that face.
    pub fn load(path: &Path, index: u32) -> Result<PdfFont, String> {
        let data = std::fs::read(path).map_err(|e| {
            format!(
                "PDF font {}: {e} (install fonts-noto-cjk or set --pdf-font)",
                path.display()
            )
        })?;
        let data = Arc::new(data);
        let font = Font::new(data.clone().into(), index)
            .ok_or_else(|| format!("PDF font {}: no face {index}", path.display()))?;
        // Advances of every character the face maps, at size 1 (tens of thousands for CJK:
        // measured once per export).
        let face = FontRef::from_index(&data, index)
            .map_err(|e| format!("PDF font {}: {e}", path.display()))?;
        let metrics = face.glyph_metrics(Size::new(1.0), LocationRef::default());
        let advances = face
            .charmap()
            .mappings()
            .filter_map(|(cp, gid)| Some((char::from_u32(cp)?, metrics.advance_width(gid)?)))
            .collect();
        Ok(PdfFont { font, advances })
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advances.get(&c).copied().unwrap_or(1.0))
            .sum::<f32>()
            * size
    }

    /// `text` broken into lines no wider than `max` (anywhere: Chinese has no spaces to wait
    /// for; a line break in the text starts a new line).
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            let mut w = 0.0;
            for c in para.chars() {
                let cw = self.advances.get(&c).copied().unwrap_or(1.0) * size;
                // Closing punctuation never starts a line (禁则): it hangs at the end of this one.
                if w + cw > max && !line.is_empty() && !CLOSING.contains(c) {
                    lines.push(std::mem::take(&mut line));
                    w = 0.0;
                }
                line.push(c);
                w += cw;
            }
            lines.push(line);
        }
        lines
    }
}

/// What goes on a page before it is drawn (pages are counted first, for 共 m 页).
enum Item {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        color: (u8, u8, u8),
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        gray: u8,
    },
    Rule {
        x: f32,
        y: f32,
        w: f32,
    },
}

/// Columns of the table: header and width (the content width is 515 pt).
const COLUMNS: [(&str, f32); 10] = [
    ("团干部", 62.0),
    ("岗位", 36.0),
    ("名单", 40.0),
    ("本季联系", 52.0),
    ("逾期", 30.0),
    ("4+1 已下/应下", 48.0),
    ("建议 已提/应提", 46.0),
    ("学习（时）", 52.0),
    ("评定", 30.0),
    ("原因", 119.0),
];

fn light_color(l: Light) -> (u8, u8, u8) {
    match l {
        Light::Green => (26, 127, 55),
        Light::Yellow => (154, 103, 0),
        Light::Red => (207, 34, 46),
    }
}

fn cells(r: &CadreRow, t: &Strings) -> Vec<String> {
    let share = (r.contacted_share() * 100.0).round();
    let weeks = if r.weeks_exempt > 0 {
        format!(
            "{}/{} 假{}",
            r.weeks_covered, r.weeks_required, r.weeks_exempt
        )
    } else {
        format!("{}/{}", r.weeks_covered, r.weeks_required)
    };
    vec![
        r.name.clone(),
        r.post.map(|p| p.label(t).to_owned()).unwrap_or_default(),
        format!("{}/{}", r.roster, r.roster_target),
        format!("{} ({share}%)", r.contacted),
        r.overdue.to_string(),
        weeks,
        format!("{}/{}", r.suggestions_given, r.suggestions_due),
        r.study_months
            .iter()
            .map(|m| super::sheets::number(m.hours))
            .collect::<Vec<_>>()
            .join(" · "),
        super::sheets::rating(r.light, t),
        r.reasons
            .iter()
            .map(|x| x.text.clone())
            .collect::<Vec<_>>()
            .join("；"),
    ]
}

fn row_height(wrapped: &[Vec<String>]) -> f32 {
    let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
    #[allow(clippy::cast_precision_loss)]
    let h = lines as f32 * LINE + 2.0 * PAD;
    h
}

struct Layout<'a> {
    font: &'a PdfFont,
    pages: Vec<Vec<Item>>,
    y: f32,
}

impl Layout<'_> {
    fn page(&mut self) -> &mut Vec<Item> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    fn fits(&self, h: f32) -> bool {
        self.y + h <= PAGE_H - BOTTOM
    }

    fn text(&mut self, x: f32, size: f32, text: &str, color: (u8, u8, u8)) {
        let y = self.y + size;
        self.page().push(Item::Text {
            x,
            y,
            size,
            text: text.to_owned(),
            color,
        });
    }

    /// A table row (or the header row): wrapped cells; a new page first when it does not fit.
    fn row(
        &mut self,
        values: &[String],
        colors: &[(u8, u8, u8)],
        header: Option<&dyn Fn(&mut Self)>,
        fill: Option<u8>,
    ) {
        let wrapped = self.wrap_row(values);
        let h = row_height(&wrapped);
        if !self.fits(h) {
            self.new_page();
            if let Some(header) = header {
                header(self);
            }
        }
        let top = self.y;
        if let Some(gray) = fill {
            self.page().push(Item::Fill {
                x: MARGIN_X,
                y: top,
                w: PAGE_W - 2.0 * MARGIN_X,
                h,
                gray,
            });
        }
        let mut x = MARGIN_X;
        for (i, (cell, (_, w))) in wrapped.iter().zip(COLUMNS).enumerate() {
            let color = colors.get(i).copied().unwrap_or((0, 0, 0));
            for (j, line) in cell.iter().enumerate() {
                #[allow(clippy::cast_precision_loss)]
                let y = top + PAD + j as f32 * LINE + CELL;
                self.page().push(Item::Text {
                    x: x + PAD,
                    y,
                    size: CELL,
                    text: line.clone(),
                    color,
                });
            }
            x += w;
        }
        self.y += h;
        let y = self.y;
        self.page().push(Item::Rule {
            x: MARGIN_X,
            y,
            w: PAGE_W - 2.0 * MARGIN_X,
        });
    }

    fn wrap_row(&self, values: &[String]) -> Vec<Vec<String>> {
        values
            .iter()
            .zip(COLUMNS)
            .map(|(v, (_, w))| self.font.wrap(v, CELL, w - 2.0 * PAD))
            .collect()
    }

    fn table_header(&mut self) {
        let values: Vec<String> = COLUMNS.iter().map(|(h, _)| (*h).to_owned()).collect();
        self.row(&values, &[], None, Some(232));
    }
}

/// The summary as PDF bytes: `rows` in the order given (grouped by organisation).
///
/// # Errors
/// The PDF cannot be written.
pub fn summary(
    font: &PdfFont,
    heading: &Title,
    rows: &[CadreRow],
    t: &Strings,
) -> Result<Vec<u8>, String> {
    let pages = layout(font, heading, rows, t);
    draw(font, heading, &pages)
}

/// The pages' items: the heading, a table per organisation (its header repeated on each page
/// it continues on), the signature block.
fn layout(font: &PdfFont, heading: &Title, rows: &[CadreRow], t: &Strings) -> Vec<Vec<Item>> {
    let mut l = Layout {
        font,
        pages: Vec::new(),
        y: TOP,
    };
    let black = (0, 0, 0);
    let grey = (87, 96, 106);
    l.text(MARGIN_X, 16.0, "团干部直接联系青年工作季度汇总", black);
    l.y += 24.0;
    l.text(
        MARGIN_X,
        11.0,
        &format!("{} · {}", heading.org, heading.quarter),
        black,
    );
    l.y += 16.0;
    let count = |light: Light| rows.iter().filter(|r| r.light == light).count();
    l.text(
        MARGIN_X,
        9.0,
        &format!(
            "生成时间：{}（北京时间）· 团干部 {} 人：绿 {} · 黄 {} · 红 {}",
            heading.generated,
            rows.len(),
            count(Light::Green),
            count(Light::Yellow),
            count(Light::Red)
        ),
        grey,
    );
    l.y += 20.0;
    if rows.is_empty() {
        l.text(
            MARGIN_X,
            10.0,
            "本组织及其下级本季度没有在岗的团干部。",
            black,
        );
        l.y += 18.0;
    }
    let mut start = 0;
    while start < rows.len() {
        let org = rows[start].org_id;
        let end = rows[start..]
            .iter()
            .position(|r| r.org_id != org)
            .map_or(rows.len(), |p| start + p);
        let group = &rows[start..end];
        // The organisation's heading stays with its table's header and first row.
        let header_h = row_height(
            &l.wrap_row(
                &COLUMNS
                    .iter()
                    .map(|(h, _)| (*h).to_owned())
                    .collect::<Vec<_>>(),
            ),
        );
        let first_h = row_height(&l.wrap_row(&cells(&group[0], t)));
        if !l.fits(16.0 + header_h + first_h) {
            l.new_page();
        }
        let name = group[0].org_name.clone();
        l.text(
            MARGIN_X,
            11.0,
            &format!("{name}（{} 人）", group.len()),
            black,
        );
        l.y += 16.0;
        l.table_header();
        let header = |l: &mut Layout<'_>| {
            l.text(MARGIN_X, 9.0, &format!("{name}（续）"), grey);
            l.y += 13.0;
            l.table_header();
        };
        for r in group {
            let mut colors = vec![black; COLUMNS.len()];
            colors[8] = light_color(r.light);
            l.row(&cells(r, t), &colors, Some(&header), None);
        }
        l.y += 14.0;
        start = end;
    }
    // The signature block.
    if !l.fits(60.0) {
        l.new_page();
    }
    l.y += 20.0;
    l.text(MARGIN_X, 11.0, "审核人：____________________", black);
    l.text(MARGIN_X + 280.0, 11.0, "日期：____________________", black);

    l.pages
}

fn draw(font: &PdfFont, heading: &Title, pages: &[Vec<Item>]) -> Result<Vec<u8>, String> {
    let total = pages.len();
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(format!("{} {} 季度汇总", heading.org, heading.quarter))
            .language("zh-CN".to_owned())
            .creator("Liaison".to_owned()),
    );
    for (i, items) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("page size")?;
        let mut page = doc.start_page_with(settings);
        let mut s = page.surface();
        for item in items {
            match item {
                Item::Fill { x, y, w, h, gray } => {
                    if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                        let mut pb = PathBuilder::new();
                        pb.push_rect(rect);
                        if let Some(path) = pb.finish() {
                            s.set_stroke(None);
                            s.set_fill(Some(Fill {
                                paint: rgb::Color::new(*gray, *gray, *gray).into(),
                                opacity: NormalizedF32::ONE,
                                rule: Default::default(),
                            }));
                            s.draw_path(&path);
                        }
                    }
                }
                Item::Rule { x, y, w } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x, *y);
                    pb.line_to(x + w, *y);
                    if let Some(path) = pb.finish() {
                        s.set_fill(None);
                        s.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(208, 215, 222).into(),
                            width: 0.5,
                            ..Default::default()
                        }));
                        s.draw_path(&path);
                        s.set_stroke(None);
                    }
                }
                Item::Text {
                    x,
                    y,
                    size,
                    text,
                    color,
                } => {
                    s.set_fill(Some(Fill {
                        paint: rgb::Color::new(color.0, color.1, color.2).into(),
                        opacity: NormalizedF32::ONE,
                        rule: Default::default(),
                    }));
                    s.draw_text(
                        Point::from_xy(*x, *y),
                        font.font.clone(),
                        *size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
            }
        }
        let footer = format!("第 {} 页 / 共 {total} 页", i + 1);
        let w = font.width(&footer, 9.0);
        s.set_fill(Some(Fill {
            paint: rgb::Color::new(87, 96, 106).into(),
            opacity: NormalizedF32::ONE,
            rule: Default::default(),
        }));
        s.draw_text(
            Point::from_xy((PAGE_W - w) / 2.0, PAGE_H - 30.0),
            font.font.clone(),
            9.0,
            &footer,
            false,
            TextDirection::Auto,
        );
        s.finish();
        page.finish();
    }
    doc.finish().map_err(|e| format!("PDF: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::{MonthHours, Pace, Reason, Rule};
    use crate::i18n::Locale;

    /// The font `./dev.sh` installs (Debian's fonts-noto-cjk).
    fn font() -> PdfFont {
        PdfFont::load(
            Path::new(crate::ssr::defaults::PDF_FONT),
            crate::ssr::defaults::PDF_FONT_INDEX,
        )
        .expect("fonts-noto-cjk is installed by ./dev.sh test")
    }

    fn row(i: usize, org: i64) -> CadreRow {
        CadreRow {
            cadre_id: i64::try_from(i).unwrap(),
            username: format!("cadre{i}"),
            name: format!("团干部{i}"),
            org_id: org,
            org_name: format!("第{org}街道团工委"),
            post: None,
            light: Light::Red,
            reasons: vec![Reason {
                rule: Rule::ContactOverdue,
                light: Light::Red,
                amount: 3.0,
                text: "3 名青年超过 90 天未联系，另有 12 名青年即将到期，请尽快联系".to_owned(),
            }],
            roster: 87,
            roster_target: 100,
            contacted: 40,
            due: 12,
            overdue: 3,
            never: 0,
            no_offline: 0,
            weeks_required: 8,
            weeks_covered: 6,
            weeks_missed: 2,
            weeks_exempt: 0,
            weeks_not_required: 0,
            suggestions_given: 0,
            suggestions_due: 2,
            suggestions_missing: 2,
            study_hours: 4.0,
            study_target: 8.0,
            study_months: vec![MonthHours {
                month: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
                hours: 4.0,
                owed: true,
                target: 8.0,
            }],
            study_month: chrono::NaiveDate::from_ymd_opt(2026, 10, 1),
            pace: Pace {
                elapsed: 0.5,
                contacted: 0.4,
            },
        }
    }

    fn heading() -> Title {
        Title {
            org: "区团委".to_owned(),
            quarter: "2026 年第 4 季度".to_owned(),
            generated: "2026-11-26 14:00".to_owned(),
            by: "测试用户（sup_district）".to_owned(),
        }
    }

    #[test]
    fn chinese_lines_break_within_their_column() {
        let f = font();
        let text = "按季度公示团员参加活动的积分，激励团员参与基层组织建设和志愿服务工作";
        let lines = f.wrap(text, CELL, 100.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert_eq!(lines.concat(), text, "nothing lost");
        for l in &lines {
            assert!(f.width(l, CELL) <= 100.0, "{l}");
        }
        assert_eq!(f.wrap("第一行\n第二行", CELL, 500.0), ["第一行", "第二行"]);
        // A comma that would start a line stays at the end of the one before.
        let w = f.width("一二三四", CELL);
        assert_eq!(f.wrap("一二三四，五", CELL, w + 0.1), ["一二三四，", "五"]);
    }

    #[test]
    fn long_tables_continue_on_new_pages_within_the_margins() {
        let f = font();
        let rows: Vec<CadreRow> = (0..150)
            .map(|i| row(i, 1 + i64::try_from(i / 50).unwrap()))
            .collect();
        let t = Locale::ZhCn.strings();
        let pages = layout(&f, &heading(), &rows, t);
        assert!(pages.len() >= 4, "{} pages", pages.len());
        let mut names = 0;
        for (n, page) in pages.iter().enumerate() {
            for item in page {
                if let Item::Text { y, text, .. } = item {
                    assert!(*y <= PAGE_H - BOTTOM + CELL, "page {n}: {text} at {y}");
                    if text.starts_with("团干部")
                        && text != "团干部"
                        && !text.starts_with("团干部直接")
                    {
                        names += 1;
                    }
                }
            }
        }
        assert_eq!(names, 150, "every cadre once");
        // Each continued page starts with the organisation's name and the table header.
        let second = &pages[1];
        assert!(second
            .iter()
            .any(|i| matches!(i, Item::Text { text, .. } if text.ends_with("（续）"))));
        let bytes = summary(&f, &heading(), &rows, t).unwrap();
        assert!(bytes.starts_with(b"%PDF"));
        assert!(
            bytes.len() < 1_000_000,
            "{} bytes: the font is subset",
            bytes.len()
        );
    }
}
