//! ASCII armor: PEM with the label `AGE ENCRYPTED FILE`, strict as Go age.
//!
//! Standard base64 with canonical padding in lines of exactly 64 columns
//! (the last one shorter or equal), LF or CRLF line ends, whitespace allowed
//! before and after the armor (up to 1 KiB each side), nothing else.
//! Whitespace is Go's `bytes.TrimSpace` whitespace, Unicode's White_Space.
//!
//! Armor also comes inside text: a saved mail, a quoted reply, a paste
//! (issue 13). [`TextReader`] finds the one block in such a text, unquotes
//! it and hands it to the same strict decoder; text may follow plain armor
//! too when it stands apart from it, as a signature does. [`detect`] says
//! which way an input is read.

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

/// How an input is read, decided from its first [`DETECT_BYTES`] (or all
/// of a shorter one) by [`detect`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    /// A binary age file, or no age file at all: the header parser says.
    Binary,
    /// Armor from the start (after whitespace), decoded strictly as Go age
    /// does: nothing but whitespace around it.
    Armor,
    /// Text, such as a saved mail, that may hold one armored block further
    /// on: found by [`TextReader`], then decoded as strictly.
    Text,
}

impl Form {
    /// Whether the sealed file in an input of this form is armored.
    pub(crate) fn is_armored(self) -> bool {
        self != Form::Binary
    }

    /// The binary age file in `input`: `input` itself, or its armor decoded.
    pub(crate) fn decode<'a, R: BufRead + Send + 'a>(
        self,
        input: R,
    ) -> Box<dyn BufRead + Send + 'a> {
        match self {
            Form::Binary => Box::new(input),
            Form::Armor => Box::new(io::BufReader::with_capacity(
                DECODED_BUFFER,
                ArmoredReader::new(input),
            )),
            Form::Text => Box::new(io::BufReader::with_capacity(
                DECODED_BUFFER,
                ArmoredReader::new(TextReader::new(input)),
            )),
        }
    }
}

/// Buffer for decoded armor: large reads, few calls.
const DECODED_BUFFER: usize = 256 * 1024;

/// Reads the form of an input from `prefix`, its first [`DETECT_BYTES`]
/// (or all of a shorter one).
///
/// Armor is Go age 1.3's rule (`cmd/age` and `age-inspect`): after leading
/// whitespace, the first 1 KiB + 34 bytes start with the begin line; so at
/// most 1 KiB of whitespace comes first. An input that
/// starts with the age intro is binary, whatever its first kilobyte holds:
/// a binary file may carry the begin line in a stanza.
///
/// Some other inputs go to the strict armor reader too, only so that it can
/// say what is wrong with them: after whitespace, `-----` (a damaged begin
/// line), or whitespace beyond the limit before the begin line.
///
/// Anything else that starts with text (no control characters but tab,
/// line ends, form feed and escape in its first kilobyte) is [`Form::Text`]:
/// a mail or a paste, searched for an armored block line by line (issue
/// 13); without one it is not an age file, a header failure as before.
/// Everything else is binary, and the header parser says what is wrong;
/// so is an empty or all-whitespace input.
pub(crate) fn detect(prefix: &[u8]) -> Form {
    let space = leading_space(prefix);
    let rest = &prefix[space..];
    if rest.starts_with(BEGIN.as_bytes()) {
        return Form::Armor;
    }
    // A binary file, or one cut inside its first line.
    if prefix.starts_with(AGE_INTRO) || AGE_INTRO.starts_with(prefix) {
        return Form::Binary;
    }
    if rest.starts_with(b"-----") || (space > MAX_WHITESPACE && BEGIN.as_bytes().starts_with(rest))
    {
        return Form::Armor;
    }
    if !rest.is_empty() && is_text(prefix) {
        return Form::Text;
    }
    // Not text, yet it holds the begin line: armor damaged beyond use, for
    // the armor reader to name.
    if prefix.windows(BEGIN.len()).any(|w| w == BEGIN.as_bytes()) {
        return Form::Armor;
    }
    Form::Binary
}

/// Whether `bytes` reads as text: no control character other than tab,
/// line ends, vertical tab, form feed and escape (ISO-2022 mail uses it).
/// Any other binary input has one in its first kilobyte almost surely, and
/// is not scanned line by line to its end for a block.
fn is_text(bytes: &[u8]) -> bool {
    !bytes.iter().any(|&b| {
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1b)) || b == 0x7f
    })
}

/// How every binary age file starts, whatever its version.
const AGE_INTRO: &[u8] = b"age-encryption.org/";

/// How many bytes of an input [`detect`] needs to decide.
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
    /// Lines read so far, and the number of the begin line: for messages
    /// about text after the armor.
    lines: u64,
    begin_line: u64,
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
            lines: 0,
            begin_line: 0,
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
        self.lines += 1;
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

    /// Reads what follows the end line: whitespace, up to the same limit
    /// as before the armor, as Go age; or text that stands apart from the
    /// armor, as in a mail with a signature (see [`TextReader`]).
    fn drain_trailing(&mut self) -> io::Result<()> {
        let mut rest = Vec::new();
        Read::take(&mut self.inner, MAX_WHITESPACE as u64).read_to_end(&mut rest)?;
        if !is_all_space(&rest) {
            let mut after = io::Cursor::new(rest).chain(&mut self.inner);
            return check_after_block(&mut after, 0, self.begin_line, self.lines);
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
    /// same limit as [`detect`]; a whitespace line may be as long as
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
            self.lines += 1;
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
            self.begin_line = self.lines;
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
                self.lines += n as u64;
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
                self.lines += good as u64;
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

/// Most bytes of a text line kept to read it: a begin line quoted to any
/// sensible depth fits. Trailing whitespace beyond it is dropped unkept; a
/// line with more than this is text (outside a block) or an error (in one).
const TEXT_LINE: usize = 1024;
/// Armor text gathered per call before handing it on, to keep reads large.
const TEXT_BATCH: usize = BLOCK_LINES * (COLUMNS + 1);

/// Whitespace dropped from the end of a text line: what mail programs and
/// editors leave there, and the CR of a CRLF line end.
fn is_trailing_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

/// `line` without its trailing whitespace.
fn trim_end_space(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|&b| !is_trailing_space(b))
        .map_or(0, |i| i + 1);
    &line[..end]
}

/// Splits a text line into its mail quoting and the rest: `>` marks, each
/// with or without one space after it (`> `, `> > `, `>> `, `>`), and how
/// many marks there are.
fn split_quote(line: &[u8]) -> (&[u8], usize, &[u8]) {
    let mut at = 0;
    let mut depth = 0;
    while line.get(at) == Some(&b'>') {
        depth += 1;
        at += 1;
        if line.get(at) == Some(&b' ') {
            at += 1;
        }
    }
    (&line[..at], depth, &line[at..])
}

/// Whether `line` (without its `\n`) is an end line, quoted or not, its
/// trailing whitespace dropped: where a paste of armor ends.
fn is_end_line(line: &[u8]) -> bool {
    split_quote(trim_end_space(line)).2 == END.as_bytes()
}

/// "quoted with '> '", or "not quoted": a quoting for messages. Quoting
/// is only `>` and spaces, so it is safe to show.
fn quoting(quote: &[u8]) -> String {
    if quote.is_empty() {
        "not quoted".into()
    } else {
        format!("quoted with '{}'", String::from_utf8_lossy(quote))
    }
}

/// Reads `input` up to and including the first end line (quoted or not,
/// as [`TextReader`] reads it), or to its end, and stops there without
/// asking for more. For a terminal, where a paste of armor is over at its
/// end line and no end of input comes until Ctrl-D (Go age stops there too,
/// its issue 364). `None` when more than `limit` bytes come first.
pub(crate) fn read_through_end_line<R: Read>(
    mut input: R,
    limit: usize,
) -> io::Result<Option<Vec<u8>>> {
    let mut text = Vec::new();
    let mut chunk = [0u8; 4096];
    // Where the first line not yet checked starts.
    let mut checked = 0;
    loop {
        let n = match input.read(&mut chunk) {
            Ok(0) => return Ok(Some(text)),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if text.len() + n > limit {
            return Ok(None);
        }
        text.extend_from_slice(&chunk[..n]);
        while let Some(i) = text[checked..].iter().position(|&b| b == b'\n') {
            let line = &text[checked..checked + i];
            checked += i + 1;
            if is_end_line(line) {
                text.truncate(checked);
                return Ok(Some(text));
            }
        }
    }
}

/// Reads the next line of a text into `line`: its first [`TEXT_LINE`]
/// bytes, without its line end and trailing whitespace, the rest dropped
/// as it is read, so that memory stays bounded whatever the input. `None`
/// at the end of input; else whether the line was longer (more than
/// whitespace beyond what was kept).
fn read_text_line<R: BufRead>(input: &mut R, line: &mut Vec<u8>) -> io::Result<Option<bool>> {
    line.clear();
    let mut any = false;
    let mut long = false;
    loop {
        let buf = match input.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            break;
        }
        any = true;
        let (piece, used, ended) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], i + 1, true),
            None => (buf, buf.len(), false),
        };
        let keep = (TEXT_LINE - line.len()).min(piece.len());
        line.extend_from_slice(&piece[..keep]);
        if !piece[keep..].iter().all(|&b| is_trailing_space(b)) {
            long = true;
        }
        input.consume(used);
        if ended {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    let len = trim_end_space(line).len();
    line.truncate(len);
    Ok(Some(long))
}

/// Reads the text after the end line (line `end`) of the block begun on
/// line `begin`, quoted `depth` times, to the end of the input. The block
/// stands apart: the line after its end line is empty or quoted to another
/// depth. No other block follows: a second begin line anywhere is an error
/// naming both, so that a block added to a mail is not passed over.
fn check_after_block<R: BufRead>(
    input: &mut R,
    depth: usize,
    begin: u64,
    end: u64,
) -> io::Result<()> {
    let mut line = Vec::with_capacity(TEXT_LINE);
    let mut n = end;
    while let Some(long) = read_text_line(input, &mut line)? {
        n += 1;
        let (_, d, content) = split_quote(&line);
        if n == end + 1 && (long || (!content.is_empty() && d == depth)) {
            return Err(armor_err(format!(
                "text on line {n} follows the end line (line {end}): in a text, an armored block ends before an empty line"
            )));
        }
        if !long && content == BEGIN.as_bytes() {
            return Err(armor_err(format!(
                "two armored blocks in the input, begun on lines {begin} and {n}: save each on its own to open it"
            )));
        }
    }
    Ok(())
}

/// Where a [`TextReader`] is in its input.
enum Stage {
    /// Looking for the begin line.
    Before,
    /// In the block begun on line `begin`, whose lines carry `quote`, of
    /// `depth` marks.
    Block {
        begin: u64,
        quote: Vec<u8>,
        depth: usize,
    },
    /// Past the end line of the block begun on line `begin`, quoted
    /// `depth` times.
    After { begin: u64, depth: usize },
    /// At the end of the input, the block read.
    Done,
}

/// What the line before a begin line was: a block stands apart.
#[derive(Clone, Copy)]
enum Prev {
    /// No line: the begin line is the first.
    Start,
    /// An empty line, quoted or not.
    Blank,
    /// Text quoted `depth` times.
    Text { depth: usize },
    /// A line too long to read: text.
    Long,
}

/// Finds the armored block in a text, such as a saved mail, and hands it
/// on as plain armor for [`ArmoredReader`] to decode strictly (issue 13).
///
/// As GnuPG does for its blocks: the first begin line, up to its end line.
/// Lines may be quoted with `>` to any depth (`> `, `> > `, `>> `), the
/// same quoting on every line of the block, which is removed; whitespace at
/// the end of lines is dropped (the CR of a CRLF line end too).
///
/// The block stands apart from the text around it: the line before its
/// begin line and the line after its end line are empty, or quoted to
/// another depth (the attribution line of a quoted reply), or absent. So
/// text run into armor, the C2SP vectors `armor_garbage_leading` and
/// `armor_garbage_trailing`, is still refused. The rest of the input is
/// read to its end, and a second begin line anywhere is an error naming
/// both lines. Memory stays bounded whatever the input: lines are read in
/// pieces and only their first kilobyte is kept.
pub(crate) struct TextReader<R: BufRead> {
    inner: R,
    stage: Stage,
    /// The number of the last line read, from 1.
    line_no: u64,
    /// The last line read (see [`read_text_line`]).
    line: Vec<u8>,
    prev: Prev,
    /// Armor text for the reader, and how much of it was read.
    out: Vec<u8>,
    pos: usize,
    failed: Option<FormatError>,
}

impl<R: BufRead> TextReader<R> {
    /// Wraps `inner`, text that holds one armored block.
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            stage: Stage::Before,
            line_no: 0,
            line: Vec::with_capacity(TEXT_LINE),
            prev: Prev::Start,
            out: Vec::new(),
            pos: 0,
            failed: None,
        }
    }

    /// Reads lines until there is armor text to hand on, or the input ends.
    fn advance(&mut self) -> io::Result<()> {
        loop {
            if let Stage::After { begin, depth } = self.stage {
                check_after_block(&mut self.inner, depth, begin, self.line_no)?;
                self.stage = Stage::Done;
            }
            if let Stage::Done = self.stage {
                return Ok(());
            }
            let Some(long) = read_text_line(&mut self.inner, &mut self.line)? else {
                return Err(match self.stage {
                    Stage::Block { begin, .. } => {
                        armor_err(format!("the block begun on line {begin} has no end line"))
                    }
                    // Not an age file at all, as the header parser says of
                    // one: a binary file with a damaged first line is
                    // text too.
                    _ => FormatError::Header(format!(
                        "the input is not an age file (no '{}' line, and no '{BEGIN}' line in its text)",
                        super::VERSION_LINE
                    ))
                    .into(),
                });
            };
            if self.line_no == 0 && self.line.starts_with("\u{feff}".as_bytes()) {
                // A byte order mark, as some editors save.
                self.line.drain(..3);
            }
            self.line_no += 1;
            let n = self.line_no;
            let (quote, depth, content) = split_quote(&self.line);
            let is_begin = !long && content == BEGIN.as_bytes();
            match &self.stage {
                Stage::Before if !is_begin => {
                    self.prev = match (long, content.is_empty()) {
                        (true, _) => Prev::Long,
                        (false, true) => Prev::Blank,
                        (false, false) => Prev::Text { depth },
                    };
                }
                Stage::Before => {
                    let apart = match self.prev {
                        Prev::Start | Prev::Blank => true,
                        Prev::Text { depth: d } => d != depth,
                        Prev::Long => false,
                    };
                    if !apart {
                        return Err(armor_err(format!(
                            "the begin line (line {n}) follows text on line {}: in a text, an armored block starts after an empty line",
                            n - 1
                        )));
                    }
                    self.stage = Stage::Block {
                        begin: n,
                        quote: quote.to_vec(),
                        depth,
                    };
                    self.out.extend_from_slice(BEGIN.as_bytes());
                    self.out.push(b'\n');
                    return Ok(());
                }
                Stage::Block {
                    begin,
                    quote: q,
                    depth: block_depth,
                } => {
                    let (begin, block_depth) = (*begin, *block_depth);
                    if long {
                        return Err(armor_err(format!(
                            "line {n}, in the block begun on line {begin}, is longer than an armor line"
                        )));
                    }
                    if is_begin {
                        return Err(armor_err(format!(
                            "a second begin line (line {n}) comes before the end line of the block begun on line {begin}"
                        )));
                    }
                    // A mail cut short, or a stray empty line: named here,
                    // with both lines, rather than by the armor reader.
                    if content.is_empty() {
                        return Err(armor_err(format!(
                            "the block begun on line {begin} has an empty line (line {n}) before its end line"
                        )));
                    }
                    if quote != q.as_slice() {
                        return Err(armor_err(format!(
                            "line {n} is {} but the begin line of its block (line {begin}) is {}",
                            quoting(quote),
                            quoting(q)
                        )));
                    }
                    self.out.extend_from_slice(content);
                    self.out.push(b'\n');
                    if content == END.as_bytes() {
                        self.stage = Stage::After {
                            begin,
                            depth: block_depth,
                        };
                        return Ok(());
                    }
                    if self.out.len() >= TEXT_BATCH {
                        return Ok(());
                    }
                }
                // Both were handled before reading the line.
                Stage::After { .. } | Stage::Done => return Ok(()),
            }
        }
    }
}

impl<R: BufRead> BufRead for TextReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.out.len() {
            if let Some(e) = &self.failed {
                return Err(e.clone().into());
            }
            if matches!(self.stage, Stage::Done) {
                return Ok(&[]);
            }
            self.out.clear();
            self.pos = 0;
            if let Err(e) = self.advance() {
                // A format error stays; an I/O error is the reader's own.
                match super::format_error_of(&e) {
                    Some(fe) => self.failed = Some(fe.clone()),
                    None => return Err(e),
                }
            }
        }
        Ok(&self.out[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.out.len());
    }
}

impl<R: BufRead> Read for TextReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(buf.len());
            buf[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
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
        let form = |s: &[u8]| detect(&s[..s.len().min(DETECT_BYTES)]);
        assert_eq!(form(begin.as_bytes()), Form::Armor);
        assert_eq!(form(format!("\n \r\t{begin}").as_bytes()), Form::Armor);
        // Unicode whitespace, as Go's bytes.TrimSpace (NBSP, U+3000).
        assert_eq!(
            form(format!("\u{a0}\u{3000}\n{begin}").as_bytes()),
            Form::Armor
        );
        // Up to 1 KiB of whitespace, whatever the line lengths.
        let most = format!("{}\n{begin}", " ".repeat(MAX_WHITESPACE - 1));
        assert_eq!(form(most.as_bytes()), Form::Armor);
        assert_eq!(form(b"age-encryption.org/v1\n"), Form::Binary);
        // Cut inside its first line: still binary, for the header parser.
        assert_eq!(form(b"age-encryp"), Form::Binary);
        assert_eq!(form(b""), Form::Binary);
        assert_eq!(form(b" \n\n"), Form::Binary);
        assert_eq!(form(b"\x00\x01binary"), Form::Binary);
        // A binary file with the begin line as a stanza is not armor.
        let binary = format!("age-encryption.org/v1\n-> {begin}\n");
        assert_eq!(form(binary.as_bytes()), Form::Binary);
        // Meant as armor, refused by the armor reader with the reason.
        for meant in [
            "-----BEGIN AGE ENCRYPTED FILE----\n".to_owned(),
            format!("{}\n{begin}", " ".repeat(MAX_WHITESPACE)),
        ] {
            assert_eq!(form(meant.as_bytes()), Form::Armor, "{meant:?}");
            assert!(dearmor(meant.as_bytes()).is_err(), "{meant:?}");
        }
        // Text, searched for a block; control characters make it binary.
        assert_eq!(form(format!("garbage\n{begin}").as_bytes()), Form::Text);
        assert_eq!(form(b"Hi Bob,\r\n\tsee below\x1b\x0c"), Form::Text);
        assert_eq!(form(format!("x\x00\n{begin}").as_bytes()), Form::Armor);
        assert_eq!(form(b"x\x00\n"), Form::Binary);
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

    /// What a [`TextReader`] hands on for `text`, or its error message.
    fn from_text(text: &[u8]) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        match TextReader::new(text).read_to_end(&mut out) {
            Ok(_) => Ok(out),
            Err(e) => Err(e.to_string()),
        }
    }

    fn quote(block: &[u8], prefix: &str, end: &str) -> String {
        String::from_utf8(block.to_vec())
            .unwrap()
            .lines()
            .map(|l| format!("{prefix}{l}{end}"))
            .collect()
    }

    #[test]
    fn a_block_in_a_mail_is_found_and_unquoted() {
        let block = armor(&[7u8; 200]);
        let cases = [
            format!(
                "On Monday, Alice wrote:\r\n{}>\r\n> Alice\r\n\r\n-- \r\nBob\r\n",
                quote(&block, "> ", "  \r\n")
            ),
            format!("Alice wrote:\n{}> \n> hi\n", quote(&block, "> > ", "\n")),
            format!("Alice wrote:\n{}", quote(&block, ">> ", "\t\n")),
            format!(">\n{}", quote(&block, ">", "\n")),
            format!(
                "From: alice@example.com\nSubject: a file\n\nHi Bob,\n\n{}\n-- \nAlice",
                quote(&block, "", " \n")
            ),
            format!("\u{feff}{}", quote(&block, "", "\r\n")),
            // Ends without a line end.
            quote(&block, "", "\n").trim_end().to_owned(),
        ];
        for case in &cases {
            assert_eq!(from_text(case.as_bytes()), Ok(block.clone()), "{case:?}");
        }
    }

    #[test]
    fn text_reader_errors_name_the_lines() {
        let block = String::from_utf8(armor(&[7u8; 200])).unwrap();
        let quoted = quote(block.as_bytes(), "> ", "\n");
        let mut mixed: Vec<String> = quoted.lines().map(str::to_owned).collect();
        mixed[3] = format!("> {}", mixed[3]);
        let mixed = format!("Alice wrote:\n{}\n", mixed.join("\n"));
        let cut: String = block.lines().take(3).map(|l| format!("{l}\n")).collect();
        let mut long: Vec<String> = block.lines().map(str::to_owned).collect();
        long[1].push_str(&" x".repeat(600));
        let long = format!("\n{}\n", long.join("\n"));
        for (text, message) in [
            (
                format!("hi\n\n{block}\n{block}"),
                "two armored blocks in the input, begun on lines 3 and 11",
            ),
            (
                format!("{block}\nand again:\n\n{quoted}"),
                "two armored blocks in the input, begun on lines 1 and 11",
            ),
            (
                format!("\n{cut}{block}"),
                "a second begin line (line 5) comes before the end line of the block begun on line 2",
            ),
            (
                mixed,
                "line 5 is quoted with '> > ' but the begin line of its block (line 2) is quoted with '> '",
            ),
            (
                format!("x\n\n{cut}"),
                "the block begun on line 3 has no end line",
            ),
            (
                format!("x\n\n{cut}\nbye\n"),
                "the block begun on line 3 has an empty line (line 6) before its end line",
            ),
            (
                format!("x\n\n{cut}>\nbye\n"),
                "the block begun on line 3 has an empty line (line 6) before its end line",
            ),
            (
                format!("garbage\n{block}"),
                "the begin line (line 2) follows text on line 1",
            ),
            (
                format!("> hi\n{quoted}"),
                "the begin line (line 2) follows text on line 1",
            ),
            (
                format!("\n{block}garbage\n"),
                "text on line 9 follows the end line (line 8)",
            ),
            (
                long,
                "line 3, in the block begun on line 2, is longer than an armor line",
            ),
        ] {
            let err = from_text(text.as_bytes()).unwrap_err();
            assert!(
                err.starts_with(&format!("invalid armor: {message}")),
                "{err}\nfor {text:?}"
            );
        }
    }

    #[test]
    fn text_without_a_block_is_not_an_age_file() {
        assert_eq!(
            from_text(b"Hi Bob,\nno block here\n").unwrap_err(),
            "invalid header: the input is not an age file (no 'age-encryption.org/v1' line, \
             and no '-----BEGIN AGE ENCRYPTED FILE-----' line in its text)"
        );
    }

    #[test]
    fn text_after_plain_armor_stands_apart() {
        let block = armor(b"hello");
        let with = |tail: &str| {
            let mut t = block.clone();
            t.extend_from_slice(tail.as_bytes());
            dearmor(&t).map_err(|e| e.to_string())
        };
        assert_eq!(with("\n-- \nAlice\n"), Ok(b"hello".to_vec()));
        assert_eq!(with("> quoted\n"), Ok(b"hello".to_vec()));
        let e = with("-- \nAlice\n").unwrap_err();
        assert!(
            e.contains("text on line 4 follows the end line (line 3)"),
            "{e}"
        );
        let e = with(&format!("\nagain:\n\n{}", String::from_utf8_lossy(&block))).unwrap_err();
        assert!(
            e.contains("two armored blocks in the input, begun on lines 1 and 7"),
            "{e}"
        );
        // Whitespace alone is what it was: up to 1 KiB.
        assert!(with(&" ".repeat(MAX_WHITESPACE - 1)).is_ok());
        assert!(with(&" ".repeat(MAX_WHITESPACE)).is_err());
    }

    /// Stands for a terminal: the paste, then an error if read again.
    struct Paste(Vec<Vec<u8>>);

    impl Read for Paste {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::other("read past the end line"));
            }
            let line = self.0.remove(0);
            buf[..line.len()].copy_from_slice(&line);
            Ok(line.len())
        }
    }

    #[test]
    fn a_paste_is_read_through_its_end_line_only() {
        let block = armor(&[1u8; 100]);
        for prefix in ["", "> ", ">> "] {
            let text = quote(&block, prefix, " \n");
            let lines = text
                .lines()
                .map(|l| format!("{l}\n").into_bytes())
                .collect();
            let got = read_through_end_line(Paste(lines), 1 << 20).unwrap();
            assert_eq!(got.as_deref(), Some(text.as_bytes()));
        }
        // Ctrl-D at the start of a line ends it too; a limit holds.
        assert_eq!(
            read_through_end_line(&b"no end line\n"[..], 100).unwrap(),
            Some(b"no end line\n".to_vec())
        );
        assert_eq!(read_through_end_line(&[b'x'; 200][..], 100).unwrap(), None);
    }

    proptest::proptest! {
        /// A block quoted any way, with any text around it that stands
        /// apart, reads back whole; any input at all gives the block or a
        /// format error, never a panic.
        #[test]
        fn any_mail_around_a_block_reads_back(
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
            before in proptest::collection::vec("[a-z >:-]{0,70}", 0..6),
            after in proptest::collection::vec("[a-z >:-]{0,70}", 0..6),
            prefix in "(> ?){0,3}",
            trailing in "[ \t]{0,3}",
            crlf: bool,
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
        ) {
            let block = armor(&data);
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = String::new();
            for l in &before {
                // No begin line in the text around; keep the quoting apart.
                text.push_str(&format!("{}{eol}", l.replace('-', "=")));
            }
            text.push_str(eol);
            text.push_str(&quote(&block, &prefix, &format!("{trailing}{eol}")));
            text.push_str(eol);
            for l in &after {
                text.push_str(&format!("{}{eol}", l.replace('-', "=")));
            }
            proptest::prop_assert_eq!(from_text(text.as_bytes()), Ok(block));
            let mut out = Vec::new();
            if let Err(e) = TextReader::new(&noise[..]).read_to_end(&mut out) {
                proptest::prop_assert!(super::super::format_error_of(&e).is_some(), "{}", e);
            }
        }
    }
}
