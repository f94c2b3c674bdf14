//! A lean HTTP/1.1 keep-alive client: one request at a time on one connection, requests
//! serialised once before the run, responses parsed with `httparse` and their bodies counted,
//! not kept.
//!
//! A general client (hyper) spends most of a load generator's time on what a load generator does
//! not need: building header maps per request, channels between the request and the connection
//! task, body frames. Here a request is a byte string written with one `write` call and a
//! response is read into one reusable buffer, which is what lets one core drive a fast server.
//!
//! Bodies are framed as RFC 9112 section 6.3 says: none for `HEAD`, 1xx, 204 and 304;
//! `Transfer-Encoding: chunked` (trailers skipped); `Content-Length`; otherwise until the
//! server closes. Interim 1xx responses are skipped.

use std::io::ErrorKind;
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Response heads larger than this are refused (as `http.client` refuses over 100 headers).
const MAX_HEAD: usize = 64 * 1024;
/// Headers read per response; more is refused.
const MAX_HEADERS: usize = 100;
/// Initial and minimum free space of the read buffer.
const READ_CHUNK: usize = 16 * 1024;

/// What went wrong on an open connection, in the terms a report needs.
#[derive(Debug)]
pub enum ExchangeError {
    /// The server closed the connection before the response's first byte.
    Disconnected,
    /// The server closed the connection in the middle of the body.
    Incomplete {
        /// Body bytes received.
        read: u64,
        /// Body bytes still expected (0 for a chunked body).
        expected: u64,
    },
    /// The bytes received are not an HTTP/1.x response.
    Malformed(String),
    /// A socket error (reset, broken pipe, …).
    Io(std::io::Error),
}

impl From<std::io::Error> for ExchangeError {
    fn from(e: std::io::Error) -> Self {
        ExchangeError::Io(e)
    }
}

/// The part of a response the driver records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response {
    /// The final status code.
    pub status: u16,
    /// Body bytes (after removing chunked framing).
    pub body_len: u64,
}

/// One keep-alive connection and its read buffer.
pub struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
    /// Unconsumed bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    /// False once the server said `Connection: close` (or spoke HTTP/1.0 without keep-alive).
    reusable: bool,
}

impl Connection {
    /// Opens a connection with Nagle's algorithm off (requests are written whole).
    pub async fn connect(addr: SocketAddr) -> std::io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: vec![0; READ_CHUNK],
            start: 0,
            end: 0,
            reusable: true,
        })
    }

    /// Whether the last response left the connection open (no `Connection: close`, no body
    /// read to the end of the stream).
    pub fn keeps_alive(&self) -> bool {
        self.reusable
    }

    /// Whether the connection can carry another request: the server has not asked to close it,
    /// has not closed it since, and has sent nothing unasked. Costs at most one non-blocking
    /// read, which also clears the socket's stale readiness so the next wait goes to epoll.
    pub fn is_reusable(&mut self) -> bool {
        if !self.reusable || self.start != self.end {
            return false;
        }
        let mut probe = [0u8; 1];
        match self.stream.try_read(&mut probe) {
            Err(e) => e.kind() == ErrorKind::WouldBlock,
            Ok(_) => false,
        }
    }

    /// Sends one serialised request and reads its response. `head` says the request was a
    /// `HEAD`, whose response has no body whatever its headers say.
    pub async fn exchange(
        &mut self,
        request: &[u8],
        head: bool,
    ) -> Result<Response, ExchangeError> {
        self.stream.write_all(request).await?;
        loop {
            let (status, framing) = self.read_head(head).await?;
            if (100..200).contains(&status) && status != 101 {
                continue;
            }
            let body_len = match framing {
                Framing::None => 0,
                Framing::Length(n) => self.skip_exact(n).await?,
                Framing::Chunked => self.skip_chunked().await?,
                Framing::UntilClose => self.skip_to_close().await?,
            };
            return Ok(Response { status, body_len });
        }
    }

    /// Reads more bytes after `end`, growing the buffer when it is full. Returns 0 at EOF.
    async fn fill(&mut self) -> std::io::Result<usize> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        if self.buf.len() - self.end < READ_CHUNK / 4 {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.buf.len() - self.end < READ_CHUNK / 4 {
                self.buf.resize(self.buf.len() * 2, 0);
            }
        }
        let n = self.stream.read(&mut self.buf[self.end..]).await?;
        self.end += n;
        Ok(n)
    }

    /// Reads and consumes one response head.
    async fn read_head(&mut self, head_request: bool) -> Result<(u16, Framing), ExchangeError> {
        loop {
            if self.start < self.end {
                let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
                let mut response = httparse::Response::new(&mut headers);
                match response.parse(&self.buf[self.start..self.end]) {
                    Ok(httparse::Status::Complete(len)) => {
                        let status = response.code.unwrap_or(0);
                        let version = response.version.unwrap_or(1);
                        let (framing, keep_alive) =
                            framing(status, version, response.headers, head_request)?;
                        if !keep_alive {
                            self.reusable = false;
                        }
                        self.start += len;
                        return Ok((status, framing));
                    }
                    Ok(httparse::Status::Partial) => {
                        if self.end - self.start > MAX_HEAD {
                            return Err(ExchangeError::Malformed(format!(
                                "response head longer than {MAX_HEAD} bytes"
                            )));
                        }
                    }
                    Err(e) => {
                        let seen = &self.buf[self.start..self.end.min(self.start + 40)];
                        return Err(ExchangeError::Malformed(format!(
                            "{e}: {:?}",
                            String::from_utf8_lossy(seen)
                        )));
                    }
                }
            }
            if self.fill().await? == 0 {
                return Err(ExchangeError::Disconnected);
            }
        }
    }

    /// Consumes exactly `n` body bytes.
    async fn skip_exact(&mut self, n: u64) -> Result<u64, ExchangeError> {
        let mut left = n;
        loop {
            let take = left.min((self.end - self.start) as u64);
            self.start += take as usize;
            left -= take;
            if left == 0 {
                return Ok(n);
            }
            if self.fill().await? == 0 {
                return Err(ExchangeError::Incomplete {
                    read: n - left,
                    expected: left,
                });
            }
        }
    }

    /// Consumes a chunked body and its trailers; returns the payload size.
    async fn skip_chunked(&mut self) -> Result<u64, ExchangeError> {
        let mut total = 0u64;
        loop {
            let line = self.read_line(total).await?;
            let size = parse_chunk_size(&line)?;
            if size == 0 {
                while !self.read_line(total).await?.is_empty() {}
                return Ok(total);
            }
            match self.skip_exact(size).await {
                Ok(_) => total += size,
                Err(ExchangeError::Incomplete { read, .. }) => {
                    return Err(ExchangeError::Incomplete {
                        read: total + read,
                        expected: 0,
                    })
                }
                Err(e) => return Err(e),
            }
            if !self.read_line(total).await?.is_empty() {
                return Err(ExchangeError::Malformed(
                    "chunk data not followed by CRLF".into(),
                ));
            }
        }
    }

    /// Consumes one line (without its CRLF or LF) of chunked framing.
    async fn read_line(&mut self, body_so_far: u64) -> Result<Vec<u8>, ExchangeError> {
        loop {
            let pending = &self.buf[self.start..self.end];
            if let Some(i) = pending.iter().position(|&b| b == b'\n') {
                let mut line = pending[..i].to_vec();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.start += i + 1;
                return Ok(line);
            }
            if pending.len() > MAX_HEAD {
                return Err(ExchangeError::Malformed("chunk line too long".into()));
            }
            if self.fill().await? == 0 {
                return Err(ExchangeError::Incomplete {
                    read: body_so_far,
                    expected: 0,
                });
            }
        }
    }

    /// Consumes everything until the server closes.
    async fn skip_to_close(&mut self) -> Result<u64, ExchangeError> {
        let mut total = (self.end - self.start) as u64;
        self.start = self.end;
        loop {
            let n = self.fill().await? as u64;
            if n == 0 {
                return Ok(total);
            }
            total += n;
            self.start = self.end;
        }
    }
}

/// How a response's body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    None,
    Length(u64),
    Chunked,
    UntilClose,
}

/// The body framing and whether the connection stays open, from the status and headers: not
/// after `Connection: close`, an HTTP/1.0 answer without keep-alive, a body that runs to the
/// close, or a switch of protocols (101).
fn framing(
    status: u16,
    version: u8,
    headers: &[httparse::Header<'_>],
    head_request: bool,
) -> Result<(Framing, bool), ExchangeError> {
    let mut length: Option<u64> = None;
    let mut chunked = false;
    let mut keep_alive = version >= 1;
    for h in headers {
        if h.name.eq_ignore_ascii_case("content-length") {
            let text = std::str::from_utf8(h.value).unwrap_or("").trim();
            let n: u64 = text.parse().map_err(|_| {
                ExchangeError::Malformed(format!("Content-Length {text:?} is not a number"))
            })?;
            if length.is_some_and(|l| l != n) {
                return Err(ExchangeError::Malformed(
                    "conflicting Content-Length headers".into(),
                ));
            }
            length = Some(n);
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            let last = h.value.rsplit(|&b| b == b',').next().unwrap_or(b"");
            chunked = last.trim_ascii().eq_ignore_ascii_case(b"chunked");
        } else if h.name.eq_ignore_ascii_case("connection") {
            for token in h.value.split(|&b| b == b',') {
                let token = token.trim_ascii();
                if token.eq_ignore_ascii_case(b"close") {
                    keep_alive = false;
                } else if token.eq_ignore_ascii_case(b"keep-alive") {
                    keep_alive = true;
                }
            }
        }
    }
    if status == 101 {
        keep_alive = false;
    }
    let framing = if head_request || (100..200).contains(&status) || status == 204 || status == 304
    {
        Framing::None
    } else if chunked {
        Framing::Chunked
    } else if let Some(n) = length {
        Framing::Length(n)
    } else {
        keep_alive = false;
        Framing::UntilClose
    };
    Ok((framing, keep_alive))
}

/// The size in a chunk-size line (hex digits, optional `;extensions`).
fn parse_chunk_size(line: &[u8]) -> Result<u64, ExchangeError> {
    let digits = line
        .split(|&b| b == b';')
        .next()
        .unwrap_or(b"")
        .trim_ascii();
    let text = std::str::from_utf8(digits).unwrap_or("");
    if text.is_empty() || text.len() > 15 {
        return Err(ExchangeError::Malformed(format!(
            "chunk size {:?}",
            String::from_utf8_lossy(line)
        )));
    }
    u64::from_str_radix(text, 16).map_err(|_| {
        ExchangeError::Malformed(format!("chunk size {:?}", String::from_utf8_lossy(line)))
    })
}

/// Serialises a request once, before the run: request line, `Host`, the default headers, the
/// scenario's headers (which replace defaults of the same name) and the body, with
/// `Content-Length` whenever there is a body or the method carries one.
pub fn serialise_request(
    method: &str,
    target: &str,
    host: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Vec<u8> {
    let mut out = format!("{method} {target} HTTP/1.1\r\n").into_bytes();
    let mut line = |name: &str, value: &str| {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    };
    let given = |name: &str| headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    if !given("host") {
        line("Host", host);
    }
    for (name, value) in [("User-Agent", "perfreport-driver"), ("Accept", "*/*")] {
        if !given(name) {
            line(name, value);
        }
    }
    for (name, value) in headers {
        if !name.eq_ignore_ascii_case("content-length") {
            line(name, value);
        }
    }
    let carries_body = matches!(method, "POST" | "PUT" | "PATCH");
    if !body.is_empty() || carries_body {
        line("Content-Length", &body.len().to_string());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests;
