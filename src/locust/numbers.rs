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

/// Powers of ten that are exact doubles.
const POWERS: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

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
    let (w, whole_digits) = digits(0, text);
    let (w, after_point) = match text.get(whole_digits) {
        None => (w, 0),
        Some(b'.') => {
            let fraction = &text[whole_digits + 1..];
            let (w, after_point) = digits(w, fraction);
            if after_point != fraction.len() {
                return None;
            }
            (w, after_point)
        }
        Some(_) => return None,
    };
    match whole_digits + after_point {
        0 => None,
        16.. => fast_float2::parse(text).ok(),
        // Below 10^15, so exact as an `i64` and as a double.
        _ if after_point == 0 => Some(w as i64 as f64),
        _ => Some(w as i64 as f64 / POWERS[after_point]),
    }
}

/// The decimal `window[..len]`, as [`decimal`] converts it, read without a loop over its
/// bytes when it is at most 8 bytes long and `window` holds at least 8 (most of Locust's
/// numbers: percentiles, counts of milliseconds, `0.000000`).
///
/// The 8 bytes are one `u64`, shifted so that the text ends at its top byte, the bytes below
/// padded with `'0'`; the point, if any, is found with a byte-wise mask (as
/// [`super::records`] finds commas) and taken out; every byte is then checked to be a digit
/// and the eight digits converted at once (Lemire, "Number parsing at a gigabyte per second",
/// 2021, "parse_eight_digits"). Anything else goes to [`decimal`].
#[inline]
pub(crate) fn decimal_in(window: &[u8], len: usize) -> Option<f64> {
    /// The byte `b` in each of the eight bytes.
    const fn each(b: u8) -> u64 {
        u64::from_ne_bytes([b; 8])
    }
    let (Some(bytes), 1..=8) = (window.first_chunk::<8>(), len) else {
        return decimal(window.get(..len)?);
    };
    let pad = 8 * (8 - len as u32);
    let text = u64::from_le_bytes(*bytes) << pad;
    let x = text | each(b'0').checked_shr(64 - pad).unwrap_or(0);
    let low = each(0x7F);
    let is_point = x ^ each(b'.');
    let points = !(((is_point & low) + low) | is_point | low);
    let (digits, after_point) = match points.trailing_zeros() / 8 {
        8 => (x, 0),
        at => {
            let below = (1u64 << (8 * at)) - 1;
            let above = !(below | ((below + 1) * 0xFF));
            ((x & below) << 8 | (x & above) | 0x30, 7 - at as usize)
        }
    };
    let high_nibbles = each(0xF0);
    let all_digits = (digits & high_nibbles)
        | ((digits.wrapping_add(each(0x06)) & high_nibbles) >> 4)
        == each(0x33);
    if !all_digits || len == usize::from(points != 0) {
        return None;
    }
    let w = eight(digits) as i64 as f64;
    Some(match after_point {
        0 => w,
        _ => w / POWERS[after_point],
    })
}

/// The number eight ASCII digits spell, the first in the lowest byte.
#[inline]
fn eight(digits: u64) -> u64 {
    let v = digits.wrapping_sub(u64::from_ne_bytes([b'0'; 8]));
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let mask = 0x0000_00FF_0000_00FF;
    let mul1 = 100 + (1_000_000 << 32);
    let mul2 = 1 + (10_000 << 32);
    ((v & mask)
        .wrapping_mul(mul1)
        .wrapping_add(((v >> 16) & mask).wrapping_mul(mul2)))
        >> 32
}

/// The ASCII digits at the start of `text` appended to `w`, and how many there were. Wraps
/// past 19 digits, which the caller hands to the other parser.
fn digits(mut w: u64, text: &[u8]) -> (u64, usize) {
    let mut n = 0;
    while let Some(&b) = text.get(n) {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        w = w.wrapping_mul(10).wrapping_add(u64::from(digit));
        n += 1;
    }
    (w, n)
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

    #[test]
    fn decimal_in_reads_what_decimal_reads() {
        let texts = [
            "0",
            "5.",
            ".5",
            ".",
            "..",
            "1.2.3",
            "19.700000",
            "0.000000",
            "123",
            "128.0",
            "999999999999999",
            "9999999999999999",
            "99999999999999.9",
            "1234567890123456",
            "10.123456789012345",
            "1e3",
            "N/A",
            " 1",
            "1 ",
            "",
            "0000000000000001",
        ];
        for text in texts {
            let mut window = text.as_bytes().to_vec();
            window.extend(b",9.5,123,N/A,0.000000");
            assert_eq!(
                decimal_in(&window, text.len()).map(f64::to_bits),
                decimal(text.as_bytes()).map(f64::to_bits),
                "{text:?}"
            );
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
        fn decimal_in_is_decimal(
            text in "[0-9.]{0,18}|[0-9]{0,8}[.a ][0-9]{0,8}",
            after in proptest::collection::vec(any::<u8>(), 0..20),
        ) {
            let mut window = text.clone().into_bytes();
            window.extend(&after);
            let ours = decimal_in(&window, text.len()).map(f64::to_bits);
            prop_assert_eq!(ours, decimal(text.as_bytes()).map(f64::to_bits), "{}", text);
        }

        #[test]
        fn whole_is_what_str_parse_gives(text in "[0-9]{1,19}") {
            prop_assert_eq!(whole(text.as_bytes()), text.parse::<u64>().ok());
        }
    }
}
