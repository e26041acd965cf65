//! Passphrases as keys: passphrase-sealed files (one scrypt stanza), and
//! identity files protected that way, which age, rage and typage open too.

use std::path::Path;

use anyhow::Context;
use secrecy::SecretString;

use crate::error::{quote, Error};
use crate::format::{self, stream, FormatError, SealOptions, Sealer, StreamOptions};
use crate::secret::SecretBuffer;

/// The work factor (log2 N) of new passphrase stanzas, as Go age.
pub(crate) const SCRYPT_WORK_FACTOR: u8 = 18;

/// The highest scrypt work factor (log2 of N) accepted by default, as Go age.
pub const DEFAULT_MAX_WORK_FACTOR: u8 = 22;

/// Where the passphrase of a protected identity file comes from.
pub(crate) trait Unlock {
    /// Asks for the passphrase; `prompt` names the identity file.
    fn passphrase(&mut self, prompt: &str) -> anyhow::Result<SecretString>;

    /// The highest scrypt work factor accepted for the identity file:
    /// `None` is [`DEFAULT_MAX_WORK_FACTOR`], and means the caller offers no
    /// way to raise it.
    fn max_work_factor(&self) -> Option<u8>;
}

/// The recipient of a new passphrase-sealed file.
pub(crate) fn passphrase_recipient(passphrase: SecretString) -> age::scrypt::Recipient {
    let mut r = age::scrypt::Recipient::new(passphrase);
    r.set_work_factor(SCRYPT_WORK_FACTOR);
    r
}

/// The identity that opens a passphrase-sealed file, refusing work factors
/// above `max_work_factor`.
pub(crate) fn passphrase_identity(
    passphrase: SecretString,
    max_work_factor: u8,
) -> age::scrypt::Identity {
    let mut id = age::scrypt::Identity::new(passphrase);
    id.set_max_work_factor(max_work_factor);
    id
}

/// Whether key file contents are a sealed file (binary or armored) rather
/// than identities: a protected identity file.
pub(crate) fn is_sealed(data: &[u8]) -> bool {
    let start = data
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(data.len());
    data[start..].starts_with(format::VERSION_LINE.as_bytes())
        || data[start..].starts_with(format::armor::BEGIN.as_bytes())
}

/// Seals an identity file's text with a passphrase: an armored age file
/// with one scrypt stanza, which age, rage and typage open as an identity
/// file.
pub(crate) fn protect(
    text: &str,
    passphrase: SecretString,
) -> anyhow::Result<zeroize::Zeroizing<String>> {
    let recipient = passphrase_recipient(passphrase);
    let mut sealed = Vec::new();
    Sealer::new(&[&recipient])?.seal(
        text.as_bytes(),
        &mut sealed,
        SealOptions {
            armor: true,
            stream: StreamOptions { threads: 1 },
        },
        &mut |_| {},
    )?;
    // Armor is ASCII by construction.
    Ok(zeroize::Zeroizing::new(
        String::from_utf8(sealed).context("armored output is not text")?,
    ))
}

/// Opens a passphrase-protected identity file's contents.
pub(crate) fn open_protected_identity(
    path: &Path,
    data: &[u8],
    unlock: &mut dyn Unlock,
) -> anyhow::Result<zeroize::Zeroizing<Vec<u8>>> {
    let sealed = format::read_header(data).map_err(|e| {
        anyhow::Error::new(e).context(format!("failed to read identity file {}", quote(path)))
    })?;
    if !format::is_passphrase_sealed(&sealed.header).unwrap_or(false) {
        return Err(Error::failure(format!(
            "identity file {} is a sealed file but not passphrase-protected",
            quote(path)
        ))
        .into());
    }
    let limit = unlock.max_work_factor().unwrap_or(DEFAULT_MAX_WORK_FACTOR);
    let raisable = unlock.max_work_factor().is_some();
    // Too much work is refused before a passphrase is asked (issue 10).
    format::scrypt::check_work(&sealed.header, Some(limit))
        .map_err(|e| identity_error(e, path, raisable, limit))?;
    let pass = unlock.passphrase(&format!("Passphrase for identity file {}: ", quote(path)))?;
    let id = passphrase_identity(pass, limit);
    let key = format::unwrap_file_key(&sealed.header, &[&id])
        .map_err(|e| identity_error(e, path, raisable, limit))?;
    // The plaintext is shorter than the sealed file: sized up front, the
    // buffer never moves and leaves no copy behind (issue 10).
    let mut plain = SecretBuffer::with_capacity(data.len());
    stream::open_secret_payload(
        &key,
        sealed.payload,
        &mut plain,
        StreamOptions { threads: 1 },
    )
    .map_err(|e| {
        anyhow::Error::new(FormatError::from(e))
            .context(format!("failed to open identity file {}", quote(path)))
    })?;
    Ok(plain.into_inner())
}

/// Says why a protected identity file could not be opened. The file is the
/// user's own and intact: one that asks for more work or memory than
/// allowed is a failure (exit 1), not a tampered input (exit 4), with the
/// way out that exists here (`raisable`: the caller takes a higher limit).
fn identity_error(e: FormatError, path: &Path, raisable: bool, limit: u8) -> anyhow::Error {
    match e {
        FormatError::NoMatch(_) => Error::failure(format!(
            "wrong passphrase for identity file {}",
            quote(path)
        ))
        .into(),
        FormatError::WorkFactor(found) => {
            let way_out = if raisable {
                "if you trust this identity file, raise the limit with"
            } else {
                "only 'lockbox open' accepts more, with"
            };
            Error::failure(format!(
                "identity file {} is protected with work factor 2^{found}, above the accepted limit 2^{limit}",
                quote(path)
            ))
            .hint(format!("{way_out} --max-work-factor {found}"))
            .into()
        }
        fe @ FormatError::Memory { .. } => Error::failure(format!(
            "identity file {} cannot be opened here: {fe}",
            quote(path)
        ))
        .hint("open it where that much memory is free")
        .into(),
        e => anyhow::Error::new(e).context(format!("failed to open identity file {}", quote(path))),
    }
}
