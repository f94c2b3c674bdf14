use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread;
use std::time::Duration;

use super::*;

/// A one-connection server: for each expected request it reads one request head (and
/// `Content-Length` body), then writes the next reply in pieces of `piece` bytes; closes after
/// the last reply. Returns the address and the requests it saw.
fn serve(replies: Vec<Vec<u8>>, piece: usize) -> (SocketAddr, thread::JoinHandle<Vec<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_nodelay(true).unwrap();
        let mut seen = Vec::new();
        for reply in replies {
            seen.push(read_request(&mut s));
            for part in reply.chunks(piece.max(1)) {
                // The client may have given up on a malformed reply and closed.
                if s.write_all(part).and_then(|()| s.flush()).is_err() {
                    return seen;
                }
                if piece < reply.len() {
                    thread::sleep(Duration::from_millis(1));
                }
            }
        }
        seen
    });
    (addr, handle)
}

fn read_request(s: &mut std::net::TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    while !got.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte).unwrap() == 0 {
            return got;
        }
        got.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&got).to_ascii_lowercase();
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .map_or(0, |v| v.trim().parse::<usize>().unwrap());
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).unwrap();
    got.extend(body);
    got
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";

/// Sends `GET` once per reply (as `head` for those flagged), returning each outcome and the
/// requests the server saw.
fn exchanges(replies: &[&[u8]], piece: usize, head: &[bool]) -> Vec<Result<Response, String>> {
    let (addr, server) = serve(replies.iter().map(|r| r.to_vec()).collect(), piece);
    let out = block_on(async {
        let mut conn = Connection::connect(addr).await.unwrap();
        let mut out = Vec::new();
        for i in 0..replies.len() {
            let r = conn
                .exchange(GET, head.get(i).copied().unwrap_or(false))
                .await;
            out.push(r.map_err(|e| format!("{e:?}")));
        }
        out
    });
    server.join().unwrap();
    out
}

fn ok(status: u16, body_len: u64) -> Result<Response, String> {
    Ok(Response { status, body_len })
}

#[test]
fn content_length_bodies_are_counted_and_the_connection_reused() {
    let a: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    let b: &[u8] = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n";
    for piece in [1, 7, 1000] {
        assert_eq!(
            exchanges(&[a, b, a], piece, &[]),
            vec![ok(200, 5), ok(404, 0), ok(200, 5)]
        );
    }
}

#[test]
fn chunked_bodies_lose_their_framing_extensions_and_trailers() {
    let r: &[u8] = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n\
        5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n";
    for piece in [1, 3, 1000] {
        assert_eq!(
            exchanges(&[r, r], piece, &[]),
            vec![ok(200, 15), ok(200, 15)]
        );
    }
}

#[test]
fn interim_responses_are_skipped_and_bodiless_statuses_have_no_body() {
    let cont: &[u8] =
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
    let no_content: &[u8] = b"HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n";
    let head: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
    assert_eq!(
        exchanges(&[cont, no_content, head], 1000, &[false, false, true]),
        vec![ok(201, 2), ok(204, 0), ok(200, 0)]
    );
}

#[test]
fn a_body_without_length_runs_to_close_and_ends_reuse() {
    let (addr, server) = serve(vec![b"HTTP/1.0 200 OK\r\n\r\nuntil the end".to_vec()], 4);
    block_on(async {
        let mut conn = Connection::connect(addr).await.unwrap();
        let r = conn.exchange(GET, false).await.unwrap();
        assert_eq!(
            r,
            Response {
                status: 200,
                body_len: 13
            }
        );
        assert!(!conn.is_reusable());
    });
    server.join().unwrap();
}

#[test]
fn connection_close_and_http_1_0_end_reuse_keep_alive_keeps_it() {
    for (reply, reusable) in [
        (
            &b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"[..],
            false,
        ),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false),
        (
            b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n",
            true,
        ),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true),
    ] {
        let (addr, server) = serve(vec![reply.to_vec(), Vec::new()], 1000);
        block_on(async {
            let mut conn = Connection::connect(addr).await.unwrap();
            conn.exchange(GET, false).await.unwrap();
            assert_eq!(
                conn.is_reusable(),
                reusable,
                "{}",
                String::from_utf8_lossy(reply)
            );
            if reusable {
                assert!(matches!(
                    conn.exchange(GET, false).await,
                    Err(ExchangeError::Disconnected)
                ));
            }
        });
        server.join().unwrap();
    }
}

#[test]
fn a_closed_idle_connection_is_not_reusable() {
    let (addr, server) = serve(
        vec![b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec()],
        1000,
    );
    block_on(async {
        let mut conn = Connection::connect(addr).await.unwrap();
        conn.exchange(GET, false).await.unwrap();
        server.join().unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!conn.is_reusable());
    });
}

#[test]
fn truncated_and_malformed_responses_are_errors_not_panics() {
    let cases: [(&[u8], &str); 6] = [
        (b"", "Disconnected"),
        (b"HTTP/1.1 200 OK\r\nContent-Le", "Disconnected"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
            "Incomplete { read: 3, expected: 7 }",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
            "Incomplete { read: 3, expected: 0 }",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "Malformed(\"chunk size",
        ),
        (b"SSH-2.0-OpenSSH\r\n\r\n", "Malformed("),
    ];
    for (reply, expected) in cases {
        let got = exchanges(&[reply], 1000, &[]);
        let text = got[0].clone().unwrap_err();
        assert!(text.starts_with(expected), "{reply:?}: {text}");
    }
}

#[test]
fn conflicting_or_bad_content_lengths_are_refused() {
    for reply in [
        &b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"[..],
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    ] {
        let got = exchanges(&[reply], 1000, &[]);
        assert!(
            got[0].clone().unwrap_err().starts_with("Malformed("),
            "{got:?}"
        );
    }
}

#[test]
fn a_large_body_grows_through_the_buffer() {
    let body = vec![b'x'; 1_000_000];
    let mut reply =
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
    reply.extend(&body);
    assert_eq!(exchanges(&[&reply], 1 << 20, &[]), vec![ok(200, 1_000_000)]);
}

#[test]
fn requests_are_serialised_with_host_defaults_overrides_and_length() {
    let get = serialise_request("GET", "/health/", "127.0.0.1:8003", &[], b"");
    assert_eq!(
        String::from_utf8(get).unwrap(),
        "GET /health/ HTTP/1.1\r\nHost: 127.0.0.1:8003\r\nUser-Agent: perfreport-driver\r\n\
         Accept: */*\r\n\r\n"
    );
    let headers = vec![
        ("accept".to_string(), "application/json".to_string()),
        ("X-Token".to_string(), "t".to_string()),
        ("Content-Length".to_string(), "999".to_string()),
    ];
    let post = serialise_request("POST", "/a?b=1", "h", &headers, b"{}");
    assert_eq!(
        String::from_utf8(post).unwrap(),
        "POST /a?b=1 HTTP/1.1\r\nHost: h\r\nUser-Agent: perfreport-driver\r\n\
         accept: application/json\r\nX-Token: t\r\nContent-Length: 2\r\n\r\n{}"
    );
    let empty_put = serialise_request("PUT", "/", "h", &[], b"");
    assert!(String::from_utf8(empty_put)
        .unwrap()
        .ends_with("Content-Length: 0\r\n\r\n"));
}

/// Pieces that make up plausible and implausible responses.
fn response_piece() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    prop_oneof![
        Just(b"HTTP/1.1 200 OK\r\n".to_vec()),
        Just(b"HTTP/1.0 100 Continue\r\n\r\n".to_vec()),
        Just(b"Transfer-Encoding: chunked\r\n".to_vec()),
        Just(b"Connection: close\r\n".to_vec()),
        Just(b"\r\n".to_vec()),
        (0u64..20).prop_map(|n| format!("Content-Length: {n}\r\n").into_bytes()),
        (0u64..40).prop_map(|n| format!("{n:x}\r\n").into_bytes()),
        prop::collection::vec(any::<u8>(), 0..12),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Whatever a server sends, in whatever pieces, the client returns a response or an error,
    /// never panics, and never counts more body than it was sent.
    #[test]
    fn any_reply_is_a_response_or_an_error(
        pieces in proptest::collection::vec(response_piece(), 0..12),
        piece in 1usize..8,
    ) {
        let reply: Vec<u8> = pieces.concat();
        let sent = reply.len() as u64;
        let got = exchanges(&[&reply], piece, &[]);
        if let Ok(r) = &got[0] {
            proptest::prop_assert!(r.body_len <= sent);
        }
    }
}
