//! `lockbox seal`: seal a file or message to recipients or a passphrase.

use std::io::Write;
use std::path::Path;

use super::{
    check_output_not_read, input_size, parse_recipient_argument, stream_options, write_context,
};
use anyhow::Context as _;

use crate::cli::SealArgs;
use crate::error::Error;
use crate::format::{self, sender::X25519Key, FormatError, SealOptions, Sealer};
use crate::io::{self, Output};
use crate::keys::contacts::State;
use crate::keys::{self, IdentityEntry};
use crate::passphrase::{PassphraseSource, TerminalCallbacks};
use crate::progress::Progress;

/// A `-r` argument that is no recipient but names a file: the hint for
/// `-R`, first (issue 13).
fn file_hint(r: &str, e: anyhow::Error) -> anyhow::Error {
    if !Path::new(r).is_file() {
        return e;
    }
    match e.downcast::<Error>() {
        Ok(mut err) => {
            let quoted = crate::error::quote(r);
            err.hints.insert(
                0,
                format!("{quoted} is a file: to seal to the recipients in it, use -R/--recipients-file {quoted}"),
            );
            err.into()
        }
        Err(e) => e,
    }
}

/// Runs `lockbox seal`.
pub(crate) fn run(args: &SealArgs) -> anyhow::Result<()> {
    let source = PassphraseSource {
        file: args.passphrase_source.passphrase_file.clone(),
        max_work_factor: None,
    };
    let callbacks = TerminalCallbacks {
        source: source.clone(),
    };
    let has_keys = !args.recipients.is_empty()
        || !args.recipients_files.is_empty()
        || !args.identities.is_empty();
    if args.passphrase && has_keys {
        return Err(Error::usage("-p/--passphrase can't be combined with recipients")
            .hint("a passphrase-sealed file must have no other recipient; seal with either -p or -r/-R/-i")
            .into());
    }
    let signing = args.sign || args.sign_with.is_some();
    if signing && args.passphrase {
        return Err(Error::usage("--sign can't be combined with -p/--passphrase")
            .hint("a sender seal needs recipients with keys: seal to -r/-R/-i recipients, or drop --sign")
            .into());
    }
    if !args.passphrase && !has_keys {
        return Err(Error::usage("missing recipients")
            .hint("name them with -r/--recipient, -R/--recipients-file or -i/--identity, or use -p/--passphrase")
            .into());
    }
    // The passphrase file serves -p, or a passphrase-protected -i file.
    if args.passphrase_source.passphrase_file.is_some()
        && !args.passphrase
        && args.identities.is_empty()
        && args.sign_with.is_none()
    {
        return Err(Error::usage(
            "--passphrase-file is only used with -p/--passphrase or a protected -i/--identity file when sealing",
        )
        .hint("add -p/--passphrase to seal with a passphrase")
        .into());
    }

    // Decide about the inputs and the output before any expensive or
    // interactive work, and before anything is read.
    let out_forced = args.output.as_deref() == Some(Path::new("-"));
    io::check_stdin_used_once(
        &[
            ("-R/--recipients-file", &args.recipients_files),
            ("-i/--identity", &args.identities),
            (
                "--passphrase-file",
                args.passphrase_source.passphrase_file.as_slice(),
            ),
        ],
        args.input.as_deref(),
    )?;
    check_output_not_read(
        args.output.as_deref(),
        args.input.as_deref(),
        &[
            ("recipients file", &args.recipients_files),
            ("identity file", &args.identities),
        ],
        args.passphrase_source.passphrase_file.as_deref(),
    )?;

    // The X25519 keys of the recipients that can verify a sender seal, in
    // the order of their stanzas, and the names of those that cannot.
    let mut verifiers: Vec<[u8; 32]> = Vec::new();
    let mut cannot_verify: Vec<String> = Vec::new();
    let recipients: Vec<Box<dyn age::Recipient + Send>> = if args.passphrase {
        let pass = source.get("Passphrase: ", true)?;
        vec![Box::new(keys::protected::passphrase_recipient(pass))]
    } else {
        let mut entries = Vec::new();
        let mut unverified = Vec::new();
        let mut changed = Vec::new();
        for r in &args.recipients {
            let Some(contact) = keys::contacts::resolve(r).map_err(|e| file_hint(r, e))? else {
                entries.push(parse_recipient_argument(r).map_err(|e| file_hint(r, e.into()))?);
                continue;
            };
            let quoted = crate::error::quote(&contact.name);
            match contact.state() {
                // Loud, and -q/--quiet does not silence it.
                State::Changed if !changed.contains(&contact.name) => {
                    super::contact::warn_changed(&contact);
                    changed.push(contact.name.clone());
                }
                State::NotVerified if !unverified.contains(&quoted) => unverified.push(quoted),
                _ => {}
            }
            entries.extend(contact.entries()?);
        }
        if !unverified.is_empty() && !args.run.quiet {
            let (one, name) = match unverified.as_slice() {
                [single] => (true, single.trim_matches('\'').to_owned()),
                _ => (false, "NAME".to_owned()),
            };
            eprintln!(
                "lockbox: warning: {} {} never verified",
                if one { "contact" } else { "contacts" },
                unverified.join(", ") + if one { " was" } else { " were" }
            );
            eprintln!(
                "lockbox: hint: compare the fingerprints ('lockbox contact show {name}') with the person, then run 'lockbox contact verify {name}'; -q/--quiet silences this warning"
            );
        }
        for f in &args.recipients_files {
            entries.extend(keys::read_recipients_file(f)?);
        }
        let mut plugin_identities = Vec::new();
        for f in &args.identities {
            for id in keys::read_identity_file(f, &mut source.clone())? {
                match id {
                    IdentityEntry::Plugin(p) => plugin_identities.push(p),
                    other => {
                        let r = other
                            .recipient()
                            .with_context(|| format!("identity file {}", crate::error::quote(f)))?;
                        entries.push(keys::parse_recipient(&r)?);
                    }
                }
            }
        }
        for e in &entries {
            match keys::sender::recipient_key(e) {
                Some(b) => verifiers.push(b),
                None => cannot_verify.push(crate::error::quote(e.canonical())),
            }
        }
        for p in &plugin_identities {
            cannot_verify.push(format!(
                "the plugin identity {}",
                crate::error::quote(p.to_string())
            ));
        }
        if entries.len() + plugin_identities.len() > keys::MAX_RECIPIENTS {
            return Err(
                Error::usage(format!("more than {} recipients", keys::MAX_RECIPIENTS)).into(),
            );
        }
        keys::to_age_recipients(entries, plugin_identities, &callbacks)?
    };

    let sender = if signing {
        if verifiers.is_empty() {
            return Err(Error::usage(
                "--sign: no recipient can verify a sender seal (only age1... and age1pq1... recipients can)",
            )
            .hint("add an age1... or age1pq1... recipient, or seal without --sign")
            .into());
        }
        let key = signing_key(args.sign_with.as_deref(), &source)?;
        if !cannot_verify.is_empty() && !args.run.quiet {
            eprintln!(
                "lockbox: warning: these recipients can open the file but cannot verify who sealed it: {}",
                cannot_verify.join(", ")
            );
        }
        Some(key)
    } else {
        None
    };

    let refs: Vec<&dyn age::Recipient> = recipients
        .iter()
        .map(|r| r.as_ref() as &dyn age::Recipient)
        .collect();
    let sealer = Sealer::new(&refs)?;
    let input = io::open_input(args.input.as_deref())?;
    let total = input_size(args.input.as_deref());
    let mut output = Output::create(args.output.as_deref(), io::Holds::Sealed)?;
    // The file actually opened decides, however -o spelled it (issue 10).
    if output.is_terminal() && !args.armor && !out_forced {
        return Err(
            Error::usage("refusing to write binary output to a terminal")
                .hint("write it to a file with -o/--output FILE, or use -a/--armor for text output (-o - forces binary onto the terminal)")
                .into(),
        );
    }
    let progress = Progress::new(total, !args.run.quiet);
    let name = output.name();
    let opts = SealOptions {
        armor: args.armor,
        stream: stream_options(&args.run),
    };
    // Typed on a terminal, the message is sealed in memory and written
    // when the input ends: a block printed while the person still types
    // gets mixed with their typing on the screen (issue 13).
    let typed = io::input_is_terminal(args.input.as_deref());
    let mut held = io::Held::default();
    let result = match &sender {
        // One pass into the -o file, or into standard output when it is a
        // regular file ('> file.age'): payload after room for the header,
        // then the header (SENDER-AUTH.md needs the payload digest).
        Some(key) if !typed && !args.armor && output.seekable().is_some() => {
            let mut file = output.seekable().expect("checked above");
            sealer.seal_signed(key, &verifiers, input, &mut file, opts.stream, &mut |n| {
                progress.add(n)
            })
        }
        // Anywhere else (a pipe, a terminal, armor): the sealed file goes
        // to an unlinked spool first; binary, the kernel copies it out.
        Some(key) => {
            let mut spool = io::spool()?;
            let sealed =
                sealer.seal_signed(key, &verifiers, input, &mut spool, opts.stream, &mut |n| {
                    progress.add(n)
                });
            sealed.and_then(|()| {
                if typed || args.armor {
                    let mut sink: &mut (dyn std::io::Write + Send) =
                        if typed { &mut held } else { &mut output };
                    format::copy_sealed(&mut spool, &mut sink, args.armor)
                } else {
                    std::io::Seek::rewind(&mut spool)?;
                    output
                        .copy_from(&mut spool)
                        .map(drop)
                        .map_err(FormatError::from)
                }
            })
        }
        None => {
            let mut sink: &mut (dyn std::io::Write + Send) =
                if typed { &mut held } else { &mut output };
            sealer.seal(input, &mut sink, opts, &mut |n| progress.add(n))
        }
    };
    progress.finish();
    if held.overflow {
        return Err(Error::failure(format!(
            "the message typed on the terminal is too large to hold: more than {} MiB sealed",
            io::TERMINAL_LIMIT >> 20
        ))
        .hint("save it to a file and seal that: 'lockbox seal ... FILE'")
        .into());
    }
    let result = result.and_then(|()| output.write_all(&held.data).map_err(FormatError::from));
    result.map_err(|e| write_context(e, &name, args.input.as_deref()))?;
    output.commit()
}

/// The sender's key for `--sign`: the first identity with an X25519
/// secret (native or post-quantum) in `--sign-with FILE`, else in the
/// default identity file. A protected file asks for its passphrase.
fn signing_key(file: Option<&Path>, source: &PassphraseSource) -> anyhow::Result<X25519Key> {
    let path = match file {
        Some(p) => p.to_owned(),
        None => {
            let p = crate::config::default_identity_path()?;
            if !p.exists() {
                return Err(Error::usage(format!(
                    "--sign: the default identity file {} does not exist",
                    crate::error::quote(&p)
                ))
                .hint("create one with 'lockbox keygen', or name one with --sign-with FILE")
                .into());
            }
            p
        }
    };
    let entries = keys::read_identity_file(&path, &mut source.clone())?;
    entries
        .iter()
        .find_map(keys::sender::identity_key)
        .ok_or_else(|| {
            Error::usage(format!(
                "--sign: the identity file {} holds no age1 or post-quantum identity to sign with",
                crate::error::quote(&path)
            ))
            .hint("SSH and plugin identities cannot sign; name another file with --sign-with FILE")
            .into()
        })
}
