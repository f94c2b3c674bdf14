//! Exact non-negative decimals for threshold values, so that `0.5%` is 5/1000 exactly and a
//! run sitting exactly on a threshold compares equal to it.

use std::cmp::Ordering;
use std::fmt;

/// The most digits a threshold value may have: keeps exact comparisons inside `u128`.
pub const MAX_DIGITS: usize = 18;

/// A non-negative decimal number, exactly: `digits / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    /// The digits without the decimal point.
    pub digits: u128,
    /// How many of them are after the decimal point.
    pub scale: u32,
}

impl Decimal {
    /// A whole number.
    pub fn whole(n: u64) -> Self {
        Self {
            digits: u128::from(n),
            scale: 0,
        }
    }

    /// Parses `123`, `0.5` or `12.75`; `None` for anything else (signs, exponents, too many
    /// digits).
    pub fn parse(text: &str) -> Option<Self> {
        let (int, frac) = match text.split_once('.') {
            Some((i, f)) => (i, f),
            None => (text, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !all_digits(int) || !all_digits(frac) || text.ends_with('.') {
            return None;
        }
        let significant = format!("{int}{frac}");
        if significant.trim_start_matches('0').len() > MAX_DIGITS || frac.len() > MAX_DIGITS {
            return None;
        }
        Some(Self {
            digits: significant.parse().ok()?,
            scale: u32::try_from(frac.len()).ok()?,
        })
    }

    /// The value times 100, when that is a whole number (`99.9` gives 9990).
    pub(super) fn in_hundredths(self) -> Option<u32> {
        let (digits, scale) = (self.digits, self.scale);
        let whole = match scale {
            0 => digits.checked_mul(100)?,
            1 => digits.checked_mul(10)?,
            2 => digits,
            _ => {
                let div = 10u128.checked_pow(scale - 2)?;
                if digits % div != 0 {
                    return None;
                }
                digits / div
            }
        };
        u32::try_from(whole).ok()
    }

    /// Whether the value has no fractional part (`100.0` has none).
    pub(super) fn is_whole(self) -> bool {
        10u128
            .checked_pow(self.scale)
            .is_some_and(|div| self.digits.is_multiple_of(div))
    }

    /// A positive time, `300ms`, `2s` or a bare number of milliseconds, as exact milliseconds.
    pub fn parse_time_ms(text: &str) -> Option<Self> {
        let t = text.trim();
        let (number, factor) = if let Some(n) = t.strip_suffix("ms") {
            (n, 1)
        } else if let Some(n) = t.strip_suffix('s') {
            (n, 1000)
        } else {
            (t, 1)
        };
        let value = Self::parse(number.trim())?.times(factor)?;
        // `cmp_ratio` orders the ratio against the value: 0 below it means positive.
        (value.cmp_ratio(0, 1) == Some(Ordering::Less)).then_some(value)
    }

    /// The value as the nearest `f64` (correctly rounded, so equal decimals give equal floats).
    pub fn to_f64(self) -> f64 {
        format!("{}e-{}", self.digits, self.scale)
            .parse()
            .unwrap_or(f64::NAN)
    }

    /// Compares `numerator / denominator` with this value exactly; `None` on overflow.
    pub fn cmp_ratio(self, numerator: u64, denominator: u64) -> Option<Ordering> {
        let left = u128::from(numerator).checked_mul(10u128.checked_pow(self.scale)?)?;
        let right = self.digits.checked_mul(u128::from(denominator))?;
        Some(left.cmp(&right))
    }

    /// Compares two decimals exactly; `None` on overflow.
    pub fn cmp_decimal(self, other: Decimal) -> Option<Ordering> {
        let scale = self.scale.max(other.scale);
        let left = self
            .digits
            .checked_mul(10u128.checked_pow(scale - self.scale)?)?;
        let right = other
            .digits
            .checked_mul(10u128.checked_pow(scale - other.scale)?)?;
        Some(left.cmp(&right))
    }

    /// The value times 100 (a fraction as a percentage), exactly.
    pub fn percent(self) -> Self {
        match self.scale {
            0 | 1 => Self {
                digits: self.digits.saturating_mul(10u128.pow(2 - self.scale)),
                scale: 0,
            },
            s => Self {
                digits: self.digits,
                scale: s - 2,
            },
        }
    }

    pub(super) fn times(self, factor: u128) -> Option<Self> {
        Some(Self {
            digits: self.digits.checked_mul(factor)?,
            scale: self.scale,
        })
    }

    pub(super) fn over_100(self) -> Self {
        Self {
            digits: self.digits,
            scale: self.scale + 2,
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.digits.to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return f.write_str(&text);
        }
        let padded = format!("{text:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            f.write_str(int)
        } else {
            write!(f, "{int}.{frac}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_compare_exactly() {
        let half_pct = Decimal::parse("0.005").unwrap();
        assert_eq!(half_pct.cmp_ratio(1, 200), Some(Ordering::Equal));
        assert_eq!(half_pct.cmp_ratio(1, 199), Some(Ordering::Greater));
        assert_eq!(half_pct.cmp_ratio(1, 201), Some(Ordering::Less));
        assert_eq!(half_pct.cmp_ratio(0, 0), Some(Ordering::Equal));
    }

    #[test]
    fn parses_shows_and_compares() {
        let d = Decimal::parse("12.50").unwrap();
        assert_eq!((d.digits, d.scale), (1250, 2));
        assert_eq!(d.to_string(), "12.5");
        assert_eq!(d.to_f64(), 12.5);
        assert_eq!(Decimal::parse("0.001").unwrap().to_string(), "0.001");
        assert_eq!(Decimal::whole(7).to_string(), "7");
        for bad in ["", ".5", "1.", "-1", "1e3", "1.2.3", "1234567890123456789"] {
            assert_eq!(Decimal::parse(bad), None, "{bad}");
        }
        let a = Decimal::parse("0.1").unwrap();
        let b = Decimal::parse("0.10").unwrap();
        assert_eq!(a.cmp_decimal(b), Some(Ordering::Equal));
        assert_eq!(
            a.cmp_decimal(Decimal::parse("0.0999").unwrap()),
            Some(Ordering::Greater)
        );
        assert_eq!(
            Decimal::parse("0.005").unwrap().percent().to_string(),
            "0.5"
        );
        assert_eq!(Decimal::whole(1).percent().to_string(), "100");
        assert_eq!(Decimal::parse("99.9").unwrap().in_hundredths(), Some(9990));
        assert_eq!(Decimal::parse("99.95").unwrap().in_hundredths(), Some(9995));
        assert_eq!(Decimal::parse("99.955").unwrap().in_hundredths(), None);
        assert!(Decimal::parse("100.0").unwrap().is_whole());
        assert!(!Decimal::parse("100.5").unwrap().is_whole());
    }
}
