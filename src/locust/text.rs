//! The text check every Locust file passes through while it is read, a chunk at a time.
//!
//! [`TextCheck`] sits between the file and the CSV parser ([`super::records`]). It drops a UTF-8 byte-order mark,
//! hands on only bytes that are valid UTF-8 and notes the first NUL byte, with its line and
//! column, without holding the file. The verdict is the one a check of the whole file would give: a UTF-16
//! byte-order mark, else the first byte that is not UTF-8, else the first NUL byte —
//! [`TextCheck::finish`] reads the rest of the file for it when parsing stopped early.

use std::io::{self, Read};
use std::path::Path;

use super::error::LocustError;

/// How much is read from the file at a time.
const CHUNK: usize = 64 * 1024;

/// Where the text check failed, and what it found there.
struct Problem {
    /// 1-based line of the offending byte.
    line: u64,
    /// 1-based byte offset within that line.
    column: u64,
    /// What was found (`byte 0xFF`, `a NUL byte`).
    found: String,
    /// What to check or do.
    hint: &'static str,
}

/// A reader that passes on valid UTF-8 text only and keeps what messages need to know.
pub(crate) struct TextCheck<'a> {
    /// The file (or bytes) being read.
    inner: Box<dyn Read + 'a>,
    /// Bytes read from `inner`: `[next, checked)` checked and not yet handed on, `[checked,
    /// filled)` the start of a UTF-8 sequence whose end has not been read yet.
    buf: Vec<u8>,
    /// The first byte of `buf` not yet handed on.
    next: usize,
    /// The end of the checked bytes in `buf`.
    checked: usize,
    /// The end of the bytes read into `buf`.
    filled: usize,
    /// Bytes of the text (after any byte-order mark) checked before `buf[checked]`.
    checked_offset: u64,
    /// Whether the start of the file (its byte-order mark) has been looked at.
    started: bool,
    /// Whether `inner` has no more bytes.
    eof: bool,
    /// Whether `inner` failed; the parser saw the error and reports it.
    failed: bool,
    /// `\n` bytes among the checked ones.
    newlines: u64,
    /// The offset just after the last checked `\n` (0 before the first).
    line_start: u64,
    /// The first byte that is not UTF-8 (or a UTF-16 byte-order mark): nothing after it is
    /// handed on.
    not_utf8: Option<Problem>,
    /// The first NUL byte; reported unless a byte that is not UTF-8 follows.
    nul: Option<Problem>,
    /// Largest number of bytes asked of `inner` at once.
    chunk: usize,
}

impl<'a> TextCheck<'a> {
    /// Checks the text of `inner`.
    pub(crate) fn new(inner: Box<dyn Read + 'a>) -> Self {
        Self::with_chunk(inner, CHUNK)
    }

    /// Like [`Self::new`], reading at most `chunk` bytes at a time (tests use tiny chunks to
    /// put a chunk boundary everywhere).
    pub(super) fn with_chunk(inner: Box<dyn Read + 'a>, chunk: usize) -> Self {
        let chunk = chunk.max(1);
        Self {
            inner,
            buf: vec![0; chunk + 4],
            next: 0,
            checked: 0,
            filled: 0,
            checked_offset: 0,
            started: false,
            eof: false,
            failed: false,
            newlines: 0,
            line_start: 0,
            not_utf8: None,
            nul: None,
            chunk,
        }
    }

    /// The verdict on the whole text: reads what the parser left unread, then gives the
    /// error a check of the whole file gives, if any (none if reading the file failed: the
    /// parser's error says so).
    pub(crate) fn finish(&mut self, path: &Path) -> Option<LocustError> {
        while !self.failed && self.not_utf8.is_none() && !self.eof {
            self.next = self.checked;
            if let Err(source) = self.fill() {
                return Some(LocustError::Io {
                    path: path.to_owned(),
                    source,
                });
            }
        }
        if self.failed {
            return None;
        }
        let problem = self.not_utf8.take().or_else(|| self.nul.take())?;
        Some(LocustError::NotText {
            path: path.to_owned(),
            line: problem.line,
            column: problem.column,
            found: problem.found,
            hint: problem.hint,
        })
    }

    /// Reads more of `inner` and checks it; returns with nothing new checked only at the end
    /// of the text or after a byte that is not UTF-8.
    fn fill(&mut self) -> io::Result<()> {
        while self.next == self.checked && !self.eof && self.not_utf8.is_none() {
            self.buf.copy_within(self.checked..self.filled, 0);
            self.filled -= self.checked;
            self.next = 0;
            self.checked = 0;
            let room = self.filled + self.chunk;
            let n = match self.inner.read(&mut self.buf[self.filled..room]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.failed = true;
                    return Err(e);
                }
            };
            self.filled += n;
            self.eof = n == 0;
            if !self.started {
                if self.filled < 3 && !self.eof {
                    continue;
                }
                self.started = true;
                if self.buf[..self.filled].starts_with(b"\xEF\xBB\xBF") {
                    self.next = 3;
                    self.checked = 3;
                }
                let rest = &self.buf[self.next..self.filled];
                if rest.starts_with(&[0xFF, 0xFE]) || rest.starts_with(&[0xFE, 0xFF]) {
                    self.not_utf8 = Some(Problem {
                        line: 1,
                        column: 1,
                        found: "a UTF-16 byte-order mark".to_owned(),
                        hint: "save the file as UTF-8 (Locust writes UTF-8)",
                    });
                    return Ok(());
                }
            }
            self.check();
        }
        Ok(())
    }

    /// Checks `buf[checked..filled]` as far as it is complete UTF-8.
    fn check(&mut self) {
        const BINARY: &str = "is this a binary file?";
        let unchecked = &self.buf[self.checked..self.filled];
        let good = match std::str::from_utf8(unchecked) {
            Ok(_) => unchecked.len(),
            Err(e) => {
                let good = e.valid_up_to();
                if e.error_len().is_some() || self.eof {
                    let found = format!("byte 0x{:02X}", unchecked[good]);
                    self.not_utf8 = Some(self.problem_at(good, found, BINARY));
                }
                good
            }
        };
        if self.nul.is_none() {
            if let Some(at) = memchr::memchr(0, &self.buf[self.checked..self.checked + good]) {
                self.nul = Some(self.problem_at(at, "a NUL byte".to_owned(), BINARY));
            }
        }
        let checked = &self.buf[self.checked..self.checked + good];
        self.newlines += memchr::memchr_iter(b'\n', checked).count() as u64;
        if let Some(last) = memchr::memrchr(b'\n', checked) {
            self.line_start = self.checked_offset + last as u64 + 1;
        }
        self.checked += good;
        self.checked_offset += good as u64;
    }

    /// The line and column of `buf[checked + at]`, not yet counted in `newlines`.
    fn problem_at(&self, at: usize, found: String, hint: &'static str) -> Problem {
        let before = &self.buf[self.checked..self.checked + at];
        let newlines = memchr::memchr_iter(b'\n', before).count() as u64;
        let line_start = memchr::memrchr(b'\n', before)
            .map_or(self.line_start, |p| self.checked_offset + p as u64 + 1);
        let offset = self.checked_offset + at as u64;
        Problem {
            line: self.newlines + newlines + 1,
            column: offset - line_start + 1,
            found,
            hint,
        }
    }
}

impl Read for TextCheck<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.next == self.checked {
            self.fill()?;
        }
        if self.next == self.checked {
            return match self.not_utf8 {
                Some(_) => Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the file is not UTF-8 text",
                )),
                None => Ok(0),
            };
        }
        let n = out.len().min(self.checked - self.next);
        out[..n].copy_from_slice(&self.buf[self.next..self.next + n]);
        self.next += n;
        Ok(n)
    }
}
