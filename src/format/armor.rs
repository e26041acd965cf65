//! ASCII armor: PEM with the label `AGE ENCRYPTED FILE`, strict as Go age.
//!
//! Standard base64 with canonical padding in lines of exactly 64 columns
//! (the last one shorter or equal), LF or CRLF line ends, whitespace allowed
//! before and after the armor (up to 1 KiB each side), nothing else.
//! Whitespace is Go's `bytes.TrimSpace` whitespace, Unicode's White_Space.

use std::io::{self, BufRead, Read, Write};

use base64::prelude::{Engine, BASE64_STANDARD};

use super::FormatError;

/// The first line of an armored file.
pub(crate) const BEGIN: &str = "-----BEGIN AGE ENCRYPTED FILE-----";
/// The last line of an armored file.
pub(crate) const END: &str = "-----END AGE ENCRYPTED FILE-----";
/// Columns of a full armor line.
const COLUMNS: usize = 64;
/// Bytes encoded by one full armor line.
const LINE_BYTES: usize = 48;
/// Lines encoded or decoded per block, to keep writes large.
const BLOCK_LINES: usize = 1024;
/// Most whitespace accepted before and after the armor, as Go age.
const MAX_WHITESPACE: usize = 1024;

fn armor_err(m: impl Into<String>) -> io::Error {
    FormatError::Armor(m.into()).into()
}

/// How many bytes of whitespace start `bytes`, whitespace as Go age's
/// `bytes.TrimSpace` has it (Unicode White_Space, which Rust's
/// `char::is_whitespace` is too); an invalid or cut UTF-8 sequence ends it.
fn leading_space(bytes: &[u8]) -> usize {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
    };
    text.len() - text.trim_start().len()
}

/// Whether `bytes` is whitespace only (see [`leading_space`]).
fn is_all_space(bytes: &[u8]) -> bool {
    leading_space(bytes) == bytes.len()
}

/// Whether `prefix`, the first [`DETECT_BYTES`] of an input (or all of a
/// shorter one), is to be read as armor.
///
/// Go age 1.3's rule (`cmd/age` and `age-inspect`): the input is armor when,
/// after leading whitespace, the first 1 KiB + 34 bytes start with the
/// begin line; so at most [`MAX_WHITESPACE`] bytes of whitespace come
/// first. An input that starts with the age intro is never taken for
/// armor, whatever its first kilobyte holds: a binary file may carry the
/// begin line in a stanza.
///
/// Some other inputs go to the armor reader too, only so that it can say
/// what is wrong with them: after whitespace, `-----` (a damaged begin
/// line), whitespace beyond the limit before the begin line, or the begin
/// line after other text (the C2SP vector `armor_garbage_leading`). None
/// can open as a binary file, and the armor reader refuses each of them (it
/// accepts only whitespace lines within the limit, then the begin line), so
/// the files that open are exactly those Go age opens.
pub(crate) fn looks_armored(prefix: &[u8]) -> bool {
    let space = leading_space(prefix);
    let rest = &prefix[space..];
    if rest.starts_with(BEGIN.as_bytes()) {
        return true;
    }
    if prefix.starts_with(AGE_INTRO) {
        return false;
    }
    rest.starts_with(b"-----")
        || (space > MAX_WHITESPACE && BEGIN.as_bytes().starts_with(rest))
        || prefix.windows(BEGIN.len()).any(|w| w == BEGIN.as_bytes())
}

/// How every binary age file starts, whatever its version.
const AGE_INTRO: &[u8] = b"age-encryption.org/";

/// How many bytes of an input [`looks_armored`] needs to decide.
pub(crate) const DETECT_BYTES: usize = MAX_WHITESPACE + BEGIN.len();

/// Encodes everything written to it as armor; call [`ArmoredWriter::finish`].
pub(crate) struct ArmoredWriter<W: Write> {
    inner: W,
    /// Bytes not yet encoded: always fewer than one line's worth.
    pending: Vec<u8>,
    /// Encoded text waiting to be written.
    text: Vec<u8>,
}

impl<W: Write> ArmoredWriter<W> {
    /// Starts the armor by writing its first line.
    pub(crate) fn new(mut inner: W) -> io::Result<Self> {
        inner.write_all(BEGIN.as_bytes())?;
        inner.write_all(b"\n")?;
        Ok(Self {
            inner,
            pending: Vec::with_capacity(LINE_BYTES),
            text: Vec::with_capacity(BLOCK_LINES * (COLUMNS + 1)),
        })
    }

    /// Encodes whole lines into `text`. Large writes are encoded in blocks
    /// of lines on every core when the caller runs inside a rayon pool (the
    /// parallel seal path does); otherwise, and for `-j 1`, on this thread.
    fn encode_lines(&mut self, data: &[u8]) {
        let lines = data.len() / LINE_BYTES;
        let at = self.text.len();
        self.text.resize(at + lines * (COLUMNS + 1), b'\n');
        let src = &data[..lines * LINE_BYTES];
        let dst = &mut self.text[at..];
        if lines >= 2 * BLOCK_LINES && rayon::current_thread_index().is_some() {
            use rayon::prelude::*;
            src.par_chunks(BLOCK_LINES * LINE_BYTES)
                .zip(dst.par_chunks_mut(BLOCK_LINES * (COLUMNS + 1)))
                .for_each(|(s, d)| encode_block(s, d));
        } else {
            encode_block(src, dst);
        }
    }

    /// Writes the last line and the end line, and returns the inner writer.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        if !self.pending.is_empty() {
            let last = BASE64_STANDARD.encode(&self.pending);
            self.text.extend_from_slice(last.as_bytes());
            self.text.push(b'\n');
        }
        self.text.extend_from_slice(END.as_bytes());
        self.text.push(b'\n');
        self.inner.write_all(&self.text)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for ArmoredWriter<W> {
    fn write(&mut self, mut data: &[u8]) -> io::Result<usize> {
        let total = data.len();
        if !self.pending.is_empty() {
            let take = (LINE_BYTES - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.pending.len() == LINE_BYTES {
                let line = std::mem::take(&mut self.pending);
                self.encode_lines(&line);
                self.pending = line;
                self.pending.clear();
            }
        }
        if data.len() >= LINE_BYTES {
            // All whole lines of this write at once (a sealed batch is a few
            // MiB), written in one call.
            let lines = data.len() / LINE_BYTES;
            let (now, rest) = data.split_at(lines * LINE_BYTES);
            self.encode_lines(now);
            data = rest;
            self.inner.write_all(&self.text)?;
            self.text.clear();
        }
        self.pending.extend_from_slice(data);
        Ok(total)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.write_all(&self.text)?;
        self.text.clear();
        self.inner.flush()
    }
}

/// Encodes whole lines of `src` into `dst` (65 bytes a line, newlines
/// already in place): the SIMD encoder writes the text of all lines at the
/// front, then each line moves to its place, last first, so nothing is
/// overwritten before it moved and no scratch buffer is needed.
fn encode_block(src: &[u8], dst: &mut [u8]) {
    let lines = src.len() / LINE_BYTES;
    let _encoded = base64_simd::STANDARD.encode(
        &src[..lines * LINE_BYTES],
        base64_simd::Out::from_slice(&mut dst[..lines * COLUMNS]),
    );
    for k in (1..lines).rev() {
        dst.copy_within(k * COLUMNS..(k + 1) * COLUMNS, k * (COLUMNS + 1));
    }
    for k in 0..lines {
        dst[k * (COLUMNS + 1) + COLUMNS] = b'\n';
    }
}

/// Decodes armored input strictly; errors carry [`FormatError::Armor`].
pub(crate) struct ArmoredReader<R: BufRead> {
    inner: R,
    started: bool,
    done: bool,
    /// Decoded bytes and how many were already read.
    out: Vec<u8>,
    pos: usize,
    line: Vec<u8>,
    /// The text of full lines, without line ends, for one decode call.
    scratch: Vec<u8>,
    failed: Option<String>,
}

impl<R: BufRead> ArmoredReader<R> {
    /// Wraps `inner`, which must start with the armor (after whitespace).
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            started: false,
            done: false,
            out: Vec::with_capacity(BLOCK_LINES * LINE_BYTES),
            pos: 0,
            line: Vec::with_capacity(COLUMNS + 2),
            scratch: Vec::with_capacity(BLOCK_LINES * COLUMNS),
            failed: None,
        }
    }

    /// Reads one line into `self.line` and returns its length without its
    /// `\n` or `\r\n`; `None` at end of input.
    fn next_line(&mut self) -> io::Result<Option<usize>> {
        self.line.clear();
        let n =
            Read::take(&mut self.inner, COLUMNS as u64 + 3).read_until(b'\n', &mut self.line)?;
        if n == 0 {
            return Ok(None);
        }
        let mut len = n;
        if self.line[len - 1] == b'\n' {
            len -= 1;
        } else if n == COLUMNS + 3 {
            return Err(armor_err("an armor line is longer than 64 columns"));
        }
        if len > 0 && self.line[len - 1] == b'\r' {
            len -= 1;
        }
        Ok(Some(len))
    }

    fn drain_trailing(&mut self) -> io::Result<()> {
        let mut rest = Vec::new();
        Read::take(&mut self.inner, MAX_WHITESPACE as u64).read_to_end(&mut rest)?;
        if !is_all_space(&rest) {
            return Err(armor_err("data after the end of the armor"));
        }
        if rest.len() == MAX_WHITESPACE {
            return Err(armor_err(format!(
                "more than {MAX_WHITESPACE} bytes of whitespace after the armor"
            )));
        }
        Ok(())
    }

    /// Skips the whitespace lines before the begin line, and reads it. The
    /// whitespace counts in bytes as read (line ends included), against the
    /// same limit as [`looks_armored`]; a whitespace line may be as long as
    /// the limit allows.
    fn start(&mut self) -> io::Result<()> {
        let mut skipped = 0;
        loop {
            self.line.clear();
            let limit = MAX_WHITESPACE - skipped + BEGIN.len() + 2;
            let n = Read::take(&mut self.inner, limit as u64).read_until(b'\n', &mut self.line)?;
            if n == 0 {
                return Err(armor_err("the input ends before the armor begins"));
            }
            if is_all_space(&self.line) {
                skipped += n;
                if skipped > MAX_WHITESPACE {
                    return Err(armor_err(format!(
                        "more than {MAX_WHITESPACE} bytes of whitespace before the armor"
                    )));
                }
                continue;
            }
            let line = self.line.strip_suffix(b"\n").unwrap_or(&self.line);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line != BEGIN.as_bytes() {
                return Err(armor_err(
                    "the first line is not '-----BEGIN AGE ENCRYPTED FILE-----'",
                ));
            }
            self.started = true;
            return Ok(());
        }
    }

    /// Decodes as many full lines (64 columns, then `\n` or `\r\n`) as the
    /// reader's buffer holds, up to `max`, without copying them first.
    /// Returns how many lines were decoded and whether any were; anything
    /// else (a short line, the end line, a damaged line) is left to the
    /// line-by-line path, which gives the precise error.
    fn decode_full_lines(&mut self, max: usize) -> io::Result<(usize, bool)> {
        let buf = self.inner.fill_buf()?;
        // First the structure: which lines are full, unpadded, not the end.
        // Their text is gathered without line ends, to be decoded in one
        // call: the SIMD decoder is fast on long inputs (3.3 GB/s of text
        // per core here even one 64-column line at a time, against 1.1-1.4
        // for the base64 crate) and falls back to scalar code on short
        // tails, which one call per line would hit every time.
        self.scratch.clear();
        let mut at = 0;
        let mut n = 0;
        while n < max {
            let rest = &buf[at..];
            let step = if rest.len() > COLUMNS && rest[COLUMNS] == b'\n' {
                COLUMNS + 1
            } else if rest.len() > COLUMNS + 1
                && rest[COLUMNS] == b'\r'
                && rest[COLUMNS + 1] == b'\n'
            {
                COLUMNS + 2
            } else {
                break;
            };
            let line = &rest[..COLUMNS];
            // A padded line is the last one: leave it to the slow path.
            if line[0] == b'-' || line[COLUMNS - 1] == b'=' {
                break;
            }
            self.scratch.extend_from_slice(line);
            at += step;
            n += 1;
        }
        if n == 0 {
            return Ok((0, false));
        }
        // Full lines hold exactly 48 bytes each and no padding, so they have
        // no trailing bits: canonical by construction. The decoder checks
        // the alphabet; if it refuses, nothing is consumed and the strict
        // line-by-line path reports the precise error.
        let o = self.out.len();
        self.out.resize(o + n * LINE_BYTES, 0);
        let dst = base64_simd::Out::from_slice(&mut self.out[o..]);
        match base64_simd::STANDARD.decode(&self.scratch, dst) {
            Ok(d) if d.len() == n * LINE_BYTES => {
                self.inner.consume(at);
                Ok((n, true))
            }
            _ => {
                // Keep the lines before the bad one; the slow path then
                // meets the bad line itself and names the problem.
                self.out.truncate(o);
                let mut good = 0;
                let mut used = 0;
                for line in self.scratch.chunks_exact(COLUMNS) {
                    let o = self.out.len();
                    self.out.resize(o + LINE_BYTES, 0);
                    let dst = base64_simd::Out::from_slice(&mut self.out[o..]);
                    if base64_simd::STANDARD.decode(line, dst).is_err() {
                        self.out.truncate(o);
                        break;
                    }
                    used += if buf[used + COLUMNS] == b'\r' {
                        COLUMNS + 2
                    } else {
                        COLUMNS + 1
                    };
                    good += 1;
                }
                self.inner.consume(used);
                Ok((good, good > 0))
            }
        }
    }

    /// Decodes up to a block of lines into `out`.
    fn refill(&mut self) -> io::Result<()> {
        if !self.started {
            self.start()?;
        }
        self.out.clear();
        self.pos = 0;
        let mut lines = 0;
        while lines < BLOCK_LINES {
            // Fast path: full lines straight from the reader's buffer.
            let (n, used) = self.decode_full_lines(BLOCK_LINES - lines)?;
            lines += n;
            if used {
                continue;
            }
            lines += 1;
            let line = match self.next_line()? {
                Some(n) => &self.line[..n],
                None => return Err(armor_err("the armor has no end line")),
            };
            if line == END.as_bytes() {
                self.done = true;
                return self.drain_trailing();
            }
            if line.is_empty() {
                return Err(armor_err("the armor has an empty line"));
            }
            if line.len() > COLUMNS {
                return Err(armor_err("an armor line is longer than 64 columns"));
            }
            let at = self.out.len();
            self.out.resize(at + LINE_BYTES, 0);
            let n = match BASE64_STANDARD.decode_slice(line, &mut self.out[at..]) {
                Ok(n) => n,
                Err(_) => {
                    // Deliver nothing of the bad line, not even zeros.
                    self.out.truncate(at);
                    return Err(armor_err("an armor line is not canonical base64"));
                }
            };
            self.out.truncate(at + n);
            if n < LINE_BYTES || line.len() < COLUMNS {
                // A short line is the last one: the end line must follow.
                match self.next_line()? {
                    Some(n) if &self.line[..n] == END.as_bytes() => {}
                    _ => {
                        return Err(armor_err(
                            "a short armor line is not followed by the end line",
                        ))
                    }
                }
                self.done = true;
                return self.drain_trailing();
            }
        }
        Ok(())
    }
}

impl<R: BufRead> Read for ArmoredReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.pos < self.out.len() {
                let n = buf.len().min(self.out.len() - self.pos);
                buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if let Some(m) = &self.failed {
                return Err(armor_err(m.clone()));
            }
            if self.done {
                return Ok(0);
            }
            if let Err(e) = self.refill() {
                // Bytes decoded before the error are still delivered; the
                // error comes after them, and again on every later read.
                self.failed = Some(match super::format_error_of(&e) {
                    Some(FormatError::Armor(m)) => m.clone(),
                    _ => return Err(e),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn armor(data: &[u8]) -> Vec<u8> {
        let mut w = ArmoredWriter::new(Vec::new()).unwrap();
        w.write_all(data).unwrap();
        w.finish().unwrap()
    }

    fn dearmor(text: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        ArmoredReader::new(text).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn armor_round_trips_at_line_edges() {
        for len in [1usize, 47, 48, 49, 96, 48 * 1024, 48 * 1024 + 5, 200_000] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let text = armor(&data);
            for line in text.split(|&b| b == b'\n') {
                assert!(line.len() <= 64 || line == BEGIN.as_bytes());
            }
            assert_eq!(dearmor(&text).unwrap(), data, "len {len}");
        }
    }

    #[test]
    fn armor_written_in_odd_pieces_is_identical() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 256) as u8).collect();
        let mut w = ArmoredWriter::new(Vec::new()).unwrap();
        for piece in data.chunks(13) {
            w.write_all(piece).unwrap();
        }
        assert_eq!(w.finish().unwrap(), armor(&data));
    }

    #[test]
    fn a_bad_line_deep_in_a_block_is_found_and_earlier_lines_kept() {
        let data: Vec<u8> = (0..48 * 3000).map(|i| (i % 253) as u8).collect();
        let mut text = armor(&data);
        // Line 2000 (after the begin line) gets a character outside base64.
        let line_start = BEGIN.len() + 1 + 1999 * 65;
        text[line_start + 10] = b'*';
        let mut out = Vec::new();
        let err = ArmoredReader::new(&text[..])
            .read_to_end(&mut out)
            .unwrap_err();
        assert!(matches!(
            super::super::format_error_of(&err),
            Some(FormatError::Armor(_))
        ));
        assert_eq!(out.len(), 1999 * 48, "released bytes");
        assert!(out == data[..1999 * 48], "released the wrong bytes");
    }

    #[test]
    fn crlf_armor_decodes() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 256) as u8).collect();
        let text = armor(&data);
        let crlf: Vec<u8> = text
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .flat_map(|l| l.iter().copied().chain(*b"\r\n"))
            .collect();
        assert_eq!(dearmor(&crlf).unwrap(), data);
    }

    #[test]
    fn detection_is_go_ages_rule() {
        let begin = format!("{BEGIN}\n");
        assert!(looks_armored(begin.as_bytes()));
        assert!(looks_armored(format!("\n \r\t{begin}").as_bytes()));
        // Unicode whitespace, as Go's bytes.TrimSpace (NBSP, U+3000).
        assert!(looks_armored(format!("\u{a0}\u{3000}\n{begin}").as_bytes()));
        // Up to 1 KiB of whitespace, whatever the line lengths.
        let most = format!("{}\n{begin}", " ".repeat(MAX_WHITESPACE - 1));
        assert!(looks_armored(&most.as_bytes()[..DETECT_BYTES]));
        assert!(!looks_armored(b"age-encryption.org/v1\n"));
        assert!(!looks_armored(b""));
        assert!(!looks_armored(b" \n\n"));
        // A binary file with the begin line as a stanza is not armor.
        let binary = format!("age-encryption.org/v1\n-> {begin}\n");
        assert!(!looks_armored(binary.as_bytes()));
        // Meant as armor, refused by the reader with the reason.
        for meant in [
            "-----BEGIN AGE ENCRYPTED FILE----\n".to_owned(),
            format!("{}\n{begin}", " ".repeat(MAX_WHITESPACE)),
            format!("garbage\n{begin}"),
        ] {
            let prefix = &meant.as_bytes()[..meant.len().min(DETECT_BYTES)];
            assert!(looks_armored(prefix), "{meant:?}");
            assert!(dearmor(meant.as_bytes()).is_err(), "{meant:?}");
        }
    }

    #[test]
    fn whitespace_before_the_armor_is_counted_in_bytes() {
        let data = b"hello";
        let text = armor(data);
        for (space, ok) in [
            (" ".repeat(MAX_WHITESPACE - 1) + "\n", true),
            ("\r\n".repeat(MAX_WHITESPACE / 2), true),
            (" ".repeat(MAX_WHITESPACE) + "\n", false),
            ("\r\n".repeat(MAX_WHITESPACE / 2) + "\n", false),
            ("\u{a0}\n".repeat(MAX_WHITESPACE / 3), true),
        ] {
            let mut input = space.as_bytes().to_vec();
            input.extend_from_slice(&text);
            let r = dearmor(&input);
            assert_eq!(r.is_ok(), ok, "{} bytes of whitespace", space.len());
            if let Err(e) = r {
                assert!(e.to_string().contains("whitespace before the armor"), "{e}");
            }
        }
    }
}
