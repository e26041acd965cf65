//! The age v1 format engine: header, MAC, STREAM payload and armor.
//!
//! Written strictly to the spec (c2sp.org/age); no terminal I/O here.

pub mod armor;
pub mod header;
pub mod scrypt;
pub mod sender;
pub mod stream;

use std::fmt;

use crate::error::Exit;

pub use header::Header;

/// The version line that starts every age v1 header.
pub const VERSION_LINE: &str = "age-encryption.org/v1";

/// Why a sealed file could not be opened, in the classes of the C2SP vectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The ASCII armor is malformed.
    Armor(String),
    /// The header is malformed, or a stanza for a known type is invalid.
    Header(String),
    /// The header MAC does not verify: the header was altered.
    Hmac,
    /// The payload is truncated, altered, or has trailing data.
    Payload(String),
    /// No identity could unwrap any stanza; holds the stanza types found.
    NoMatch(Vec<String>),
    /// The scrypt work factor is above the accepted maximum.
    WorkFactor(u8),
    /// The scrypt work factor needs more memory than this machine has
    /// available (`None` when the amount is unknown).
    Memory {
        /// The work factor (log2 of scrypt's N).
        work_factor: u8,
        /// Bytes scrypt would allocate.
        needed: u64,
        /// Bytes available, when known.
        available: Option<u64>,
    },
}

impl FormatError {
    /// The exit status of this error.
    pub fn exit(&self) -> Exit {
        match self {
            FormatError::NoMatch(_) => Exit::NoMatch,
            _ => Exit::Invalid,
        }
    }

    /// Hints to print after the error.
    pub fn hints(&self) -> Vec<String> {
        match self {
            FormatError::NoMatch(types) => {
                let mut hints = vec![format!("the file was sealed to: {}", type_counts(types))];
                if types.iter().any(|t| t == "scrypt") {
                    hints.push("check the passphrase".into());
                } else {
                    hints.push(
                        "use -i/--identity with the identity file that matches one of them".into(),
                    );
                }
                hints
            }
            FormatError::WorkFactor(_) => {
                vec!["if you trust the sender, raise the limit with --max-work-factor".into()]
            }
            FormatError::Memory { .. } => {
                vec!["if you trust the sender, open it where that much memory is free".into()]
            }
            _ => Vec::new(),
        }
    }
}

/// Most stanza types named in a hint; the rest are counted.
const HINT_TYPES: usize = 8;
/// Longest stanza type named in a hint, in characters.
const HINT_TYPE_LEN: usize = 40;

/// `X25519 (2), scrypt (1)`: the stanza types in file order with their
/// counts, in linear time, bounded in length whatever the header holds.
/// The one summary of a header's stanza types: the "no identity matched"
/// hint and `inspect` both show it.
pub fn type_counts(types: &[String]) -> String {
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for t in types {
        match index.get(t.as_str()) {
            Some(&i) => counts[i].1 += 1,
            None => {
                index.insert(t, counts.len());
                counts.push((t, 1));
            }
        }
    }
    let mut list: Vec<String> = counts
        .iter()
        .take(HINT_TYPES)
        .map(|(t, c)| {
            // Types are printable ASCII (the header parser checks), so a
            // byte cut is a character cut.
            if t.len() > HINT_TYPE_LEN {
                format!("{}... ({c})", &t[..HINT_TYPE_LEN])
            } else {
                format!("{t} ({c})")
            }
        })
        .collect();
    if counts.len() > HINT_TYPES {
        let rest: usize = counts[HINT_TYPES..].iter().map(|(_, c)| c).sum();
        list.push(format!(
            "and {} other types ({rest})",
            counts.len() - HINT_TYPES
        ));
    }
    list.join(", ")
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Armor(m) => write!(f, "invalid armor: {m}"),
            FormatError::Header(m) => write!(f, "invalid header: {m}"),
            FormatError::Hmac => f.write_str("header MAC does not verify: the file was altered"),
            FormatError::Payload(m) => write!(f, "invalid payload: {m}"),
            FormatError::NoMatch(_) => {
                f.write_str("no identity matched any of the file's recipients")
            }
            FormatError::WorkFactor(found) => write!(
                f,
                "the passphrase work factor 2^{found} is above the accepted limit"
            ),
            FormatError::Memory {
                work_factor,
                needed,
                available,
            } => {
                write!(
                    f,
                    "the passphrase work factor 2^{work_factor} needs {} of memory, more than ",
                    scrypt::human_size(*needed)
                )?;
                match available {
                    Some(a) => write!(f, "the {} available", scrypt::human_size(*a)),
                    None => f.write_str("this machine can give"),
                }
            }
        }
    }
}

impl std::error::Error for FormatError {}

impl From<FormatError> for std::io::Error {
    fn from(e: FormatError) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidData, e)
    }
}

/// Pulls a `FormatError` back out of an `io::Error` that carries one.
pub fn format_error_of(e: &std::io::Error) -> Option<&FormatError> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<FormatError>())
}

/// Converts an I/O error from the payload path: a carried `FormatError`
/// comes back out, anything else stays an I/O error.
pub fn from_io(e: std::io::Error) -> anyhow::Error {
    match format_error_of(&e) {
        Some(fe) => anyhow::Error::new(fe.clone()),
        None => anyhow::Error::new(e),
    }
}

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Cursor, Read, Write};

use age_core::format::FileKey;
use rand::RngCore;

pub use stream::StreamOptions;

/// Buffer size for reading sealed input: large reads, few syscalls.
const READ_BUFFER: usize = 256 * 1024;

/// A sealed input whose header has been read; the payload comes next.
pub struct SealedInput {
    /// The parsed header.
    pub header: Header,
    /// Whether the input was armored.
    pub armored: bool,
    /// The rest of the input, positioned at the payload nonce.
    pub payload: Box<dyn BufRead + Send>,
}

/// Reads the header of a sealed input, detecting armor.
pub fn read_header<R: Read + Send + 'static>(mut input: R) -> anyhow::Result<SealedInput> {
    let mut prefix = vec![0u8; armor::DETECT_BYTES];
    let mut n = 0;
    while n < prefix.len() {
        match input.read(&mut prefix[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(anyhow::Error::new(e).context("failed to read input")),
        }
    }
    prefix.truncate(n);
    let form = armor::detect(&prefix);
    let armored = form.is_armored();
    let joined = BufReader::with_capacity(READ_BUFFER, Cursor::new(prefix).chain(input));
    let mut payload = form.decode(joined);
    let header = Header::read(&mut payload).map_err(from_io)?;
    Ok(SealedInput {
        header,
        armored,
        payload,
    })
}

/// Tells what a stanza failure from an identity means for the file.
fn classify_unwrap_error(e: age::DecryptError, types: &[String]) -> anyhow::Error {
    match e {
        age::DecryptError::DecryptionFailed
        | age::DecryptError::KeyDecryptionFailed
        | age::DecryptError::NoMatchingKeys => FormatError::NoMatch(types.to_vec()).into(),
        age::DecryptError::ExcessiveWork { required, .. } => {
            FormatError::WorkFactor(required).into()
        }
        age::DecryptError::InvalidMac => FormatError::Hmac.into(),
        age::DecryptError::Io(e) => anyhow::Error::new(e),
        e @ (age::DecryptError::Plugin(_) | age::DecryptError::PluginResolve(_)) => {
            crate::error::Error::failure(format!("a plugin failed: {}", one_line(&e.to_string())))
                .into()
        }
        // InvalidHeader, UnknownFormat, and anything a later age adds.
        _ => FormatError::Header("a recipient stanza is malformed".into()).into(),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether the header is passphrase-sealed, checking that a passphrase
/// stanza is alone, as the format requires.
pub fn is_passphrase_sealed(header: &Header) -> Result<bool, FormatError> {
    let scrypt = header.stanzas.iter().filter(|s| s.tag == "scrypt").count();
    if scrypt > 0 && header.stanzas.len() > 1 {
        return Err(FormatError::Header(
            "a passphrase (scrypt) stanza must be the only stanza".into(),
        ));
    }
    Ok(scrypt == 1)
}

/// Unwraps the file key with the first identity that matches a stanza, and
/// checks the header MAC with it.
pub fn unwrap_file_key(
    header: &Header,
    identities: &[&dyn age::Identity],
) -> anyhow::Result<FileKey> {
    is_passphrase_sealed(header)?;
    // scrypt allocates its memory infallibly inside the age crate: a work
    // factor whose memory cannot be had is refused here, whoever calls.
    scrypt::check_work(header, None)?;
    let types = header.stanza_types();
    for identity in identities {
        match identity.unwrap_stanzas(&header.stanzas) {
            Some(Ok(key)) => {
                header.verify_mac(&key)?;
                return Ok(key);
            }
            Some(Err(e)) => return Err(classify_unwrap_error(e, &types)),
            None => {}
        }
    }
    Err(FormatError::NoMatch(types).into())
}

/// Opens a sealed input with `identities`, writing plaintext to `output`.
///
/// This is the whole of `open` below the command line: what the
/// conformance vectors exercise through the library.
pub fn decrypt<R: Read + Send + 'static, W: Write + Send>(
    input: R,
    identities: &[&dyn age::Identity],
    output: &mut W,
    opts: StreamOptions,
) -> anyhow::Result<()> {
    let sealed = read_header(input)?;
    let key = unwrap_file_key(&sealed.header, identities)?;
    stream::open_payload(&key, sealed.payload, output, opts, &mut |_| {}).map_err(from_io)
}

/// Wraps a new file key to every recipient, refusing recipients whose
/// labels differ (post-quantum mixed with classic, passphrase with anything).
pub fn wrap_file_key(
    recipients: &[Box<dyn age::Recipient + Send>],
) -> anyhow::Result<(FileKey, Vec<age_core::format::Stanza>)> {
    let key = FileKey::init_with_mut(|k| rand::rngs::OsRng.fill_bytes(k));
    let mut stanzas = Vec::new();
    let mut labels: Option<HashSet<String>> = None;
    for r in recipients {
        let (s, l) = r.wrap_file_key(&key).map_err(|e| {
            crate::error::Error::failure(format!(
                "failed to seal to a recipient: {}",
                one_line(&e.to_string())
            ))
        })?;
        match &labels {
            None => labels = Some(l),
            Some(prev) if *prev == l => {}
            Some(prev) => {
                let pq = |set: &HashSet<String>| set.contains("postquantum");
                let err = if pq(prev) != pq(&l) {
                    crate::error::Error::usage(
                        "post-quantum recipients can't be mixed with classic recipients",
                    )
                    .hint("a classic recipient (X25519, SSH) would be the weak link: a quantum computer could open the file through it")
                    .hint("seal to post-quantum (age1pq1...) recipients only, or to classic ones only")
                } else {
                    crate::error::Error::usage(
                        "these recipients can't be combined in one file",
                    )
                    .hint("some recipient types (a passphrase, some plugins) must be the only recipient")
                };
                return Err(err.into());
            }
        }
        stanzas.extend(s);
    }
    if stanzas.is_empty() {
        return Err(crate::error::Error::usage("missing recipients").into());
    }
    Ok((key, stanzas))
}

/// Seals `input` to `recipients`, writing the sealed file to `output`.
pub fn encrypt<R: Read + Send, W: Write + Send>(
    recipients: &[Box<dyn age::Recipient + Send>],
    input: R,
    output: &mut W,
    armored: bool,
    opts: StreamOptions,
    progress: &mut (dyn FnMut(u64) + Send),
) -> anyhow::Result<()> {
    let (key, stanzas) = wrap_file_key(recipients)?;
    let mut nonce = [0u8; stream::NONCE];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    seal_with(
        &key, &stanzas, nonce, input, output, armored, opts, progress,
    )
}

/// Seals with a given file key, stanzas and nonce: the deterministic core
/// of [`encrypt`], for tests that compare outputs byte for byte.
#[allow(clippy::too_many_arguments)]
pub fn seal_with<R: Read + Send, W: Write + Send>(
    key: &FileKey,
    stanzas: &[age_core::format::Stanza],
    nonce: [u8; stream::NONCE],
    input: R,
    output: &mut W,
    armored: bool,
    opts: StreamOptions,
    progress: &mut (dyn FnMut(u64) + Send),
) -> anyhow::Result<()> {
    let header = header::write_header(stanzas, key);
    if armored {
        let mut w = armor::ArmoredWriter::new(&mut *output)?;
        w.write_all(&header)?;
        stream::seal_payload(key, nonce, input, &mut w, opts, progress)?;
        w.finish()?;
    } else {
        output.write_all(&header)?;
        stream::seal_payload(key, nonce, input, output, opts, progress)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_no_match_hint_counts_types_in_file_order() {
        let types: Vec<String> = ["X25519", "scrypt", "X25519"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(type_counts(&types), "X25519 (2), scrypt (1)");
    }

    #[test]
    fn the_no_match_hint_is_bounded_whatever_the_header() {
        // 20,000 distinct 1,000-character types: quick, and a short line.
        let types: Vec<String> = (0..20_000)
            .map(|i| format!("{i:05}{}", "t".repeat(995)))
            .collect();
        let start = std::time::Instant::now();
        let hint = type_counts(&types);
        assert!(start.elapsed().as_secs() < 2);
        assert!(hint.len() < 500, "{}", hint.len());
        assert!(hint.starts_with(&format!("00000{}... (1)", "t".repeat(35))));
        assert!(hint.ends_with("and 19992 other types (19992)"), "{hint}");
    }
}
