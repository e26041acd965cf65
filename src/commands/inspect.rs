//! `lockbox inspect`: what a sealed file says about itself, read without
//! any identity and without decrypting.

use std::fmt::Write as _;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::Context;

use crate::cli::InspectArgs;
use crate::error::Error;
use crate::format::{self, stream, FormatError};
use crate::io;
use crate::keys;

/// The STREAM payload's chunk, tag and nonce sizes.
const CHUNK: u64 = stream::CHUNK as u64;
const TAG: u64 = stream::TAG as u64;
const NONCE: u64 = stream::NONCE as u64;

/// What `inspect` found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Report {
    /// Whether the input was ASCII-armored.
    pub armored: bool,
    /// The stanza types, in file order.
    pub stanzas: Vec<String>,
    /// "yes", "no" or "unknown".
    pub postquantum: &'static str,
    /// Bytes of the binary header, MAC line included.
    pub header_size: u64,
    /// Bytes after the header: nonce and sealed chunks.
    pub payload_size: u64,
    /// The plaintext size the payload implies, or why there is none.
    pub plaintext_size: Result<u64, String>,
    /// Bytes the armor added to the binary file (0 when not armored).
    pub armor_overhead: u64,
    /// Whether the header has a sender seal (`lockbox-sender`; who sealed
    /// it only recipients can see). It is not a recipient: not in
    /// `stanzas`, nor in the post-quantum rule.
    pub sender_sealed: bool,
}

/// Counts the bytes read through it, shared with the caller.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Runs `lockbox inspect`.
pub(crate) fn run(args: &InspectArgs) -> anyhow::Result<()> {
    let input = args.input.as_deref();
    if io::is_std(input) && std::io::stdin().is_terminal() {
        return Err(
            Error::usage("refusing to read a sealed file from the terminal")
                .hint("give the file to inspect, 'lockbox inspect FILE', or pipe it in")
                .into(),
        );
    }
    let reader = io::open_input(input)?;
    let report = inspect(reader).map_err(|e| super::name_input(e, "inspect", input))?;
    let text = if args.json {
        to_json(&report)
    } else {
        to_text(&report, input)
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
        .context("failed to write to standard output")?;
    if let (Err(why), false, true) = (&report.plaintext_size, args.quiet, args.json) {
        eprintln!("lockbox: warning: the payload size is not possible for an age file: {why}");
    }
    Ok(())
}

/// Reads a sealed input to its end, without decrypting, and reports on it.
pub(crate) fn inspect<R: Read + Send>(input: R) -> anyhow::Result<Report> {
    let count = Arc::new(AtomicU64::new(0));
    let counting = Counting {
        inner: input,
        count: Arc::clone(&count),
    };
    let mut sealed = format::read_header(counting)?;
    let payload_size = std::io::copy(&mut sealed.payload, &mut std::io::sink())
        .map_err(FormatError::from)
        .context("failed to read the payload")?;
    let header_size = sealed.header.size as u64;
    let raw = count.load(Ordering::Relaxed);
    let (seals, stanzas): (Vec<String>, Vec<String>) = sealed
        .header
        .stanza_types()
        .into_iter()
        .partition(|t| t == format::sender::STANZA_TAG);
    Ok(Report {
        sender_sealed: !seals.is_empty(),
        armored: sealed.armored,
        postquantum: keys::postquantum(&stanzas),
        stanzas,
        header_size,
        payload_size,
        plaintext_size: plaintext_size(payload_size),
        armor_overhead: if sealed.armored {
            raw.saturating_sub(header_size + payload_size)
        } else {
            0
        },
    })
}

/// The plaintext size a payload of `payload` bytes implies: the nonce, then
/// chunks of 64 KiB + 16 bytes of tag, the last one shorter (and empty only
/// when it is the only one).
pub(crate) fn plaintext_size(payload: u64) -> Result<u64, String> {
    if payload < NONCE + TAG {
        return Err(format!(
            "{payload} bytes is shorter than a nonce and one sealed chunk (32 bytes)"
        ));
    }
    let sealed = payload - NONCE;
    let full = CHUNK + TAG;
    let chunks = sealed.div_ceil(full);
    let last = sealed - (chunks - 1) * full;
    if last < TAG {
        return Err(format!(
            "the last chunk is {last} bytes, shorter than its 16-byte tag"
        ));
    }
    if last == TAG && chunks > 1 {
        return Err("the last chunk is empty, which only an empty file may have".into());
    }
    Ok(sealed - chunks * TAG)
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The JSON report: lockbox's fields, then Go age-inspect's.
pub(crate) fn to_json(r: &Report) -> String {
    let list = |v: &[String]| {
        let items: Vec<String> = v.iter().map(|s| json_string(s)).collect();
        format!("[{}]", items.join(", "))
    };
    let opt = |v: Option<u64>| v.map_or_else(|| "null".to_owned(), |n| n.to_string());
    let plain = r.plaintext_size.as_ref().ok().copied();
    let note = match &r.plaintext_size {
        Ok(_) => "null".to_owned(),
        Err(why) => json_string(&format!(
            "the payload size is not possible for an age file: {why}"
        )),
    };
    let overhead = plain.map(|p| r.payload_size - p);
    let mut out = String::new();
    let _ = writeln!(out, "{{");
    let _ = writeln!(out, "  \"armored\": {},", r.armored);
    let _ = writeln!(out, "  \"stanzas\": {},", list(&r.stanzas));
    let _ = writeln!(out, "  \"postquantum\": {},", json_string(r.postquantum));
    let _ = writeln!(out, "  \"sender_sealed\": {},", r.sender_sealed);
    let _ = writeln!(out, "  \"header_size\": {},", r.header_size);
    let _ = writeln!(out, "  \"payload_size\": {},", r.payload_size);
    let _ = writeln!(out, "  \"plaintext_size\": {},", opt(plain));
    let _ = writeln!(out, "  \"note\": {note},");
    let _ = writeln!(out, "  \"version\": {},", json_string(format::VERSION_LINE));
    let _ = writeln!(out, "  \"armor\": {},", r.armored);
    let _ = writeln!(out, "  \"stanza_types\": {},", list(&r.stanzas));
    let _ = writeln!(out, "  \"sizes\": {{");
    let _ = writeln!(out, "    \"header\": {},", r.header_size);
    let _ = writeln!(out, "    \"armor\": {},", r.armor_overhead);
    let _ = writeln!(out, "    \"overhead\": {},", opt(overhead));
    let _ = writeln!(out, "    \"min_payload\": {},", opt(plain));
    let _ = writeln!(out, "    \"max_payload\": {},", opt(plain));
    let _ = writeln!(out, "    \"min_padding\": 0,");
    let _ = writeln!(out, "    \"max_padding\": 0");
    let _ = writeln!(out, "  }}");
    let _ = writeln!(out, "}}");
    out
}

fn to_text(r: &Report, input: Option<&Path>) -> String {
    let mut out = String::new();
    let name = io::input_name(input);
    let _ = writeln!(
        out,
        "{name}: an age file ({}){}",
        format::VERSION_LINE,
        if r.armored { ", ASCII-armored" } else { "" }
    );
    let _ = writeln!(out, "sealed to:     {}", format::type_counts(&r.stanzas));
    let pq = match r.postquantum {
        "yes" => "yes (every stanza is post-quantum)",
        "no" => "no (a classic stanza could be broken by a quantum computer)",
        _ => "unknown (stanza types lockbox does not know)",
    };
    let _ = writeln!(out, "post-quantum:  {pq}");
    let _ = writeln!(
        out,
        "sender:        {}",
        if r.sender_sealed {
            "sealed by someone (only recipients can see who)"
        } else {
            "not signed"
        }
    );
    let _ = writeln!(out, "header:        {} bytes", r.header_size);
    let _ = writeln!(
        out,
        "payload:       {} bytes (16-byte nonce and sealed chunks)",
        r.payload_size
    );
    match &r.plaintext_size {
        Ok(n) => {
            let _ = writeln!(out, "plaintext:     {n} bytes, if it opens");
        }
        Err(why) => {
            let _ = writeln!(
                out,
                "plaintext:     unknown: the payload size is not possible for an age file: {why}"
            );
        }
    }
    if r.armored {
        let _ = writeln!(out, "armor:         {} bytes of overhead", r.armor_overhead);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plaintext_sizes() {
        assert_eq!(plaintext_size(32), Ok(0));
        assert_eq!(plaintext_size(33), Ok(1));
        assert_eq!(plaintext_size(16 + 65536 + 16), Ok(65536));
        assert_eq!(plaintext_size(16 + 65536 + 16 + 17), Ok(65537));
        assert!(plaintext_size(31).is_err());
        assert!(plaintext_size(16 + 65536 + 16 + 16).is_err());
        assert!(plaintext_size(16 + 65536 + 16 + 5).is_err());
    }

    #[test]
    fn json_escapes() {
        assert_eq!(json_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
