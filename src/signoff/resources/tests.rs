use std::process::{Child, Command, Stdio};

use super::*;

const MIB: u64 = 1 << 20;

/// Samples every half second from 0 to `secs`: CPU ticks rising `ticks_per_s`, RSS from
/// `rss0` rising `growth_per_s` bytes a second, `fds` descriptors.
fn trace(secs: f64, ticks_per_s: f64, rss0: u64, growth_per_s: f64, fds: u64) -> Trace {
    let samples = (0..)
        .map(|i| f64::from(i) * 0.5)
        .take_while(|t| *t <= secs)
        .map(|t| Sample {
            at_s: t,
            cpu_ticks: (t * ticks_per_s).round() as u64,
            rss_bytes: rss0 + (t * growth_per_s).round() as u64,
            fds: Some(fds),
        })
        .collect();
    Trace {
        samples,
        exited: false,
    }
}

fn verdict(r: &TierResources, name: &str) -> Option<bool> {
    r.check(name).and_then(|c| c.passed)
}

#[test]
fn stat_fields_count_from_the_last_parenthesis() {
    let line = "4242 (a (weird) name) S 1 4242 4242 0 -1 4194560 1201 0 0 0 \
                731 269 0 0 20 0 3 0 1234 10000 2500 18446744073709551615";
    assert_eq!(parse_stat(line), Some(1000));
    let zombie = "4242 (target) Z 1 4242 4242 0 -1 4194560 1201 0 0 0 731 269 0 0";
    assert_eq!(parse_stat(zombie), None);
    assert_eq!(parse_stat("garbage"), None);
    let status = "Name:\ttarget\nVmPeak:\t  20000 kB\nVmRSS:\t   12288 kB\nThreads:\t3\n";
    assert_eq!(parse_rss(status), Some(12 * MIB));
    assert_eq!(parse_rss("Name:\tkworker\n"), None);
}

#[test]
fn least_squares_slopes_by_hand() {
    assert_eq!(slope(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]), Some(2.0));
    // x̄ = 1.5, ȳ = 0.5, Sxy = 1, Sxx = 5.
    let zigzag = slope(&[(0.0, 0.0), (1.0, 1.0), (2.0, 0.0), (3.0, 1.0)]).unwrap();
    assert!((zigzag - 0.2).abs() < 1e-12, "{zigzag}");
    assert_eq!(slope(&[(1.0, 1.0)]), None);
    assert_eq!(slope(&[(1.0, 1.0), (1.0, 2.0)]), None);
}

#[test]
fn a_steady_tier_passes_every_check() {
    // 40 ticks a second is 40 % of a core; RSS flat at 10 MiB.
    let t = trace(10.0, 40.0, 10 * MIB, 0.0, 9);
    let r = assess(1, &t, (2.0, 10.0), Some(9), Some(10), &Limits::default());
    assert_eq!(r.samples, 17);
    assert_eq!(r.window_s, 8.0);
    assert_eq!(r.cpu_mean_percent, Some(40.0));
    assert_eq!(r.cpu_peak_percent, Some(40.0));
    assert_eq!(r.rss_growth_bytes, Some(0.0));
    for name in ["process", "cpu", "memory", "fds"] {
        assert_eq!(verdict(&r, name), Some(true), "{name}: {:?}", r.check(name));
    }
    assert!(!r.failed());
}

#[test]
fn limits_are_exclusive_for_cpu_and_inclusive_for_growth() {
    let limits = Limits::default();
    let busy = assess(
        1,
        &trace(4.0, 80.0, MIB, 0.0, 5),
        (0.0, 4.0),
        None,
        None,
        &limits,
    );
    assert_eq!(busy.cpu_mean_percent, Some(80.0));
    assert_eq!(verdict(&busy, "cpu"), Some(false));
    assert_eq!(verdict(&busy, "fds"), None, "no counts: not judged");
    // 1 MiB/s over 4 s from 10 MiB: 4 MiB, exactly the floor (10 % would be 1 MiB).
    let on = assess(
        1,
        &trace(4.0, 0.0, 10 * MIB, MIB as f64, 5),
        (0.0, 4.0),
        None,
        None,
        &limits,
    );
    assert_eq!(on.rss_growth_bytes, Some(4.0 * MIB as f64));
    assert_eq!(verdict(&on, "memory"), Some(true));
    let over = assess(
        1,
        &trace(4.0, 0.0, 10 * MIB, 1.1 * MIB as f64, 5),
        (0.0, 4.0),
        None,
        None,
        &limits,
    );
    assert_eq!(verdict(&over, "memory"), Some(false));
    // 100 MiB: the 10 % share (10 MiB) is the limit, not the 4 MiB floor.
    let big = assess(
        1,
        &trace(4.0, 0.0, 100 * MIB, 2.0 * MIB as f64, 5),
        (0.0, 4.0),
        None,
        None,
        &limits,
    );
    assert_eq!(verdict(&big, "memory"), Some(true));
}

#[test]
fn descriptor_leaks_and_exits_fail() {
    let limits = Limits::default();
    let t = trace(4.0, 0.0, MIB, 0.0, 20);
    let leak = assess(1, &t, (0.0, 4.0), Some(5), Some(8), &limits);
    assert_eq!(verdict(&leak, "fds"), Some(false));
    assert_eq!(leak.fds_peak, Some(20));
    let ok = assess(1, &t, (0.0, 4.0), Some(5), Some(7), &limits);
    assert_eq!(verdict(&ok, "fds"), Some(true));
    let mut gone = t.clone();
    gone.exited = true;
    let gone = assess(1, &gone, (0.0, 4.0), Some(5), None, &limits);
    assert_eq!(verdict(&gone, "process"), Some(false));
    assert!(gone.failed());
}

#[test]
fn too_short_a_window_is_not_judged() {
    let t = trace(1.0, 10.0, MIB, 10.0 * MIB as f64, 5);
    let r = assess(1, &t, (0.0, 1.0), Some(5), Some(5), &Limits::default());
    assert_eq!(verdict(&r, "memory"), None);
    assert!(!r.failed());
}

/// A child process, killed when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn perl(script: &str) -> Guard {
    Guard(
        Command::new("perl")
            .args(["-e", script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("perl runs"),
    )
}

/// Samples a real process for 4 s and judges the window from 1 s on.
fn watch(child: &Guard) -> TierResources {
    let pid = child.0.id();
    let sampler = Sampler::start(pid, Duration::from_millis(200));
    std::thread::sleep(Duration::from_secs(4));
    let trace = sampler.finish();
    assert!(!trace.exited, "the child is still running");
    assess(pid, &trace, (1.0, 4.0), None, None, &Limits::default())
}

#[test]
fn a_process_that_keeps_allocating_is_flagged() {
    // 1 MiB written every 50 ms (about 20 MiB/s), at most 300 MiB.
    let child = perl(
        "my @a; for (1..300) { push @a, 'x' x (1 << 20); select(undef, undef, undef, 0.05) } \
         sleep 60",
    );
    let r = watch(&child);
    assert_eq!(
        verdict(&r, "memory"),
        Some(false),
        "{:?}",
        r.check("memory")
    );
    let growth = r.rss_growth_bytes.unwrap();
    assert!(growth > 20.0 * MIB as f64, "grew {growth} bytes in 3 s");
    assert_eq!(verdict(&r, "process"), Some(true));
}

#[test]
fn a_process_that_allocated_once_is_steady() {
    // 32 MiB at start, then nothing: the window starts after the allocation.
    let child = perl("my $s = 'x' x (32 << 20); sleep 60");
    std::thread::sleep(Duration::from_millis(500));
    let r = watch(&child);
    assert_eq!(verdict(&r, "memory"), Some(true), "{:?}", r.check("memory"));
    assert!(r.rss_start_bytes.unwrap() >= 32 * MIB, "{r:?}");
    assert_eq!(
        verdict(&r, "cpu"),
        Some(true),
        "a sleeping process uses no CPU"
    );
    assert!(r.cpu_mean_percent.unwrap() < 5.0);
}
