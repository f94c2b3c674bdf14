//! Tests of the escapers: examples, and properties checked against real parsers — comrak
//! (the Rust port of cmark-gfm, with GitHub's extensions on) for Markdown, html5ever (through
//! scraper) for HTML.

use comrak::nodes::NodeValue;
use proptest::prelude::*;

use super::*;

/// Untrusted text as a hostile locustfile or server would write it: every trap, mixed with
/// arbitrary characters.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("@octocat".to_string()),
        Just("@org/team".to_string()),
        Just("a@b.co".to_string()),
        Just("mailto:x@y.z".to_string()),
        Just("http://x.y".to_string()),
        Just("https://evil.example/p?q=1".to_string()),
        Just("ftp://f.example".to_string()),
        Just("www.evil.example".to_string()),
        Just("WWW.x.y".to_string()),
        Just("#12".to_string()),
        Just("GH-34".to_string()),
        Just("owner/repo#5".to_string()),
        Just("\u{1b}[31m".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{2066}x\u{2069}".to_string()),
        Just("<script>".to_string()),
        Just("<!-- ".to_string()),
        Just("&amp;".to_string()),
        Just("&#64;".to_string()),
        Just("*em* _u_ `c` ~~s~~ $m$".to_string()),
        Just("[a](b) ![i](j)".to_string()),
        Just("| \\ : / ( ) * w".to_string()),
        Just("\n\r\t".to_string()),
        Just("\u{0}\u{7f}\u{85}\u{fffe}".to_string()),
        "[ -~]{0,6}",
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

/// What a reader should see of `text` in one line: line breaks and tabs as spaces, hidden
/// characters as `\u{…}`.
fn seen(text: &str) -> String {
    let folded: String = text
        .chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect();
    terminal(&folded)
}

/// The GitHub extensions that change how text renders.
fn gfm() -> comrak::Options<'static> {
    let mut options = comrak::Options::default();
    options.extension.autolink = true;
    options.extension.table = true;
    options.extension.strikethrough = true;
    options.extension.math_dollars = true;
    options
}

/// The text nodes of a parsed document, in order, and the names of every other inline node.
fn parse(markdown: &str) -> (String, Vec<String>) {
    let arena = comrak::Arena::new();
    let root = comrak::parse_document(&arena, markdown, &gfm());
    let mut text = String::new();
    let mut others = Vec::new();
    for node in root.descendants() {
        match &node.data.borrow().value {
            NodeValue::Text(t) => text.push_str(t),
            NodeValue::Document
            | NodeValue::Paragraph
            | NodeValue::Table(_)
            | NodeValue::TableRow(_)
            | NodeValue::TableCell => {}
            other => others.push(other.xml_node_name().to_string()),
        }
    }
    (text, others)
}

/// Whether rendered text holds what GitHub's post-processing would turn into a mention, an
/// issue reference or an e-mail link: `@`, `#` or `GH-` followed directly by a name or number.
fn has_github_trigger(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        let next = chars.get(i + 1).copied();
        match c {
            '@' => next.is_some_and(|n| n.is_ascii_alphanumeric()),
            '#' => next.is_some_and(|n| n.is_ascii_digit()),
            '-' => {
                next.is_some_and(|n| n.is_ascii_digit())
                    && i >= 2
                    && chars[i - 2..i]
                        .iter()
                        .collect::<String>()
                        .eq_ignore_ascii_case("gh")
            }
            _ => false,
        }
    })
}

/// Every `&` in `text` starts one of the references the escapers write.
fn references_only(text: &str) -> bool {
    const REFS: [&str; 9] = [
        "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#10;", "&#13;", "&#9;", "&#8203;",
    ];
    text.match_indices('&')
        .all(|(i, _)| REFS.iter().any(|r| text[i..].starts_with(r)))
}

#[test]
fn terminal_shows_controls_and_bidi() {
    assert_eq!(terminal("a\u{1b}[2Jb\nc"), "a\\u{1b}[2Jb\\u{a}c");
    assert_eq!(
        terminal("GET /\u{202e}gnp.exe\u{202c} \u{7f}\u{9b}"),
        "GET /\\u{202e}gnp.exe\\u{202c} \\u{7f}\\u{9b}"
    );
    assert_eq!(
        terminal("résumé ✓ \u{1F600} \\ |"),
        "résumé ✓ \u{1F600} \\ |"
    );
    assert_eq!(
        terminal_path(Path::new("/tmp/x\u{1b}]0;pwned\u{7}_stats.csv")),
        "/tmp/x\\u{1b}]0;pwned\\u{7}_stats.csv"
    );
}

#[test]
fn markdown_is_the_union_of_both_old_rules_and_breaks_github_links() {
    assert_eq!(
        markdown("a|b *c* `d` [e](f) #g ~h~ $x$ \\"),
        "a\\|b \\*c\\* \\`d\\` \\[e\\](f) \\#g \\~h\\~ \\$x\\$ \\\\"
    );
    assert_eq!(
        markdown("<b>&x p95 < 500ms"),
        "&lt;b&gt;&amp;x p95 &lt; 500ms"
    );
    assert_eq!(markdown("line\nbreak\u{1b}"), "line break\\\\u{1b}");
    assert_eq!(markdown("hi @octocat"), "hi @&#8203;octocat");
    assert_eq!(
        markdown("#12 GH-3 gh-4 x#y"),
        "\\#&#8203;12 GH-&#8203;3 gh-&#8203;4 x\\#y"
    );
    assert_eq!(
        markdown("https://evil.example www.x.y"),
        "https:&#8203;//evil.example www&#8203;.x.y"
    );
    assert_eq!(markdown("http:/x :// w.x"), "http:/x :&#8203;// w.x");
}

#[test]
fn markdown_code_and_html_in_markdown() {
    assert_eq!(
        markdown_code("a`b\nc\u{202e} @x *y*"),
        "a'b c\\u{202e} @x *y*"
    );
    assert_eq!(
        markdown_html("boom <b>\n@dev https://x.y * \"q\" 'a'"),
        "boom &lt;b&gt; @&#8203;dev https:&#8203;//x.y * \"q\" 'a'"
    );
    assert_eq!(markdown_pre("a\n\tb @c\u{1b}"), "a\n\tb @&#8203;c\\u{1b}");
}

#[test]
fn html_and_xml_escape_markup_and_show_what_xml_forbids() {
    assert_eq!(
        html("<a href=\"x\">'&'</a>"),
        "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
    );
    assert_eq!(xml("a\u{1b}[2Jb\u{0}c\n\t"), "a\\u{1b}[2Jb\\u{0}c\n\t");
    assert_eq!(
        xml_attr("a\u{1b}b\u{0}c\n\r\t"),
        "a\\u{1b}b\\u{0}c&#10;&#13;&#9;"
    );
    assert_eq!(xml("résumé ✓ \u{1F600}"), "résumé ✓ \u{1F600}");
    assert_eq!(
        xml("\u{fffe}\u{ffff}\u{202e}"),
        "\\u{fffe}\\u{ffff}\\u{202e}"
    );
    assert_eq!(
        visible("<text x=\"1\">a\u{1b}&amp;\u{202e}\n</text>"),
        "<text x=\"1\">a\\u{1b}&amp;\\u{202e}\n</text>"
    );
}

#[test]
fn comrak_agrees_that_the_tricks_work() {
    // The reference point: without escaping, GFM makes links and GitHub would mention.
    let (_, others) = parse("a https://evil.example www.x.y b@c.de z");
    assert_eq!(others, ["link", "link", "link"]);
    let (text, _) = parse("a \\@octocat z");
    assert!(has_github_trigger(&text), "{text}");
    // A character reference for `@` is decoded into the text the e-mail autolinker searches.
    let (_, others) = parse("a b&#64;c.de z");
    assert_eq!(others, ["link"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn terminal_output_has_no_hidden_character(text in hostile_text()) {
        let out = terminal(&text);
        prop_assert!(!out.chars().any(is_hidden), "{out:?}");
    }

    #[test]
    fn markdown_renders_as_exactly_the_text_and_nothing_else(text in hostile_text()) {
        let escaped = markdown(&text);
        prop_assert!(!escaped.chars().any(is_hidden) && !escaped.contains(['<', '>', '\n']));
        prop_assert!(references_only(&escaped), "{escaped}");
        for document in [
            format!("a {escaped} z\n"),
            format!("| h |\n| --- |\n| {escaped} |\n"),
        ] {
            let (rendered, others) = parse(&document);
            prop_assert!(others.is_empty(), "{document:?} gave {others:?}");
            let expected = if document.starts_with('|') {
                format!("h{}", seen(&text).trim_matches(' '))
            } else {
                format!("a {} z", seen(&text))
            };
            prop_assert_eq!(without_zero_width(&rendered), without_zero_width(&expected));
            prop_assert!(!has_github_trigger(&rendered), "{rendered:?}");
        }
    }

    #[test]
    fn markdown_html_renders_as_the_text_with_no_trigger(text in hostile_text()) {
        let escaped = markdown_html(&text);
        prop_assert!(!escaped.contains(['<', '>', '\n']) && references_only(&escaped));
        let page = scraper::Html::parse_fragment(&format!("<summary>{escaped}</summary>"));
        let rendered: String = page.root_element().text().collect();
        prop_assert!(!has_github_trigger(&rendered), "{rendered:?}");
        let expected = terminal_keeping_breaks(&text.replace(['\n', '\r'], " "));
        prop_assert_eq!(without_zero_width(&rendered), without_zero_width(&expected));
    }

    #[test]
    fn html_and_xml_hold_no_markup_and_parse_back_to_the_text(text in hostile_text()) {
        for out in [html(&text), xml(&text), xml_attr(&text)] {
            prop_assert!(!out.contains(['<', '>']) && references_only(&out), "{out}");
            prop_assert!(out.chars().all(|c| matches!(c, '\t' | '\n' | '\r') || !is_hidden(c)));
        }
        let escaped = html(&text);
        let page = scraper::Html::parse_fragment(&format!(
            "<p title=\"{escaped}\" lang='{escaped}'>{escaped}</p>"
        ));
        let p = page
            .select(&scraper::Selector::parse("p").unwrap())
            .next()
            .unwrap();
        // HTML turns every CR and CR LF into LF before parsing.
        let expected = terminal_keeping_breaks(&text).replace("\r\n", "\n").replace('\r', "\n");
        prop_assert_eq!(p.value().attr("title").unwrap(), expected.as_str());
        prop_assert_eq!(p.value().attr("lang").unwrap(), expected.as_str());
        prop_assert_eq!(p.text().collect::<String>(), expected);
    }
}

/// The text with every zero-width space taken out (the escapers add them; the input may hold some).
fn without_zero_width(text: &str) -> String {
    text.replace('\u{200b}', "")
}

/// [`terminal`], but leaving line breaks and tabs, as the markup escapers do.
fn terminal_keeping_breaks(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => c.to_string(),
            c => terminal(&c.to_string()),
        })
        .collect()
}
