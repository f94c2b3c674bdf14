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
    let plain = |b: &u8| *b < 0x80 && !space(b);
    if let (Some(first), Some(last)) = (field.first(), field.last()) {
        if plain(first) && plain(last) {
            return Some(field);
        }
    }
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

/// A decimal `DIGITS[.DIGITS]` (either side may be empty, not both), converted exactly as
/// `str::parse::<f64>` converts it: to the nearest double.
///
/// With at most 15 digits the digits form an integer `w < 10^15 < 2^53` and at most 15 of
/// them follow the point, so `w` and `10^k` are both exact doubles and one correctly rounded
/// division gives the correctly rounded value (Clinger, "How to read floating point numbers
/// accurately", PLDI 1990: the fast path the standard library's parser takes too). Longer
/// ones (Locust's averages have 16–17 significant digits) go to `fast_float2`, which rounds
/// correctly too (Lemire, "Number parsing at a gigabyte per second", 2021: the algorithm the
/// standard library's parser uses).
pub(crate) fn decimal(text: &[u8]) -> Option<f64> {
    /// Powers of ten that are exact doubles.
    const POWERS: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let mut w = 0u64;
    let mut digits = 0usize;
    let mut point = None;
    for &b in text {
        if b.is_ascii_digit() {
            // Wraps only past 19 digits, which take the other path below.
            w = w.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
            digits += 1;
        } else if b == b'.' && point.is_none() {
            point = Some(digits);
        } else {
            return None;
        }
    }
    if digits == 0 {
        return None;
    }
    if digits > 15 {
        return fast_float2::parse(text).ok();
    }
    let after_point = point.map_or(0, |p| digits - p);
    Some(w as f64 / POWERS.get(after_point)?)
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
        assert_eq!(decimal(b"10.123456789012344"), Some(10.123_456_789_012_344));
        assert_eq!(
            decimal(b"12345678901234567890123"),
            Some(1.234_567_890_123_456_8e22)
        );
        for text in [
            &b""[..],
            b".",
            b"1.2.3",
            b"-1",
            b"+1",
            b"1e3",
            b"inf",
            b"NaN",
            b"1.5e3",
            b"12345678901234567.-",
        ] {
            assert_eq!(decimal(text), None, "{:?}", std::str::from_utf8(text));
        }
    }

    proptest! {
        #[test]
        fn decimal_is_what_str_parse_gives(int in "[0-9]{0,24}", frac in proptest::option::of("[0-9]{0,24}")) {
            let text = match &frac {
                Some(frac) => format!("{int}.{frac}"),
                None => int.clone(),
            };
            match (decimal(text.as_bytes()), text.parse::<f64>()) {
                (Some(x), Ok(std)) => prop_assert_eq!(x.to_bits(), std.to_bits(), "{}", text),
                (None, Err(_)) => {}
                (ours, std) => prop_assert!(false, "{text}: {ours:?} but str::parse gives {std:?}"),
            }
        }

        #[test]
        fn whole_is_what_str_parse_gives(text in "[0-9]{1,19}") {
            prop_assert_eq!(whole(text.as_bytes()), text.parse::<u64>().ok());
        }
    }
}
