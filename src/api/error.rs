//! The library's error: what failed, in types a caller can match on.

use std::fmt;

use crate::format::FormatError;

pub use crate::format::Part;

/// Why sealing, opening or parsing a key failed.
///
/// The variants for a file that does not open follow the classes of the
/// C2SP age test vectors: [`Error::NoMatch`] means the file is not for these
/// identities; [`Error::Armor`], [`Error::Header`], [`Error::HeaderMac`],
/// [`Error::Payload`] and [`Error::Truncated`] mean it is not a valid sealed
/// file, or was altered or cut short.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// No identity matched any of the file's recipients: the file is not
    /// addressed to these identities (or the passphrase is wrong).
    NoMatch {
        /// The stanza types of the file's header, in file order.
        stanza_types: Vec<String>,
    },
    /// The ASCII armor is malformed.
    Armor(String),
    /// The header is malformed, breaks a limit, or a stanza of a known type
    /// is invalid.
    Header(String),
    /// The header MAC does not verify: the header was altered.
    HeaderMac,
    /// A payload chunk does not authenticate, or data follows the last
    /// chunk: the payload was altered.
    Payload(String),
    /// The input ends early.
    Truncated {
        /// Where it ends: in the header or in the payload.
        part: Part,
        /// What is missing.
        reason: String,
    },
    /// The passphrase's scrypt work factor is above
    /// [`Options::max_work_factor`](crate::Options::max_work_factor).
    WorkFactorLimit {
        /// The work factor (log2 of scrypt's N) the file asks for.
        required: u8,
    },
    /// The recipients can't be combined in one file: post-quantum with
    /// classic ones, or a passphrase with anything.
    IncompatibleRecipients {
        /// Whether a post-quantum recipient was mixed with a classic one.
        postquantum: bool,
    },
    /// Sealing needs at least one recipient.
    NoRecipients,
    /// A recipient string is not valid.
    InvalidRecipient(String),
    /// An identity or an identity file is not valid, or a protected
    /// identity file could not be opened.
    InvalidIdentity(String),
    /// A recipient failed to wrap the file key.
    Recipient(String),
    /// Reading the input or writing the output failed.
    Io(std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoMatch { .. } => {
                f.write_str("no identity matched any of the file's recipients")
            }
            Error::Armor(m) => write!(f, "invalid armor: {m}"),
            Error::Header(m)
            | Error::Truncated {
                part: Part::Header,
                reason: m,
            } => write!(f, "invalid header: {m}"),
            Error::HeaderMac => f.write_str("header MAC does not verify: the file was altered"),
            Error::Payload(m)
            | Error::Truncated {
                part: Part::Payload,
                reason: m,
            } => write!(f, "invalid payload: {m}"),
            Error::WorkFactorLimit { required } => write!(
                f,
                "the passphrase work factor 2^{required} is above the accepted limit"
            ),
            Error::IncompatibleRecipients { postquantum: true } => {
                f.write_str("post-quantum recipients can't be mixed with classic recipients")
            }
            Error::IncompatibleRecipients { postquantum: false } => {
                f.write_str("these recipients can't be combined in one file")
            }
            Error::NoRecipients => f.write_str("missing recipients"),
            Error::InvalidRecipient(m) | Error::InvalidIdentity(m) | Error::Recipient(m) => {
                f.write_str(m)
            }
            Error::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        FormatError::from(e).into()
    }
}

impl From<FormatError> for Error {
    fn from(e: FormatError) -> Self {
        match e {
            FormatError::Armor(m) => Error::Armor(m),
            FormatError::Header(m) => Error::Header(m),
            FormatError::Hmac => Error::HeaderMac,
            FormatError::Payload(m) => Error::Payload(m),
            FormatError::Truncated(part, reason) => Error::Truncated { part, reason },
            FormatError::NoMatch(stanza_types) => Error::NoMatch { stanza_types },
            FormatError::WorkFactor(required) => Error::WorkFactorLimit { required },
            FormatError::MixedRecipients { postquantum } => {
                Error::IncompatibleRecipients { postquantum }
            }
            FormatError::NoRecipients => Error::NoRecipients,
            e @ (FormatError::Wrap(_) | FormatError::Plugin(_)) => Error::Recipient(e.to_string()),
            FormatError::Read(e) | FormatError::Io(e) => Error::Io(e),
        }
    }
}
