//! `lockbox inspect`: what a sealed file says about itself, read without
//! any identity and without decrypting.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::Context;

use crate::cli::InspectArgs;
use crate::error::{quote, Error};
use crate::format::{self, stream, FormatError, Header};
use crate::io;
use crate::keys::{self, probe};

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
    io::check_stdin_used_once(&[("-i/--identity", &args.identities)], input)?;
    let reader = io::open_input(input)?;
    let (report, header) = inspect(reader).map_err(|e| super::name_input(e, "inspect", input))?;
    let answer = who_opens(&header, &args.identities)?;
    let text = if args.json {
        to_json(&report, &answer)
    } else {
        to_text(&report, &answer, input)
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
pub(crate) fn inspect<R: Read + Send>(input: R) -> anyhow::Result<(Report, Header)> {
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
    let report = Report {
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
    };
    Ok((report, sealed.header))
}

/// One identity and what it can do with the file.
#[derive(Debug)]
pub(crate) struct Probe {
    /// The identity file, as named on the command line.
    pub file: PathBuf,
    /// Its recipient, when it can be had without a passphrase or a plugin.
    pub recipient: Option<String>,
    /// The plugin that holds it, for a plugin identity.
    pub plugin: Option<String>,
    pub verdict: probe::Verdict,
    /// Why the file could not be read ([`probe::Verdict::Unreadable`]).
    pub why: Option<String>,
}

/// Known SSH keys whose tag an SSH stanza carries.
#[derive(Debug)]
pub(crate) struct SshStanza {
    pub kind: String,
    pub tag: String,
    /// "contact 'NAME'" or the .pub file; empty when no key is known.
    pub keys: Vec<String>,
}

/// The answer to "can I open this?".
#[derive(Debug, Default)]
pub(crate) struct Answer {
    /// The file is sealed with a passphrase: no identity opens it.
    pub passphrase: bool,
    /// The identity files looked at (the default one, then -i ones).
    pub files: Vec<PathBuf>,
    /// The default identity file, when no -i is given and it does not exist.
    pub missing_default: Option<PathBuf>,
    pub identities: Vec<Probe>,
    pub ssh: Vec<SshStanza>,
}

/// Which of the user's identities open the file, and which known SSH keys
/// its SSH stanzas are for: nothing prompts, no plugin runs, and the work is
/// bounded by [`probe::MAX_TRIALS`] whatever the header.
fn who_opens(header: &Header, given: &[PathBuf]) -> anyhow::Result<Answer> {
    let mut answer = Answer {
        passphrase: format::is_passphrase_sealed(header)?,
        ..Answer::default()
    };
    if answer.passphrase {
        return Ok(answer);
    }
    let default = crate::config::default_identity_path().ok();
    match &default {
        Some(d) if d.exists() => answer.files.push(d.clone()),
        Some(d) if given.is_empty() => answer.missing_default = Some(d.clone()),
        _ => {}
    }
    for f in given {
        if !answer.files.contains(f) {
            answer.files.push(f.clone());
        }
    }
    let stanzas = probe::Stanzas::new(header);
    let mut budget = probe::MAX_TRIALS;
    for file in &answer.files {
        let only = |verdict, why| Probe {
            file: file.clone(),
            recipient: None,
            plugin: None,
            verdict,
            why,
        };
        let entries = match probe::read_identities(file) {
            Ok(Some(entries)) => entries,
            Ok(None) => {
                answer
                    .identities
                    .push(only(probe::Verdict::NeedsPassphrase, None));
                continue;
            }
            // The default identity file is looked at unasked: a broken one
            // is reported, and inspect still answers. One given with -i is
            // an error, as in 'lockbox open'.
            Err(e) if !given.contains(file) => {
                let why = crate::error::render(&e);
                answer
                    .identities
                    .push(only(probe::Verdict::Unreadable, Some(why)));
                continue;
            }
            Err(e) => return Err(e),
        };
        for entry in &entries {
            answer.identities.push(Probe {
                file: file.clone(),
                recipient: probe::recipient_of(entry),
                plugin: match entry {
                    keys::IdentityEntry::Plugin(p) => Some(p.plugin().to_owned()),
                    _ => None,
                },
                verdict: stanzas.probe(entry, &mut budget),
                why: None,
            });
        }
    }
    if !stanzas.ssh().is_empty() {
        let known = known_ssh_keys();
        let mut seen = BTreeMap::new();
        for s in stanzas.ssh() {
            let tag = s.args.first().cloned().unwrap_or_default();
            seen.entry((s.tag.clone(), tag)).or_insert(());
        }
        for (kind, tag) in seen.into_keys() {
            let keys = known.get(&tag).cloned().unwrap_or_default();
            answer.ssh.push(SshStanza { kind, tag, keys });
        }
    }
    Ok(answer)
}

/// Most `~/.ssh/*.pub` files read, and the largest read.
const MAX_PUB_FILES: usize = 1000;
const MAX_PUB_SIZE: u64 = 64 * 1024;

/// The SSH keys the user knows, by tag: contacts' SSH recipients and
/// `~/.ssh/*.pub`. Unreadable ones are skipped: this is a hint, not a check.
fn known_ssh_keys() -> BTreeMap<String, Vec<String>> {
    let mut known: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |r: &age::ssh::Recipient, name: String| {
        if let Some(tag) = probe::ssh_tag(r) {
            let names = known.entry(tag).or_default();
            if !names.contains(&name) {
                names.push(name);
            }
        }
    };
    for name in keys::contacts::list_names().unwrap_or_default() {
        let Ok(contact) = keys::contacts::load(&name) else {
            continue;
        };
        for r in &contact.recipients {
            if let Some(ssh) = probe::parse_ssh_public_key(&r.recipient) {
                add(&ssh, format!("contact {}", quote(&name)));
            }
        }
    }
    let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) else {
        return known;
    };
    let dir = PathBuf::from(home).join(".ssh");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return known;
    };
    let mut pubs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pub") && p.is_file())
        .take(MAX_PUB_FILES)
        .collect();
    pubs.sort();
    for p in pubs {
        let Ok(f) = std::fs::File::open(&p) else {
            continue;
        };
        let mut text = String::new();
        if f.take(MAX_PUB_SIZE).read_to_string(&mut text).is_err() {
            continue;
        }
        if let Some(r) = text.lines().next().and_then(probe::parse_ssh_public_key) {
            add(&r, quote(&p));
        }
    }
    known
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
pub(crate) fn to_json(r: &Report, a: &Answer) -> String {
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
    let _ = writeln!(out, "  \"passphrase\": {},", a.passphrase);
    let nullable = |v: Option<&str>| v.map_or_else(|| "null".to_owned(), json_string);
    let ids: Vec<String> = a
        .identities
        .iter()
        .map(|p| {
            format!(
                "{{\"file\": {}, \"recipient\": {}, \"fingerprint\": {}, \"plugin\": {}, \"result\": {}, \"error\": {}}}",
                json_string(&p.file.to_string_lossy()),
                nullable(p.recipient.as_deref()),
                nullable(p.recipient.as_deref().map(keys::fingerprint).as_deref()),
                nullable(p.plugin.as_deref()),
                json_string(p.verdict.words()),
                nullable(p.why.as_deref())
            )
        })
        .collect();
    let _ = writeln!(out, "  \"identities\": [{}],", ids.join(", "));
    let ssh: Vec<String> = a
        .ssh
        .iter()
        .map(|s| {
            format!(
                "{{\"type\": {}, \"tag\": {}, \"keys\": {}}}",
                json_string(&s.kind),
                json_string(&s.tag),
                list(&s.keys)
            )
        })
        .collect();
    let _ = writeln!(out, "  \"ssh_stanzas\": [{}],", ssh.join(", "));
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

fn to_text(r: &Report, a: &Answer, input: Option<&Path>) -> String {
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
    if a.passphrase {
        let _ = writeln!(
            out,
            "can open:      sealed with a passphrase: no identity opens it, its passphrase does"
        );
        return out;
    }
    if let Some(d) = &a.missing_default {
        let _ = writeln!(
            out,
            "can open:      not checked: no -i/--identity, and no default identity file {}",
            quote(d)
        );
    } else {
        let _ = writeln!(out, "can open:");
        for p in &a.identities {
            let what = match (&p.recipient, &p.plugin) {
                (Some(r), _) => format!(" {}", keys::fingerprint(r)),
                (None, Some(plugin)) => format!(" (plugin {})", quote(plugin)),
                (None, None) => String::new(),
            };
            let why = p.why.as_ref().map(|w| format!(": {w}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}{what}: {}{why}",
                quote(&p.file),
                p.verdict.words()
            );
        }
    }
    if !a.ssh.is_empty() {
        let _ = writeln!(out, "ssh stanzas:");
        for s in &a.ssh {
            let keys = if s.keys.is_empty() {
                "no contact or ~/.ssh/*.pub key has this tag".to_owned()
            } else {
                s.keys.join(", ")
            };
            let _ = writeln!(out, "  {} tag {}: {keys}", s.kind, s.tag);
        }
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
