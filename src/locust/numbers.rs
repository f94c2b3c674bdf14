//! Numbers read straight from a field's bytes, for the forms Locust writes.
//!
//! Each function takes the common, simple form only and returns `None` for anything else, so
//! that the caller falls back to the standard library's parser (which also makes the error
//! message): the result is always the one `str::parse` gives, only sooner.

/// The field without the whitespace `str::trim` removes, when that whitespace is ASCII; `None`
/// when the field starts or ends with a non-ASCII byte (which may be Unicode whitespace).
pub(crate) fn trim(field: &[u8]) -> Option<&[u8]> {
    // `char::is_whitespace` for ASCII: tab, line feed, vertical tab, form feed, carriage
    // return and space (`u8::is_ascii_whitespace` leaves out the vertical tab).
    let space = |b: &u8| matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ');
    let start = field.iter().position(|b| !space(b)).unwrap_or(field.len());
    let end = field
        .iter()
        .rposition(|b| !space(b))
        .map_or(start, |i| i + 1);
    let trimmed = &field[start..end];
    match (trimmed.first(), trimmed.last()) {
        (Some(&first), Some(&last)) if first >= 0x80 || last >= 0x80 => None,
        _ => Some(trimmed),
    }
}

/// A whole number written as 1 to 19 ASCII digits (so it fits in a `u64`).
pub(crate) fn whole(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

/// A decimal `DIGITS[.DIGITS]` (either side may be empty, not both) with at most 15 digits in
/// all, converted exactly as `str::parse::<f64>` converts it.
///
/// With at most 15 digits the digits form an integer `w < 10^15 < 2^53` and at most 15 of
/// them follow the point, so `w` and `10^k` are both exact doubles and one correctly rounded
/// division gives the correctly rounded value (Clinger, "How to read floating point numbers
/// accurately", PLDI 1990: the fast path the standard library's parser takes too).
pub(crate) fn decimal(text: &[u8]) -> Option<f64> {
    /// Powers of ten that are exact doubles.
    const POWERS: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (int, frac) = match text.iter().position(|&b| b == b'.') {
        Some(dot) => (&text[..dot], &text[dot + 1..]),
        None => (text, &text[text.len()..]),
    };
    let digits = int.len() + frac.len();
    if digits == 0 || digits > 15 {
        return None;
    }
    let mut w = 0u64;
    for &b in int.iter().chain(frac) {
        if !b.is_ascii_digit() {
            return None;
        }
        w = w * 10 + u64::from(b - b'0');
    }
    Some(w as f64 / POWERS[frac.len()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn trim_removes_what_str_trim_removes() {
        for text in ["  12 ", "\t7\r\n", "\u{b}5\u{c}", "", "   ", "N/A", " a b "] {
            assert_eq!(
                trim(text.as_bytes()),
                Some(text.trim().as_bytes()),
                "{text:?}"
            );
        }
        assert_eq!(trim("\u{a0}5".as_bytes()), None);
        assert_eq!(trim("5\u{3000}".as_bytes()), None);
        assert_eq!(trim(" é5 ".as_bytes()), None);
    }

    #[test]
    fn whole_takes_digits_only() {
        assert_eq!(whole(b"0"), Some(0));
        assert_eq!(whole(b"1795859305"), Some(1_795_859_305));
        assert_eq!(
            whole(b"9999999999999999999"),
            Some(9_999_999_999_999_999_999)
        );
        for text in [
            &b""[..],
            b"+1",
            b"-1",
            b"1.0",
            b"1e3",
            b"12345678901234567890",
            b" 1",
        ] {
            assert_eq!(whole(text), None, "{text:?}");
        }
    }

    #[test]
    fn decimal_takes_plain_decimals_only() {
        assert_eq!(decimal(b"19.700000"), Some(19.7));
        assert_eq!(decimal(b"0.000000"), Some(0.0));
        assert_eq!(decimal(b"5."), Some(5.0));
        assert_eq!(decimal(b".5"), Some(0.5));
        assert_eq!(decimal(b"123456789012345"), Some(123_456_789_012_345.0));
        for text in [
            &b""[..],
            b".",
            b"1.2.3",
            b"-1",
            b"+1",
            b"1e3",
            b"inf",
            b"NaN",
            b"1234567890123456",
            b"0.1234567890123456",
        ] {
            assert_eq!(decimal(text), None, "{:?}", std::str::from_utf8(text));
        }
    }

    proptest! {
        #[test]
        fn decimal_is_what_str_parse_gives(int in "[0-9]{0,16}", frac in proptest::option::of("[0-9]{0,16}")) {
            let text = match &frac {
                Some(frac) => format!("{int}.{frac}"),
                None => int.clone(),
            };
            if let Some(x) = decimal(text.as_bytes()) {
                let std: f64 = text.parse().unwrap();
                prop_assert_eq!(x.to_bits(), std.to_bits(), "{}", text);
            } else {
                let digits = int.len() + frac.as_ref().map_or(0, String::len);
                prop_assert!(digits == 0 || digits > 15, "{}", text);
            }
        }

        #[test]
        fn whole_is_what_str_parse_gives(text in "[0-9]{1,19}") {
            prop_assert_eq!(whole(text.as_bytes()), text.parse::<u64>().ok());
        }
    }
}
