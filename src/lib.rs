//! lockbox seals files and messages to a recipient's public key, in the
//! [age v1](https://age-encryption.org/v1) format, byte for byte: what it
//! seals opens with age, rage and typage, and the other way round.
//!
//! This is the library: [`seal`] and [`open`] streams with [`Recipient`]s
//! and [`Identity`]s, [`Options`] and a typed [`Error`]; [`Encryptor`] and
//! [`Decryptor`] split the same work in two steps, sign as a sender
//! ([`Encryptor::sign`], lockbox-sender/v1) and, through a spool that the
//! caller gives ([`Decryptor::open_spooled`], [`Opened`]), check who
//! sealed a file before a byte of it is released. It needs no terminal,
//! environment or file system: any [`Read`](std::io::Read) and
//! [`Write`](std::io::Write) will do, in-memory buffers included.
//!
//! ```
//! use lockbox::{Identity, Options};
//!
//! let identity = Identity::generate();
//! let recipient = identity.to_recipient()?;
//!
//! let mut sealed = Vec::new();
//! lockbox::seal(&[recipient], &b"meet at noon"[..], &mut sealed, &Options::default())?;
//!
//! let mut plain = Vec::new();
//! lockbox::open(&[identity], &sealed[..], &mut plain, &Options::default())?;
//! assert_eq!(plain, b"meet at noon");
//! # Ok::<(), lockbox::Error>(())
//! ```
//!
//! The `lockbox` command line is built on the same engine; it sits behind
//! the `cli` feature (on by default), which only the binary uses.

#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]
// Every dependency is used directly (dev-dependencies are the tests').
#![cfg_attr(not(test), warn(unused_crate_dependencies))]
#![cfg_attr(not(feature = "cli"), allow(dead_code))]

mod api;
mod error;
mod format;
mod keys;
mod secret;

#[cfg(feature = "cli")]
mod cli;
#[cfg(feature = "cli")]
mod commands;
#[cfg(feature = "cli")]
mod config;
/// Man pages and completions from the clap definition, compared with the
/// committed files by its tests.
#[cfg(all(test, feature = "cli"))]
mod generate;
#[cfg(feature = "cli")]
mod io;
#[cfg(feature = "cli")]
mod passphrase;
#[cfg(feature = "cli")]
mod progress;
#[cfg(feature = "cli")]
mod run;

#[cfg(feature = "cli")]
pub use run::run_main;

pub use api::{
    open, seal, Decryptor, Encryptor, Error, Identity, Opened, Options, Part, Recipient, Sender,
};

/// The sizes of the age v1 payload: chunks of [`CHUNK`](layout::CHUNK)
/// plaintext bytes, each sealed with a [`TAG`](layout::TAG)-byte tag, after
/// a [`NONCE`](layout::NONCE)-byte nonce.
pub mod layout {
    pub use crate::format::stream::{CHUNK, ENC_CHUNK, NONCE, TAG};
    pub use crate::format::VERSION_LINE;
}

/// The limits that keep hostile input from exhausting memory or time.
pub mod limits {
    pub use crate::format::header::{
        MAX_HEADER, MAX_HEADER_ARGS, MAX_LINE, MAX_STANZAS, MAX_STANZA_ARGS,
    };
    pub use crate::keys::protected::DEFAULT_MAX_WORK_FACTOR;
    pub use crate::keys::{MAX_IDENTITIES, MAX_KEY_FILE, MAX_RECIPIENTS};
}

/// The engine's properties for the fuzz targets (`cargo fuzz` builds with
/// `--cfg fuzzing`); not part of the API.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;

/// The README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
