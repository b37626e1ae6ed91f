//! Bar charts drawn here as SVG: no script, no library in the browser. A
//! hidden count draws no bar (its length would give the number away).

use super::stats::Cell;
use maud::{Markup, html};

pub fn bars(title: &str, items: &[(String, Cell)]) -> Markup {
    let max = items
        .iter()
        .filter_map(|(_, c)| c.shown())
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_w, bar_w, row_h) = (190u64, 300u64, 28u64);
    let height = row_h * items.len() as u64 + 8;
    html! {
        figure class="chart" {
            svg xmlns="http://www.w3.org/2000/svg" viewBox={"0 0 " (label_w + bar_w + 60) " " (height)}
                role="img" aria-label=(title) {
                @for (i, (label, cell)) in items.iter().enumerate() {
                    @let y = i as u64 * row_h + 4;
                    text x=(label_w - 8) y=(y + 18) text-anchor="end" class="label" { (label) }
                    @if let Some(v) = cell.shown() {
                        rect x=(label_w) y=(y + 4) height=(row_h - 10) width=(v * bar_w / max) class="bar" {}
                        text x=(label_w + v * bar_w / max + 6) y=(y + 18) class="value" { (cell.text()) }
                    } @else {
                        text x=(label_w + 6) y=(y + 18) class="value hidden" { (cell.text()) }
                    }
                }
            }
            figcaption { (title) }
        }
    }
}
