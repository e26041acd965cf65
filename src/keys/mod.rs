//! Identity files, recipient strings and recipients files: parsing them,
//! and turning them into the `age` crate's recipient and identity types.

pub(crate) mod checks;
#[cfg(feature = "cli")]
pub(crate) mod contacts;
pub(crate) mod pq;
#[cfg(feature = "cli")]
pub(crate) mod probe;
pub(crate) mod protected;
pub(crate) mod sender;
#[cfg(test)]
mod sender_vectors;

use std::path::Path;
use std::str::FromStr;

use age::secrecy::ExposeSecret as _;
use zeroize::Zeroizing;

use crate::error::{file_error, quote, Error};

pub(crate) use protected::{Unlock, DEFAULT_MAX_WORK_FACTOR};

/// Largest identity or recipients file read, as age.
pub const MAX_KEY_FILE: u64 = 16 * 1024 * 1024;
/// Most recipients accepted for one file.
pub const MAX_RECIPIENTS: usize = 10_000;
/// Most identities accepted in all identity files together.
pub const MAX_IDENTITIES: usize = 10_000;

/// One identity from an identity file.
pub(crate) enum IdentityEntry {
    /// `AGE-SECRET-KEY-1...`
    X25519(age::x25519::Identity),
    /// `AGE-SECRET-KEY-PQ-1...`
    Pq(pq::Identity),
    /// `AGE-PLUGIN-NAME-1...`
    Plugin(age::plugin::Identity),
    /// An OpenSSH or PEM private key.
    Ssh(age::ssh::Identity),
}

impl IdentityEntry {
    /// The recipient string of this identity, checked as any recipient is
    /// ([`parse_recipient`]): the public key in an SSH private key file is
    /// stored beside the private key, not derived from it, so a crafted
    /// file can hold any key, a low-order one included.
    pub(crate) fn recipient(&self) -> anyhow::Result<String> {
        let r = match self {
            IdentityEntry::X25519(i) => i.to_public().to_string(),
            IdentityEntry::Pq(i) => i.to_recipient().to_string(),
            IdentityEntry::Plugin(i) => {
                return Err(Error::failure(format!(
                    "the recipient of a plugin identity ({}) comes from the plugin itself",
                    i.plugin()
                ))
                .hint(format!("run age-plugin-{} to get it", i.plugin()))
                .into())
            }
            IdentityEntry::Ssh(i) => age::ssh::Recipient::try_from(i.clone())
                .map_err(|_| Error::failure("this SSH key type has no age recipient"))?
                .to_string(),
        };
        parse_recipient(&r)?;
        Ok(r)
    }
}

/// One recipient, parsed.
pub(crate) enum RecipientEntry {
    /// `age1...`
    X25519(age::x25519::Recipient),
    /// `age1pq1...` (boxed: 1.2 KB of key)
    Pq(Box<pq::Recipient>),
    /// `ssh-ed25519 ...` or `ssh-rsa ...`
    Ssh(age::ssh::Recipient),
    /// `age1NAME1...`
    Plugin(age::plugin::Recipient),
}

impl RecipientEntry {
    /// The recipient in its canonical form (SSH keys without their comment):
    /// what fingerprints are computed over and contact files hold.
    pub(crate) fn canonical(&self) -> String {
        match self {
            RecipientEntry::X25519(r) => r.to_string(),
            RecipientEntry::Pq(r) => r.to_string(),
            RecipientEntry::Ssh(r) => r.to_string(),
            RecipientEntry::Plugin(r) => r.to_string(),
        }
    }
}

/// Stanza types of classic recipients, which a quantum computer could break.
const CLASSIC_TYPES: [&str; 5] = ["X25519", "ssh-rsa", "ssh-ed25519", "p256tag", "piv-p256"];
/// Stanza types safe from a quantum computer: the post-quantum hybrids, and
/// scrypt (a passphrase: symmetric).
const POSTQUANTUM_TYPES: [&str; 3] = [pq::STANZA_TAG, "mlkem768p256tag", "scrypt"];

/// Whether a file sealed with these stanza types is post-quantum, as Go
/// age's age-inspect decides: "no" when any stanza is classic, "yes" when
/// all are post-quantum, "unknown" otherwise (plugin or unknown types).
pub(crate) fn postquantum(stanza_types: &[String]) -> &'static str {
    if stanza_types
        .iter()
        .any(|s| CLASSIC_TYPES.contains(&s.as_str()))
    {
        "no"
    } else if !stanza_types.is_empty()
        && stanza_types
            .iter()
            .all(|s| POSTQUANTUM_TYPES.contains(&s.as_str()))
    {
        "yes"
    } else {
        "unknown"
    }
}

/// The fingerprint of a recipient, for comparing keys by voice or on paper.
///
/// SHA-256 over the UTF-8 bytes of the canonical recipient string (as
/// [`RecipientEntry::canonical`] prints it, no line ending); the first 10
/// bytes, as 20 lower-case hex digits in 5 groups of 4 separated by single
/// spaces. The same construction serves every recipient type, post-quantum
/// ones included: 80 bits, enough to catch a substituted key by eye.
pub(crate) fn fingerprint(canonical_recipient: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(canonical_recipient.as_bytes());
    digest[..10]
        .chunks(2)
        .map(|pair| format!("{:02x}{:02x}", pair[0], pair[1]))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses one recipient string, or says what is wrong with it.
///
/// Every recipient lockbox seals to passes here (`-r`, `-R`, contacts, the
/// recipient of a `-i` identity), so the checks of [`checks`] that the
/// `age` crate lacks apply to all of them.
pub(crate) fn parse_recipient(s: &str) -> Result<RecipientEntry, Error> {
    let entry = parse_recipient_unchecked(s)?;
    checks::check_recipient(&entry).map_err(|why| {
        Error::usage(format!("invalid recipient: {why}"))
            .hint("it is not anyone's real public key: ask its owner for theirs again")
    })?;
    Ok(entry)
}

fn parse_recipient_unchecked(s: &str) -> Result<RecipientEntry, Error> {
    let s = s.trim();
    if s.starts_with("age1pq1") {
        return pq::Recipient::from_str(s)
            .map(|r| RecipientEntry::Pq(Box::new(r)))
            .map_err(|e| Error::usage(format!("invalid post-quantum recipient: {e}")));
    }
    if let Ok(r) = age::x25519::Recipient::from_str(s) {
        return Ok(RecipientEntry::X25519(r));
    }
    if s.starts_with("age1") {
        if let Ok(r) = age::plugin::Recipient::from_str(s) {
            return Ok(RecipientEntry::Plugin(r));
        }
        return Err(Error::usage(
            "invalid recipient: it starts with 'age1' but is not a valid X25519 or plugin recipient",
        )
        .hint("check that it was copied whole"));
    }
    if s.starts_with("ssh-") {
        checks::check_ssh_rsa_recipient(s).map_err(|why| {
            Error::usage(format!("invalid recipient: {why}"))
                .hint("ask its owner for their public key again")
        })?;
        return age::ssh::Recipient::from_str(s)
            .map(RecipientEntry::Ssh)
            .map_err(|e| {
                let why = match e {
                    // The age crate says "unsupported" for a key of a type
                    // it supports whose numbers are wrong: say which.
                    age::ssh::ParseRecipientKeyError::Unsupported(t) => {
                        match checks::explain_ssh_key(s) {
                            Some(why) => {
                                return Error::usage(format!("invalid recipient: {why}"))
                                    .hint("ask its owner for their public key again")
                            }
                            None => format!("unsupported SSH key type {}", quote(&t)),
                        }
                    }
                    age::ssh::ParseRecipientKeyError::RsaModulusTooLarge => {
                        "the SSH RSA key is too large".into()
                    }
                    age::ssh::ParseRecipientKeyError::RsaModulusTooSmall => {
                        "the SSH RSA key is too small".into()
                    }
                    _ => "not a valid SSH public key".into(),
                };
                Error::usage(format!("invalid recipient: {why}"))
                    .hint("lockbox accepts ssh-ed25519 and ssh-rsa public keys")
            });
    }
    if s.starts_with("AGE-SECRET-KEY-") || s.starts_with("AGE-PLUGIN-") {
        return Err(Error::usage("invalid recipient: this is an identity (a private key), not a recipient")
            .hint("use -i/--identity FILE to seal to the recipient of an identity file, and keep identities secret"));
    }
    Err(Error::usage("invalid recipient")
        .hint("recipients look like age1..., age1pq1..., ssh-ed25519 AAAA... or ssh-rsa AAAA..."))
}

/// Reads a key file (`-` is stdin) of at most [`MAX_KEY_FILE`] bytes. Into a
/// [`SecretBuffer`](crate::secret::SecretBuffer) whatever the file: identity
/// files are secrets, and one reader serves every key file.
pub(crate) fn read_key_file(path: &Path, what: &str) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    let max = MAX_KEY_FILE as usize;
    let result = if path == Path::new("-") {
        crate::secret::stdin_file().and_then(|mut f| {
            let mut data = crate::secret::SecretBuffer::default();
            data.read_from(&mut f, max).map(|()| data)
        })
    } else {
        std::fs::File::open(path).and_then(|mut f| {
            // Sized from the file, so the buffer rarely has to move.
            let size = f.metadata().map(|m| m.len()).unwrap_or(0);
            let mut data = crate::secret::SecretBuffer::with_capacity(
                (size as usize).min(max).saturating_add(1),
            );
            data.read_from(&mut f, max).map(|()| data)
        })
    };
    let data = result.map_err(|e| file_error(&format!("read {what}"), path, e))?;
    if data.len() > max {
        return Err(Error::failure(format!(
            "{what} {} is larger than {} MiB",
            quote(path),
            MAX_KEY_FILE >> 20
        ))
        .into());
    }
    Ok(data.into_inner())
}

/// Parses line `number` of a recipients or contact file (`what`): `None` for
/// a blank line or a `#` comment, else the recipient, or an error naming the
/// file and the line.
pub(crate) fn recipient_line(
    what: &str,
    path: &Path,
    number: usize,
    line: &str,
) -> Result<Option<RecipientEntry>, Error> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    parse_recipient(line).map(Some).map_err(|e| {
        let mut err = Error::usage(format!(
            "{what} {} line {number}: {}",
            quote(path),
            e.message
        ));
        err.hints = e.hints;
        err
    })
}

/// Refuses a recipients or contact file (`what`) holding more than
/// [`MAX_RECIPIENTS`] recipients once `count` are read.
pub(crate) fn check_recipient_count(what: &str, path: &Path, count: usize) -> Result<(), Error> {
    if count > MAX_RECIPIENTS {
        return Err(Error::usage(format!(
            "{what} {} has more than {MAX_RECIPIENTS} recipients",
            quote(path)
        )));
    }
    Ok(())
}

/// Reads a recipients file: one recipient per line, `#` comments and blank
/// lines allowed.
pub(crate) fn read_recipients_file(path: &Path) -> anyhow::Result<Vec<RecipientEntry>> {
    let data = read_key_file(path, "recipients file")?;
    Ok(parse_recipients_bytes(path, &data)?)
}

/// Parses the contents of a recipients file; `path` names it in messages.
pub(crate) fn parse_recipients_bytes(
    path: &Path,
    data: &[u8],
) -> Result<Vec<RecipientEntry>, Error> {
    let text = std::str::from_utf8(data)
        .map_err(|_| Error::usage(format!("recipients file {} is not text", quote(path))))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(r) = recipient_line("recipients file", path, i + 1, line)? {
            out.push(r);
            check_recipient_count("recipients file", path, out.len())?;
        }
    }
    if out.is_empty() {
        return Err(Error::usage(format!(
            "recipients file {} has no recipients",
            quote(path)
        )));
    }
    Ok(out)
}

fn not_identity_file(path: &Path, line: Option<usize>) -> Error {
    let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
    Error::failure(format!("{} is not an identity file{at}", quote(path)))
    .hint("identity files hold AGE-SECRET-KEY-1... lines, as written by 'lockbox keygen' or 'age-keygen', or an SSH private key")
}

/// Reads an identity file: age identities, an SSH private key, or a
/// passphrase-protected (sealed) identity file.
pub(crate) fn read_identity_file(
    path: &Path,
    unlock: &mut dyn Unlock,
) -> anyhow::Result<Vec<IdentityEntry>> {
    let data = read_key_file(path, "identity file")?;
    parse_identity_bytes(path, &data, unlock)
}

/// Parses the contents of an identity file; `path` names it in messages.
/// A protected identity file is opened with a passphrase from `unlock`.
pub(crate) fn parse_identity_bytes(
    path: &Path,
    data: &[u8],
    unlock: &mut dyn Unlock,
) -> anyhow::Result<Vec<IdentityEntry>> {
    if protected::is_sealed(data) {
        let plain = protected::open_protected_identity(path, data, unlock)?;
        if protected::is_sealed(&plain) {
            return Err(not_identity_file(path, None).into());
        }
        return parse_identity_text(path, &plain);
    }
    parse_identity_text(path, data)
}

/// Parses identities (or an SSH private key) from an identity file's text.
fn parse_identity_text(path: &Path, data: &[u8]) -> anyhow::Result<Vec<IdentityEntry>> {
    let text = std::str::from_utf8(data).map_err(|_| not_identity_file(path, None))?;
    let first = text.trim_start();
    if first.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----")
        || first.starts_with("-----BEGIN RSA PRIVATE KEY-----")
    {
        checks::check_openssh_private_key(first)
            .map_err(|why| Error::failure(format!("identity file '{}': {why}", path.display())))?;
        let id =
            age::ssh::Identity::from_buffer(first.as_bytes(), Some(path.display().to_string()))
                .map_err(|_| not_identity_file(path, None))?;
        if let age::ssh::Identity::Unsupported(k) = &id {
            let why = match k {
                age::ssh::UnsupportedKey::Type(t) => format!("the key type '{t}' is not supported"),
                age::ssh::UnsupportedKey::Hardware(t) => {
                    format!("'{t}' is a hardware security key, which needs a plugin")
                }
                age::ssh::UnsupportedKey::EncryptedPem => {
                    "it is an encrypted PEM key; convert it with 'ssh-keygen -o -p'".into()
                }
                age::ssh::UnsupportedKey::EncryptedSsh(c) => {
                    format!("it is encrypted with the unsupported cipher '{c}'")
                }
            };
            return Err(
                Error::usage(format!("unsupported SSH key in {}: {why}", quote(path)))
                    .hint("lockbox accepts ssh-ed25519 and ssh-rsa keys")
                    .into(),
            );
        }
        return Ok(vec![IdentityEntry::Ssh(id)]);
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let entry = if line.starts_with("AGE-SECRET-KEY-PQ-1") {
            pq::Identity::from_str(line).ok().map(IdentityEntry::Pq)
        } else if line.starts_with("AGE-SECRET-KEY-1") {
            age::x25519::Identity::from_str(line)
                .ok()
                .map(IdentityEntry::X25519)
        } else if line.starts_with("AGE-PLUGIN-") {
            age::plugin::Identity::from_str(line)
                .ok()
                .map(IdentityEntry::Plugin)
        } else {
            None
        };
        match entry {
            Some(e) => out.push(e),
            None => return Err(not_identity_file(path, Some(i + 1)).into()),
        }
        if out.len() > MAX_IDENTITIES {
            return Err(Error::failure(format!(
                "identity file {} has more than {MAX_IDENTITIES} identities",
                quote(path)
            ))
            .into());
        }
    }
    if out.is_empty() {
        if path == Path::new("-") {
            return Err(Error::failure(NO_IDENTITIES_ON_STDIN)
                .hint("pipe an identity file in, or name the file instead of '-'")
                .into());
        }
        return Err(
            Error::failure(format!("identity file {} holds no identities", quote(path))).into(),
        );
    }
    Ok(out)
}

/// The error of [`read_identity_file`] for an empty standard input (or
/// one with only comments), which `keygen -y` adds its own hint to.
pub(crate) const NO_IDENTITIES_ON_STDIN: &str = "standard input holds no identities";

/// The stanza tag of an SSH key: the first argument of its `ssh-ed25519`
/// and `ssh-rsa` stanzas, the first 4 bytes of SHA-256 over the key's
/// public SSH wire form, in unpadded base64 (as age writes it).
fn ssh_stanza_tag(id: &age::ssh::Identity) -> Option<String> {
    use base64::Engine;
    use sha2::Digest;
    let recipient = age::ssh::Recipient::try_from(id.clone()).ok()?.to_string();
    let wire = base64::engine::general_purpose::STANDARD
        .decode(recipient.split_whitespace().nth(1)?)
        .ok()?;
    let digest = sha2::Sha256::digest(&wire);
    Some(base64::engine::general_purpose::STANDARD_NO_PAD.encode(&digest[..4]))
}

/// Decrypts the passphrase-protected SSH keys among `entries` (read from
/// the identity file `path`) that a stanza of the file (`stanzas`) is
/// addressed to, asking `unlock` with lockbox's own prompt; one that no
/// stanza's tag matches is dropped unasked, since it cannot open the file
/// (issue 13). The age crate would ask for every stanza, matching or not.
pub(crate) fn unlock_ssh_keys(
    entries: Vec<IdentityEntry>,
    path: &Path,
    stanzas: &[age_core::format::Stanza],
    unlock: &mut dyn Unlock,
) -> anyhow::Result<Vec<IdentityEntry>> {
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let (id, key) = match &e {
            IdentityEntry::Ssh(id @ age::ssh::Identity::Encrypted(key)) => (id, key),
            _ => {
                out.push(e);
                continue;
            }
        };
        let Some(tag) = ssh_stanza_tag(id) else {
            continue;
        };
        let addressed = stanzas.iter().any(|s| {
            matches!(s.tag.as_str(), "ssh-ed25519" | "ssh-rsa")
                && s.args.first().is_some_and(|a| *a == tag)
        });
        if !addressed {
            continue;
        }
        let pass = unlock.passphrase(&format!("Passphrase for SSH key {}: ", quote(path)))?;
        let key = key.decrypt(pass).map_err(|_| {
            Error::failure(format!("incorrect passphrase for SSH key {}", quote(path)))
                .hint("check the passphrase: it is the one 'ssh-keygen -p' sets")
        })?;
        out.push(IdentityEntry::Ssh(key.into()));
    }
    Ok(out)
}

/// Turns identities into the `age` crate's identity objects, grouping
/// plugin identities by plugin.
pub(crate) fn to_age_identities<C: age::Callbacks>(
    entries: Vec<IdentityEntry>,
    callbacks: &C,
) -> anyhow::Result<Vec<Box<dyn age::Identity>>> {
    let mut out: Vec<Box<dyn age::Identity>> = Vec::new();
    let mut plugins: Vec<age::plugin::Identity> = Vec::new();
    for e in entries {
        match e {
            IdentityEntry::X25519(i) => out.push(Box::new(i)),
            IdentityEntry::Pq(i) => out.push(Box::new(i)),
            IdentityEntry::Ssh(i) => out.push(checks::ssh_identity(i, callbacks.clone())),
            IdentityEntry::Plugin(i) => plugins.push(i),
        }
    }
    let mut names: Vec<String> = plugins.iter().map(|p| p.plugin().to_owned()).collect();
    names.sort();
    names.dedup();
    for name in names {
        let p = age::plugin::IdentityPluginV1::new(&name, &plugins, callbacks.clone())
            .map_err(|e| plugin_missing(&name, e))?;
        out.push(Box::new(p));
    }
    Ok(out)
}

fn plugin_missing(name: &str, e: age::plugin::ResolveError) -> Error {
    let why = match e {
        age::plugin::ResolveError::MissingPlugin { .. } => "it is not on $PATH".to_owned(),
        other => other.to_string().to_lowercase(),
    };
    Error::failure(format!(
        "the plugin age-plugin-{name} cannot be used: {why}"
    ))
    .hint(format!("install age-plugin-{name} somewhere on $PATH"))
}

/// Turns recipients into the `age` crate's recipient objects, grouping
/// plugin recipients (and plugin identities given with `seal -i`) by plugin.
pub(crate) fn to_age_recipients<C: age::Callbacks>(
    entries: Vec<RecipientEntry>,
    plugin_identities: Vec<age::plugin::Identity>,
    callbacks: &C,
) -> anyhow::Result<Vec<Box<dyn age::Recipient + Send>>> {
    let mut out: Vec<Box<dyn age::Recipient + Send>> = Vec::new();
    let mut plugins: Vec<age::plugin::Recipient> = Vec::new();
    for e in entries {
        match e {
            RecipientEntry::X25519(r) => out.push(Box::new(r)),
            RecipientEntry::Pq(r) => out.push(r),
            RecipientEntry::Ssh(r) => out.push(Box::new(r)),
            RecipientEntry::Plugin(r) => plugins.push(r),
        }
    }
    let mut names: Vec<String> = plugins
        .iter()
        .map(|p| p.plugin().to_owned())
        .chain(plugin_identities.iter().map(|i| i.plugin().to_owned()))
        .collect();
    names.sort();
    names.dedup();
    for name in names {
        let p = age::plugin::RecipientPluginV1::new(
            &name,
            &plugins,
            &plugin_identities,
            callbacks.clone(),
        )
        .map_err(|e| plugin_missing(&name, e))?;
        out.push(Box::new(p));
    }
    Ok(out)
}

/// Renders the identity file text for a new identity.
pub(crate) fn identity_file_text(secret: &str, recipient: &str) -> zeroize::Zeroizing<String> {
    let created = created_timestamp();
    zeroize::Zeroizing::new(format!(
        "# created: {created}\n# public key: {recipient}\n{secret}\n"
    ))
}

/// The current UTC time as RFC 3339, without a date crate.
pub(crate) fn created_timestamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A secret string for a new X25519 identity.
pub(crate) fn x25519_secret(id: &age::x25519::Identity) -> zeroize::Zeroizing<String> {
    zeroize::Zeroizing::new(id.to_string().expose_secret().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postquantum_rule() {
        let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(postquantum(&v(&["mlkem768x25519"])), "yes");
        assert_eq!(postquantum(&v(&["scrypt"])), "yes");
        assert_eq!(postquantum(&v(&["mlkem768x25519", "X25519"])), "no");
        assert_eq!(postquantum(&v(&["lockboxtest"])), "unknown");
        assert_eq!(
            postquantum(&v(&["mlkem768x25519", "lockboxtest"])),
            "unknown"
        );
    }

    #[test]
    fn timestamps_are_rfc3339() {
        let t = created_timestamp();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.ends_with('Z'));
    }

    #[test]
    fn identities_are_not_recipients() {
        let e = parse_recipient(
            "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0",
        )
        .err()
        .unwrap();
        assert!(e.message.contains("identity"));
    }
}
