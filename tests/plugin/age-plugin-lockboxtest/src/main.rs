//! `age-plugin-lockboxtest`: a TEST-ONLY age plugin, used by lockbox's
//! integration tests (`tests/plugin.rs`) to prove that plugin recipients and
//! identities work end to end. It is not a real recipient type and offers no
//! security: do not use it for anything but tests.
//!
//! The scheme is deliberately trivial but real, so a wrong key really fails:
//!
//! - a key is 32 random bytes K;
//! - the recipient `age1lockboxtest1...` and the identity
//!   `AGE-PLUGIN-LOCKBOXTEST-1...` both encode K (so the "public" recipient is
//!   as secret as the identity: this is the part that makes it a toy);
//! - wrapping is ChaCha20-Poly1305 under K with a zero nonce of the 16-byte
//!   file key, in a stanza `-> lockboxtest` with no arguments whose body is the
//!   32-byte ciphertext.
//!
//! `age-plugin-lockboxtest --generate` prints a new identity (with a
//! `# recipient:` comment line, as age plugins do); `age-plugin-lockboxtest
//! --age-plugin=recipient-v1|identity-v1` runs the plugin state machines for
//! an age client.
#![forbid(unsafe_code)]

use std::collections::{HashMap, HashSet};
use std::io;

use age_core::format::{FileKey, Stanza, FILE_KEY_BYTES};
use age_core::primitives::{aead_decrypt, aead_encrypt};
use age_core::secrecy::ExposeSecret as _;
use age_plugin::{identity, recipient, Callbacks, PluginHandler};
use rand::RngCore as _;

/// The plugin name: binary `age-plugin-NAME`, recipients `age1NAME1...`,
/// identities `AGE-PLUGIN-NAME-1...`.
const PLUGIN_NAME: &str = "lockboxtest";
/// The stanza tag this plugin writes and reads.
const STANZA_TAG: &str = "lockboxtest";
/// Length of a key (recipient or identity payload).
const KEY_LEN: usize = 32;
/// Length of a stanza body: the file key and the Poly1305 tag.
const BODY_LEN: usize = FILE_KEY_BYTES + 16;

type Key = [u8; KEY_LEN];

/// The key in a recipient or identity payload, if it has the right length.
fn parse_key(bytes: &[u8]) -> Option<Key> {
    bytes.try_into().ok()
}

fn wrap(key: &Key, file_key: &FileKey) -> Stanza {
    Stanza {
        tag: STANZA_TAG.to_owned(),
        args: vec![],
        body: aead_encrypt(key, file_key.expose_secret()),
    }
}

struct Handler;

impl PluginHandler for Handler {
    type RecipientV1 = RecipientPlugin;
    type IdentityV1 = IdentityPlugin;

    fn recipient_v1(self) -> io::Result<Self::RecipientV1> {
        Ok(RecipientPlugin { keys: Vec::new() })
    }

    fn identity_v1(self) -> io::Result<Self::IdentityV1> {
        Ok(IdentityPlugin { keys: Vec::new() })
    }
}

/// Wraps file keys to the recipients and identities it is given (an
/// identity given to `seal -i` is its own recipient here).
struct RecipientPlugin {
    keys: Vec<Key>,
}

impl recipient::RecipientPluginV1 for RecipientPlugin {
    fn add_recipient(
        &mut self,
        index: usize,
        plugin_name: &str,
        bytes: &[u8],
    ) -> Result<(), recipient::Error> {
        match parse_key(bytes) {
            Some(k) if plugin_name == PLUGIN_NAME => {
                self.keys.push(k);
                Ok(())
            }
            _ => Err(recipient::Error::Recipient {
                index,
                message: format!("not a valid {PLUGIN_NAME} recipient"),
            }),
        }
    }

    fn add_identity(
        &mut self,
        index: usize,
        plugin_name: &str,
        bytes: &[u8],
    ) -> Result<(), recipient::Error> {
        match parse_key(bytes) {
            Some(k) if plugin_name == PLUGIN_NAME => {
                self.keys.push(k);
                Ok(())
            }
            _ => Err(recipient::Error::Identity {
                index,
                message: format!("not a valid {PLUGIN_NAME} identity"),
            }),
        }
    }

    fn labels(&mut self) -> HashSet<String> {
        HashSet::new()
    }

    fn wrap_file_keys(
        &mut self,
        file_keys: Vec<FileKey>,
        _callbacks: impl Callbacks<recipient::Error>,
    ) -> io::Result<Result<Vec<Vec<Stanza>>, Vec<recipient::Error>>> {
        // One stanza per recipient and identity, in the order they were added,
        // as the plugin protocol requires.
        Ok(Ok(file_keys
            .iter()
            .map(|fk| self.keys.iter().map(|k| wrap(k, fk)).collect())
            .collect()))
    }
}

/// Unwraps `lockboxtest` stanzas with the identities it is given.
struct IdentityPlugin {
    keys: Vec<Key>,
}

impl identity::IdentityPluginV1 for IdentityPlugin {
    fn add_identity(
        &mut self,
        index: usize,
        plugin_name: &str,
        bytes: &[u8],
    ) -> Result<(), identity::Error> {
        match parse_key(bytes) {
            Some(k) if plugin_name == PLUGIN_NAME => {
                self.keys.push(k);
                Ok(())
            }
            _ => Err(identity::Error::Identity {
                index,
                message: format!("not a valid {PLUGIN_NAME} identity"),
            }),
        }
    }

    fn unwrap_file_keys(
        &mut self,
        files: Vec<Vec<Stanza>>,
        _callbacks: impl Callbacks<identity::Error>,
    ) -> io::Result<HashMap<usize, Result<FileKey, Vec<identity::Error>>>> {
        let mut out = HashMap::new();
        for (file_index, stanzas) in files.iter().enumerate() {
            let mut errors = Vec::new();
            let mut found = None;
            // Stanzas of other types are ignored, as the spec requires.
            for (stanza_index, s) in stanzas.iter().enumerate() {
                if s.tag != STANZA_TAG {
                    continue;
                }
                if !s.args.is_empty() || s.body.len() != BODY_LEN {
                    errors.push(identity::Error::Stanza {
                        file_index,
                        stanza_index,
                        message: format!("malformed {STANZA_TAG} stanza"),
                    });
                    continue;
                }
                // A body that no key opens is simply not addressed to us.
                found = self.keys.iter().find_map(|k| {
                    let plain = aead_decrypt(k, FILE_KEY_BYTES, &s.body).ok()?;
                    Some(FileKey::init_with_mut(|fk| fk.copy_from_slice(&plain)))
                });
                if found.is_some() {
                    break;
                }
            }
            match (found, errors.is_empty()) {
                (Some(fk), _) => {
                    out.insert(file_index, Ok(fk));
                }
                (None, false) => {
                    out.insert(file_index, Err(errors));
                }
                (None, true) => {}
            }
        }
        Ok(out)
    }
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["--generate"] => {
            let mut key = [0u8; KEY_LEN];
            rand::rngs::OsRng.fill_bytes(&mut key);
            age_plugin::print_new_identity(PLUGIN_NAME, &key, &key);
            Ok(())
        }
        [arg] if arg.starts_with("--age-plugin=") => {
            age_plugin::run_state_machine(&arg["--age-plugin=".len()..], Handler)
        }
        ["--age-plugin", sm] => age_plugin::run_state_machine(sm, Handler),
        _ => {
            eprintln!("usage: age-plugin-lockboxtest --generate | --age-plugin=STATE_MACHINE");
            std::process::exit(2)
        }
    }
}
