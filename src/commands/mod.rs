//! The subcommands: each turns parsed arguments into work on the library.
//! No cryptography here.

pub mod contact;
pub mod inspect;
pub mod keygen;
pub mod open;
pub mod seal;

use std::path::PathBuf;

use crate::error::{quote, Error};
use crate::keys::{self, RecipientEntry};

/// The environment variable naming the default identity file.
pub const ENV_IDENTITY: &str = "LOCKBOX_IDENTITY";

/// The default identity file: `$LOCKBOX_IDENTITY`, else
/// `$XDG_CONFIG_HOME/lockbox/identity.txt`, else
/// `~/.config/lockbox/identity.txt`.
pub fn default_identity_path() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os(ENV_IDENTITY).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    Ok(config_dir()?.join("identity.txt"))
}

/// lockbox's configuration folder.
pub fn config_dir() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("XDG_CONFIG_HOME").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p).join("lockbox"));
    }
    match std::env::var_os("HOME").filter(|p| !p.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".config").join("lockbox")),
        None => Err(Error::failure(
            "cannot find the configuration folder: neither XDG_CONFIG_HOME nor HOME is set",
        )
        .hint(format!(
            "set {ENV_IDENTITY}, or use -i/--identity or -o/--output"
        ))
        .into()),
    }
}

/// Parses a recipient given on the command line (`seal -r`, `contact add`),
/// naming it in the error as every message names a user string: through
/// [`quote`], which never shows key material.
pub fn parse_recipient_argument(r: &str) -> Result<RecipientEntry, Error> {
    keys::parse_recipient(r).map_err(|e| {
        let mut err = Error::usage(format!("{}: {}", e.message, quote(r)));
        err.hints = e.hints;
        err
    })
}
