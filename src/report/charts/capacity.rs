//! The two charts of `perfreport capacity`: throughput against users (the knee, with the
//! proportional-growth line it is judged against) and latency against throughput (the
//! "hockey stick": flat until the ceiling, then straight up).

use super::points::{draw, Series};
use super::{palette, ChartError};

/// The first chart's title.
pub const THROUGHPUT_TITLE: &str = "Throughput against users";
/// The second chart's title.
pub const LATENCY_TITLE: &str = "Response time against throughput";

/// Requests/s of each stage against its users, with the line of throughput growing in
/// proportion to users from the first stage, and the saturation point marked.
///
/// `stages` are `(users, requests/s)`; `knee` the saturation point, if found.
pub fn throughput(stages: &[(f64, f64)], knee: Option<(f64, f64)>) -> Result<String, ChartError> {
    let mut series = vec![Series {
        label: "requests/s",
        points: stages.to_vec(),
        color: palette::BLUE,
        dashed: false,
    }];
    if let (Some(&(u0, x0)), Some(&(u_last, _))) = (stages.first(), stages.last()) {
        if u0 > 0.0 {
            series.push(Series {
                label: "proportional to users",
                points: vec![(u0, x0), (u_last, x0 * u_last / u0)],
                color: palette::GREY,
                dashed: true,
            });
        }
    }
    let marks: Vec<(f64, f64)> = knee.into_iter().collect();
    draw(
        THROUGHPUT_TITLE,
        "users",
        "requests per second",
        &series,
        &marks,
        stages.iter().map(|p| p.1).fold(0.0, f64::max),
    )
}

/// One stage on the latency chart: requests/s, p50 and p95 (ms).
pub type LatencyPoint = (f64, Option<f64>, Option<f64>);

/// p50 and p95 of each stage against its requests/s.
pub fn latency(stages: &[LatencyPoint]) -> Result<String, ChartError> {
    let pick = |f: fn(&LatencyPoint) -> Option<f64>| {
        stages
            .iter()
            .filter_map(|s| f(s).map(|v| (s.0, v)))
            .collect::<Vec<_>>()
    };
    let series = vec![
        Series {
            label: "p50",
            points: pick(|s| s.1),
            color: palette::BLUE,
            dashed: false,
        },
        Series {
            label: "p95",
            points: pick(|s| s.2),
            color: palette::ORANGE,
            dashed: false,
        },
    ];
    let y_max = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(0.0, f64::max);
    draw(
        LATENCY_TITLE,
        "requests per second",
        "response time (ms)",
        &series,
        &[],
        y_max,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_charts_draw_and_refuse_nothing() {
        let svg = throughput(
            &[(5.0, 50.0), (10.0, 100.0), (15.0, 110.0)],
            Some((10.0, 100.0)),
        )
        .unwrap();
        assert!(svg.contains("aria-label=\"Throughput against users\""));
        assert!(svg.contains("proportional to users"));
        let svg = latency(&[(50.0, Some(100.0), Some(110.0)), (100.0, None, Some(300.0))]).unwrap();
        assert!(svg.contains("p95"));
        assert!(matches!(throughput(&[], None), Err(ChartError::NoData(_))));
        assert!(matches!(latency(&[]), Err(ChartError::NoData(_))));
    }
}
