//! Errors that carry an exit status and hints, and how `main` reports them.

use std::fmt;

use crate::format::FormatError;

/// The exit statuses of the contract (DESIGN.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Any failure not covered by another status.
    Failure = 1,
    /// The command line was wrong.
    Usage = 2,
    /// No identity matched any of the file's recipients.
    NoMatch = 3,
    /// The input is not a valid sealed file, or was altered or truncated.
    Invalid = 4,
}

impl Exit {
    /// Every status but success, in order.
    pub const ALL: [Exit; 4] = [Exit::Failure, Exit::Usage, Exit::NoMatch, Exit::Invalid];

    /// What the status means, in a few words (`--help`).
    pub fn summary(self) -> &'static str {
        match self {
            Exit::Failure => "other failure",
            Exit::Usage => "usage error",
            Exit::NoMatch => "no identity matched (the file is not addressed to you)",
            Exit::Invalid => "the input is not a valid sealed file, or was altered or truncated",
        }
    }
}

/// The exit statuses as `--help` gives them: one line, from [`Exit`].
pub fn exit_status_line() -> String {
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
pub struct Error {
    /// The exit status this error leads to.
    pub exit: Exit,
    /// The message, lower case, no final period.
    pub message: String,
    /// Suggestions, one per `lockbox: hint:` line.
    pub hints: Vec<String>,
}

impl Error {
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    /// A general failure (exit 1).
    pub fn failure(message: impl Into<String>) -> Self {
        Self::new(Exit::Failure, message)
    }

    /// An error with the given exit status.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    /// Adds a hint line.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
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
pub fn classify(err: &anyhow::Error) -> (Exit, Vec<String>) {
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
pub fn classify_format(e: &FormatError) -> (Exit, Vec<String>) {
    match e {
        FormatError::NoMatch(types) => {
            let mut hints = vec![format!(
                "the file was sealed to: {}",
                crate::format::type_counts(types)
            )];
            if types.iter().any(|t| t == "scrypt") {
                hints.push("check the passphrase".into());
            } else {
                hints.push("use -i/--identity with the identity file that matches one of them".into());
            }
            (Exit::NoMatch, hints)
        }
        FormatError::WorkFactor(_) => (
            Exit::Invalid,
            vec!["if you trust the sender, raise the limit with --max-work-factor".into()],
        ),
        FormatError::Armor(_)
        | FormatError::Header(_)
        | FormatError::Hmac
        | FormatError::Payload(_)
        | FormatError::Truncated(..) => (Exit::Invalid, Vec::new()),
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

/// Longest user string quoted whole in a message, in characters.
const EXCERPT_CHARS: usize = 40;

/// A user-given string as a message quotes it: whole when short, else its
/// first characters and `...`, at most [`EXCERPT_CHARS`] in all.
pub fn excerpt(s: &str) -> String {
    if s.chars().count() > EXCERPT_CHARS {
        let head: String = s.chars().take(EXCERPT_CHARS - 3).collect();
        format!("{head}...")
    } else {
        s.to_owned()
    }
}

/// Renders an error chain as one line: `outer: inner: innermost`, without
/// repeating a cause whose text is already part of its parent.
pub fn render(err: &anyhow::Error) -> String {
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
