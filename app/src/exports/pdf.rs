//! The printable summary for the review meeting: landscape A4 pages (the table's ten columns
//! need the width) with a table per organisation of its cadres, their figures and light (from
//! the compliance engine, as everywhere), page numbers 第 n 页 / 共 m 页 and a signature block
//! that always has the table's last rows above it. Real text in a subset of a CJK font
//! (copyable, found by `pdftotext`). krilla has no layout: lines are broken and rows paginated
//! here, with glyph advances from the font.

use super::sheets::Title;
use crate::compliance::{CadreRow, Light, Reach};
use crate::i18n::Strings;
use chrono::Datelike;
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

// A4 landscape.
const PAGE_W: f32 = 841.89;
const PAGE_H: f32 = 595.28;
const MARGIN_X: f32 = 40.0;
const TOP: f32 = 50.0;
const BOTTOM: f32 = 60.0;
const CELL: f32 = 8.0;
const LINE: f32 = 11.0;
const PAD: f32 = 3.0;

/// Punctuation that may not begin a line: it goes with the piece before it (the middle dot too,
/// as Chinese typesetting has it).
const CLOSING: &str = "，。；：、！？）》」』】%,.;:!?)·";
/// Punctuation that may not end a line: it goes with the piece after it.
const OPENING: &str = "（《「『【(";
/// The signature block's height, with the space above it.
const SIGNATURE: f32 = 34.0;
/// Space below each organisation's table.
const GROUP_GAP: f32 = 14.0;
/// The organisation's activities line under its heading.
const REACH_LINE: f32 = 13.0;
/// Rows of the last table that go to the signature block's page with it, so that it never
/// stands alone.
const KEEP_WITH_SIGNATURE: usize = 3;

/// Characters of a run a line never breaks inside: digits, Latin letters and what joins them
/// in numbers, dates and codes (`8.5`, `2026-W48`, `4+1`, `43%`, `6/8`).
fn joins(c: char) -> bool {
    c.is_ascii_alphanumeric() || ".,:;%/+-_@#&*'\"~=".contains(c)
}

/// Where the bracket opening at `chars[i]` closes (`（…）` or `(…)`, nested ones counted).
fn closing_bracket(chars: &[char], i: usize) -> Option<usize> {
    let close = match chars[i] {
        '（' => '）',
        '(' => ')',
        _ => return None,
    };
    let open = chars[i];
    let mut depth = 0;
    for (j, &c) in chars.iter().enumerate().skip(i) {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some(j);
            }
        }
    }
    None
}

/// `para` cut into the pieces a line may break between: a run of [`joins`] characters, a
/// bracketed label (`（未完成）`, `(43%)`; when `brackets`), a run of spaces, or any other one
/// character (Chinese breaks between characters). Closing punctuation goes with the piece
/// before it, opening punctuation with the piece after it.
fn pieces(para: &str, brackets: bool) -> Vec<String> {
    let chars: Vec<char> = para.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        let c = chars[i];
        if c == ' ' {
            while i < chars.len() && chars[i] == ' ' {
                i += 1;
            }
        } else if let Some(end) = closing_bracket(&chars, i).filter(|_| brackets) {
            i = end + 1;
        } else if joins(c) {
            while i < chars.len() && joins(chars[i]) {
                i += 1;
            }
        } else {
            i += 1;
        }
        let piece: String = chars[start..i].iter().collect();
        let glued = c != ' '
            && out.last().is_some_and(|prev| {
                !prev.starts_with(' ')
                    && (CLOSING.contains(c) || prev.ends_with(|p| OPENING.contains(p)))
            });
        match out.last_mut() {
            Some(prev) if glued => prev.push_str(&piece),
            _ => out.push(piece),
        }
    }
    out
}

/// A line being filled.
#[derive(Default)]
struct Line {
    text: String,
    width: f32,
    /// Spaces after the text, kept only if more follows on this line.
    space: String,
}

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
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size
    }

    fn advance(&self, c: char) -> f32 {
        self.advances.get(&c).copied().unwrap_or(1.0)
    }

    /// `text` broken into lines no wider than `max`, between the [`pieces`] of the text: at a
    /// space or between Chinese characters, never inside a number, a Latin word or a bracketed
    /// label, and never before closing punctuation (禁则). Only a piece wider than a whole line
    /// is broken inside (a bracketed label between its pieces, anything else between
    /// characters). A line break in the text starts a new line.
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = Line::default();
            for piece in pieces(para, true) {
                self.place(&mut lines, &mut line, &piece, size, max, true);
            }
            lines.push(line.text);
        }
        lines
    }

    fn place(
        &self,
        lines: &mut Vec<String>,
        line: &mut Line,
        piece: &str,
        size: f32,
        max: f32,
        brackets: bool,
    ) {
        if piece.starts_with(' ') {
            if !line.text.is_empty() {
                line.space = piece.to_owned();
            }
            return;
        }
        let w = self.width(piece, size);
        let space = self.width(&line.space, size);
        if !line.text.is_empty() && line.width + space + w <= max {
            line.text.push_str(&std::mem::take(&mut line.space));
            line.text.push_str(piece);
            line.width += space + w;
            return;
        }
        if !line.text.is_empty() {
            lines.push(std::mem::take(&mut line.text));
        }
        line.width = 0.0;
        line.space.clear();
        if w <= max {
            line.text.push_str(piece);
            line.width = w;
            return;
        }
        // Wider than any line: a bracketed label breaks between its own pieces, anything else
        // between characters.
        let inner = if brackets {
            pieces(piece, false)
        } else {
            Vec::new()
        };
        if inner.len() > 1 {
            for p in inner {
                self.place(lines, line, &p, size, max, false);
            }
            return;
        }
        for c in piece.chars() {
            let cw = self.advance(c) * size;
            if !line.text.is_empty() && line.width + cw > max {
                lines.push(std::mem::take(&mut line.text));
                line.width = 0.0;
            }
            line.text.push(c);
            line.width += cw;
        }
    }

    /// `items` on as few lines as fit in `max`, ` · ` between two on a line; an item is never
    /// broken unless it is wider than a whole line.
    fn wrap_items(&self, items: &[String], size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for item in items {
            let joined = format!("{line} · {item}");
            if !line.is_empty() && self.width(&joined, size) <= max {
                line = joined;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if self.width(item, size) <= max {
                line.clone_from(item);
            } else {
                lines.extend(self.wrap(item, size, max));
            }
        }
        if !line.is_empty() || lines.is_empty() {
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

/// Columns of the table: header and width (the content width is 761 pt). Each column is wide
/// enough for its header and its usual values on one line (`红（未完成）`, three months of
/// study); 原因 takes the rest.
const COLUMNS: [(&str, f32); 10] = [
    ("团干部", 70.0),
    ("岗位", 44.0),
    ("名单", 44.0),
    ("本季联系", 64.0),
    ("逾期", 34.0),
    ("4+1 已下/应下", 62.0),
    ("建议 已提/应提", 62.0),
    ("学习（小时）", 136.0),
    ("评定", 58.0),
    ("原因", 187.0),
];
/// The 评定 column, drawn in the light's colour.
const RATING: usize = 8;

/// What a cell holds: text, broken as [`PdfFont::wrap`] does, or items each kept whole on a line
/// (the study hours of each month, `10月 4 · 11月 8.5`).
enum Value {
    Text(String),
    Items(Vec<String>),
}

fn light_color(l: Light) -> (u8, u8, u8) {
    match l {
        Light::Green => (26, 127, 55),
        Light::Yellow => (154, 103, 0),
        Light::Red => (207, 34, 46),
    }
}

fn cells(r: &CadreRow, t: &Strings) -> Vec<Value> {
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
        Value::Text(r.name.clone()),
        Value::Text(r.post.map(|p| p.label(t).to_owned()).unwrap_or_default()),
        Value::Text(format!("{}/{}", r.roster, r.roster_target)),
        Value::Text(format!("{} ({share}%)", r.contacted)),
        Value::Text(r.overdue.to_string()),
        Value::Text(weeks),
        Value::Text(format!("{}/{}", r.suggestions_given, r.suggestions_due)),
        // Each month named: a cadre in post for part of the quarter has fewer of them.
        Value::Items(
            r.study_months
                .iter()
                .map(|m| format!("{}月 {}", m.month.month(), super::sheets::number(m.hours)))
                .collect(),
        ),
        Value::Text(super::sheets::rating(r.light, t)),
        Value::Text(
            r.reasons
                .iter()
                .map(|x| x.text.clone())
                .collect::<Vec<_>>()
                .join("；"),
        ),
    ]
}

fn header_values() -> Vec<Value> {
    COLUMNS
        .iter()
        .map(|(h, _)| Value::Text((*h).to_owned()))
        .collect()
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

    /// The height of a row of `values`.
    fn height(&self, values: &[Value]) -> f32 {
        row_height(&self.wrap_row(values))
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
        values: &[Value],
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

    fn wrap_row(&self, values: &[Value]) -> Vec<Vec<String>> {
        values
            .iter()
            .zip(COLUMNS)
            .map(|(v, (_, w))| match v {
                Value::Text(s) => self.font.wrap(s, CELL, w - 2.0 * PAD),
                Value::Items(items) => self.font.wrap_items(items, CELL, w - 2.0 * PAD),
            })
            .collect()
    }

    fn table_header(&mut self) {
        self.row(&header_values(), &[], None, Some(232));
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
    reach: &HashMap<i64, Reach>,
    t: &Strings,
) -> Result<Vec<u8>, String> {
    let pages = layout(font, heading, rows, reach, t);
    draw(font, heading, &pages)
}

/// The pages' items: the heading, a table per organisation (its header repeated on each page
/// it continues on), the signature block with the last table's last rows.
fn layout(
    font: &PdfFont,
    heading: &Title,
    rows: &[CadreRow],
    reach: &HashMap<i64, Reach>,
    t: &Strings,
) -> Vec<Vec<Item>> {
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
            "生成时间：{}（北京时间）· 导出人：{} · 团干部 {} 人：绿 {} · 黄 {} · 红 {}",
            heading.generated,
            heading.by,
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
        let last_group = end == rows.len();
        let header_h = l.height(&header_values());
        let heights: Vec<f32> = group.iter().map(|r| l.height(&cells(r, t))).collect();
        // The last table's last rows go with the signature block: from `tail` on, the rest of
        // the table and the block must fit on the page.
        let tail = if last_group {
            group.len().saturating_sub(KEEP_WITH_SIGNATURE)
        } else {
            group.len()
        };
        let to_signature =
            |from: usize| heights[from..].iter().sum::<f32>() + GROUP_GAP + SIGNATURE;
        // The organisation's heading stays with its table's header and first row (and with the
        // signature block when the whole table is its tail).
        let first = if tail == 0 {
            to_signature(0)
        } else {
            heights[0]
        };
        if !l.fits(16.0 + REACH_LINE + header_h + first) {
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
        // 活动 12 场，覆盖 486 人次、301 名青年
        let r = reach.get(&org).copied().unwrap_or_default();
        l.text(
            MARGIN_X,
            9.0,
            &crate::i18n::fill(
                t.activity_reach,
                &[
                    ("held", &r.held.to_string()),
                    ("attendances", &r.attendances.to_string()),
                    ("youths", &r.youths.to_string()),
                ],
            ),
            grey,
        );
        l.y += REACH_LINE;
        l.table_header();
        let header = |l: &mut Layout<'_>| {
            l.text(MARGIN_X, 9.0, &format!("{name}（续）"), grey);
            l.y += 13.0;
            l.table_header();
        };
        for (i, r) in group.iter().enumerate() {
            // Continued 9 pt line and the header: what a new page starts with.
            let continued = 13.0 + header_h;
            if i == tail
                && i > 0
                && !l.fits(to_signature(i))
                && TOP + continued + to_signature(i) <= PAGE_H - BOTTOM
            {
                l.new_page();
                header(&mut l);
            }
            let mut colors = vec![black; COLUMNS.len()];
            colors[RATING] = light_color(r.light);
            l.row(&cells(r, t), &colors, Some(&header), None);
        }
        l.y += GROUP_GAP;
        start = end;
    }
    // The signature block: with the table's last rows, as planned above (or alone only when
    // there is no table).
    if !l.fits(SIGNATURE) {
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

    /// The runs of digits (with their decimal points) in `text`, in order.
    fn numbers(text: &str) -> Vec<String> {
        text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The texts drawn on a page.
    fn texts(page: &[Item]) -> Vec<&str> {
        page.iter()
            .filter_map(|i| match i {
                Item::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
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
        // A comma that would start a line takes the character before it along, within the
        // column.
        let w = f.width("一二三四", CELL);
        assert_eq!(f.wrap("一二三四，五", CELL, w + 0.1), ["一二三", "四，五"]);
    }

    #[test]
    fn numbers_words_and_bracketed_labels_never_break_inside() {
        let f = font();
        // What broke before: a study figure and a rating.
        let w = f.width("4 · 8.", CELL);
        let lines = f.wrap("4 · 8.5 · 3", CELL, w + 0.1);
        assert_eq!(lines, ["4 ·", "8.5 ·", "3"], "a line breaks at a space");
        let w = f.width("（未完成）", CELL);
        assert_eq!(f.wrap("红（未完成）", CELL, w + 0.1), ["红", "（未完成）"]);
        assert_eq!(
            f.wrap("40 (43%)", CELL, f.width("(43%)", CELL) + 0.1),
            ["40", "(43%)"]
        );
        // At every width a piece fits in, every number and code is on one line, whole, and
        // nothing is lost but the spaces a line broke at.
        for text in [
            "3 名青年超过 90 天未联系，另有 12 名青年即将到期，请尽快联系",
            "本季度下基层 6/8 周，2026-W48 请假；学习 12.5 小时，目标 24.75 小时",
            "联系覆盖率 43.5%（目标 100%），4+1 已下 6 周",
        ] {
            let widest = pieces(text, true)
                .iter()
                .map(|p| f.width(p, CELL))
                .fold(0.0, f32::max);
            let mut max = widest;
            while max < f.width(text, CELL) {
                let lines = f.wrap(text, CELL, max);
                let all: Vec<String> = lines.iter().flat_map(|l| numbers(l)).collect();
                assert_eq!(all, numbers(text), "{max}: {lines:?}");
                assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
                for l in &lines {
                    assert!(f.width(l, CELL) <= max + 0.01, "{max}: {l}");
                    assert_eq!(l.matches('（').count(), l.matches('）').count(), "{l}");
                    assert!(!l.starts_with(['，', '；', '）', ' ']), "{lines:?}");
                }
                max += 3.0;
            }
        }
        // Only what is wider than a whole line breaks inside: a long label between its pieces,
        // a long word between its letters.
        let label = "（新就业群体青年联系点建议）";
        let lines = f.wrap(label, CELL, 40.0);
        assert!(lines.len() > 1 && lines.concat() == label, "{lines:?}");
        let word = "abcdefghijklmnopqrstuvwxyz";
        let lines = f.wrap(word, CELL, 40.0);
        assert!(lines.len() > 1 && lines.concat() == word, "{lines:?}");
    }

    #[test]
    fn the_page_is_landscape_and_the_columns_fit_their_usual_values() {
        let f = font();
        const { assert!(PAGE_W > PAGE_H, "landscape") };
        let total: f32 = COLUMNS.iter().map(|(_, w)| w).sum();
        assert!(total <= PAGE_W - 2.0 * MARGIN_X, "{total}");
        let fits =
            |col: usize, text: &str| f.wrap(text, CELL, COLUMNS[col].1 - 2.0 * PAD).len() == 1;
        for (i, (h, _)) in COLUMNS.iter().enumerate() {
            assert!(fits(i, h), "{h} on one line");
        }
        let t = Locale::ZhCn.strings();
        for light in [Light::Green, Light::Yellow, Light::Red] {
            assert!(fits(RATING, &super::super::sheets::rating(light, t)));
        }
        assert!(fits(3, "1234 (100%)"));
        assert!(fits(5, "13/13 假2"));
        let months = ["10月 12.5", "11月 12.5", "12月 12.5"].map(str::to_owned);
        assert_eq!(
            f.wrap_items(&months, CELL, COLUMNS[7].1 - 2.0 * PAD),
            ["10月 12.5 · 11月 12.5 · 12月 12.5"],
            "a quarter's study on one line"
        );
        // Narrower, the months go on whole to the next line.
        let w = f.width("10月 12.5 · 11月 12.5", CELL);
        assert_eq!(
            f.wrap_items(&months, CELL, w + 0.1),
            ["10月 12.5 · 11月 12.5", "12月 12.5"]
        );
        // The summary's cells label their months.
        let mut r = row(1, 1);
        r.study_months.push(MonthHours {
            month: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            hours: 8.5,
            owed: false,
            target: 8.0,
        });
        let l = Layout {
            font: &f,
            pages: Vec::new(),
            y: TOP,
        };
        let wrapped = l.wrap_row(&cells(&r, t));
        assert_eq!(wrapped[7], ["10月 4 · 11月 8.5"]);
        assert_eq!(wrapped[RATING], ["红（未完成）"]);
    }

    #[test]
    fn the_signature_block_never_stands_alone_on_a_page() {
        let f = font();
        let t = Locale::ZhCn.strings();
        // However many rows, wherever the last table ends: the block's page holds the last
        // table's last rows (all of them when it has fewer than three).
        let mut several = 0;
        for n in 1..=70usize {
            for orgs in [1, 2] {
                let rows: Vec<CadreRow> = (0..n)
                    .map(|i| row(i, if orgs == 2 && i >= n / 2 { 2 } else { 1 }))
                    .collect();
                let pages = layout(&f, &heading(), &rows, &HashMap::new(), t);
                let (at, last) = pages
                    .iter()
                    .enumerate()
                    .find(|(_, p)| texts(p).iter().any(|t| t.starts_with("审核人")))
                    .expect("a signature block");
                assert_eq!(at, pages.len() - 1, "the block ends the summary");
                let org = rows[n - 1].org_id;
                let group = rows.iter().filter(|r| r.org_id == org).count();
                let on_page = texts(last);
                for r in &rows[n - group.min(KEEP_WITH_SIGNATURE)..] {
                    assert!(
                        on_page.contains(&r.name.as_str()),
                        "{n} rows, {orgs} orgs: {} with the signature",
                        r.name
                    );
                }
                if pages.len() > 1 && !on_page.iter().any(|t| t.ends_with("（续）")) {
                    // A page that starts with a new organisation's table is fine too.
                    assert!(on_page.iter().any(|t| t.ends_with(" 人）")), "{on_page:?}");
                }
                for (p, page) in pages.iter().enumerate() {
                    for item in page {
                        if let Item::Text { y, text, .. } = item {
                            assert!(*y <= PAGE_H - BOTTOM, "{n}: page {p}: {text} at {y}");
                        }
                    }
                }
                if pages.len() > 1 {
                    several += 1;
                }
            }
        }
        assert!(
            several > 40,
            "most of these summaries run over a page: {several}"
        );
    }

    #[test]
    fn long_tables_continue_on_new_pages_within_the_margins() {
        let f = font();
        let rows: Vec<CadreRow> = (0..150)
            .map(|i| row(i, 1 + i64::try_from(i / 50).unwrap()))
            .collect();
        let t = Locale::ZhCn.strings();
        let pages = layout(&f, &heading(), &rows, &HashMap::new(), t);
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
        let bytes = summary(&f, &heading(), &rows, &HashMap::new(), t).unwrap();
        assert!(bytes.starts_with(b"%PDF"));
        assert!(
            bytes.len() < 1_000_000,
            "{} bytes: the font is subset",
            bytes.len()
        );
    }
}
