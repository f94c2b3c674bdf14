//! UTC timestamps — folder names, manifests, reports, Locust's `First Seen` — without a
//! date-time dependency, in one place.

use std::time::{SystemTime, UNIX_EPOCH};

/// A moment as Unix milliseconds, the unit the manifest and the index store.
pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Civil date (year, month, day) of a day count since 1970-01-01, by Howard Hinnant's
/// `civil_from_days` algorithm (proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The parts of a Unix time in seconds: (year, month, day, hour, minute, second).
fn parts(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400) as u32;
    (y, mo, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Compact UTC form for folder names, sortable as text: `20261128T104500Z`.
pub fn compact(millis: i64) -> String {
    let (y, mo, d, h, mi, s) = parts(millis.div_euclid(1000));
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
}

/// RFC 3339 UTC form with milliseconds: `2026-11-28T10:45:00.123Z`.
pub fn rfc3339_millis(millis: i64) -> String {
    let (y, mo, d, h, mi, s) = parts(millis.div_euclid(1000));
    let ms = millis.rem_euclid(1000);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
}

/// RFC 3339 UTC form to the second, for Locust's Unix-second timestamps.
pub fn rfc3339(secs: i64) -> String {
    let (y, mo, d, h, mi, s) = parts(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `2026-11-28 10:45:00 UTC`, for people reading a report.
pub fn readable(secs: i64) -> String {
    let (y, mo, d, h, mi, s) = parts(secs);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} UTC")
}

/// `2026-11-28 10:45` for tables.
pub fn short(millis: i64) -> String {
    let (y, mo, d, h, mi, _) = parts(millis.div_euclid(1000));
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        // `date -u -d @0`, `date -u -d @951782400` (leap day 2000), `date -u -d @1795868700`.
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_868_700), "2026-11-28T12:25:00Z");
        assert_eq!(compact(1_795_868_700_123), "20261128T122500Z");
        assert_eq!(
            rfc3339_millis(1_795_868_700_123),
            "2026-11-28T12:25:00.123Z"
        );
        assert_eq!(short(-1000), "1969-12-31 23:59");
        assert_eq!(readable(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(readable(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(readable(1_795_859_305), "2026-11-28 09:48:25 UTC");
        assert_eq!(readable(-1), "1969-12-31 23:59:59 UTC");
    }
}
