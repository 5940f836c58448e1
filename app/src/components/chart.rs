//! The dashboard's trend chart: plain SVG written on the server (no chart code in the wasm).
//! One line per duty over the completed weeks — the share of cadres on track, the contact
//! coverage and the 4+1 coverage — with labelled axes, each line's latest value at its end,
//! the current week marked, and the figures as a table a tap away.

use crate::compliance::TrendPoint;
use crate::i18n::{fill, use_t, Strings};
use crate::rules::Week;
use leptos::prelude::*;

const W: f64 = 360.0;
const H: f64 = 210.0;
const LEFT: f64 = 36.0;
const RIGHT: f64 = 40.0;
const TOP: f64 = 22.0;
const BOTTOM: f64 = 42.0;

/// The x of slot `i` of `slots` (the completed weeks, then the current one).
fn x(i: usize, slots: usize) -> f64 {
    if slots <= 1 {
        LEFT
    } else {
        LEFT + (W - LEFT - RIGHT) * i as f64 / (slots - 1) as f64
    }
}

fn y(share: f64) -> f64 {
    TOP + (H - TOP - BOTTOM) * (1.0 - share.clamp(0.0, 1.0))
}

/// `x,y x,y …` for an SVG polyline over the first `values.len()` of `slots`.
pub fn points(values: &[f64], slots: usize) -> String {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", x(i, slots), y(*v)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn pct(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// The ys of the end labels: each line's last value, moved apart so no two overlap.
pub fn label_ys(ends: &[f64]) -> Vec<f64> {
    const GAP: f64 = 11.0;
    let mut order: Vec<usize> = (0..ends.len()).collect();
    order.sort_by(|a, b| y(ends[*a]).total_cmp(&y(ends[*b])));
    let mut out = vec![0.0; ends.len()];
    let mut last = f64::NEG_INFINITY;
    for i in order {
        let want = y(ends[i]).max(last + GAP);
        out[i] = want;
        last = want;
    }
    // Pushed below the plot: shift the stack back up.
    let bottom = H - BOTTOM + 4.0;
    let over = out.iter().copied().fold(f64::NEG_INFINITY, f64::max) - bottom;
    if over > 0.0 {
        out.iter_mut().for_each(|v| *v -= over);
    }
    out
}

/// A line of the chart: its name, colour, dash pattern and one value per completed week. The
/// legend's swatches (`.key.k0` …) carry the same colours in the stylesheet: the page's CSP
/// allows no inline styles.
struct Line {
    name: &'static str,
    colour: &'static str,
    dash: &'static str,
    values: Vec<f64>,
}

fn lines(points: &[TrendPoint], t: &'static Strings) -> [Line; 3] {
    [
        Line {
            name: t.trend_green,
            colour: "#1a7f37",
            dash: "",
            values: points.iter().map(TrendPoint::green_share).collect(),
        },
        Line {
            name: t.trend_contacts,
            colour: "#0969da",
            dash: "2 3",
            values: points.iter().map(TrendPoint::contact_coverage).collect(),
        },
        Line {
            name: t.trend_coverage,
            colour: "#c8102e",
            dash: "6 3",
            values: points.iter().map(TrendPoint::coverage).collect(),
        },
    ]
}

#[component]
pub fn TrendChart(points_of: Vec<TrendPoint>, current: Week) -> impl IntoView {
    let t = use_t();
    let n = points_of.len();
    // The completed weeks and, last, the current one (marked, not yet judged).
    let slots = n + 1;
    let lines = lines(&points_of, t);
    let ends: Vec<f64> = lines
        .iter()
        .map(|l| l.values.last().copied().unwrap_or(0.0))
        .collect();
    let label = fill(
        t.trend_label,
        &[
            ("green", &pct(ends[0])),
            ("contacts", &pct(ends[1])),
            ("coverage", &pct(ends[2])),
        ],
    );
    let grid = [0.0, 0.25, 0.5, 0.75, 1.0]
        .into_iter()
        .map(|s| {
            let yy = format!("{:.1}", y(s));
            view! {
                <line x1=LEFT y1=yy.clone() x2=x(n, slots) y2=yy.clone() stroke="#d8dee4" stroke-width="1" />
                <text x=LEFT - 4.0 y=yy text-anchor="end" dominant-baseline="middle" font-size="10" fill="#57606a">
                    {pct(s)}
                </text>
            }
        })
        .collect_view();
    let ticks = points_of
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 == 0 && i + 2 < n)
        .map(|(i, p)| (i, p.week.monday().format("%-m/%-d").to_string()))
        .chain((n > 0).then(|| (n - 1, points_of[n - 1].week.monday().format("%-m/%-d").to_string())))
        .map(|(i, text)| {
            view! {
                <text x=format!("{:.1}", x(i, slots)) y=H - BOTTOM + 14.0 text-anchor="middle" font-size="10" fill="#57606a">{text}</text>
            }
        })
        .collect_view();
    let band = (x(1, slots) - x(0, slots)).max(8.0);
    let now_x = x(n, slots);
    let drawn = lines
        .iter()
        .zip(label_ys(&ends))
        .map(|(l, label_y)| {
            let dots = l
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let tip = format!("{} {}：{}", points_of[i].week.monday().format("%m-%d"), l.name, pct(*v));
                    view! {
                        <circle cx=format!("{:.1}", x(i, slots)) cy=format!("{:.1}", y(*v)) r="2.5" fill=l.colour>
                            <title>{crate::markup::rcdata(&tip)}</title>
                        </circle>
                    }
                })
                .collect_view();
            let end = l.values.last().copied();
            view! {
                <polyline points=points(&l.values, slots) fill="none" stroke=l.colour stroke-width="2" stroke-dasharray=l.dash />
                {dots}
                {end.map(|v| view! {
                    <text x=format!("{:.1}", x(n, slots) + band / 2.0 + 2.0) y=format!("{label_y:.1}") dominant-baseline="middle" font-size="10" font-weight="700" fill=l.colour>
                        {pct(v)}
                    </text>
                })}
            }
        })
        .collect_view();
    let rows = points_of
        .iter()
        .enumerate()
        .rev()
        .map(|(i, p)| {
            view! {
                <tr>
                    <th scope="row">{format!("{} – {}", p.week.monday().format("%m-%d"), p.week.sunday().format("%m-%d"))}</th>
                    <td>{pct(lines[0].values[i])}</td>
                    <td>{pct(lines[1].values[i])}</td>
                    <td>{pct(lines[2].values[i])}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="trend" data-testid="trend">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=label.clone() width="100%">
                <text x="2" y="10" font-size="10" fill="#57606a">{t.trend_y_axis}</text>
                <rect x=format!("{:.1}", now_x - band / 2.0) y=TOP width=format!("{band:.1}") height=H - TOP - BOTTOM fill="#fff8c5" />
                <text x=format!("{now_x:.1}") y=TOP - 4.0 text-anchor="middle" font-size="10" fill="#7d4e00" data-testid="trend-now">{t.trend_now}</text>
                {grid}
                <line x1=LEFT y1=H - BOTTOM x2=now_x y2=H - BOTTOM stroke="#57606a" stroke-width="1" />
                {ticks}
                <text x=format!("{:.1}", (LEFT + now_x) / 2.0) y=H - 6.0 text-anchor="middle" font-size="10" fill="#57606a">{t.trend_x_axis}</text>
                {drawn}
            </svg>
            <figcaption class="small">
                {lines.iter().zip(&ends).enumerate().map(|(i, (l, v))| view! {
                    <span class=format!("key k{i}")>{format!("{} {}", l.name, pct(*v))}</span>
                }).collect_view()}
                <span class="muted">{fill(t.trend_now_note, &[("week", &format!("{}–{}", current.monday().format("%-m/%-d"), current.sunday().format("%-m/%-d")))])}</span>
            </figcaption>
            <details class="small">
                <summary>{t.trend_table}</summary>
                <div class="table-wrap">
                    <table class="trend-table" data-testid="trend-table">
                        <thead><tr>
                            <th scope="col">{t.trend_week}</th>
                            {lines.iter().map(|l| view! { <th scope="col">{l.name}</th> }).collect_view()}
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::{label_ys, points, y};

    #[test]
    fn points_span_the_plot_and_invert_the_y_axis() {
        // Two completed weeks and the current one: the second lands in the middle.
        assert_eq!(points(&[0.0, 1.0], 3), "36.0,168.0 178.0,22.0");
    }

    #[test]
    fn end_labels_never_overlap_and_stay_in_the_plot() {
        let ys = label_ys(&[0.27, 0.27, 0.28]);
        let mut sorted = ys.clone();
        sorted.sort_by(f64::total_cmp);
        assert!(sorted.windows(2).all(|w| w[1] - w[0] >= 11.0 - 1e-9));
        let ys = label_ys(&[0.0, 0.0, 0.0]);
        assert!(ys.iter().all(|v| *v <= y(0.0) + 4.0 + 1e-9));
        // Apart already: where the lines end.
        assert_eq!(label_ys(&[1.0, 0.0]), vec![y(1.0), y(0.0)]);
    }
}
