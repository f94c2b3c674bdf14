//! A small table shared by the terminal and Markdown renderers, so both show the same cells;
//! every cell is escaped for its format by [`super::escape`].

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

/// One cell: its text and emphasis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The text, untrusted parts included; renderers escape it for their format.
    pub text: String,
    /// The emphasis on a colour terminal.
    pub tone: Tone,
}

impl<T: Into<String>> From<T> for Cell {
    fn from(text: T) -> Self {
        Cell {
            text: text.into(),
            tone: Tone::Plain,
        }
    }
}

impl Cell {
    /// A cell with emphasis.
    pub fn toned(text: impl Into<String>, tone: Tone) -> Self {
        Cell {
            text: text.into(),
            tone,
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
#[derive(Debug, Clone, Default)]
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
            .map(|r| r.iter().map(|c| escape::terminal(&c.text)).collect())
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
                out.push_str(&format!(" {} |", escape::markdown(&cell.text)));
            }
            out.push('\n');
        }
        out
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
}
