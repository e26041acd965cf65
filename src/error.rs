//! Errors that carry an exit status and hints, and how `main` reports them.

use std::fmt;

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
        if let Some(e) = cause.downcast_ref::<crate::format::FormatError>() {
            return (e.exit(), e.hints());
        }
        if let Some(e) = cause.downcast_ref::<std::io::Error>() {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return (Exit::Failure, Vec::new());
            }
        }
    }
    (Exit::Failure, Vec::new())
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
