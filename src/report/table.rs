//! The one table model: headers with alignments and rows of cells, rendered as aligned terminal
//! text, GitHub Markdown and (through the report's templates) HTML, by the report, the
//! sign-off and `history` alike; every cell is escaped for its format by [`super::escape`].

use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;

use super::escape;

/// How a cell is emphasised on a colour terminal (ignored elsewhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// No emphasis.
    Plain,
    /// Something got worse.
    Bad,
    /// Something got better.
    Good,
    /// Worth a look, not a verdict.
    Note,
    /// Headers and totals.
    Strong,
}

impl Tone {
    fn ansi(self) -> Option<&'static str> {
        match self {
            Tone::Plain => None,
            Tone::Bad => Some("\x1b[1;31m"),
            Tone::Good => Some("\x1b[32m"),
            Tone::Note => Some("\x1b[33m"),
            Tone::Strong => Some("\x1b[1m"),
        }
    }
}

/// One cell: its text, emphasis and, for a check, whether it passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The text, untrusted parts included; renderers escape it for their format.
    pub text: String,
    /// The emphasis on a colour terminal.
    pub tone: Tone,
    /// A check's verdict: `Some(true)` passed, `Some(false)` failed, marked in every format.
    pub passed: Option<bool>,
}

impl<T: Into<String>> From<T> for Cell {
    fn from(text: T) -> Self {
        Cell::toned(text, Tone::Plain)
    }
}

impl Cell {
    /// A cell with emphasis.
    pub fn toned(text: impl Into<String>, tone: Tone) -> Self {
        Cell {
            text: text.into(),
            tone,
            passed: None,
        }
    }

    /// A check's result: green with ✓ when it passed, red with ✗ when it failed, plain when
    /// there is no verdict.
    pub fn judged(text: impl Into<String>, passed: Option<bool>) -> Self {
        let tone = match passed {
            Some(true) => Tone::Good,
            Some(false) => Tone::Bad,
            None => Tone::Plain,
        };
        Cell {
            text: text.into(),
            tone,
            passed,
        }
    }

    /// The verdict mark after the text, in `(passed, failed)` glyphs.
    fn marked(&self, text: String, (yes, no): (&str, &str)) -> String {
        match self.passed {
            Some(true) => format!("{text} {yes}"),
            Some(false) => format!("{text} {no}"),
            None => text,
        }
    }
}

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text columns.
    Left,
    /// Number columns.
    Right,
}

/// A table: headers, alignments and rows of cells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    headers: Vec<(String, Align)>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table with these columns.
    pub fn new(headers: &[(&str, Align)]) -> Self {
        Self {
            headers: headers.iter().map(|(h, a)| (h.to_string(), *a)).collect(),
            rows: Vec::new(),
        }
    }

    /// A grid: a label column, then columns of figures (right-aligned), with its rows.
    pub fn grid(headers: Vec<String>, rows: Vec<Vec<Cell>>) -> Self {
        let mut table = Self {
            headers: headers
                .into_iter()
                .enumerate()
                .map(|(i, h)| (h, if i == 0 { Align::Left } else { Align::Right }))
                .collect(),
            rows: Vec::new(),
        };
        for row in rows {
            table.row(row);
        }
        table
    }

    /// Appends a row; missing cells are blank, extra cells are dropped.
    pub fn row(&mut self, cells: Vec<Cell>) {
        let mut cells = cells;
        cells.resize(self.headers.len(), Cell::from(""));
        self.rows.push(cells);
    }

    /// The column headers and their alignments, for renderers that build their own markup.
    pub fn headers(&self) -> &[(String, Align)] {
        &self.headers
    }

    /// The rows, each as long as the headers.
    pub fn rows(&self) -> &[Vec<Cell>] {
        &self.rows
    }

    /// Whether no row was added.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Aligned plain text, columns two spaces apart; ANSI colour when `color` is set.
    pub fn to_text(&self, color: bool) -> String {
        let clean: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| c.marked(escape::terminal(&c.text), ("✓", "✗")))
                    .collect()
            })
            .collect();
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|i| {
                clean
                    .iter()
                    .map(|r| r[i].chars().count())
                    .chain(std::iter::once(self.headers[i].0.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        let header: Vec<Cell> = self
            .headers
            .iter()
            .map(|(h, _)| Cell::toned(h.clone(), Tone::Strong))
            .collect();
        let header_text: Vec<String> = header.iter().map(|c| c.text.clone()).collect();
        self.line(&mut out, &header, &header_text, &widths, color);
        for (cells, texts) in self.rows.iter().zip(&clean) {
            self.line(&mut out, cells, texts, &widths, color);
        }
        out
    }

    fn line(
        &self,
        out: &mut String,
        cells: &[Cell],
        texts: &[String],
        widths: &[usize],
        color: bool,
    ) {
        let mut line = String::new();
        for (i, ((cell, text), width)) in cells.iter().zip(texts).zip(widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(width - text.chars().count().min(*width));
            let styled = match (color, cell.tone.ansi()) {
                (true, Some(code)) => format!("{code}{text}\x1b[0m"),
                _ => text.clone(),
            };
            match self.headers[i].1 {
                Align::Left => {
                    line.push_str(&styled);
                    line.push_str(&pad);
                }
                Align::Right => {
                    line.push_str(&pad);
                    line.push_str(&styled);
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }

    /// A GitHub-flavoured Markdown table; cell text is escaped so names cannot break it.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        out.push('|');
        for (h, _) in &self.headers {
            out.push_str(&format!(" {} |", escape::markdown(h)));
        }
        out.push_str("\n|");
        for (_, align) in &self.headers {
            out.push_str(match align {
                Align::Left => " --- |",
                Align::Right => " ---: |",
            });
        }
        out.push('\n');
        for row in &self.rows {
            out.push('|');
            for cell in row {
                let text = cell.marked(escape::markdown(&cell.text), ("✅", "❌"));
                out.push_str(&format!(" {text} |"));
            }
            out.push('\n');
        }
        out
    }
}

/// JSON (the sign-off report's tables): `{"headers": [...], "rows": [[{"text", "passed"}]]}`.
impl Serialize for Table {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct JsonCell<'a> {
            text: &'a str,
            passed: Option<bool>,
        }
        struct Rows<'a>(&'a [Vec<Cell>]);
        impl Serialize for Rows<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
                for row in self.0 {
                    let cells: Vec<JsonCell<'_>> = row
                        .iter()
                        .map(|c| JsonCell {
                            text: &c.text,
                            passed: c.passed,
                        })
                        .collect();
                    seq.serialize_element(&cells)?;
                }
                seq.end()
            }
        }
        let headers: Vec<&str> = self.headers.iter().map(|(h, _)| h.as_str()).collect();
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("headers", &headers)?;
        map.serialize_entry("rows", &Rows(&self.rows))?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(&[("Name", Align::Left), ("Count", Align::Right)]);
        t.row(vec!["a|b".into(), "1".into()]);
        t.row(vec![Cell::toned("<script>", Tone::Bad), "1234".into()]);
        t
    }

    #[test]
    fn text_columns_align_and_right_numbers() {
        let text = sample().to_text(false);
        assert_eq!(text, "Name      Count\na|b           1\n<script>   1234\n");
    }

    #[test]
    fn colour_wraps_only_the_text() {
        let text = sample().to_text(true);
        assert!(text.contains("\x1b[1;31m<script>\x1b[0m   1234"));
    }

    #[test]
    fn markdown_escapes_pipes_and_html() {
        let md = sample().to_markdown();
        assert_eq!(
            md,
            "| Name | Count |\n| --- | ---: |\n| a\\|b | 1 |\n| &lt;script&gt; | 1234 |\n"
        );
    }

    #[test]
    fn cells_are_escaped_for_their_format() {
        let mut t = Table::new(&[("Name", Align::Left)]);
        t.row(vec!["a\x1b[2Jb\u{202e}@x".into()]);
        assert_eq!(t.to_text(false), "Name\na\\u{1b}[2Jb\\u{202e}@x\n");
        assert!(t
            .to_markdown()
            .ends_with("| a\\\\u{1b}\\[2Jb\\\\u{202e}@&#8203;x |\n"));
    }

    #[test]
    fn verdicts_are_marked_in_every_format_and_serialise_as_the_signoff_grid() {
        let t = Table::grid(
            vec!["Metric".into(), "light".into()],
            vec![
                vec![Cell::from("p95"), Cell::judged("620ms", Some(false))],
                vec![Cell::from("rps"), Cell::judged("12.9", Some(true))],
            ],
        );
        assert_eq!(
            t.to_markdown(),
            "| Metric | light |\n| --- | ---: |\n| p95 | 620ms ❌ |\n| rps | 12.9 ✅ |\n"
        );
        assert_eq!(
            t.to_text(false),
            "Metric    light\np95     620ms ✗\nrps      12.9 ✓\n"
        );
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            serde_json::json!({
                "headers": ["Metric", "light"],
                "rows": [
                    [{"text": "p95", "passed": null}, {"text": "620ms", "passed": false}],
                    [{"text": "rps", "passed": null}, {"text": "12.9", "passed": true}],
                ],
            })
        );
    }
}
