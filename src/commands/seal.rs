//! `lockbox seal`: seal a file or message to recipients or a passphrase.

use std::path::Path;

use anyhow::Context as _;

use crate::cli::{RunArgs, SealArgs};
use crate::error::Error;
use crate::format::{self, StreamOptions};
use crate::io::{self, Output};
use crate::keys::{self, IdentityEntry};
use crate::passphrase::{PassphraseSource, TerminalCallbacks};
use crate::progress::Progress;

/// The work factor (log2 N) of new passphrase stanzas, as Go age.
pub const SCRYPT_WORK_FACTOR: u8 = 18;

/// Stream options from `-j`.
pub fn stream_options(run: &RunArgs) -> StreamOptions {
    match run.threads {
        Some(n) => StreamOptions {
            threads: n as usize,
        },
        None => StreamOptions::default(),
    }
}

/// Runs `lockbox seal`.
pub fn run(args: &SealArgs) -> anyhow::Result<()> {
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
    if !args.passphrase && !has_keys {
        return Err(Error::usage("missing recipients")
            .hint("name them with -r/--recipient, -R/--recipients-file or -i/--identity, or use -p/--passphrase")
            .into());
    }
    // The passphrase file serves -p, or a passphrase-protected -i file.
    if args.passphrase_source.passphrase_file.is_some()
        && !args.passphrase
        && args.identities.is_empty()
    {
        return Err(Error::usage(
            "--passphrase-file is only used with -p/--passphrase or a protected -i/--identity file when sealing",
        )
        .hint("add -p/--passphrase to seal with a passphrase")
        .into());
    }

    // Decide about the output before any expensive or interactive work.
    let out_forced = args.output.as_deref() == Some(Path::new("-"));
    io::check_not_same(args.input.as_deref(), args.output.as_deref())?;

    let recipients: Vec<Box<dyn age::Recipient + Send>> = if args.passphrase {
        let pass = source.get("Passphrase: ", true)?;
        let mut r = age::scrypt::Recipient::new(pass);
        r.set_work_factor(SCRYPT_WORK_FACTOR);
        vec![Box::new(r)]
    } else {
        let mut entries = Vec::new();
        let mut unverified = Vec::new();
        for r in &args.recipients {
            if let Some(contact) = keys::contacts::resolve(r)? {
                let quoted = format!("'{}'", contact.name);
                if !contact.is_verified() && !unverified.contains(&quoted) {
                    unverified.push(quoted);
                }
                entries.extend(contact.entries()?);
                continue;
            }
            entries.push(keys::parse_recipient(r).map_err(|e| {
                // Never echo what might be a secret key back to the screen.
                let secret = r.trim().to_ascii_uppercase().starts_with("AGE-SECRET-KEY")
                    || r.trim().to_ascii_uppercase().starts_with("AGE-PLUGIN-");
                let mut err = if secret {
                    Error::usage(e.message)
                } else {
                    Error::usage(format!("{}: '{}'", e.message, shorten(r)))
                };
                err.hints = e.hints;
                err
            })?);
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
            for id in keys::read_identity_file(f, &source)? {
                match id {
                    IdentityEntry::Plugin(p) => plugin_identities.push(p),
                    other => {
                        let r = other
                            .recipient()
                            .with_context(|| format!("identity file '{}'", f.display()))?;
                        entries.push(keys::parse_recipient(&r)?);
                    }
                }
            }
        }
        if entries.len() + plugin_identities.len() > keys::MAX_RECIPIENTS {
            return Err(
                Error::usage(format!("more than {} recipients", keys::MAX_RECIPIENTS)).into(),
            );
        }
        keys::to_age_recipients(entries, plugin_identities, &callbacks)?
    };

    let (key, stanzas) = format::wrap_file_key(&recipients)?;
    let input = io::open_input(args.input.as_deref())?;
    let total = input_size(args.input.as_deref());
    let mut output = Output::create(args.output.as_deref(), 0o644)?;
    if output.is_stdout() && output.is_terminal() && !args.armor && !out_forced {
        return Err(
            Error::usage("refusing to write binary output to a terminal")
                .hint("use -a/--armor for text output, or -o - to force binary output")
                .into(),
        );
    }
    let progress = Progress::new(total, !args.run.quiet);
    let mut nonce = [0u8; format::stream::NONCE];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
    let name = output.name();
    format::seal_with(
        &key,
        &stanzas,
        nonce,
        input,
        &mut output,
        args.armor,
        stream_options(&args.run),
        &mut |n| progress.add(n),
    )
    .map_err(|e| write_context(e, &name, args.input.as_deref()))?;
    progress.finish();
    output.commit()
}

/// The size of a regular input file, for the progress bar.
pub fn input_size(path: Option<&Path>) -> Option<u64> {
    let p = path.filter(|p| !io::is_std(Some(p)))?;
    std::fs::metadata(p)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len())
}

/// Names the file in an I/O error from the payload path.
pub fn write_context(e: anyhow::Error, output: &str, input: Option<&Path>) -> anyhow::Error {
    if e.downcast_ref::<crate::format::FormatError>().is_some() {
        return e;
    }
    if let Some(ioe) = e.downcast_ref::<std::io::Error>() {
        if ioe.kind() == std::io::ErrorKind::BrokenPipe {
            return e.context(format!("{output} was closed early"));
        }
        if ioe.raw_os_error() == Some(28) {
            return e.context(format!("no space left to write {output}"));
        }
    }
    e.context(format!(
        "failed while reading {} or writing {output}",
        io::input_name(input)
    ))
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 40 {
        let head: String = s.chars().take(37).collect();
        format!("{head}...")
    } else {
        s.to_owned()
    }
}
