//! The header: version line, recipient stanzas and MAC, read line by line.

use std::io::{BufRead, Read};

use age_core::format::{FileKey, Stanza};
use age_core::secrecy::ExposeSecret;
use base64::prelude::{Engine, BASE64_STANDARD_NO_PAD};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{FormatError, Part, VERSION_LINE};

/// Longest header line accepted (a post-quantum stanza line is about 1.5 KB).
pub const MAX_LINE: usize = 64 * 1024;
/// Largest header accepted, in bytes.
pub const MAX_HEADER: usize = 16 * 1024 * 1024;
/// Most stanzas accepted in one header.
pub const MAX_STANZAS: usize = 20_000;
/// Most arguments (the type included) accepted on one stanza line. The known
/// types use at most four; plugins a few more.
pub const MAX_STANZA_ARGS: usize = 64;
/// Most stanza arguments accepted in one header: five per stanza at the
/// stanza limit, so that a header of one-character arguments cannot turn
/// 16 MiB into millions of small allocations.
pub const MAX_HEADER_ARGS: usize = 5 * MAX_STANZAS;
/// Columns of a full stanza body line.
const BODY_COLUMNS: usize = 64;

/// A parsed header.
#[derive(Debug)]
pub(crate) struct Header {
    /// The recipient stanzas, in file order.
    pub stanzas: Vec<Stanza>,
    /// The MAC from the `---` line.
    mac: [u8; 32],
    /// The header bytes the MAC covers: up to and including `---`.
    mac_input: Vec<u8>,
    /// The total size of the header in bytes, final newline included.
    pub size: usize,
}

fn header_err(m: impl Into<String>) -> FormatError {
    FormatError::Header(m.into())
}

fn truncated() -> FormatError {
    FormatError::Truncated(
        Part::Header,
        "the header ends before its MAC line (the file is truncated or not an age file)".into(),
    )
}

/// Reads one `\n`-terminated line into `buf` (cleared first), enforcing the
/// line and header limits. Returns the line without its `\n`.
fn read_line<'a, R: BufRead>(
    r: &mut R,
    buf: &'a mut Vec<u8>,
    total: &mut usize,
) -> Result<&'a [u8], std::io::Error> {
    buf.clear();
    let limit = (MAX_LINE + 1).min(MAX_HEADER + 1 - *total) as u64;
    let n = Read::take(&mut *r, limit).read_until(b'\n', buf)?;
    *total += n;
    if n == 0 {
        return Err(truncated().into());
    }
    if buf.last() != Some(&b'\n') {
        if *total > MAX_HEADER {
            return Err(header_err(format!("the header is larger than {MAX_HEADER} bytes")).into());
        }
        if n as u64 == limit {
            return Err(
                header_err(format!("a header line is longer than {MAX_LINE} bytes")).into(),
            );
        }
        return Err(truncated().into());
    }
    Ok(&buf[..n - 1])
}

fn is_vchar(b: u8) -> bool {
    (0x21..=0x7e).contains(&b)
}

/// Parses `-> arg arg...` into its arguments (at least one: the type),
/// counting them into `header_args` against the header-wide limit.
fn parse_stanza_line(line: &[u8], header_args: &mut usize) -> Result<Vec<String>, FormatError> {
    let rest = line
        .strip_prefix(b"-> ")
        .ok_or_else(|| header_err("a stanza line does not start with '-> '"))?;
    let mut args = Vec::new();
    for arg in rest.split(|&b| b == b' ') {
        if args.len() >= MAX_STANZA_ARGS {
            return Err(header_err(format!(
                "a stanza has more than {MAX_STANZA_ARGS} arguments"
            )));
        }
        *header_args += 1;
        if *header_args > MAX_HEADER_ARGS {
            return Err(header_err(format!(
                "the header has more than {MAX_HEADER_ARGS} stanza arguments"
            )));
        }
        if arg.is_empty() {
            return Err(header_err("a stanza has an empty argument"));
        }
        if !arg.iter().all(|&b| is_vchar(b)) {
            return Err(header_err("a stanza argument has an invalid character"));
        }
        // All bytes are printable ASCII, so this cannot fail.
        args.push(String::from_utf8_lossy(arg).into_owned());
    }
    Ok(args)
}

/// Decodes canonical, unpadded standard base64, as the format requires.
pub(crate) fn decode_b64(s: &[u8]) -> Option<Vec<u8>> {
    BASE64_STANDARD_NO_PAD.decode(s).ok()
}

impl Header {
    /// Reads a header from `r`, consuming exactly its bytes and no more.
    ///
    /// Time is linear in the header size: each line is read once.
    pub(crate) fn read<R: BufRead>(r: &mut R) -> Result<Header, std::io::Error> {
        let mut total = 0usize;
        let mut line = Vec::with_capacity(128);
        let mut mac_input = Vec::with_capacity(256);

        let first = read_line(r, &mut line, &mut total)?;
        if first != VERSION_LINE.as_bytes() {
            let msg = if first.starts_with(b"age-encryption.org/") {
                "unsupported age format version"
            } else {
                "the input is not an age file (no 'age-encryption.org/v1' line)"
            };
            return Err(header_err(msg).into());
        }
        mac_input.extend_from_slice(first);
        mac_input.push(b'\n');

        let mut stanzas: Vec<Stanza> = Vec::new();
        let mut header_args = 0usize;
        // The stanza whose body is being read, with its base64 text so far.
        let mut open: Option<(Vec<String>, Vec<u8>)> = None;
        loop {
            let l = read_line(r, &mut line, &mut total)?;
            if let Some((_, body)) = open.as_mut() {
                // A body line: full lines continue the body, a shorter one ends it.
                if l.len() > BODY_COLUMNS {
                    return Err(header_err("a stanza body line is longer than 64 columns").into());
                }
                if (l.starts_with(b"-> ") || l.starts_with(b"---")) && l.len() < BODY_COLUMNS {
                    return Err(header_err("a stanza has no final body line").into());
                }
                body.extend_from_slice(l);
                mac_input.extend_from_slice(l);
                mac_input.push(b'\n');
                if l.len() < BODY_COLUMNS {
                    let (mut args, text) = open.take().expect("a stanza is open");
                    let body = decode_b64(&text)
                        .ok_or_else(|| header_err("a stanza body is not canonical base64"))?;
                    let tag = args.remove(0);
                    stanzas.push(Stanza { tag, args, body });
                }
                continue;
            }
            if l.starts_with(b"---") {
                let rest = &l[3..];
                let mac_b64 = rest
                    .strip_prefix(b" ")
                    .ok_or_else(|| header_err("the MAC line is malformed"))?;
                let mac = decode_b64(mac_b64)
                    .and_then(|m| <[u8; 32]>::try_from(m).ok())
                    .ok_or_else(|| header_err("the MAC is not 32 bytes of canonical base64"))?;
                if stanzas.is_empty() {
                    return Err(header_err("the header has no recipient stanzas").into());
                }
                mac_input.extend_from_slice(b"---");
                return Ok(Header {
                    stanzas,
                    mac,
                    mac_input,
                    size: total,
                });
            }
            let args = parse_stanza_line(l, &mut header_args)?;
            if args.is_empty() {
                return Err(header_err("a stanza has no type").into());
            }
            if stanzas.len() >= MAX_STANZAS {
                return Err(
                    header_err(format!("the header has more than {MAX_STANZAS} stanzas")).into(),
                );
            }
            mac_input.extend_from_slice(l);
            mac_input.push(b'\n');
            open = Some((args, Vec::new()));
        }
    }

    /// Checks the header MAC under `file_key`, in constant time.
    pub(crate) fn verify_mac(&self, file_key: &FileKey) -> Result<(), FormatError> {
        let mut mac = header_mac(file_key);
        mac.update(&self.mac_input);
        mac.verify_slice(&self.mac).map_err(|_| FormatError::Hmac)
    }

    /// The stanza types, in file order.
    pub(crate) fn stanza_types(&self) -> Vec<String> {
        self.stanzas.iter().map(|s| s.tag.clone()).collect()
    }

    /// The header's bytes as in the file (after armor decoding), from the
    /// version line up to and including `---`: what the MAC covers. A
    /// sender seal (issue 12, `format::sender`) covers a prefix of it.
    pub(crate) fn text(&self) -> &[u8] {
        &self.mac_input
    }
}

fn header_mac(file_key: &FileKey) -> Hmac<Sha256> {
    let mut key = zeroize::Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(None, file_key.expose_secret())
        .expand(b"header", key.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    Hmac::<Sha256>::new_from_slice(key.as_ref()).expect("HMAC takes any key length")
}

/// Encodes a header for `stanzas`, MACed under `file_key`.
pub(crate) fn write_header(stanzas: &[Stanza], file_key: &FileKey) -> Vec<u8> {
    let mut out = header_text(stanzas);
    out.extend_from_slice(b"---");
    let mut mac = header_mac(file_key);
    mac.update(&out);
    let tag = mac.finalize().into_bytes();
    out.push(b' ');
    out.extend_from_slice(BASE64_STANDARD_NO_PAD.encode(tag).as_bytes());
    out.push(b'\n');
    out
}

/// The version line and `stanzas`, encoded as [`write_header`] writes
/// them, without the MAC line: the text a sender seal covers (issue 12,
/// `format::sender`) when sealing.
pub(crate) fn header_text(stanzas: &[Stanza]) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(VERSION_LINE.as_bytes());
    out.push(b'\n');
    for s in stanzas {
        out.extend_from_slice(b"-> ");
        out.extend_from_slice(s.tag.as_bytes());
        for a in &s.args {
            out.push(b' ');
            out.extend_from_slice(a.as_bytes());
        }
        out.push(b'\n');
        let body = BASE64_STANDARD_NO_PAD.encode(&s.body);
        let mut last_len = 0;
        for c in body.as_bytes().chunks(BODY_COLUMNS) {
            out.extend_from_slice(c);
            out.push(b'\n');
            last_len = c.len();
        }
        if last_len == BODY_COLUMNS || body.is_empty() {
            out.push(b'\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stanza(tag: &str, args: &[&str], body: &[u8]) -> Stanza {
        Stanza {
            tag: tag.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            body: body.to_vec(),
        }
    }

    #[test]
    fn header_round_trips_with_bodies_of_every_edge_length() {
        let key = FileKey::new(Box::new([7; 16]));
        for len in [0usize, 1, 47, 48, 49, 96, 200] {
            let stanzas = vec![
                stanza("X25519", &["abc"], &vec![9; len]),
                stanza("t", &[], b""),
            ];
            let bytes = write_header(&stanzas, &key);
            let mut r = &bytes[..];
            let h = Header::read(&mut r).unwrap();
            assert!(r.is_empty(), "read past the header");
            assert_eq!(h.size, bytes.len());
            assert_eq!(h.stanzas.len(), 2);
            assert_eq!(h.stanzas[0].body, vec![9; len]);
            assert_eq!(h.stanzas[0].args, vec!["abc".to_string()]);
            h.verify_mac(&key).unwrap();
            let wrong = FileKey::new(Box::new([8; 16]));
            assert!(matches!(h.verify_mac(&wrong), Err(FormatError::Hmac)));
        }
    }

    #[test]
    fn many_empty_stanzas_parse_in_linear_time() {
        let mut bytes = b"age-encryption.org/v1\n".to_vec();
        for _ in 0..MAX_STANZAS {
            bytes.extend_from_slice(b"-> a\n\n");
        }
        bytes.extend_from_slice(b"--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
        let start = std::time::Instant::now();
        let h = Header::read(&mut &bytes[..]).unwrap();
        assert_eq!(h.stanzas.len(), MAX_STANZAS);
        // Generous bound: quadratic parsing would take minutes.
        assert!(start.elapsed().as_secs() < 10);
    }

    #[test]
    fn too_many_stanzas_is_a_header_error() {
        let mut bytes = b"age-encryption.org/v1\n".to_vec();
        for _ in 0..=MAX_STANZAS {
            bytes.extend_from_slice(b"-> a\n\n");
        }
        let err = Header::read(&mut &bytes[..]).unwrap_err();
        assert!(err.to_string().contains("more than"), "{err}");
    }

    /// `-> t a a ...`: a stanza line of exactly `MAX_STANZA_ARGS` arguments.
    fn widest_stanza_line() -> Vec<u8> {
        let mut line = b"-> t".to_vec();
        for _ in 0..MAX_STANZA_ARGS - 1 {
            line.extend_from_slice(b" a");
        }
        line
    }

    #[test]
    fn too_many_arguments_on_one_stanza_is_a_header_error() {
        let line = widest_stanza_line();
        let mut ok = b"age-encryption.org/v1\n".to_vec();
        ok.extend_from_slice(&line);
        ok.extend_from_slice(b"\n\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
        let h = Header::read(&mut &ok[..]).unwrap();
        assert_eq!(h.stanzas[0].args.len(), MAX_STANZA_ARGS - 1);

        let mut bad = b"age-encryption.org/v1\n".to_vec();
        bad.extend_from_slice(&line);
        bad.extend_from_slice(b" a\n\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
        let err = Header::read(&mut &bad[..]).unwrap_err();
        assert!(err.to_string().contains("more than 64 arguments"), "{err}");
    }

    #[test]
    fn a_header_of_tiny_arguments_is_refused_before_it_costs_memory() {
        // 256 lines of 32,000 one-character arguments would be 8 million
        // allocations; the header-wide limit stops it at 100,000 arguments.
        let mut bytes = b"age-encryption.org/v1\n".to_vec();
        let mut line = widest_stanza_line();
        line.extend_from_slice(b"\n\n");
        let stanzas = MAX_HEADER_ARGS / MAX_STANZA_ARGS + 1;
        for _ in 0..stanzas {
            bytes.extend_from_slice(&line);
        }
        let err = Header::read(&mut &bytes[..]).unwrap_err();
        assert!(
            err.to_string()
                .contains("more than 100000 stanza arguments"),
            "{err}"
        );
    }

    #[test]
    fn an_endless_line_is_refused_without_reading_it_all() {
        let mut bytes = b"age-encryption.org/v1\n-> a ".to_vec();
        bytes.extend(std::iter::repeat_n(b'a', MAX_LINE * 4));
        let err = Header::read(&mut &bytes[..]).unwrap_err();
        assert!(err.to_string().contains("longer than"), "{err}");
    }
}
