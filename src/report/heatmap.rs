//! The 7x24 coverage heatmap, in the terminal and as SVG.

use crate::model::human_secs;
use crate::time::analysis::{Cell, SeverityCoverage};

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// How a cell compares with the acknowledge target.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Band {
    NotRequired,
    Fast,
    Near,
    Over,
    /// Inside required coverage the first step reaches nobody at some instant of the hour.
    Gap,
    Never,
}

pub fn band(cell: &Cell, ack: Option<i64>) -> Band {
    match cell {
        None => Band::NotRequired,
        Some(v) => match (v.worst, ack) {
            (None, _) => Band::Never,
            _ if v.gap => Band::Gap,
            (Some(w), Some(a)) if w > a => Band::Over,
            (Some(w), Some(a)) if w * 2 > a => Band::Near,
            (Some(_), Some(_)) => Band::Fast,
            // Without a target: under 15 minutes is fast, under an hour near.
            (Some(w), None) if w <= 900 => Band::Fast,
            (Some(w), None) if w <= 3600 => Band::Near,
            (Some(_), None) => Band::Over,
        },
    }
}

fn describe(cell: &Cell) -> String {
    match cell {
        None => "not required".into(),
        Some(v) => match (v.worst, v.gap) {
            (None, _) => "never engaged".into(),
            (Some(w), true) => format!("gap: the first step reaches nobody; engaged at worst after {}", human_secs(w)),
            (Some(w), false) => human_secs(w),
        },
    }
}

/// A band's symbol in the Markdown grid and the plain terminal: shapes, not colours.
pub fn symbol(b: Band) -> &'static str {
    match b {
        Band::NotRequired => "·",
        Band::Fast => "○",
        Band::Near => "◐",
        Band::Over => "●",
        Band::Gap => "▲",
        Band::Never => "✕",
    }
}

/// The legend of the symbols.
pub const LEGEND: [(Band, &str); 6] = [
    (Band::Fast, "within half the target"),
    (Band::Near, "within the target"),
    (Band::Over, "over the target"),
    (Band::Gap, "gap: the first step reaches nobody (whatever the time to engage)"),
    (Band::Never, "nobody engaged"),
    (Band::NotRequired, "not required"),
];

/// The heatmap as a monospace grid for Markdown (inside a code block): a row per day, a
/// column per hour, one symbol per cell.
pub fn grid(s: &SeverityCoverage, tz: &str) -> String {
    let mut out = format!("     {}  ({tz})\n", (0..24).map(|h| format!("{h:02}")).collect::<Vec<_>>().join(" "));
    for (d, row) in s.heatmap.iter().enumerate() {
        out.push_str(DAYS[d]);
        out.push(' ');
        for cell in row {
            out.push_str("  ");
            out.push_str(symbol(band(cell, s.acknowledge_seconds)));
        }
        out.push('\n');
    }
    out
}

/// The heatmap in the terminal: coloured blocks, or letters under NO_COLOR.
pub fn terminal(s: &SeverityCoverage, color: bool, tz: &str) -> String {
    let mut out = String::new();
    out.push_str(&format!("     {}  ({tz})\n", (0..24).map(|h| format!("{h:02}")).collect::<Vec<_>>().join(" ")));
    for (d, row) in s.heatmap.iter().enumerate() {
        out.push_str(&format!("{}  ", DAYS[d]));
        for cell in row {
            let b = band(cell, s.acknowledge_seconds);
            let text = if color {
                let code = match b {
                    Band::NotRequired => "90",
                    Band::Fast => "32",
                    Band::Near => "33",
                    Band::Over => "31",
                    Band::Gap => "91",
                    Band::Never => "35",
                };
                let glyph = match b {
                    Band::NotRequired => "··",
                    Band::Gap => "▲▲",
                    _ => "██",
                };
                format!("\x1b[{code}m{glyph}\x1b[0m ")
            } else {
                let glyph = match b {
                    Band::NotRequired => "  ",
                    Band::Fast => "..",
                    Band::Near => "oo",
                    Band::Over => "XX",
                    Band::Gap => "^^",
                    Band::Never => "!!",
                };
                format!("{glyph} ")
            };
            out.push_str(&text);
        }
        out.push('\n');
    }
    let legend = if color {
        "     \x1b[32m██\x1b[0m within half the target  \x1b[33m██\x1b[0m within the target  \x1b[31m██\x1b[0m over it  \x1b[91m▲▲\x1b[0m gap: first step reaches nobody  \x1b[35m██\x1b[0m nobody engaged  \x1b[90m··\x1b[0m not required"
    } else {
        "     .. within half the target  oo within the target  XX over it  ^^ gap: first step reaches nobody  !! nobody engaged  (blank) not required"
    };
    out.push_str(legend);
    out.push('\n');
    out
}

fn fill(b: Band) -> &'static str {
    match b {
        Band::NotRequired => "#eaeef2",
        Band::Fast => "#2da44e",
        Band::Near => "#d4a72c",
        Band::Over => "#cf222e",
        Band::Gap => "url(#gap)",
        Band::Never => "#5c0011",
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Heatmaps of several service/severity pairs stacked in one SVG document.
pub fn svg(maps: &[(String, &SeverityCoverage)], tz: &str) -> String {
    let (cw, ch, left, top, block) = (28, 22, 48, 56, 7 * 22 + 104);
    let width = left + 24 * cw + 16;
    let height = (maps.len().max(1) * block) as i64 + 40;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"-apple-system,Segoe UI,Helvetica,Arial,sans-serif\" font-size=\"12\">\n<defs><pattern id=\"gap\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#ffebe9\"/><rect width=\"3\" height=\"6\" fill=\"#cf222e\"/></pattern></defs>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
    );
    for (i, (service, s)) in maps.iter().enumerate() {
        let y0 = (i * block) as i64;
        let worst = match (s.required, s.worst_seconds) {
            (false, _) => "no coverage required".to_string(),
            (true, None) => "nobody engaged at worst".to_string(),
            (true, Some(w)) => format!("worst {}", human_secs(w)),
        };
        let target = s.acknowledge_seconds.map(|a| format!(" · acknowledge target {}", human_secs(a))).unwrap_or_default();
        out.push_str(&format!("<text x=\"{left}\" y=\"{}\" font-size=\"14\" font-weight=\"600\" fill=\"#1f2328\">{} · {}</text>\n", y0 + 22, esc(service), esc(&s.severity)));
        out.push_str(&format!("<text x=\"{left}\" y=\"{}\" fill=\"#57606a\">time to engage by hour of week ({}) — {worst}{target}</text>\n", y0 + 40, esc(tz)));
        for h in 0..24 {
            out.push_str(&format!("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#57606a\" font-size=\"10\">{h:02}</text>\n", left + h * cw + cw / 2, y0 + top as i64 - 4));
        }
        for (d, row) in s.heatmap.iter().enumerate() {
            let y = y0 + top as i64 + (d * ch) as i64;
            out.push_str(&format!("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#57606a\">{}</text>\n", left - 6, y + 15, DAYS[d]));
            for (hcol, cell) in row.iter().enumerate() {
                let b = band(cell, s.acknowledge_seconds);
                out.push_str(&format!(
                    "<rect x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"{}\"><title>{} {hcol:02}:00 — {}</title></rect>\n",
                    left + hcol * cw + 1,
                    cw - 2,
                    ch - 2,
                    fill(b),
                    DAYS[d],
                    esc(&describe(cell))
                ));
            }
        }
        let mut ly = y0 + top as i64 + (7 * ch) as i64 + 16;
        let mut x = left;
        for &(b, label) in &LEGEND {
            // The legend wraps onto a second line rather than run off the picture.
            let needed = 16 + label.len() * 6 + 18;
            if x + needed > width {
                x = left;
                ly += 18;
            }
            out.push_str(&format!("<rect x=\"{x}\" y=\"{}\" width=\"12\" height=\"12\" rx=\"2\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" fill=\"#57606a\">{label}</text>\n", ly - 10, fill(b), x + 16, ly));
            x += needed;
        }
    }
    out.push_str("</svg>\n");
    out
}
