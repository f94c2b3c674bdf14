//! The records of a CSV text, exactly as the `csv` crate splits them (default dialect,
//! flexible), each with the line it starts on.
//!
//! Locust quotes a field only when it holds a comma, a quote or a line end, so almost every
//! line of its files has no quote. Such a line is one record whose fields are the bytes
//! between its commas: [`Records`] splits it in place, in a large buffer, with `memchr`,
//! copying nothing. A record whose first line holds a quote goes to `csv_core`, the `csv`
//! crate's own parser, with the crate's default settings, so the fields are the crate's for
//! every input: a quote opens a quoted field only at the start of a field, and `\r`, `\n` and
//! `\r\n` each end a record, blank lines giving none — which is why a line without a quote
//! splits at its commas alone. Lines are counted here as the records pass: a record's line is
//! one more than the `\n` bytes before its first byte.

use std::io::{self, Read};

/// Bytes the buffer holds at first; it grows only for a record longer than that.
const BUFFER: usize = 256 * 1024;

/// The records of a text read from `source`, one at a time ([`Records::next_record`]), their
/// fields borrowed until the next ([`Records::fields`]).
pub(crate) struct Records<R> {
    /// Where the text comes from.
    source: R,
    /// Text read from `source`: `[start, end)` not yet consumed.
    buf: Vec<u8>,
    /// The first byte of `buf` not yet consumed.
    start: usize,
    /// The end of the bytes read into `buf`.
    end: usize,
    /// Whether `source` has no more bytes.
    eof: bool,
    /// `\n` bytes consumed so far.
    newlines: u64,
    /// The parser for records with a quote.
    core: csv_core::Reader,
    /// The current record's fields when it was parsed by `core`, unescaped and joined.
    parsed: Vec<u8>,
    /// Where the current record's fields end: in `buf` from `line`, or in `parsed`.
    ends: Vec<usize>,
    /// Where the current record's fields are.
    current: Current,
    /// Whether a record went to the end of the text rather than to a line end; in a text
    /// that ends with a line end, only a quoted field left open does that.
    open_at_end: bool,
}

/// Where the current record's fields are.
#[derive(Clone, Copy)]
enum Current {
    /// No record read yet (or the text has ended).
    None,
    /// A line of `buf` from this offset, fields separated by one comma each.
    Line(usize),
    /// In `parsed`, back to back.
    Parsed,
}

/// One record's fields.
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a> {
    /// The bytes holding the fields.
    data: &'a [u8],
    /// Where each field ends in `data`.
    ends: &'a [usize],
    /// Bytes between one field's end and the next one's start (1 for a comma, 0 when joined).
    gap: usize,
}

impl<'a> Fields<'a> {
    /// Number of fields.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The bytes of field `index` (0-based), if the record has it.
    #[inline]
    pub(crate) fn get(&self, index: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(index)?;
        let start = match index {
            0 => 0,
            _ => self.ends[index - 1] + self.gap,
        };
        Some(&self.data[start..end])
    }

    /// The bytes from the start of field `index` to the end of the record's data, and the
    /// field's length: room to read a short field a word at a time.
    #[inline]
    pub(crate) fn window(&self, index: usize) -> Option<(&'a [u8], usize)> {
        let end = *self.ends.get(index)?;
        let start = match index {
            0 => 0,
            _ => self.ends[index - 1] + self.gap,
        };
        Some((self.data.get(start..)?, end - start))
    }

    /// Every field in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let fields = *self;
        (0..fields.len()).filter_map(move |i| fields.get(i))
    }
}

impl Records<io::Empty> {
    /// The records of a text already in memory, read in place.
    pub(crate) fn in_memory(text: Vec<u8>) -> Self {
        Self::with_buffer(io::empty(), text, true)
    }
}

impl<R: Read> Records<R> {
    /// The records of the text `source` gives.
    pub(crate) fn new(source: R) -> Self {
        Self::with_buffer(source, vec![0; BUFFER], false)
    }

    /// The records of `buf` when `read` is true (its bytes are then the whole text), else
    /// of what `source` gives, read into `buf`.
    fn with_buffer(source: R, buf: Vec<u8>, read: bool) -> Self {
        Self {
            source,
            end: if read { buf.len() } else { 0 },
            buf,
            start: 0,
            eof: read,
            newlines: 0,
            core: csv_core::Reader::new(),
            parsed: Vec::new(),
            ends: Vec::new(),
            current: Current::None,
            open_at_end: false,
        }
    }

    /// Whether the text ended inside a quoted field: when the text is a block of lines cut
    /// from a longer one, its end was then not where a record ends.
    pub(crate) fn ended_inside_quotes(&self) -> bool {
        self.open_at_end
    }

    /// The buffer, to be filled again.
    pub(crate) fn into_buffer(self) -> Vec<u8> {
        self.buf
    }

    /// The text's source, to finish checking it.
    pub(crate) fn source_mut(&mut self) -> &mut R {
        &mut self.source
    }

    /// The current record's fields (none before the first record and after the last).
    pub(crate) fn fields(&self) -> Fields<'_> {
        match self.current {
            Current::None => Fields {
                data: &[],
                ends: &[],
                gap: 0,
            },
            Current::Line(at) => Fields {
                data: &self.buf[at..],
                ends: &self.ends,
                gap: 1,
            },
            Current::Parsed => Fields {
                data: &self.parsed,
                ends: &self.ends,
                gap: 0,
            },
        }
    }

    /// Reads the next record; returns its 1-based line, or `None` at the end of the text.
    pub(crate) fn next_record(&mut self) -> io::Result<Option<u64>> {
        self.current = Current::None;
        self.ends.clear();
        // Bytes after `start` known to hold no line end.
        let mut scanned = 0;
        loop {
            while self.start < self.end && matches!(self.buf[self.start], b'\r' | b'\n') {
                self.newlines += u64::from(self.buf[self.start] == b'\n');
                self.start += 1;
                scanned = 0;
            }
            if self.start == self.end {
                if self.eof {
                    return Ok(None);
                }
                self.fill()?;
                continue;
            }
            let rest = &self.buf[self.start + scanned..self.end];
            let length = match memchr::memchr2(b'\r', b'\n', rest) {
                Some(at) => scanned + at,
                None if self.eof => self.end - self.start,
                None => {
                    scanned = self.end - self.start;
                    self.fill()?;
                    continue;
                }
            };
            let number = self.newlines + 1;
            if split(&self.buf[self.start..self.start + length], &mut self.ends) {
                self.current = Current::Line(self.start);
                self.start += length;
            } else {
                self.parse_quoted()?;
            }
            return Ok(Some(number));
        }
    }

    /// Parses the record at `start` with `core`, reading more of the text as it needs.
    fn parse_quoted(&mut self) -> io::Result<()> {
        use csv_core::ReadRecordResult;
        self.core.reset();
        self.parsed.clear();
        self.ends.clear();
        let (mut out, mut ends) = (0, 0);
        loop {
            if self.parsed.len() == out {
                self.parsed.resize(out.max(64) * 2, 0);
            }
            if self.ends.len() == ends {
                self.ends.resize(ends.max(16) * 2, 0);
            }
            let input = &self.buf[self.start..self.end];
            let at_end = input.is_empty() && self.eof;
            let (result, nin, nout, nend) =
                self.core
                    .read_record(input, &mut self.parsed[out..], &mut self.ends[ends..]);
            self.newlines += memchr::memchr_iter(b'\n', &input[..nin]).count() as u64;
            self.start += nin;
            out += nout;
            ends += nend;
            if at_end {
                self.open_at_end |= matches!(result, ReadRecordResult::Record);
            }
            match result {
                ReadRecordResult::InputEmpty if !self.eof => self.fill()?,
                ReadRecordResult::InputEmpty
                | ReadRecordResult::OutputFull
                | ReadRecordResult::OutputEndsFull => {}
                ReadRecordResult::Record | ReadRecordResult::End => break,
            }
        }
        self.parsed.truncate(out);
        self.ends.truncate(ends);
        self.current = Current::Parsed;
        Ok(())
    }

    /// Moves the bytes not yet consumed to the front of the buffer (growing it when they fill
    /// it) and reads more after them; sets `eof` when the text has ended.
    fn fill(&mut self) -> io::Result<()> {
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.source.read(&mut self.buf[self.end..]) {
                Ok(n) => {
                    self.end += n;
                    self.eof = n == 0;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Puts the end of each of the line's fields in `ends` and returns `true`, or returns `false`
/// when the line holds a quote.
///
/// Eight bytes at a time: a byte of a word is a comma (a quote) when the word XOR eight commas
/// (quotes) has a zero byte there, which a few integer operations mark. Fields are a few bytes
/// long, too short for a search per field to pay off.
fn split(line: &[u8], ends: &mut Vec<usize>) -> bool {
    /// The byte `b` in each of a word's eight bytes.
    const fn each(b: u8) -> u64 {
        u64::from_ne_bytes([b; 8])
    }
    /// Bit 7 set in each byte of `x` that is zero, and nowhere else: bit 7 of `(x & 0x7F) +
    /// 0x7F` is set when the low seven bits are not all zero (no carry leaves the byte), `| x`
    /// when the top bit is.
    fn zero_bytes(x: u64) -> u64 {
        let low = each(0x7F);
        !(((x & low) + low) | x | low)
    }
    let mut words = line.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let x = u64::from_le_bytes([
            word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7],
        ]);
        if zero_bytes(x ^ each(b'"')) != 0 {
            return false;
        }
        let mut commas = zero_bytes(x ^ each(b','));
        while commas != 0 {
            ends.push(base + commas.trailing_zeros() as usize / 8);
            commas &= commas - 1;
        }
        base += 8;
    }
    for (at, &b) in words.remainder().iter().enumerate() {
        match b {
            b',' => ends.push(base + at),
            b'"' => return false,
            _ => {}
        }
    }
    ends.push(line.len());
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reads `text` a few bytes at a time, as a slow source would give it.
    struct Trickle<'a> {
        text: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(out.len()).min(self.text.len());
            out[..n].copy_from_slice(&self.text[..n]);
            self.text = &self.text[n..];
            Ok(n)
        }
    }

    /// Every record as (line, fields), from [`Records`].
    fn ours(text: &[u8], step: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut records = Records::new(Trickle { text, step });
        let mut out = Vec::new();
        while let Some(line) = records.next_record().unwrap() {
            out.push((line, records.fields().iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    /// Every record as (line, fields), from the `csv` crate, the line counted from the
    /// record's first byte that is not a line end.
    fn crates(text: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            let at = record.position().unwrap().byte() as usize;
            let first = at
                + text[at..]
                    .iter()
                    .take_while(|b| b"\r\n".contains(b))
                    .count();
            let line = 1 + memchr::memchr_iter(b'\n', &text[..first]).count() as u64;
            out.push((line, record.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    #[test]
    fn splits_plain_and_quoted_lines() {
        let text = b"a,b\r\n\r\n\"x,\"\"y\"\"\",2\n,\n\"multi\nline\",3\rlast";
        let want: Vec<(u64, Vec<Vec<u8>>)> = vec![
            (1, vec![b"a".to_vec(), b"b".to_vec()]),
            (3, vec![b"x,\"y\"".to_vec(), b"2".to_vec()]),
            (4, vec![b"".to_vec(), b"".to_vec()]),
            (5, vec![b"multi\nline".to_vec(), b"3".to_vec()]),
            (6, vec![b"last".to_vec()]),
        ];
        assert_eq!(ours(text, 1 << 20), want);
        assert_eq!(crates(text), want);
    }

    #[test]
    fn a_record_longer_than_the_buffer() {
        let long = "x".repeat(3 * BUFFER);
        let text = format!("{long},\"{long}\"\n1,2");
        assert_eq!(ours(text.as_bytes(), 1 << 20), crates(text.as_bytes()));
    }

    proptest! {
        #[test]
        fn records_are_the_csv_crates(
            text in proptest::collection::vec(
                prop_oneof![Just(b'a'), Just(b','), Just(b'"'), Just(b'\r'), Just(b'\n'), Just(b' ')],
                0..80,
            ),
            step in 1usize..7,
        ) {
            prop_assert_eq!(ours(&text, step), crates(&text));
        }
    }
}
