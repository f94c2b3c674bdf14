//! Runs that used to hang or hide their failures (issue 12): connects that fail at once, more
//! users than descriptors, a server that never answers, a target flooded with idle
//! connections. Every child is watched with a deadline, so a regression fails the test instead
//! of hanging it, and CPU use is read from `/proc/PID/stat` to catch a spinning loop.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{check_consistent, num, read, records, Target, BIN};

/// Clock ticks per second of `/proc/PID/stat` (USER_HZ, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// The state letter and user + system CPU ticks of a process, from `/proc/PID/stat`.
fn proc_stat(pid: u32) -> Option<(char, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    Some((
        state,
        fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?,
    ))
}

/// What a finished child did.
struct Finished {
    status: ExitStatus,
    wall: Duration,
    cpu_seconds: f64,
    stdout: String,
    stderr: String,
}

/// Spawns `cmd` with its output captured and `before_wait` run once it is started (to signal
/// it, say); waits at most `limit` for it to exit (then kills it and fails), reading its CPU
/// time while it is a zombie, before it is reaped.
fn run_bounded(mut cmd: Command, limit: Duration, before_wait: impl FnOnce(&Child)) -> Finished {
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start perfreport");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    before_wait(&child);
    let mut ticks = 0;
    loop {
        match proc_stat(child.id()) {
            Some(('Z', t)) => {
                ticks = t;
                break;
            }
            Some((_, t)) => ticks = t,
            None => break,
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "still running after {limit:?}; stderr: {}",
                err.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = child.wait().expect("wait");
    Finished {
        status,
        wall: started.elapsed(),
        cpu_seconds: ticks as f64 / TICKS_PER_SECOND,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

/// `perfreport ARGS`, pinned to one core when `taskset` is there: the driver then runs its
/// users on a single-threaded runtime, where a user that never yields starves everything.
fn on_one_core(args: &[&str]) -> Command {
    let pinned = Command::new("taskset")
        .args(["-c", "0", "true"])
        .status()
        .is_ok_and(|s| s.success());
    let mut cmd = if pinned {
        let mut c = Command::new("taskset");
        c.args(["-c", "0", BIN]);
        c
    } else {
        Command::new(BIN)
    };
    cmd.args(args);
    cmd
}

/// `perfreport ARGS` with the open-file limit lowered to `limit` (soft and hard).
fn with_file_limit(limit: u32, args: &[&str]) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -n {limit} && exec \"$0\" \"$@\""))
        .arg(BIN)
        .args(args);
    cmd
}

/// A loopback port nothing listens on: bound, then released.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free port")
        .port()
}

fn csv_file(prefix: &Path, name: &str) -> String {
    read(Path::new(&format!("{}_{name}.csv", prefix.display())))
}

/// A server that accepts connections and never answers, until dropped.
struct Silent {
    addr: SocketAddr,
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Silent {
    fn start() -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("address");
        let done = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&done);
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((s, _)) => held.push(s),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Silent {
            addr,
            done,
            thread: Some(thread),
        }
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn a_refused_connect_is_named_like_locust_ends_on_time_and_does_not_spin() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("refused");
    let host = format!("http://127.0.0.1:{}", closed_port());
    let mut cmd = on_one_core(&["run", "-u", "3", "-r", "100", "-t", "2s", "-H", &host]);
    cmd.arg("--csv").arg(&prefix);
    let run = run_bounded(cmd, Duration::from_secs(8), |_| {});
    assert_eq!(run.status.code(), Some(1), "failures give exit 1");
    assert!(
        run.wall < Duration::from_millis(4500),
        "took {:?}",
        run.wall
    );
    assert!(
        run.cpu_seconds < 0.3 * run.wall.as_secs_f64(),
        "{} s of CPU in {:?}: a failing user spins",
        run.cpu_seconds,
        run.wall
    );
    let (requests, failures) = check_consistent(&prefix);
    assert_eq!(requests, failures);
    // Three users backing off 10, 20, 40, … ms, capped at 1 s, try about 9 times each in 2 s.
    assert!((6..=60).contains(&failures), "{failures} attempts");
    let failures_csv = csv_file(&prefix, "failures");
    assert!(
        failures_csv.contains(
            "Failed to establish a new connection: [Errno 111] Connection refused'))\"\"))"
        ),
        "{failures_csv}"
    );
}

#[test]
fn sigterm_and_sigint_stop_a_run_whose_connects_fail_at_once() {
    // 127.255.255.255 is refused synchronously (ENETUNREACH): the connect never waits.
    for signal in ["-TERM", "-INT"] {
        let cmd = on_one_core(&[
            "run",
            "-u",
            "4",
            "-r",
            "100",
            "-t",
            "60s",
            "-H",
            "http://127.255.255.255:9",
        ]);
        let mut sent = None;
        let run = run_bounded(cmd, Duration::from_secs(10), |child| {
            std::thread::sleep(Duration::from_millis(1500));
            sent = Some(Instant::now());
            let killed = Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status()
                .unwrap();
            assert!(killed.success());
        });
        let after = sent.unwrap().elapsed();
        assert!(
            after < Duration::from_secs(2),
            "{signal}: stopped {after:?} after"
        );
        assert_eq!(run.status.code(), Some(1), "{signal}: {}", run.stderr);
        assert!(
            run.stdout.contains("Error report"),
            "{signal}: {}",
            run.stdout
        );
        assert!(run.stdout.contains("Failed to establish a new connection"));
    }
}

#[test]
fn users_beyond_the_open_file_limit_fail_with_emfile_and_the_files_are_written() {
    let target = Target::start(&["--fast"]);
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        "wait_time = \"constant(0.05)\"\n[[task]]\npath = \"/health/\"\n",
    )
    .unwrap();
    let prefix = dir.path().join("emfile");
    let host = target.host();
    let mut cmd = with_file_limit(
        64,
        &["run", "-u", "80", "-r", "400", "-t", "2s", "-H", &host],
    );
    cmd.arg("--scenario")
        .arg(&scenario)
        .arg("--csv")
        .arg(&prefix);
    let run = run_bounded(cmd, Duration::from_secs(8), |_| {});
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    assert!(
        run.wall < Duration::from_millis(4500),
        "took {:?}",
        run.wall
    );
    assert!(
        run.stderr
            .contains("the open-file limit (64, see `ulimit -n`)"),
        "{}",
        run.stderr
    );
    let (requests, failures) = check_consistent(&prefix);
    assert!(
        failures > 0 && requests > failures,
        "{requests} / {failures}"
    );
    assert!(csv_file(&prefix, "failures").contains("[Errno 24] Too many open files'))"));
}

#[test]
fn requests_a_silent_server_never_answers_show_as_timeouts_and_late() {
    let silent = Silent::start();
    let host = format!("http://{}", silent.addr);
    let dir = tempfile::tempdir().unwrap();

    let open = dir.path().join("open");
    let mut cmd = Command::new(BIN);
    cmd.args(["run", "--rate", "50", "-u", "5", "-t", "2s", "-H", &host])
        .arg("--csv")
        .arg(&open);
    let run = run_bounded(cmd, Duration::from_secs(8), |_| {});
    assert_eq!(run.status.code(), Some(1), "{}", run.stdout);
    assert!(
        run.wall < Duration::from_millis(4500),
        "took {:?}",
        run.wall
    );
    // The five connections each send one request and wait; at the end those five are
    // recorded as timeouts and the other 95 of the 100 due as never sent, hence late.
    assert_eq!(check_consistent(&open), (5, 5));
    assert!(csv_file(&open, "failures").contains("Read timed out. (read timeout=60.0)"));
    let late: u64 = records(&csv_file(&open, "driver"))
        .iter()
        .map(|r| num(&r[3]))
        .sum();
    assert!((95..=100).contains(&late), "{late} late");
    assert!(run
        .stdout
        .contains("95 requests due before the end were never sent"));

    let closed = dir.path().join("closed");
    let mut cmd = Command::new(BIN);
    cmd.args(["run", "-u", "3", "-r", "100", "-t", "1s", "-H", &host])
        .arg("--csv")
        .arg(&closed);
    let run = run_bounded(cmd, Duration::from_secs(6), |_| {});
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(check_consistent(&closed), (3, 3), "one timeout per user");
}

#[test]
fn the_target_serves_health_while_idle_connections_exhaust_its_descriptors() {
    let mut target = Target::launch(with_file_limit(
        64,
        &[
            "target",
            "--port",
            "0",
            "--fast",
            "--header-timeout",
            "1s",
            "--run-time",
            "30s",
        ],
    ));
    let addr = format!("127.0.0.1:{}", target.port);
    // More idle connections than descriptors: the rest wait in the listen queue.
    let mut idle: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(&addr).expect("connect"))
        .collect();
    idle[0].write_all(b"GET /health/ HTTP/1.1\r\nHo").unwrap();
    let pid = target.child.id();
    let (_, before) = proc_stat(pid).expect("target alive");
    let watched = Instant::now();
    std::thread::sleep(Duration::from_millis(800));
    let (_, after) = proc_stat(pid).expect("target alive");
    let cpu = (after - before) as f64 / TICKS_PER_SECOND / watched.elapsed().as_secs_f64();
    assert!(
        cpu < 0.3,
        "the target uses {cpu:.2} of a core while out of descriptors"
    );

    let mut health = TcpStream::connect(&addr).unwrap();
    health
        .set_read_timeout(Some(Duration::from_secs(6)))
        .unwrap();
    health
        .write_all(b"GET /health/ HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let asked = Instant::now();
    let mut answer = [0u8; 15];
    health
        .read_exact(&mut answer)
        .expect("/health/ answered while slow clients hold the descriptors");
    assert_eq!(&answer, b"HTTP/1.1 200 OK");
    assert!(asked.elapsed() < Duration::from_secs(5));

    // The half-sent head and a silent connection were both closed by the header timeout.
    for (i, conn) in idle[..2].iter_mut().enumerate() {
        conn.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
        let mut rest = Vec::new();
        match conn.read_to_end(&mut rest) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(e) => panic!("idle connection {i} left open: {e}"),
        }
    }
    target.kill();
}
