//! "Can I open this?": which identities open a header, found without asking
//! for any passphrase and without running any plugin, in bounded work.

use std::path::Path;
use std::str::FromStr as _;

use base64::prelude::{Engine, BASE64_STANDARD, BASE64_STANDARD_NO_PAD};

use age_core::format::Stanza;

use super::{pq, IdentityEntry};
use crate::format::Header;

/// Most stanza unwraps tried for one `inspect`, all identities together: an
/// X25519 or post-quantum unwrap costs tens of microseconds, so a hostile
/// header of 20,000 stanzas read with many identities stays well under a
/// second.
pub(crate) const MAX_TRIALS: usize = 10_000;

/// Stanza types lockbox opens itself; any other type is a plugin's.
const NATIVE_TYPES: [&str; 5] = ["X25519", pq::STANZA_TAG, "ssh-ed25519", "ssh-rsa", "scrypt"];

/// What an identity can do with a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// It unwraps a stanza and the header MAC checks out.
    Opens,
    /// No stanza is for it.
    DoesNotOpen,
    /// It unwraps a stanza but the header MAC is wrong: the file was changed.
    Tampered,
    /// A stanza of its type is malformed.
    Malformed,
    /// It is protected by a passphrase (a sealed identity file, or an
    /// encrypted SSH key whose tag matches a stanza), which inspect never asks.
    NeedsPassphrase,
    /// It is a plugin identity and the file has stanzas of a plugin's type;
    /// the plugin was not run.
    MayOpen,
    /// The work limit ([`MAX_TRIALS`]) was reached before it could be tried.
    NotTried,
    /// The default identity file could not be read or is not an identity
    /// file (an identity file given with -i is an error instead).
    Unreadable,
}

impl Verdict {
    /// The words `inspect` prints, in text and in JSON.
    pub(crate) fn words(self) -> &'static str {
        match self {
            Verdict::Opens => "opens",
            Verdict::DoesNotOpen => "does not open",
            Verdict::Tampered => "unwraps a stanza, but the header MAC is wrong (tampered)",
            Verdict::Malformed => "does not open (a stanza of its type is malformed)",
            Verdict::NeedsPassphrase => "needs its passphrase",
            Verdict::MayOpen => "may open (plugin, not run)",
            Verdict::NotTried => "not tried (too many identities and stanzas)",
            Verdict::Unreadable => "could not be read",
        }
    }
}

/// The tag of an SSH recipient, as its stanzas carry it in their first
/// argument: the first 4 bytes of SHA-256 over the key's wire format, in
/// base64 without padding.
pub(crate) fn ssh_tag(recipient: &age::ssh::Recipient) -> Option<String> {
    use sha2::Digest;
    let text = recipient.to_string();
    let wire = BASE64_STANDARD.decode(text.split(' ').nth(1)?).ok()?;
    let digest = sha2::Sha256::digest(&wire);
    Some(BASE64_STANDARD_NO_PAD.encode(&digest[..4]))
}

/// The SSH recipient of an SSH identity, encrypted or not (its public key
/// is stored in the clear).
pub(crate) fn ssh_recipient(identity: &age::ssh::Identity) -> Option<age::ssh::Recipient> {
    age::ssh::Recipient::try_from(identity.clone()).ok()
}

/// A header's stanzas sorted by who could open them, once per file, so that
/// each identity looks only at the stanzas of its type.
pub(crate) struct Stanzas<'a> {
    header: &'a Header,
    x25519: Vec<&'a Stanza>,
    pq: Vec<&'a Stanza>,
    ssh: Vec<&'a Stanza>,
    plugin: bool,
}

impl<'a> Stanzas<'a> {
    pub(crate) fn new(header: &'a Header) -> Self {
        let of = |tag: &str| header.stanzas.iter().filter(|s| s.tag == tag).collect();
        Stanzas {
            header,
            x25519: of("X25519"),
            pq: of(pq::STANZA_TAG),
            ssh: header
                .stanzas
                .iter()
                .filter(|s| s.tag == "ssh-ed25519" || s.tag == "ssh-rsa")
                .collect(),
            plugin: header
                .stanzas
                .iter()
                .any(|s| !NATIVE_TYPES.contains(&s.tag.as_str())),
        }
    }

    /// The SSH stanzas, in file order.
    pub(crate) fn ssh(&self) -> &[&'a Stanza] {
        &self.ssh
    }

    /// What `identity` can do with the file. Unwraps (X25519, post-quantum,
    /// unencrypted SSH) count against `budget`; nothing prompts and no
    /// plugin runs.
    pub(crate) fn probe(&self, identity: &IdentityEntry, budget: &mut usize) -> Verdict {
        let header = self.header;
        let attempt = |id: &dyn age::Identity,
                       stanzas: &mut dyn Iterator<Item = &&Stanza>,
                       budget: &mut usize| {
            for stanza in stanzas {
                if *budget == 0 {
                    return Verdict::NotTried;
                }
                *budget -= 1;
                match id.unwrap_stanza(stanza) {
                    Some(Ok(key)) => {
                        return match header.verify_mac(&key) {
                            Ok(()) => Verdict::Opens,
                            Err(_) => Verdict::Tampered,
                        }
                    }
                    Some(Err(_)) => return Verdict::Malformed,
                    None => {}
                }
            }
            Verdict::DoesNotOpen
        };
        match identity {
            IdentityEntry::X25519(id) => attempt(id, &mut self.x25519.iter(), budget),
            IdentityEntry::Pq(id) => attempt(id, &mut self.pq.iter(), budget),
            IdentityEntry::Ssh(id) => {
                let Some(tag) = ssh_recipient(id).as_ref().and_then(ssh_tag) else {
                    return Verdict::DoesNotOpen;
                };
                let mut mine = self
                    .ssh
                    .iter()
                    .filter(|s| s.args.first().map(String::as_str) == Some(tag.as_str()))
                    .peekable();
                match id {
                    age::ssh::Identity::Unencrypted(_) => attempt(id, &mut mine, budget),
                    age::ssh::Identity::Encrypted(_) if mine.peek().is_some() => {
                        Verdict::NeedsPassphrase
                    }
                    _ => Verdict::DoesNotOpen,
                }
            }
            IdentityEntry::Plugin(_) if self.plugin => Verdict::MayOpen,
            IdentityEntry::Plugin(_) => Verdict::DoesNotOpen,
        }
    }
}

/// Reads an identity file without asking for anything: `None` when it is
/// protected by a passphrase (sealed), else its identities (an encrypted
/// SSH key is read as such, its passphrase not asked).
pub(crate) fn read_identities(path: &Path) -> anyhow::Result<Option<Vec<IdentityEntry>>> {
    let data = super::read_key_file(path, "identity file")?;
    if super::protected::is_sealed(&data) {
        return Ok(None);
    }
    super::parse_identity_text(path, &data).map(Some)
}

/// The recipient of an identity when it can be had without a plugin.
pub(crate) fn recipient_of(identity: &IdentityEntry) -> Option<String> {
    match identity {
        IdentityEntry::Plugin(_) => None,
        other => other.recipient().ok(),
    }
}

/// Parses an SSH public key line (`ssh-ed25519 AAAA... comment`), as in
/// `~/.ssh/*.pub`.
pub(crate) fn parse_ssh_public_key(line: &str) -> Option<age::ssh::Recipient> {
    age::ssh::Recipient::from_str(line.trim()).ok()
}
