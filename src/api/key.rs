//! Recipients and identities as values, parsed from strings and bytes.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};

use super::Error;
use crate::keys::{self, pq, IdentityEntry, RecipientEntry};

/// Who a file is sealed to: a public key, or a passphrase.
///
/// Parse one from its string with [`str::parse`]: `age1...` (X25519),
/// `age1pq1...` (post-quantum hybrid, ML-KEM-768 + X25519), `ssh-ed25519
/// ...` or `ssh-rsa ...`. Plugin recipients (`age1NAME1...`) need the
/// command line, which can run the plugin.
///
/// ```
/// let r: lockbox::Recipient = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p".parse()?;
/// assert_eq!(r.fingerprint().unwrap(), "cf7e 5682 3131 5068 5bf1");
/// # Ok::<(), lockbox::Error>(())
/// ```
pub struct Recipient(RecipientKind);

enum RecipientKind {
    Key(RecipientEntry),
    Passphrase(age::scrypt::Recipient),
    Custom(Box<dyn age::Recipient + Send + Sync>),
}

impl Recipient {
    /// Seals with a passphrase (scrypt, work factor 2^18, as age). A
    /// passphrase must be a file's only recipient.
    pub fn passphrase(passphrase: SecretString) -> Self {
        Self(RecipientKind::Passphrase(
            keys::protected::passphrase_recipient(passphrase),
        ))
    }

    /// A recipient type of your own, through the `age` crate's trait (as
    /// the age plugins written in Rust implement it). Its stanzas go into
    /// the header as it returns them; its labels must agree with the other
    /// recipients' (see [`Error::MixedRecipients`]).
    pub fn from_age(recipient: impl age::Recipient + Send + Sync + 'static) -> Self {
        Self(RecipientKind::Custom(Box::new(recipient)))
    }

    /// Parses a recipients file: one recipient per line, `#` comments and
    /// blank lines allowed, at least one recipient.
    pub fn parse_file(data: &[u8]) -> Result<Vec<Recipient>, Error> {
        let entries = keys::parse_recipients_bytes(Path::new("recipients"), data)
            .map_err(|e| Error::InvalidRecipient(e.message))?;
        entries.into_iter().map(Self::from_entry).collect()
    }

    fn from_entry(entry: RecipientEntry) -> Result<Self, Error> {
        if let RecipientEntry::Plugin(p) = &entry {
            return Err(Error::InvalidRecipient(format!(
                "plugin recipients (age-plugin-{}) are for the command line",
                p.plugin()
            )));
        }
        Ok(Self(RecipientKind::Key(entry)))
    }

    /// The fingerprint to compare by voice or on paper (5 groups of 4 hex
    /// digits, from SHA-256 of the recipient string); `None` for a
    /// passphrase.
    pub fn fingerprint(&self) -> Option<String> {
        match &self.0 {
            RecipientKind::Key(e) => Some(keys::fingerprint(&e.canonical())),
            RecipientKind::Passphrase(_) | RecipientKind::Custom(_) => None,
        }
    }

    /// B_i of a recipient that can verify a sender seal (X25519 and
    /// post-quantum ones).
    pub(crate) fn sender_key(&self) -> Option<[u8; 32]> {
        match &self.0 {
            RecipientKind::Key(e) => keys::sender::recipient_key(e),
            _ => None,
        }
    }

    pub(crate) fn as_age(&self) -> &dyn age::Recipient {
        match &self.0 {
            RecipientKind::Key(RecipientEntry::X25519(r)) => r,
            RecipientKind::Key(RecipientEntry::Pq(r)) => r.as_ref(),
            RecipientKind::Key(RecipientEntry::Ssh(r)) => r,
            RecipientKind::Key(RecipientEntry::Plugin(_)) => {
                unreachable!("from_entry refuses plugin recipients")
            }
            RecipientKind::Passphrase(r) => r,
            RecipientKind::Custom(r) => r.as_ref(),
        }
    }
}

impl FromStr for Recipient {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let entry = keys::parse_recipient(s).map_err(|e| Error::InvalidRecipient(e.message))?;
        Self::from_entry(entry)
    }
}

/// The canonical recipient string (SSH keys without their comment); a
/// passphrase shows as `<passphrase>`, a [`Recipient::from_age`] one as
/// `<custom recipient>`.
impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            RecipientKind::Key(e) => f.write_str(&e.canonical()),
            RecipientKind::Passphrase(_) => f.write_str("<passphrase>"),
            RecipientKind::Custom(_) => f.write_str("<custom recipient>"),
        }
    }
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recipient({self})")
    }
}

/// What opens a file: a private key, or a passphrase.
///
/// Parse one identity from its string with [`str::parse`]
/// (`AGE-SECRET-KEY-1...` or `AGE-SECRET-KEY-PQ-1...`), or a whole identity
/// file with [`Identity::parse_file`].
///
/// ```
/// let id = lockbox::Identity::generate();
/// let recipient = id.to_recipient()?;
/// assert!(recipient.to_string().starts_with("age1"));
/// # Ok::<(), lockbox::Error>(())
/// ```
pub struct Identity(IdentityKind);

enum IdentityKind {
    Key(IdentityEntry),
    Passphrase(SecretString),
    Custom(Box<dyn age::Identity + Send + Sync>),
}

impl Identity {
    /// A new X25519 identity (`AGE-SECRET-KEY-1...`).
    pub fn generate() -> Self {
        Self(IdentityKind::Key(IdentityEntry::X25519(
            age::x25519::Identity::generate(),
        )))
    }

    /// A new post-quantum hybrid identity (`AGE-SECRET-KEY-PQ-1...`,
    /// ML-KEM-768 + X25519).
    pub fn generate_pq() -> Self {
        Self(IdentityKind::Key(IdentityEntry::Pq(
            pq::Identity::generate(),
        )))
    }

    /// Opens passphrase-sealed files. The work factor accepted is limited
    /// by [`Options::max_work_factor`](crate::Options::max_work_factor).
    pub fn passphrase(passphrase: SecretString) -> Self {
        Self(IdentityKind::Passphrase(passphrase))
    }

    /// An identity type of your own, through the `age` crate's trait.
    pub fn from_age(identity: impl age::Identity + Send + Sync + 'static) -> Self {
        Self(IdentityKind::Custom(Box::new(identity)))
    }

    /// Parses an identity file: `AGE-SECRET-KEY-1...` and
    /// `AGE-SECRET-KEY-PQ-1...` lines with `#` comments, or an unencrypted
    /// SSH private key, or such a file sealed with a passphrase (as
    /// `lockbox keygen --protect` writes). For a sealed one, `passphrase` is
    /// called with a prompt and returns the passphrase, or `None` to give
    /// up; the work factor accepted is the default, 2^22.
    ///
    /// ```
    /// let text = "# created: 2025-01-01T00:00:00Z\n\
    ///             AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0\n";
    /// let ids = lockbox::Identity::parse_file(text.as_bytes(), |_prompt| None)?;
    /// assert_eq!(ids.len(), 1);
    /// # Ok::<(), lockbox::Error>(())
    /// ```
    pub fn parse_file(
        data: &[u8],
        passphrase: impl FnMut(&str) -> Option<SecretString>,
    ) -> Result<Vec<Identity>, Error> {
        let mut unlock = Callback(passphrase);
        let entries = keys::parse_identity_bytes(Path::new("identity"), data, &mut unlock)
            .map_err(|e| Error::InvalidIdentity(crate::error::render(&e)))?;
        entries
            .into_iter()
            .map(|e| match e {
                IdentityEntry::Plugin(p) => Err(Error::InvalidIdentity(format!(
                    "plugin identities (age-plugin-{}) are for the command line",
                    p.plugin()
                ))),
                e => Ok(Self(IdentityKind::Key(e))),
            })
            .collect()
    }

    /// The recipient that seals files to this identity.
    pub fn to_recipient(&self) -> Result<Recipient, Error> {
        match &self.0 {
            IdentityKind::Key(e) => {
                let text = e
                    .recipient()
                    .map_err(|e| Error::InvalidIdentity(crate::error::render(&e)))?;
                text.parse()
            }
            IdentityKind::Passphrase(p) => Ok(Recipient::passphrase(p.clone())),
            IdentityKind::Custom(_) => Err(Error::InvalidIdentity(
                "a custom identity does not tell its recipient".into(),
            )),
        }
    }

    /// The X25519 key that signs and verifies sender seals: native and
    /// post-quantum identities have one; passphrases, SSH and custom
    /// identities do not.
    pub(crate) fn sender_key(&self) -> Option<crate::format::sender::X25519Key> {
        match &self.0 {
            IdentityKind::Key(e) => keys::sender::identity_key(e),
            _ => None,
        }
    }

    /// This identity in the form the engine takes; `max_work_factor`
    /// limits a passphrase.
    pub(crate) fn to_age(&self, max_work_factor: u8) -> Box<dyn age::Identity + '_> {
        match &self.0 {
            IdentityKind::Key(IdentityEntry::X25519(i)) => Box::new(Ref(i)),
            IdentityKind::Key(IdentityEntry::Pq(i)) => Box::new(Ref(i)),
            IdentityKind::Key(IdentityEntry::Ssh(i)) => Box::new(Ref(i)),
            IdentityKind::Key(IdentityEntry::Plugin(_)) => {
                unreachable!("parse_file refuses plugin identities")
            }
            IdentityKind::Passphrase(p) => Box::new(keys::protected::passphrase_identity(
                p.clone(),
                max_work_factor,
            )),
            IdentityKind::Custom(i) => Box::new(Ref(i.as_ref())),
        }
    }
}

impl FromStr for Identity {
    type Err = Error;

    /// Parses one `AGE-SECRET-KEY-1...` or `AGE-SECRET-KEY-PQ-1...` string.
    fn from_str(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        if s.lines().count() != 1 || s.starts_with('#') {
            return Err(Error::InvalidIdentity(
                "an identity is one AGE-SECRET-KEY-1... or AGE-SECRET-KEY-PQ-1... string".into(),
            ));
        }
        let mut ids = Self::parse_file(s.as_bytes(), |_| None)?;
        match (ids.pop(), ids.is_empty()) {
            (Some(id), true) => Ok(id),
            _ => Err(Error::InvalidIdentity(
                "an identity is one AGE-SECRET-KEY-1... or AGE-SECRET-KEY-PQ-1... string".into(),
            )),
        }
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Identity { <secret> }")
    }
}

/// A borrowed identity as an `age::Identity`.
struct Ref<'a, T: ?Sized>(&'a T);

impl<T: age::Identity + ?Sized> age::Identity for Ref<'_, T> {
    fn unwrap_stanza(
        &self,
        stanza: &age_core::format::Stanza,
    ) -> Option<Result<age_core::format::FileKey, age::DecryptError>> {
        self.0.unwrap_stanza(stanza)
    }

    fn unwrap_stanzas(
        &self,
        stanzas: &[age_core::format::Stanza],
    ) -> Option<Result<age_core::format::FileKey, age::DecryptError>> {
        self.0.unwrap_stanzas(stanzas)
    }
}

/// A caller's passphrase callback as the keys layer asks for it.
struct Callback<F>(F);

impl<F: FnMut(&str) -> Option<SecretString>> keys::Unlock for Callback<F> {
    fn passphrase(&mut self, prompt: &str) -> anyhow::Result<SecretString> {
        (self.0)(prompt)
            .filter(|p| !p.expose_secret().is_empty())
            .ok_or_else(|| {
                anyhow::anyhow!("no passphrase was given for the protected identity file")
            })
    }

    fn max_work_factor(&self) -> Option<u8> {
        None
    }
}
