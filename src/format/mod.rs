//! The age v1 format engine: header, MAC, STREAM payload and armor.
//!
//! Written strictly to the spec (c2sp.org/age); no terminal I/O here.

pub(crate) mod armor;
pub(crate) mod header;
pub(crate) mod scrypt;
// The sender seal (SENDER-AUTH.md): `seal --sign`, `open --from`.
pub(crate) mod sender;
pub(crate) mod stream;

use std::collections::HashSet;
use std::fmt;
use std::io::{BufRead, BufReader, Cursor, Read, Seek, SeekFrom, Write};

use age_core::format::{FileKey, Stanza};
use rand::RngCore;

pub(crate) use header::Header;
pub(crate) use stream::StreamOptions;

/// The version line that starts every age v1 header.
pub const VERSION_LINE: &str = "age-encryption.org/v1";

/// The label a post-quantum recipient returns from `wrap_file_key`: a file
/// sealed to one may only be sealed to others with the same label.
pub(crate) const POSTQUANTUM_LABEL: &str = "postquantum";

/// Where in the file an error was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The header: version line, stanzas, MAC line, and the payload nonce.
    Header,
    /// The payload: the STREAM chunks.
    Payload,
}

/// Why sealing, opening or parsing a key failed: the library's error
/// (`lockbox::Error`), and the engine's.
///
/// For a file that does not open, the variants follow the classes of the
/// C2SP age test vectors: [`NoMatch`](Self::NoMatch) means the file is not
/// for these identities; [`Armor`](Self::Armor), [`Header`](Self::Header),
/// [`Hmac`](Self::Hmac), [`Payload`](Self::Payload) and
/// [`Truncated`](Self::Truncated) mean it is not a valid sealed file, or was
/// altered or cut short.
///
/// The engine decides no exit status and gives no hints: the command line
/// maps these once (`error::classify`).
#[derive(Debug)]
#[non_exhaustive]
pub enum FormatError {
    /// The ASCII armor is malformed.
    Armor(String),
    /// The header is malformed, breaks a limit, or a stanza of a known type
    /// is invalid.
    Header(String),
    /// The header MAC does not verify: the header was altered.
    Hmac,
    /// A payload chunk does not authenticate, or data follows the last
    /// chunk: the payload was altered.
    Payload(String),
    /// The input ends early, in the header or in the payload.
    Truncated(Part, String),
    /// No identity matched any of the file's recipients: the file is not
    /// addressed to these identities (or the passphrase is wrong). Holds
    /// the header's stanza types, in file order.
    NoMatch(Vec<String>),
    /// The passphrase's scrypt work factor (log2 of N) is above the
    /// accepted limit.
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
    /// Sealing: the recipients can't be combined in one file; `postquantum`
    /// when post-quantum recipients were mixed with classic ones, else a
    /// passphrase (or a plugin that must be alone) was mixed with others.
    MixedRecipients {
        /// Whether one side of the mix is post-quantum.
        postquantum: bool,
    },
    /// Sealing: no recipient gave a stanza.
    NoRecipients,
    /// Sealing: a recipient failed to wrap the file key.
    Wrap(String),
    /// An age plugin failed.
    Plugin(String),
    /// A recipient string or recipients file is not valid.
    InvalidRecipient(String),
    /// An identity or identity file is not valid, or a protected identity
    /// file could not be opened.
    InvalidIdentity(String),
    /// Reading the start of the input failed.
    Read(std::io::Error),
    /// Reading or writing failed.
    Io(std::io::Error),
    /// The file's sender seal (`lockbox-sender`) is invalid: malformed, or
    /// its MACs do not match (the file was altered by someone who could
    /// open it, or forwarded). Says why.
    SenderSeal(String),
}

/// A copy of an I/O error keeps its kind and message (`io::Error` itself
/// can't be cloned).
impl Clone for FormatError {
    fn clone(&self) -> Self {
        let io = |e: &std::io::Error| std::io::Error::new(e.kind(), e.to_string());
        match self {
            FormatError::Armor(m) => FormatError::Armor(m.clone()),
            FormatError::Header(m) => FormatError::Header(m.clone()),
            FormatError::Hmac => FormatError::Hmac,
            FormatError::Payload(m) => FormatError::Payload(m.clone()),
            FormatError::Truncated(part, m) => FormatError::Truncated(*part, m.clone()),
            FormatError::NoMatch(types) => FormatError::NoMatch(types.clone()),
            FormatError::WorkFactor(w) => FormatError::WorkFactor(*w),
            FormatError::Memory {
                work_factor,
                needed,
                available,
            } => FormatError::Memory {
                work_factor: *work_factor,
                needed: *needed,
                available: *available,
            },
            FormatError::MixedRecipients { postquantum } => FormatError::MixedRecipients {
                postquantum: *postquantum,
            },
            FormatError::NoRecipients => FormatError::NoRecipients,
            FormatError::Wrap(m) => FormatError::Wrap(m.clone()),
            FormatError::Plugin(m) => FormatError::Plugin(m.clone()),
            FormatError::InvalidRecipient(m) => FormatError::InvalidRecipient(m.clone()),
            FormatError::InvalidIdentity(m) => FormatError::InvalidIdentity(m.clone()),
            FormatError::Read(e) => FormatError::Read(io(e)),
            FormatError::Io(e) => FormatError::Io(io(e)),
            FormatError::SenderSeal(m) => FormatError::SenderSeal(m.clone()),
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Armor(m) => write!(f, "invalid armor: {m}"),
            FormatError::Header(m) | FormatError::Truncated(Part::Header, m) => {
                write!(f, "invalid header: {m}")
            }
            FormatError::Hmac => f.write_str("header MAC does not verify: the file was altered"),
            FormatError::Payload(m) | FormatError::Truncated(Part::Payload, m) => {
                write!(f, "invalid payload: {m}")
            }
            // A passphrase is the only stanza of its file: not matching
            // it means the passphrase is wrong (issue 13).
            FormatError::NoMatch(types) if is_passphrase_only(types) => {
                f.write_str("incorrect passphrase")
            }
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
            FormatError::MixedRecipients { postquantum: true } => {
                f.write_str("post-quantum recipients can't be mixed with classic recipients")
            }
            FormatError::MixedRecipients { postquantum: false } => {
                f.write_str("these recipients can't be combined in one file")
            }
            FormatError::NoRecipients => f.write_str("missing recipients"),
            FormatError::Wrap(m) => write!(f, "failed to seal to a recipient: {m}"),
            FormatError::Plugin(m) => write!(f, "a plugin failed: {m}"),
            FormatError::InvalidRecipient(m) | FormatError::InvalidIdentity(m) => f.write_str(m),
            FormatError::Read(_) => f.write_str("failed to read input"),
            FormatError::Io(e) => e.fmt(f),
            FormatError::SenderSeal(m) => write!(f, "invalid sender seal: {m}"),
        }
    }
}

impl std::error::Error for FormatError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FormatError::Read(e) | FormatError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<FormatError> for std::io::Error {
    fn from(e: FormatError) -> Self {
        match e {
            FormatError::Io(e) => e,
            e => std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        }
    }
}

impl From<std::io::Error> for FormatError {
    /// An I/O error from the payload path: a carried `FormatError` comes
    /// back out, anything else is [`FormatError::Io`].
    fn from(e: std::io::Error) -> Self {
        if format_error_of(&e).is_none() {
            return FormatError::Io(e);
        }
        match e.into_inner().map(|inner| inner.downcast::<FormatError>()) {
            Some(Ok(fe)) => *fe,
            _ => unreachable!("format_error_of found a FormatError"),
        }
    }
}

/// Pulls a `FormatError` back out of an `io::Error` that carries one.
pub(crate) fn format_error_of(e: &std::io::Error) -> Option<&FormatError> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<FormatError>())
}

/// Most stanza types named in a summary; the rest are counted.
const SUMMARY_TYPES: usize = 8;
/// Longest stanza type named in a summary, in characters.
const SUMMARY_TYPE_LEN: usize = 40;

/// `X25519 (2), scrypt (1)`: the stanza types in file order with their
/// counts, in linear time, bounded in length whatever the header holds.
/// The one summary of a header's stanza types: the "no identity matched"
/// hint and `inspect` both show it.
pub(crate) fn type_counts(types: &[String]) -> String {
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
        .take(SUMMARY_TYPES)
        .map(|(t, c)| {
            // Types are printable ASCII (the header parser checks), so a
            // byte cut is a character cut.
            if t.len() > SUMMARY_TYPE_LEN {
                format!("{}... ({c})", &t[..SUMMARY_TYPE_LEN])
            } else {
                format!("{t} ({c})")
            }
        })
        .collect();
    if counts.len() > SUMMARY_TYPES {
        let rest: usize = counts[SUMMARY_TYPES..].iter().map(|(_, c)| c).sum();
        list.push(format!(
            "and {} other types ({rest})",
            counts.len() - SUMMARY_TYPES
        ));
    }
    list.join(", ")
}

/// Buffer size for reading sealed input: large reads, few syscalls.
const READ_BUFFER: usize = 256 * 1024;

/// A sealed input whose header has been read; the payload comes next.
pub(crate) struct SealedInput<'a> {
    /// The parsed header.
    pub header: Header,
    /// Whether the input was armored.
    pub armored: bool,
    /// The rest of the input, positioned at the payload nonce.
    pub payload: Box<dyn BufRead + Send + 'a>,
}

/// Reads the header of a sealed input, detecting armor.
pub(crate) fn read_header<'a, R: Read + Send + 'a>(
    mut input: R,
) -> Result<SealedInput<'a>, FormatError> {
    let mut prefix = vec![0u8; armor::DETECT_BYTES];
    let mut n = 0;
    while n < prefix.len() {
        match input.read(&mut prefix[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FormatError::Read(e)),
        }
    }
    prefix.truncate(n);
    let form = armor::detect(&prefix);
    let armored = form.is_armored();
    let joined = BufReader::with_capacity(READ_BUFFER, Cursor::new(prefix).chain(input));
    let mut payload = form.decode(joined);
    let header = Header::read(&mut payload)?;
    Ok(SealedInput {
        header,
        armored,
        payload,
    })
}

/// Tells what a stanza failure from an identity means for the file.
fn classify_unwrap_error(e: age::DecryptError, types: &[String]) -> FormatError {
    match e {
        age::DecryptError::DecryptionFailed
        | age::DecryptError::KeyDecryptionFailed
        | age::DecryptError::NoMatchingKeys => FormatError::NoMatch(types.to_vec()),
        age::DecryptError::ExcessiveWork { required, .. } => FormatError::WorkFactor(required),
        age::DecryptError::InvalidMac => FormatError::Hmac,
        age::DecryptError::Io(e) => FormatError::Io(e),
        e @ (age::DecryptError::Plugin(_) | age::DecryptError::PluginResolve(_)) => {
            FormatError::Plugin(one_line(&e.to_string()))
        }
        // InvalidHeader, UnknownFormat, and anything a later age adds.
        _ => FormatError::Header("a recipient stanza is malformed".into()),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether stanza types are those of a passphrase-sealed file: one
/// scrypt stanza.
pub(crate) fn is_passphrase_only(types: &[String]) -> bool {
    types.len() == 1 && types[0] == "scrypt"
}

/// Whether the header is passphrase-sealed, checking that a passphrase
/// stanza is alone, as the format requires.
pub(crate) fn is_passphrase_sealed(header: &Header) -> Result<bool, FormatError> {
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
pub(crate) fn unwrap_file_key(
    header: &Header,
    identities: &[&dyn age::Identity],
) -> Result<FileKey, FormatError> {
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
    Err(FormatError::NoMatch(types))
}

/// Opens the payload of `sealed` with `key`, writing each chunk's plaintext
/// to `output` once it authenticated; `progress` gets the bytes released.
pub(crate) fn open_payload<W: Write + Send>(
    key: &FileKey,
    sealed: SealedInput<'_>,
    output: &mut W,
    opts: StreamOptions,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<(), FormatError> {
    Ok(stream::open_payload(
        key,
        sealed.payload,
        output,
        opts,
        progress,
    )?)
}

/// The sender seal of a header whose file key was unwrapped with `key`
/// (see [`sender::SenderSeal::open`]): `None` for an unsigned file; a
/// malformed seal is refused before any payload is read.
pub(crate) fn sender_seal(
    header: &Header,
    key: &FileKey,
) -> Result<Option<sender::SenderSeal>, FormatError> {
    sender::SenderSeal::open(header, key).map_err(sender_error)
}

/// A sender seal error as the engine's error.
pub(crate) fn sender_error(e: sender::SenderError) -> FormatError {
    match e {
        sender::SenderError::Invalid(why) => FormatError::SenderSeal(why.to_string()),
        e @ (sender::SenderError::NoVerifier | sender::SenderError::LowOrderRecipient { .. }) => {
            FormatError::InvalidRecipient(e.to_string())
        }
        // Not an error of the file: the caller treats it as unsigned.
        e @ sender::SenderError::NotVerifiable => FormatError::SenderSeal(e.to_string()),
    }
}

/// Opens the payload of `sealed` with `key` as [`open_payload`] does, and
/// returns its payload digest PD; `payload` is a [`SealedInput`]'s. The plaintext written to `output` is not
/// yet vouched for by the sender: the caller releases it only after
/// [`sender::SenderSeal::verify`].
pub(crate) fn open_payload_hashed<R: Read + Send, W: Write + Send>(
    key: &FileKey,
    payload: R,
    output: &mut W,
    opts: StreamOptions,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<sender::Hash, FormatError> {
    Ok(stream::open_payload_hashed(
        key, payload, output, opts, progress,
    )?)
}

/// Checks the sender seal of a signed file against its payload without
/// decrypting it or releasing anything (SENDER-AUTH.md, "Verifying", steps
/// 4 and 5): the payload is hashed while it is copied to `spool`, which is
/// left rewound, holding the ciphertext to decrypt from once the caller
/// has accepted the sender. Returns the verified sender A, and the length
/// of the spooled payload: a spool that the caller gave may hold older
/// bytes after it, which are not part of this file.
///
/// When the seal does not verify, a damaged payload is told apart from a
/// seal that does not match: the spool's chunks are opened (to nowhere),
/// and the first that fails is the error, as when opening an unsigned
/// file; an intact payload leaves the seal's own error.
pub(crate) fn verify_spooled<R: Read + Send, S: Read + Write + Seek + Send>(
    key: &FileKey,
    payload: R,
    spool: &mut S,
    seal: &sender::SenderSeal,
    keys: &[sender::X25519Key],
    opts: StreamOptions,
) -> Result<([u8; 32], u64), FormatError> {
    let start = spool.stream_position()?;
    let pd = stream::hash_payload(payload, spool, opts)?;
    let len = spool.stream_position()? - start;
    spool.seek(SeekFrom::Start(start))?;
    match seal.verify(&pd, keys) {
        Ok(a) => Ok((a, len)),
        Err(e) => {
            stream::open_payload_hashed(
                key,
                std::io::BufReader::new((&mut *spool).take(len)),
                &mut std::io::sink(),
                opts,
                &mut |_| {},
            )?;
            Err(sender_error(e))
        }
    }
}

/// Wraps a new file key to every recipient, refusing recipients whose
/// labels differ (post-quantum mixed with classic, passphrase with
/// anything).
pub(crate) fn wrap_file_key(
    recipients: &[&dyn age::Recipient],
) -> Result<(FileKey, Vec<Stanza>), FormatError> {
    let key = FileKey::init_with_mut(|k| rand::rngs::OsRng.fill_bytes(k));
    let mut stanzas = Vec::new();
    let mut labels: Option<HashSet<String>> = None;
    for r in recipients {
        let (s, l) = r
            .wrap_file_key(&key)
            .map_err(|e| FormatError::Wrap(one_line(&e.to_string())))?;
        match &labels {
            None => labels = Some(l),
            Some(prev) if *prev == l => {}
            Some(prev) => {
                let pq = |set: &HashSet<String>| set.contains(POSTQUANTUM_LABEL);
                return Err(FormatError::MixedRecipients {
                    postquantum: pq(prev) != pq(&l),
                });
            }
        }
        stanzas.extend(s);
    }
    if stanzas.is_empty() {
        return Err(FormatError::NoRecipients);
    }
    Ok((key, stanzas))
}

/// How a sealed file is written.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SealOptions {
    /// Write ASCII armor instead of binary.
    pub armor: bool,
    /// How the payload is processed.
    pub stream: StreamOptions,
}

/// A new file key wrapped to its recipients: the header of a file to seal,
/// and the payload nonce.
pub(crate) struct Sealer {
    key: FileKey,
    stanzas: Vec<Stanza>,
    nonce: [u8; stream::NONCE],
}

impl Sealer {
    /// Wraps a new file key to every recipient (see [`wrap_file_key`]),
    /// and draws the payload nonce.
    pub(crate) fn new(recipients: &[&dyn age::Recipient]) -> Result<Self, FormatError> {
        let (key, stanzas) = wrap_file_key(recipients)?;
        let mut nonce = [0u8; stream::NONCE];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        Ok(Self {
            key,
            stanzas,
            nonce,
        })
    }

    /// A sealer with a given file key, stanzas and nonce, so that outputs
    /// can be compared byte for byte.
    #[cfg(test)]
    pub(crate) fn with_key(key: FileKey, stanzas: Vec<Stanza>, nonce: [u8; stream::NONCE]) -> Self {
        Self {
            key,
            stanzas,
            nonce,
        }
    }

    /// Seals `input`, writing the header and the payload to `output`;
    /// `progress` gets the plaintext bytes done.
    pub(crate) fn seal<R: Read + Send, W: Write + Send>(
        &self,
        input: R,
        output: &mut W,
        opts: SealOptions,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<(), FormatError> {
        let header = header::write_header(&self.stanzas, &self.key);
        let (key, nonce, stream) = (&self.key, self.nonce, opts.stream);
        if opts.armor {
            let mut w = armor::ArmoredWriter::new(&mut *output)?;
            w.write_all(&header)?;
            stream::seal_payload(key, nonce, input, &mut w, stream, progress)?;
            w.finish()?;
        } else {
            output.write_all(&header)?;
            stream::seal_payload(key, nonce, input, output, stream, progress)?;
        }
        Ok(())
    }
}

impl Sealer {
    /// Seals `input` and signs it as `sender` (SENDER-AUTH.md), writing the
    /// binary sealed file to the seekable `output` from its current
    /// position, in one pass: the header's length is known once the file
    /// key is wrapped, so the payload is written after room for it, then
    /// the header (with the sender stanza last, whose MACs cover the
    /// payload digest) in that room. `verifiers` are the X25519 keys B_i
    /// of the recipients that can verify, in the order of their stanzas.
    pub(crate) fn seal_signed<R: Read + Send, W: Write + Seek + Send>(
        &self,
        sender: &sender::X25519Key,
        verifiers: &[[u8; 32]],
        input: R,
        output: &mut W,
        stream: StreamOptions,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<(), FormatError> {
        if verifiers.is_empty() {
            return Err(sender_error(sender::SenderError::NoVerifier));
        }
        // A stand-in sender stanza of the final length gives the header's.
        let mut stanzas: Vec<Stanza> = self
            .stanzas
            .iter()
            .map(|s| Stanza {
                tag: s.tag.clone(),
                args: s.args.clone(),
                body: s.body.clone(),
            })
            .collect();
        stanzas.push(Stanza {
            tag: sender::STANZA_TAG.to_owned(),
            args: Vec::new(),
            body: vec![0; sender::body_len(verifiers.len())],
        });
        let header_len = header::write_header(&stanzas, &self.key).len() as u64;
        let start = output.stream_position()?;
        output.seek(SeekFrom::Start(start + header_len))?;
        let pd =
            stream::seal_payload_hashed(&self.key, self.nonce, input, output, stream, progress)?;
        let hh = sender::header_hash_for_stanzas(&self.stanzas);
        let stanza =
            sender::seal_stanza(&self.key, sender, verifiers, &hh, &pd).map_err(sender_error)?;
        *stanzas.last_mut().expect("the sender stanza is there") = stanza;
        let header = header::write_header(&stanzas, &self.key);
        if header.len() as u64 != header_len {
            return Err(FormatError::Io(std::io::Error::other(
                "the signed header's length changed while sealing",
            )));
        }
        let end = output.stream_position()?;
        output.seek(SeekFrom::Start(start))?;
        output.write_all(&header)?;
        output.seek(SeekFrom::Start(end))?;
        Ok(())
    }
}

/// Copies the sealed binary file that `spool` holds from its start to its
/// current position (where [`Sealer::seal_signed`] leaves it) to `output`,
/// armored if `armor`. Bytes after that position, left by an earlier use
/// of a spool the caller gave, are not copied.
pub(crate) fn copy_sealed<R: Read + Seek, W: Write + Send>(
    spool: &mut R,
    output: &mut W,
    armor: bool,
) -> Result<(), FormatError> {
    let end = spool.stream_position()?;
    spool.seek(SeekFrom::Start(0))?;
    let mut sealed = spool.take(end);
    if armor {
        let mut w = armor::ArmoredWriter::new(&mut *output)?;
        copy_large(&mut sealed, &mut w)?;
        w.finish()?;
    } else {
        copy_large(&mut sealed, output)?;
    }
    Ok(())
}

/// `std::io::copy` with a 1 MiB buffer instead of 8 KiB: a 1 GiB spool
/// goes out in 1024 writes instead of 131072 (issue 12's cost targets).
fn copy_large<R: Read + ?Sized, W: Write + ?Sized>(
    from: &mut R,
    to: &mut W,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        to.write_all(&buf[..n])?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
    fn bytes(len: usize, seed: u64) -> Vec<u8> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    fn fixed_sealer(stanzas: Vec<Stanza>, nonce: [u8; stream::NONCE]) -> Sealer {
        Sealer::with_key(FileKey::new(Box::new([3; 16])), stanzas, nonce)
    }

    fn seal(data: &[u8], threads: usize, armor: bool) -> Vec<u8> {
        let stanzas = vec![Stanza {
            tag: "test".into(),
            args: vec!["a".into()],
            body: vec![1; 32],
        }];
        let mut out = Vec::new();
        let opts = SealOptions {
            armor,
            stream: StreamOptions { threads },
        };
        fixed_sealer(stanzas, [9; 16])
            .seal(data, &mut out, opts, &mut |_| {})
            .unwrap();
        out
    }

    fn open(sealed: &[u8], threads: usize) -> Vec<u8> {
        let key = FileKey::new(Box::new([3; 16]));
        let input = read_header(sealed).unwrap();
        let mut out = Vec::new();
        open_payload(
            &key,
            input,
            &mut out,
            StreamOptions { threads },
            &mut |_| {},
        )
        .unwrap();
        out
    }

    #[test]
    fn the_hash_only_pass_gives_the_digest_of_the_decrypting_pass() {
        // Sizes around chunk and batch edges; a flipped byte changes PD.
        let chunk = stream::CHUNK;
        let key = FileKey::new(Box::new([3; 16]));
        for len in [
            0,
            1,
            chunk,
            chunk + 1,
            32 * chunk,
            32 * chunk + 7,
            70 * chunk,
        ] {
            let sealed = seal(&bytes(len, len as u64), 2, false);
            let mut payload = Vec::new();
            let input = read_header(&sealed[..]).unwrap();
            let mut rest = input.payload;
            std::io::copy(&mut rest, &mut payload).unwrap();
            let opened = open_payload_hashed(
                &key,
                &payload[..],
                &mut std::io::sink(),
                StreamOptions { threads: 2 },
                &mut |_| {},
            )
            .unwrap();
            for threads in [1, 2] {
                let mut copy = Vec::new();
                let pd = stream::hash_payload(&payload[..], &mut copy, StreamOptions { threads })
                    .unwrap();
                assert_eq!(pd, opened, "{len} bytes, {threads} threads");
                assert_eq!(copy, payload, "{len} bytes, {threads} threads");
            }
            let mut bad = payload.clone();
            *bad.last_mut().unwrap() ^= 1;
            let pd =
                stream::hash_payload(&bad[..], &mut std::io::sink(), StreamOptions { threads: 2 });
            assert_ne!(pd.unwrap(), opened, "{len} bytes");
        }
    }

    #[test]
    fn output_is_identical_for_every_thread_count() {
        // Sizes around chunk and batch edges (a batch is 16 chunks per thread).
        let chunk = stream::CHUNK;
        for len in [
            0,
            1,
            chunk - 1,
            chunk,
            chunk + 1,
            8 * chunk,
            16 * chunk,
            16 * chunk + 1,
            32 * chunk,
            33 * chunk - 5,
            64 * chunk + 1,
            100 * chunk,
        ] {
            let data = bytes(len, len as u64 + 1);
            for armored in [false, true] {
                let reference = seal(&data, 1, armored);
                for threads in [2, 3, 4, 7] {
                    assert!(
                        seal(&data, threads, armored) == reference,
                        "len {len}, armored {armored}: {threads} threads differ from 1"
                    );
                }
                for threads in [1, 2, 5] {
                    assert!(
                        open(&reference, threads) == data,
                        "len {len}, open with {threads}"
                    );
                }
            }
        }
    }

    #[test]
    fn progress_counts_every_byte_once() {
        let data = bytes(5 * stream::CHUNK + 123, 5);
        for threads in [1, 4] {
            let mut seen = 0u64;
            let opts = SealOptions {
                armor: false,
                stream: StreamOptions { threads },
            };
            fixed_sealer(Vec::new(), [0; 16])
                .seal(&data[..], &mut std::io::sink(), opts, &mut |n| seen += n)
                .unwrap();
            assert_eq!(seen, data.len() as u64, "threads {threads}");
        }
    }

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
