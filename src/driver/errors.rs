//! Failed requests named as Locust (through `requests`/`urllib3`) names them, so that failures
//! group the same way in every report, whether Locust or the driver made the run:
//!
//! | what happened | error text |
//! | --- | --- |
//! | status ≥ 400 not in `expect_status` | `HTTPError('500 Server Error: Internal Server Error for url: NAME')` |
//! | status < 400 not in `expect_status` | `CatchResponseError('Unexpected status code 302, expected one of [200]')` |
//! | connection refused | `ConnectionError(MaxRetryError("HTTPConnectionPool(host='H', port=P): Max retries exceeded with url: PATH (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x....>: Failed to establish a new connection: [Errno 111] Connection refused'))"))` |
//! | no descriptor left for the connection | the same, with `[Errno 24] Too many open files` |
//! | closed without a response | `ConnectionError(ProtocolError('Connection aborted.', RemoteDisconnected('Remote end closed connection without response')))` |
//! | connection reset | `ConnectionError(ProtocolError('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer')))` |
//! | no response within the timeout | `ReadTimeout(ReadTimeoutError("HTTPConnectionPool(host='H', port=P): Read timed out. (read timeout=T)"))` |
//! | no connection within the timeout | `ConnectTimeout(...)`, worded the same way |
//!
//! Other operating-system errors are worded as Python's `str(OSError)` words them
//! (`[Errno 101] Network is unreachable`).

use std::time::Duration;

use super::host::Target;
use super::http::ExchangeError;
use super::locust_math::py_str_repr;
use crate::locust::write::python_float_repr;

/// Where a request was when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Opening the connection.
    Connect,
    /// Sending the request or waiting for its answer.
    Response,
}

const DISCONNECTED: &str = "ConnectionError(ProtocolError('Connection aborted.', \
                            RemoteDisconnected('Remote end closed connection without response')))";

fn pool(target: &Target) -> String {
    format!(
        "HTTPConnectionPool(host='{}', port={})",
        target.addr.ip(),
        target.addr.port()
    )
}

fn secs_repr(d: Duration) -> String {
    python_float_repr(d.as_secs_f64())
}

/// An OS error's message without Rust's ` (os error N)` suffix, as Python's `strerror`.
fn strerror(e: &std::io::Error) -> String {
    let text = e.to_string();
    match e.raw_os_error() {
        Some(code) => text
            .strip_suffix(&format!(" (os error {code})"))
            .unwrap_or(&text)
            .to_string(),
        None => text,
    }
}

/// A connection that could not be made (refused, unreachable, no descriptor left).
pub fn connect_error(target: &Target, path: &str, e: &std::io::Error) -> String {
    let cause = match e.raw_os_error() {
        Some(code) => format!("[Errno {code}] {}", strerror(e)),
        None => e.to_string(),
    };
    format!(
        "ConnectionError(MaxRetryError(\"{}: Max retries exceeded with url: {} (Caused by \
         NewConnectionError('<urllib3.connection.HTTPConnection object at 0x....>: Failed to \
         establish a new connection: {cause}'))\"))",
        pool(target),
        path
    )
}

/// No connection (`phase` [`Phase::Connect`]) or no answer within `timeout`.
pub fn timeout_error(target: &Target, path: &str, timeout: Duration, phase: Phase) -> String {
    match phase {
        Phase::Connect => format!(
            "ConnectTimeout(MaxRetryError(\"{}: Max retries exceeded with url: {} (Caused by \
             ConnectTimeoutError(<urllib3.connection.HTTPConnection object at 0x....>, \
             'Connection to {} timed out. (connect timeout={})'))\"))",
            pool(target),
            path,
            target.addr.ip(),
            secs_repr(timeout)
        ),
        Phase::Response => format!(
            "ReadTimeout(ReadTimeoutError(\"{}: Read timed out. (read timeout={})\"))",
            pool(target),
            secs_repr(timeout)
        ),
    }
}

/// A failed exchange, worded as `requests` words it.
pub fn exchange_error(e: &ExchangeError) -> String {
    match e {
        ExchangeError::Disconnected => DISCONNECTED.into(),
        ExchangeError::Incomplete { read, expected } => {
            let what = if *expected > 0 {
                format!("IncompleteRead({read} bytes read, {expected} more expected)")
            } else {
                format!("IncompleteRead({read} bytes read)")
            };
            format!("ChunkedEncodingError(ProtocolError('Connection broken: {what}', {what}))")
        }
        ExchangeError::Malformed(m) => format!(
            "ConnectionError(ProtocolError('Connection aborted.', BadStatusLine({})))",
            py_str_repr(m)
        ),
        ExchangeError::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionReset => "ConnectionError(ProtocolError('Connection \
                                                    aborted.', ConnectionResetError(104, \
                                                    'Connection reset by peer')))"
                .into(),
            std::io::ErrorKind::BrokenPipe => "ConnectionError(ProtocolError('Connection \
                                               aborted.', BrokenPipeError(32, 'Broken pipe')))"
                .into(),
            _ => format!(
                "ConnectionError(ProtocolError('Connection aborted.', OSError({}, {})))",
                io.raw_os_error().unwrap_or(0),
                py_str_repr(&strerror(io))
            ),
        },
    }
}

/// The failure a status makes, if any: one not in `expect` (when given), else one from 400 up;
/// `name` is the request's grouping name.
pub fn status_error(status: u16, name: &str, expect: &[u16]) -> Option<String> {
    if expect.contains(&status) || (expect.is_empty() && status < 400) {
        return None;
    }
    if status >= 400 {
        let kind = if status < 500 { "Client" } else { "Server" };
        let reason = hyper::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        let msg = format!("{status} {kind} Error: {reason} for url: {name}");
        return Some(format!("HTTPError({})", py_str_repr(&msg)));
    }
    let msg = format!("Unexpected status code {status}, expected one of {expect:?}");
    Some(format!("CatchResponseError({})", py_str_repr(&msg)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target {
            addr: "127.0.0.1:8003".parse().unwrap(),
            host_header: "127.0.0.1:8003".into(),
            prefix: String::new(),
        }
    }

    /// `requests` 2.34 with urllib3 says `[Errno 111] Connection refused` and
    /// `[Errno 24] Too many open files` (`str(OSError)`), without Rust's `(os error N)`.
    #[test]
    fn os_errors_are_worded_as_python_words_them() {
        let refused = connect_error(&target(), "/h", &std::io::Error::from_raw_os_error(111));
        assert_eq!(
            refused,
            "ConnectionError(MaxRetryError(\"HTTPConnectionPool(host='127.0.0.1', port=8003): \
             Max retries exceeded with url: /h (Caused by NewConnectionError('<urllib3.connection.\
             HTTPConnection object at 0x....>: Failed to establish a new connection: [Errno 111] \
             Connection refused'))\"))"
        );
        let emfile = connect_error(&target(), "/h", &std::io::Error::from_raw_os_error(24));
        assert!(emfile.ends_with("connection: [Errno 24] Too many open files'))\"))"));
        let other = exchange_error(&ExchangeError::Io(std::io::Error::from_raw_os_error(113)));
        assert_eq!(
            other,
            "ConnectionError(ProtocolError('Connection aborted.', OSError(113, 'No route to host')))"
        );
    }

    #[test]
    fn timeouts_name_their_phase_and_limit() {
        let t = Duration::from_millis(2500);
        assert_eq!(
            timeout_error(&target(), "/h", t, Phase::Response),
            "ReadTimeout(ReadTimeoutError(\"HTTPConnectionPool(host='127.0.0.1', port=8003): \
             Read timed out. (read timeout=2.5)\"))"
        );
        assert!(timeout_error(&target(), "/h", t, Phase::Connect)
            .contains("'Connection to 127.0.0.1 timed out. (connect timeout=2.5)'"));
    }

    #[test]
    fn statuses_fail_as_requests_and_catch_response_say() {
        assert_eq!(status_error(200, "/a", &[]), None);
        assert_eq!(
            status_error(503, "/a", &[]).unwrap(),
            "HTTPError('503 Server Error: Service Unavailable for url: /a')"
        );
        assert_eq!(
            status_error(302, "/a", &[200]).unwrap(),
            "CatchResponseError('Unexpected status code 302, expected one of [200]')"
        );
        assert_eq!(status_error(404, "/a", &[404]), None);
    }
}
