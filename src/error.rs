//! Errors that carry an exit status and hints, and how `main` reports them.

use std::fmt;

use crate::format::FormatError;

/// The exit statuses of the contract (DESIGN.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Any failure not covered by another status.
    Failure = 1,
    /// The command line was wrong.
    Usage = 2,
    /// No identity matched any of the file's recipients.
    NoMatch = 3,
    /// The input is not a valid sealed file, or was altered or truncated.
    Invalid = 4,
    /// The file is not sealed by the sender that `open --from` asked for.
    NotFrom = 5,
    /// The reader of the plaintext stopped early (`open | head`): the
    /// status of a pipe writer killed by SIGPIPE (128 + 13), as age gives,
    /// and no error line.
    ClosedPipe = 141,
}

impl Exit {
    /// Every status but success, in order.
    pub(crate) const ALL: [Exit; 6] = [
        Exit::Failure,
        Exit::Usage,
        Exit::NoMatch,
        Exit::Invalid,
        Exit::NotFrom,
        Exit::ClosedPipe,
    ];

    /// What the status means, in a few words (`--help`).
    pub(crate) fn summary(self) -> &'static str {
        match self {
            Exit::Failure => "other failure",
            Exit::Usage => "usage error",
            Exit::NoMatch => {
                "no identity matched, or an incorrect passphrase (the file is not for you)"
            }
            Exit::Invalid => "the input is not a valid sealed file, or was altered or truncated",
            Exit::NotFrom => "not sealed by the sender asked for with --from",
            Exit::ClosedPipe => "open's reader stopped early (as 'open | head'), quietly",
        }
    }
}

/// The exit statuses as `--help` gives them: one line, from [`Exit`].
pub(crate) fn exit_status_line() -> String {
    let mut parts = vec!["0 success".to_owned()];
    parts.extend(
        Exit::ALL
            .iter()
            .map(|&e| format!("{} {}", e as u8, e.summary())),
    );
    format!("Exit status: {}.", parts.join("; "))
}

/// An error that decides the exit status and may carry hints.
///
/// Commands return `anyhow::Error`; `main` looks for the first `Error` in the
/// chain to pick the exit status and hints. Anything else exits with 1.
#[derive(Debug)]
pub(crate) struct Error {
    /// The exit status this error leads to.
    pub exit: Exit,
    /// The message, lower case, no final period.
    pub message: String,
    /// Suggestions, one per `lockbox: hint:` line.
    pub hints: Vec<String>,
}

impl Error {
    /// A usage error (exit 2).
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    /// A general failure (exit 1).
    pub(crate) fn failure(message: impl Into<String>) -> Self {
        Self::new(Exit::Failure, message)
    }

    /// An error with the given exit status.
    pub(crate) fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    /// Adds a hint line.
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The exit status and hints for an error chain.
pub(crate) fn classify(err: &anyhow::Error) -> (Exit, Vec<String>) {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<Error>() {
            return (e.exit, e.hints.clone());
        }
        if let Some(e) = cause.downcast_ref::<FormatError>() {
            return classify_format(e);
        }
        if let Some(e) = cause.downcast_ref::<std::io::Error>() {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return (Exit::Failure, Vec::new());
            }
        }
    }
    (Exit::Failure, Vec::new())
}

/// The exit status and hints for an error of the engine: the one place
/// that decides them.
pub(crate) fn classify_format(e: &FormatError) -> (Exit, Vec<String>) {
    match e {
        FormatError::NoMatch(types) if crate::format::is_passphrase_only(types) => (
            Exit::NoMatch,
            vec!["the file was sealed with a passphrase (scrypt): check it and try again".into()],
        ),
        FormatError::NoMatch(types) => {
            let mut hints = vec![format!(
                "the file was sealed to: {}",
                crate::format::type_counts(types)
            )];
            hints.push("use -i/--identity with the identity file that matches one of them".into());
            (Exit::NoMatch, hints)
        }
        FormatError::WorkFactor(_) => (
            Exit::Invalid,
            vec!["if you trust the sender, raise the limit with --max-work-factor".into()],
        ),
        FormatError::Memory { .. } => (
            Exit::Invalid,
            vec!["if you trust the sender, open it where that much memory is free".into()],
        ),
        FormatError::Armor(_)
        | FormatError::Header(_)
        | FormatError::Hmac
        | FormatError::Payload(_)
        | FormatError::Truncated(..) => (Exit::Invalid, Vec::new()),
        FormatError::SenderSeal(_) => (
            Exit::Invalid,
            vec!["nothing was released; ask the sender to send the file again, directly".into()],
        ),
        FormatError::MixedRecipients { postquantum: true } => (
            Exit::Usage,
            vec![
                "a classic recipient (X25519, SSH) would be the weak link: a quantum computer could open the file through it".into(),
                "seal to post-quantum (age1pq1...) recipients only, or to classic ones only".into(),
            ],
        ),
        FormatError::MixedRecipients { postquantum: false } => (
            Exit::Usage,
            vec!["some recipient types (a passphrase, some plugins) must be the only recipient".into()],
        ),
        FormatError::NoRecipients | FormatError::InvalidRecipient(_) => (Exit::Usage, Vec::new()),
        FormatError::InvalidIdentity(_) => (Exit::Failure, Vec::new()),
        FormatError::Wrap(_) | FormatError::Plugin(_) | FormatError::Read(_) | FormatError::Io(_) => {
            (Exit::Failure, Vec::new())
        }
    }
}

/// Renders an error chain as one line: `outer: inner: innermost`, without
/// repeating a cause whose text is already part of its parent.
pub(crate) fn render(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if text.is_empty() || out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    // The age crate's translated messages wrap names in Unicode isolation
    // marks (U+2068, U+2069): invisible on screen, noise in logs and greps.
    out.replace('\n', " ").replace(['\u{2068}', '\u{2069}'], "")
}

/// Most characters of a user-supplied string shown in a message; longer
/// ones are cut, with '…' where the rest was.
pub(crate) const MAX_SHOWN: usize = 80;

/// Bech32's data characters (BIP 173), lower case.
const BECH32_DATA: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// Shortest run of Bech32 data characters after a '1' taken for key
/// material: `tests/secrets.rs` searches output for every 16-character
/// window of a key's data.
const MIN_KEY_DATA: usize = 16;

/// Shortest run of Bech32 data characters with no '1' before it taken for
/// key material (a key's data part pasted alone): long enough that file
/// names do not trip it.
const MIN_BARE_KEY_DATA: usize = 24;

/// What a user-supplied string that looks like key material is: a secret
/// key, or some key (a recipient, or the data of a secret key given a
/// public prefix).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyLike {
    /// It holds `AGE-SECRET-KEY-` or `AGE-PLUGIN-`, in any case.
    Secret,
    /// It holds a long run of Bech32 data characters: 16 or more after a
    /// `1` (`age1...`), or 24 or more on their own.
    Bech32,
}

impl KeyLike {
    /// What it is, for messages: "a secret key" or "a key".
    pub(crate) fn noun(self) -> &'static str {
        match self {
            KeyLike::Secret => "a secret key",
            KeyLike::Bech32 => "a key",
        }
    }
}

/// Whether `s` looks like key material, and the prefix of it that may be
/// shown (its Bech32 human-readable part and separator, never its data).
fn key_like(s: &str) -> Option<(KeyLike, String)> {
    let lower = s.to_ascii_lowercase();
    for marker in ["age-secret-key-", "age-plugin-"] {
        if let Some(at) = lower.find(marker) {
            let rest = &s[at..];
            // The whole prefix up to the separator ("AGE-SECRET-KEY-PQ-1",
            // "AGE-PLUGIN-YUBIKEY-1") when it is one, else the marker.
            let prefix = match rest.find('1') {
                Some(end)
                    if end <= 40
                        && rest[..end]
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
                {
                    &rest[..=end]
                }
                _ => &rest[..marker.len()],
            };
            return Some((KeyLike::Secret, prefix.to_owned()));
        }
    }
    // Runs of Bech32 data characters: after a '1' (a Bech32 string, its
    // prefix before), or long on their own (a key's data pasted alone).
    // Runs of hex digits only are hashes and such, not Bech32 data.
    let bytes = s.as_bytes();
    let is_data = |b: u8| BECH32_DATA.as_bytes().contains(&b.to_ascii_lowercase());
    let mut i = 0;
    while i < bytes.len() {
        if !is_data(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_data(bytes[i]) {
            i += 1;
        }
        if bytes[start..i].iter().all(u8::is_ascii_hexdigit) {
            continue;
        }
        let after_separator = start > 0 && bytes[start - 1] == b'1';
        let len = i - start;
        if (after_separator && len >= MIN_KEY_DATA) || len >= MIN_BARE_KEY_DATA {
            // age's own prefixes ("age1", "age1pq1") say what kind of key
            // it is; any other prefix might be key data itself.
            let mut prefix = "";
            if after_separator {
                let hrp_end = start - 1;
                let hrp_start = s[..hrp_end]
                    .trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '-')
                    .len();
                let hrp = &s[hrp_start..hrp_end];
                if hrp.eq_ignore_ascii_case("age") || hrp.eq_ignore_ascii_case("age1pq") {
                    prefix = &s[hrp_start..start];
                }
            }
            if prefix.is_empty() {
                // An SSH public key line: its type, and the blob's "AAAA"
                // (the length of the type name, the same in every key).
                prefix = ssh_key_prefix(s).unwrap_or_default();
            }
            return Some((KeyLike::Bech32, prefix.to_owned()));
        }
    }
    None
}

/// `ssh-rsa AAAA` of an SSH public key line (`TYPE BASE64...`): the type
/// and the blob's first four characters, which carry no key material.
fn ssh_key_prefix(s: &str) -> Option<&str> {
    let (kind, rest) = s.split_once(' ')?;
    let named = kind.starts_with("ssh-")
        && kind.len() <= 40
        && kind.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    (named && rest.starts_with("AAAA")).then(|| &s[..kind.len() + 5])
}

/// Whether a user-supplied string looks like key material, which messages
/// never show.
pub(crate) fn looks_like_key(s: impl AsRef<std::ffi::OsStr>) -> Option<KeyLike> {
    key_like(&s.as_ref().to_string_lossy()).map(|(kind, _)| kind)
}

/// A user-supplied string (a path, an argument) as every message shows it:
/// in single quotes, control and bidirectional characters escaped, cut at
/// [`MAX_SHOWN`] characters. A string that looks like key material (see
/// [`looks_like_key`]) shows only its prefix, `'AGE-SECRET-KEY-1…'`, never
/// any of its data (issue 10).
pub(crate) fn quote(s: impl AsRef<std::ffi::OsStr>) -> String {
    let s = s.as_ref().to_string_lossy();
    if let Some((_, prefix)) = key_like(&s) {
        return format!("'{prefix}…'");
    }
    let mut out = String::from("'");
    for (i, c) in s.chars().enumerate() {
        if i == MAX_SHOWN - 1 && s.chars().count() > MAX_SHOWN {
            out.push('…');
            break;
        }
        // Bidirectional controls reorder what follows them on screen.
        let invisible = matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        );
        if c.is_control() || invisible {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// The error for a user-named file that could not be opened, read or
/// written: `failed to ACTION 'PATH'` with the system's reason. A "path"
/// that is a key typed where a file name goes is not shown: the message
/// says what it is instead, with a hint (issue 10).
pub(crate) fn file_error(
    action: &str,
    path: &std::path::Path,
    cause: std::io::Error,
) -> anyhow::Error {
    match looks_like_key(path) {
        Some(kind) => Error::failure(format!(
            "failed to {action} {} ({}, not a file name)",
            quote(path),
            kind.noun()
        ))
        .hint("give the path of a file that holds the key; a key typed on a command line stays in the shell's history")
        .into(),
        None => anyhow::Error::new(cause).context(format!("failed to {action} {}", quote(path))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str =
        "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";

    #[test]
    fn an_ssh_public_key_line_shows_its_type() {
        // Base64 that happens to hold a long run of Bech32 data characters
        // is cut as key data is, but still says what kind of key it is.
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIqpzry9x8gf2tvdw0s3jn54khce6mua7l";
        assert_eq!(quote(key), "'ssh-ed25519 AAAA…'");
        // A secret after an SSH type is still a secret.
        assert_eq!(quote(format!("ssh-rsa {SECRET}")), "'AGE-SECRET-KEY-1…'");
    }

    #[test]
    fn ordinary_strings_are_quoted_whole() {
        assert_eq!(quote("notes.txt"), "'notes.txt'");
        assert_eq!(
            quote("/tmp/.tmpAbC123/out.age"),
            "'/tmp/.tmpAbC123/out.age'"
        );
        // A SHA-256 file name is hex, not Bech32 data.
        let hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(quote(hash), format!("'{hash}'"));
        assert_eq!(looks_like_key("age1abc"), None);
    }

    #[test]
    fn long_strings_are_cut_at_one_length() {
        let long = "o".repeat(MAX_SHOWN + 1);
        let shown = quote(&long);
        assert_eq!(shown.chars().count(), MAX_SHOWN + 2, "{shown}");
        assert!(shown.ends_with("o…'"), "{shown}");
        let exact = "i".repeat(MAX_SHOWN);
        assert_eq!(quote(&exact), format!("'{exact}'"));
    }

    #[test]
    fn control_and_bidi_characters_are_escaped() {
        assert_eq!(quote("a\u{1b}[31mb"), "'a\\u{1b}[31mb'");
        assert_eq!(quote("a\nb"), "'a\\nb'");
        assert_eq!(quote("a\u{202e}b"), "'a\\u{202e}b'");
    }

    #[test]
    fn key_material_shows_its_prefix_only() {
        assert_eq!(quote(SECRET), "'AGE-SECRET-KEY-1…'");
        assert_eq!(quote(SECRET.to_lowercase()), "'age-secret-key-1…'");
        assert_eq!(quote(format!("dir/{SECRET}.txt")), "'AGE-SECRET-KEY-1…'");
        assert_eq!(quote("AGE-SECRET-KEY-PQ-1QQQQ"), "'AGE-SECRET-KEY-PQ-1…'");
        assert_eq!(quote("AGE-PLUGIN-YUBIKEY-1QQQ"), "'AGE-PLUGIN-YUBIKEY-1…'");
        assert_eq!(looks_like_key("age-secret-key-"), Some(KeyLike::Secret));
        // The data of a secret key behind another prefix, or alone.
        let data = &SECRET["AGE-SECRET-KEY-1".len()..];
        assert_eq!(quote(format!("age1{data}")), "'age1…'");
        assert_eq!(quote(format!("age1pq1{data}")), "'age1pq1…'");
        assert_eq!(quote(format!("x1{data}")), "'…'");
        assert_eq!(quote(data), "'…'");
        assert_eq!(quote(&data[..24]), "'…'");
        assert_eq!(looks_like_key(data), Some(KeyLike::Bech32));
    }
}
