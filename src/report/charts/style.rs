//! The one chart style of every page (run, comparison, groups, sign-off, history): sizes that
//! match the card a chart is shown in, type sizes that read at 12 px or more, the palette, and
//! the colour of each endpoint, assigned once per page.
//!
//! Sizes: the stylesheet (`templates/report.css`) gives a section's content 1,090 CSS pixels at
//! windows of 1,180 px and wider, and the SVG is drawn with that many units and shown at
//! `width: 100%`, so one unit is one pixel at a 1,400-px window; charts in a two-column grid
//! ([`HALF_WIDTH`]) are drawn at the width of a grid cell. Printed (A4 landscape, 10 mm
//! margins, about 1,047 px) a unit is 0.96 px, so the smallest text ([`SMALL_PX`], 14 units)
//! still prints at about 13 px.
//!
//! A new chart takes [`WIDTH`] or [`HALF_WIDTH`] for its width, [`font`] for its text, and an
//! endpoint's colour from the page's [`EndpointPalette`], never from its position in the chart.

use std::collections::HashMap;

use plotters::style::{FontDesc, IntoFont, RGBColor, TextStyle};
use serde::Serialize;

/// The Okabe–Ito palette (Okabe & Ito, *Color Universal Design*, 2008), distinguishable with
/// the common colour-vision deficiencies; plus the neutral greys the charts need.
pub mod palette {
    use plotters::style::RGBColor;

    /// Orange, the first colour of the Okabe–Ito order.
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    /// Sky blue.
    pub const SKY: RGBColor = RGBColor(86, 180, 233);
    /// Bluish green.
    pub const GREEN: RGBColor = RGBColor(0, 158, 115);
    /// Blue.
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    /// Vermillion.
    pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    /// Reddish purple.
    pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
    /// Grey: the baseline run, drawn behind the latest.
    pub const GREY: RGBColor = RGBColor(150, 150, 150);
    /// Bars that are named by their label, not their colour (p95 per endpoint).
    pub const BAR: RGBColor = RGBColor(90, 110, 130);
    /// Axis and text colour, and the colour of all requests (Aggregated).
    pub const INK: RGBColor = RGBColor(40, 40, 40);
    /// Axis lines: not the ink of data, so that a test can tell them apart.
    pub const AXIS: RGBColor = RGBColor(70, 70, 70);
    /// Grid lines.
    pub const GRID: RGBColor = RGBColor(225, 225, 225);
    /// The verdict colours of bars (the stylesheet's `--bad` and `--good`).
    pub const BAD: RGBColor = RGBColor(180, 60, 0);
    /// See [`BAD`].
    pub const GOOD: RGBColor = RGBColor(0, 120, 90);

    /// Endpoint colours in the Okabe–Ito order. Black is the Aggregated row's, and yellow
    /// (#F0E442, a contrast of 1.2 : 1 on white) is left out: a thin yellow line cannot be seen.
    pub const ENDPOINTS: [RGBColor; 6] = [ORANGE, SKY, GREEN, BLUE, VERMILLION, PURPLE];
}

/// The width of a full-width chart: a section's content width at a 1,400-px window.
pub const WIDTH: u32 = 1090;
/// The width of a chart in a two-column grid (`.pair`, `.multiples`: a 16-px gap).
pub const HALF_WIDTH: u32 = (WIDTH - 16) / 2;
/// Chart titles, in pixels of rendered text (see [`font`]).
pub const TITLE_PX: u32 = 17;
/// Axis descriptions, tick labels, legends and bar labels.
pub const TEXT_PX: u32 = 14;
/// The smallest text any chart draws (value labels on bars).
pub const SMALL_PX: u32 = 14;
/// The font every chart uses: whatever sans-serif the viewer has.
pub const FONT: &str = "sans-serif";

/// plotters' SVG backend writes a font of size `s` as `font-size="s / 1.24"`.
const PLOTTERS_FONT_SCALE: f64 = 1.24;

/// A text style whose `font-size` in the SVG is `px` units, in the ink colour.
pub fn font(px: u32) -> TextStyle<'static> {
    let desc: FontDesc<'static> = (FONT, f64::from(px) * PLOTTERS_FONT_SCALE).into_font();
    TextStyle::from(desc).color(&palette::INK)
}

/// One endpoint's colour, as the page's context records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaletteEntry {
    /// The endpoint, `METHOD name` (`Aggregated` for all requests).
    pub endpoint: String,
    /// Its colour, `#rrggbb`.
    pub color: String,
}

/// The colour of each endpoint on a page, assigned once, in the order endpoints are first
/// named, so that an endpoint has the same colour in every chart and section of the page.
/// The Aggregated row is always [`palette::INK`]; after six endpoints the colours repeat, so
/// the page names the endpoints that matter most first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EndpointPalette {
    order: Vec<String>,
    index: HashMap<String, usize>,
}

impl EndpointPalette {
    /// Gives the next colour to each name not seen yet.
    pub fn add<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) {
        for name in names {
            if name == crate::model::AGGREGATED_NAME || self.index.contains_key(name) {
                continue;
            }
            self.index.insert(name.to_string(), self.order.len());
            self.order.push(name.to_string());
        }
    }

    /// The colour of `name`: ink for Aggregated, the palette's for a named endpoint, and the
    /// first colour for one never added (a chart drawn outside a page).
    pub fn color(&self, name: &str) -> RGBColor {
        if name == crate::model::AGGREGATED_NAME {
            return palette::INK;
        }
        let i = self.index.get(name).copied().unwrap_or(0);
        palette::ENDPOINTS[i % palette::ENDPOINTS.len()]
    }

    /// Every endpoint with its colour, in the order they were assigned.
    pub fn entries(&self) -> Vec<PaletteEntry> {
        self.order
            .iter()
            .map(|name| {
                let RGBColor(r, g, b) = self.color(name);
                PaletteEntry {
                    endpoint: name.clone(),
                    color: format!("#{r:02x}{g:02x}{b:02x}"),
                }
            })
            .collect()
    }
}

impl Serialize for EndpointPalette {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.entries().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_keeps_the_colour_it_was_given_first() {
        let mut p = EndpointPalette::default();
        p.add(["GET /b", "GET /a"]);
        p.add(["GET /a", "GET /c", "Aggregated"]);
        assert_eq!(p.color("GET /b"), palette::ORANGE);
        assert_eq!(p.color("GET /a"), palette::SKY);
        assert_eq!(p.color("GET /c"), palette::GREEN);
        assert_eq!(p.color("Aggregated"), palette::INK);
        let names: Vec<String> = p.entries().into_iter().map(|e| e.endpoint).collect();
        assert_eq!(names, ["GET /b", "GET /a", "GET /c"]);
        assert_eq!(p.entries()[0].color, "#e69f00");
    }

    #[test]
    fn colours_repeat_after_six_endpoints() {
        let mut p = EndpointPalette::default();
        let names: Vec<String> = (0..7).map(|i| format!("GET /{i}")).collect();
        p.add(names.iter().map(String::as_str));
        assert_eq!(p.color("GET /6"), p.color("GET /0"));
        assert_ne!(p.color("GET /5"), p.color("GET /0"));
    }

    #[test]
    fn the_smallest_text_prints_at_twelve_pixels_or_more() {
        // A4 landscape with 10 mm margins: 277 mm at 96 px per inch.
        let printed = 277.0 / 25.4 * 96.0;
        assert!(f64::from(SMALL_PX) * printed / f64::from(WIDTH) >= 12.0);
    }
}
