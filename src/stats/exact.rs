//! Exact two-sided tests on discrete distributions, for counts too small for normal
//! approximations (failures, rare events).
//!
//! Both use the "minimum likelihood" two-sided p-value: the total probability, under the null
//! hypothesis, of every outcome no more likely than the one observed (Agresti, *Categorical Data
//! Analysis*, 3rd ed., 2013, on exact binomial and Fisher tests). Outcomes whose probability
//! equals the observed one up to a relative 1e-7 count as equally likely, as R's `binom.test` /
//! `fisher.test` and SciPy's `binomtest` do, so floating-point noise cannot drop a mirror-image
//! outcome.

use statrs::distribution::{Binomial, Discrete, DiscreteCDF};
use statrs::function::factorial::ln_binomial;

/// Relative tolerance under which two outcome probabilities count as equal.
const REL_TIE: f64 = 1e-7;

/// Exact two-sided binomial test of `k` successes in `n` trials against success probability
/// `p` (Clopper & Pearson's setting; minimum-likelihood two-sided p-value as
/// `scipy.stats.binomtest(k, n, p).pvalue`). Runs in O(log n) evaluations, so it is fine for
/// millions of requests.
///
/// Returns `None` when `k > n` or `p` is not in `[0, 1]`; `Some(1.0)` when `n = 0`.
pub fn binom_test_two_sided(k: u64, n: u64, p: f64) -> Option<f64> {
    if k > n || !(0.0..=1.0).contains(&p) {
        return None;
    }
    if n == 0 {
        return Some(1.0);
    }
    if p == 0.0 || p == 1.0 {
        let certain = if p == 0.0 { 0 } else { n };
        return Some(if k == certain { 1.0 } else { 0.0 });
    }
    let b = Binomial::new(p, n).ok()?;
    let mean = p * n as f64;
    let threshold = b.pmf(k) * (1.0 + REL_TIE);
    let kf = k as f64;
    let pval = if kf == mean {
        1.0
    } else if kf < mean {
        // Upper side: the pmf falls from ceil(mean) to n; first j with pmf(j) <= threshold.
        let lo = mean.ceil() as u64;
        match first_true(lo, n, |j| b.pmf(j) <= threshold) {
            Some(j) => b.cdf(k) + tail_from(&b, j),
            None => b.cdf(k),
        }
    } else {
        // Lower side: the pmf rises from 0 to floor(mean); last j with pmf(j) <= threshold.
        let hi = mean.floor() as u64;
        let upper = tail_from(&b, k);
        match first_true(0, hi, |j| b.pmf(j) > threshold) {
            Some(0) => upper,
            Some(j) => b.cdf(j - 1) + upper,
            None => b.cdf(hi) + upper,
        }
    };
    Some(pval.min(1.0))
}

/// Exact two-sided Fisher test on the 2x2 table `[[a, b], [c, d]]` (Fisher, *Statistical Methods
/// for Research Workers*, 5th ed., 1934; minimum-likelihood two-sided p-value as R's
/// `fisher.test` and `scipy.stats.fisher_exact`). Conditions on both margins; the cell `a`
/// follows a hypergeometric distribution. Cost is linear in the range of `a`, which is small
/// whenever the test is needed (a cell with few expected counts).
pub fn fisher_exact_two_sided(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let row1 = a + b;
    let row2 = c + d;
    let col1 = a + c;
    let n = row1 + row2;
    let lo = col1.saturating_sub(row2);
    let hi = col1.min(row1);
    if lo == hi {
        return 1.0;
    }
    let ln_denominator = ln_binomial(n, col1);
    let ln_pmf = |x: u64| ln_binomial(row1, x) + ln_binomial(row2, col1 - x) - ln_denominator;
    let threshold = ln_pmf(a) + REL_TIE.ln_1p();
    let p: f64 = (lo..=hi)
        .map(ln_pmf)
        .filter(|&l| l <= threshold)
        .map(f64::exp)
        .sum();
    p.min(1.0)
}

/// P(X >= j) for a binomial `X`.
fn tail_from(b: &Binomial, j: u64) -> f64 {
    if j == 0 {
        1.0
    } else {
        b.sf(j - 1)
    }
}

/// Smallest `j` in `lo..=hi` with `pred(j)`, for a predicate that is false then true; `None` if
/// it is never true (or the range is empty).
fn first_true(lo: u64, hi: u64, pred: impl Fn(u64) -> bool) -> Option<u64> {
    if lo > hi || !pred(hi) {
        return None;
    }
    let (mut lo, mut hi) = (lo, hi);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Some(lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn binomial_matches_scipy() {
        // from scipy.stats import binomtest   (SciPy 1.17.1)
        // [binomtest(k, n, p).pvalue for (k, n, p) in CASES]
        let cases = [
            (3, 20, 0.5, 0.0025768280029296875),
            (17, 20, 0.5, 0.0025768280029296875),
            (10, 20, 0.5, 1.0),
            (2, 50, 0.2, 0.0022178514426644345),
            (19, 50, 0.2, 0.0037966182857582112),
            (0, 10, 0.3, 0.0388396033),
            (7, 7, 0.6, 0.046835199999999994),
            (120, 1000, 0.1, 0.039607719641630554),
            (45, 1000, 0.05, 0.5138462313434611),
            (5200, 10000, 0.5, 6.593515598672343e-05),
            (30, 100, 0.37, 0.17780164846805144),
            (55_000, 100_000, 0.5, 8.600341645712794e-220),
        ];
        for (k, n, p, want) in cases {
            let got = binom_test_two_sided(k, n, p).unwrap();
            assert!(
                close(got, want, 1e-7),
                "binomtest({k}, {n}, {p}) = {got}, want {want}"
            );
        }
        assert_eq!(binom_test_two_sided(0, 0, 0.5), Some(1.0));
        assert_eq!(binom_test_two_sided(5, 4, 0.5), None);
        assert_eq!(binom_test_two_sided(1, 4, 1.5), None);
        assert_eq!(binom_test_two_sided(0, 4, 0.0), Some(1.0));
        assert_eq!(binom_test_two_sided(1, 4, 0.0), Some(0.0));
    }

    #[test]
    fn fisher_matches_scipy() {
        // from scipy.stats import fisher_exact   (SciPy 1.17.1)
        // [fisher_exact([[a, b], [c, d]]).pvalue for (a, b, c, d) in CASES]
        let cases = [
            (1, 9, 11, 3, 0.0027594561852200836),
            (0, 100, 5, 95, 0.059383210468586585),
            (3, 997, 12, 988, 0.03449142539805221),
            (0, 50, 0, 60, 1.0),
            (2, 8, 2, 8, 1.0),
            (8, 2, 1, 5, 0.034965034965034975),
            (4, 180, 12, 170, 0.04339438061631294),
        ];
        for (a, b, c, d, want) in cases {
            let got = fisher_exact_two_sided(a, b, c, d);
            assert!(
                close(got, want, 1e-9),
                "fisher {a} {b} {c} {d} = {got}, want {want}"
            );
        }
        assert_eq!(fisher_exact_two_sided(0, 0, 0, 0), 1.0);
    }
}
