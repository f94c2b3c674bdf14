//! The one place where untrusted text — endpoint names, error messages, tracebacks, labels,
//! file paths — is made safe for where it is shown: a terminal, Markdown (GitHub-flavoured),
//! HTML and XML. Every renderer and every message printer calls these; none has its own.
//!
//! **Invisible and control characters** are shown, never passed on and never dropped: the C0
//! and C1 controls, ESC and DEL (Unicode's `Cc`), the bidirectional controls (`Bidi_Control`:
//! U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, which can make text read in another
//! order than it is stored, as in "Trojan Source", CVE-2021-42574), the line and paragraph
//! separators U+2028/U+2029, and the noncharacters U+FFFE/U+FFFF, which XML forbids. Each
//! becomes its Rust escape, `\u{1b}`, so a name that tries to recolour a terminal reads
//! `\u{1b}[31m` instead. Line breaks and tabs are kept where the format holds them (HTML,
//! XML element text, `<pre>`) and become spaces in one-line Markdown.
//!
//! **Markdown** ([`markdown`]): pipes, HTML and every inline construct (`\`` `*` `_` `[` `]`
//! `#` `~` `$` and the backslash) are escaped, `<`, `>` and `&` always become entities. On
//! GitHub, Markdown is post-processed, and those steps ignore backslash escapes:
//!
//! * **@mentions** are found in the HTML's text nodes after rendering (html-pipeline's
//!   `MentionFilter`: `@` after a non-word character, then `[a-z0-9][a-z0-9-]*`; text under
//!   `pre`, `code`, `a`, `style` and `script` is skipped), so `\@user` still notifies the user
//!   (github/markup#1168);
//! * **e-mail autolinks** are found in the text nodes after parsing, once adjacent ones are
//!   merged (cmark-gfm `extensions/autolink.c`, `postprocess` → `cmark_consolidate_text_nodes`,
//!   commit 85d8952 of github/cmark-gfm), so neither `\@` nor `&#64;` stops them;
//! * **URL autolinks** are recognised by the inline parser in the source text: at a `:` that is
//!   followed by `//` and preceded by `http`, `https` or `ftp` (`url_match`), and at `www.`
//!   after the start, a space or one of `*_~(` (`www_match`; GFM spec, "Autolinks
//!   (extension)"). Code spans are never searched;
//! * **references** `#26`, `GH-26` and `owner/repo#26` link (and cross-reference) issues
//!   (GitHub Docs, "Autolinked references and URLs").
//!
//! What stops all of them is a character in the rendered text between the trigger and what
//! follows: a zero-width space, the fix Dependabot (dependabot-core#3157) and Renovate
//! (renovate#1083) use for mentions. It is written as the character reference `&#8203;`, so the
//! raw file holds no invisible character: after every `@`, between `#` or `GH-` and a digit,
//! between `:` and `//`, and between `www` and `.`. In the source, `:` is then followed by `&`
//! and `www` by `&`, so the inline autolinker does not fire either. Commit hashes (which link
//! only to a commit of the same repository, and notify no one) and `:emoji:` codes are left
//! as they are.
//!
//! **HTML and XML** ([`html`], [`xml`], [`xml_attr`]): `&`, `<`, `>`, `"` and `'` become
//! references (`&#39;` for the apostrophe, valid in both), so the text is safe in element
//! content and in quoted attributes. The templates are auto-escaped by minijinja; these are
//! for the markup built by hand (SVG labels, the history page, JUnit).
//!
//! **Terminal** ([`terminal`]): only the invisible and control characters above; nothing else
//! in a terminal has a meaning to escape.

use std::fmt::Write as _;
use std::path::Path;

/// A zero-width space as an HTML character reference: breaks a GitHub mention, reference or
/// autolink in rendered text without showing anything.
const ZERO_WIDTH_SPACE: &str = "&#8203;";

/// Whether a character must be shown as its escape everywhere: controls, bidirectional
/// controls, line and paragraph separators, and the noncharacters XML forbids.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{fffe}'
                | '\u{ffff}'
        )
}

/// Appends the visible form of a hidden character, `\u{1b}`.
fn push_visible(out: &mut String, c: char) {
    // Writing to a String cannot fail.
    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
}

/// Text for a terminal or a log: hidden characters shown as `\u{…}`, everything else as is.
pub fn terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_hidden(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Text that is already markup (an SVG from plotters, which escapes `<`, `&` and quotes but
/// passes everything else on): hidden characters shown as `\u{…}`, line breaks and tabs kept.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_hidden(c) && !matches!(c, '\n' | '\r' | '\t') {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// A path for a terminal: shown lossily (bytes that are not UTF-8 become U+FFFD), then
/// [`terminal`].
pub fn terminal_path(path: &Path) -> String {
    terminal(&path.to_string_lossy())
}

/// Text for one line of GitHub-flavoured Markdown: a table cell, a list item, a heading, a
/// paragraph. Inert on GitHub: no markup, no HTML, no mention, reference or autolink; line
/// breaks and tabs become spaces, hidden characters `\u{…}`.
pub fn markdown(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_hidden(c) => {
                out.push('\\');
                push_visible(&mut out, c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        if breaks_after(&chars, i) {
            out.push_str(ZERO_WIDTH_SPACE);
        }
    }
    out
}

/// Text for inside a Markdown code span (`` `name` ``), where nothing is parsed, no mention
/// or autolink is looked for, and backslashes are literal: backticks become `'`, line breaks
/// and tabs spaces, hidden characters `\u{…}`. Not for a table cell (a `|` would split it).
pub fn markdown_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '`' => out.push('\''),
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_hidden(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Text for raw HTML element content on one line of a Markdown document
/// (`<summary>…</summary>`), where Markdown is not parsed but GitHub still looks for mentions:
/// `&`, `<` and `>` as references, mentions and references broken as in [`markdown`], line
/// breaks folded into spaces (a blank line would end the HTML block), hidden characters
/// `\u{…}`.
pub fn markdown_html(text: &str) -> String {
    let folded: String = text
        .chars()
        .map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c })
        .collect();
    markdown_pre(&folded)
}

/// Text for a `<pre>` block in a Markdown document: [`markdown_html`] keeping line breaks and
/// tabs.
pub fn markdown_pre(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for (i, &c) in chars.iter().enumerate() {
        push_markup(&mut out, c, Place::Content);
        if breaks_after(&chars, i) {
            out.push_str(ZERO_WIDTH_SPACE);
        }
    }
    out
}

/// Text for HTML element content or a quoted attribute value (also inline SVG): markup
/// characters as references, hidden characters `\u{…}`, line breaks and tabs kept.
pub fn html(text: &str) -> String {
    markup(text, Place::Quoted)
}

/// Text for XML 1.0 element content (JUnit): as [`html`], and nothing XML forbids remains.
pub fn xml(text: &str) -> String {
    markup(text, Place::Quoted)
}

/// Text for a quoted XML attribute value: as [`xml`], with line breaks and tabs as character
/// references, which attribute-value normalisation would otherwise turn into spaces.
pub fn xml_attr(text: &str) -> String {
    markup(text, Place::XmlAttribute)
}

/// Where markup escaping puts its text, which decides what it must escape.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Element content only: `&`, `<` and `>`.
    Content,
    /// Content or a quoted attribute value: quotes too.
    Quoted,
    /// A quoted XML attribute value: quotes, and line breaks and tabs as references.
    XmlAttribute,
}

/// HTML and XML escaping for one place.
fn markup(text: &str, place: Place) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_markup(&mut out, c, place);
    }
    out
}

/// Appends one character escaped for HTML or XML.
fn push_markup(out: &mut String, c: char, place: Place) {
    let attribute = place == Place::XmlAttribute;
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' if place != Place::Content => out.push_str("&quot;"),
        '\'' if place != Place::Content => out.push_str("&#39;"),
        '\n' if attribute => out.push_str("&#10;"),
        '\r' if attribute => out.push_str("&#13;"),
        '\t' if attribute => out.push_str("&#9;"),
        '\n' | '\r' | '\t' => out.push(c),
        c if is_hidden(c) => push_visible(out, c),
        c => out.push(c),
    }
}

/// Whether a zero-width space must follow `chars[i]` to keep GitHub from turning what follows
/// into a mention, an issue reference or an autolink (see the module header).
fn breaks_after(chars: &[char], i: usize) -> bool {
    let at = |j: usize| chars.get(j).copied();
    let digit_next = at(i + 1).is_some_and(|c| c.is_ascii_digit());
    match chars[i] {
        '@' => true,
        '#' => digit_next,
        '-' => {
            digit_next
                && i >= 2
                && at(i - 2).is_some_and(|c| c.eq_ignore_ascii_case(&'g'))
                && at(i - 1).is_some_and(|c| c.eq_ignore_ascii_case(&'h'))
        }
        ':' => at(i + 1) == Some('/') && at(i + 2) == Some('/'),
        'w' | 'W' => {
            at(i + 1) == Some('.')
                && i >= 2
                && at(i - 2).is_some_and(|c| c.eq_ignore_ascii_case(&'w'))
                && at(i - 1).is_some_and(|c| c.eq_ignore_ascii_case(&'w'))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;
