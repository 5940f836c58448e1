//! The dashboard's trend chart: plain SVG written on the server (no chart code in the wasm).
//! Two lines over the weeks: the share of cadres green, and the 4+1 coverage.

use crate::compliance::TrendPoint;
use crate::i18n::{fill, use_t};
use leptos::prelude::*;

const W: f64 = 340.0;
const H: f64 = 160.0;
const LEFT: f64 = 34.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 28.0;

fn x(i: usize, n: usize) -> f64 {
    if n <= 1 {
        LEFT
    } else {
        LEFT + (W - LEFT - RIGHT) * i as f64 / (n - 1) as f64
    }
}

fn y(share: f64) -> f64 {
    TOP + (H - TOP - BOTTOM) * (1.0 - share.clamp(0.0, 1.0))
}

/// `x,y x,y …` for an SVG polyline.
pub fn points(values: &[f64]) -> String {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", x(i, values.len()), y(*v)))
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn TrendChart(points_of: Vec<TrendPoint>) -> impl IntoView {
    let t = use_t();
    let n = points_of.len();
    let green: Vec<f64> = points_of.iter().map(TrendPoint::green_share).collect();
    let coverage: Vec<f64> = points_of.iter().map(TrendPoint::coverage).collect();
    let label = fill(
        t.trend_label,
        &[
            (
                "green",
                &format!("{:.0}", green.last().copied().unwrap_or(0.0) * 100.0),
            ),
            (
                "coverage",
                &format!("{:.0}", coverage.last().copied().unwrap_or(0.0) * 100.0),
            ),
        ],
    );
    let grid = [0.0, 0.5, 1.0]
        .into_iter()
        .map(|s| {
            let yy = format!("{:.1}", y(s));
            view! {
                <line x1=LEFT y1=yy.clone() x2=W - RIGHT y2=yy.clone() stroke="#d8dee4" stroke-width="1" />
                <text x=LEFT - 4.0 y=yy text-anchor="end" dominant-baseline="middle" font-size="10" fill="#636c76">
                    {format!("{:.0}%", s * 100.0)}
                </text>
            }
        })
        .collect_view();
    let weeks = points_of
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 4 == 0 || *i + 1 == n)
        .map(|(i, p)| {
            let anchor = if i + 1 == n { "end" } else if i == 0 { "start" } else { "middle" };
            view! {
                <text x=format!("{:.1}", x(i, n)) y=H - 10.0 text-anchor=anchor font-size="10" fill="#636c76">
                    {format!("W{}", p.week.week)}
                </text>
            }
        })
        .collect_view();
    view! {
        <figure class="trend" data-testid="trend">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=label width="100%">
                {grid}
                {weeks}
                <polyline points=points(&green) fill="none" stroke="#1a7f37" stroke-width="2.5" />
                <polyline points=points(&coverage) fill="none" stroke="#c8102e" stroke-width="2" stroke-dasharray="5 3" />
            </svg>
            <figcaption class="small">
                <span class="key green">{t.trend_green}</span>
                " "
                <span class="key red">{t.trend_coverage}</span>
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::points;

    #[test]
    fn points_span_the_plot_and_invert_the_y_axis() {
        let p = points(&[0.0, 1.0]);
        assert_eq!(p, "34.0,132.0 332.0,10.0");
    }
}
