//! `lockbox open`: open a sealed file with identities or a passphrase.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use super::{check_output_not_read, input_size, name_input, stream_options, write_context};
use crate::cli::OpenArgs;
use crate::error::{quote, Error, Exit};
use crate::format::sender::X25519Key;
use crate::format::{self, FormatError};
use crate::io::{self, Output};
use crate::keys;
use crate::passphrase::{PassphraseSource, TerminalCallbacks};
use crate::progress::Progress;

/// Runs `lockbox open`.
pub(crate) fn run(args: &OpenArgs) -> anyhow::Result<()> {
    io::check_stdin_used_once(
        &[
            ("-i/--identity", &args.identities),
            (
                "--passphrase-file",
                args.passphrase_source.passphrase_file.as_slice(),
            ),
        ],
        args.input.as_deref(),
    )?;
    // The default identity file counts too when no -i is given.
    let default_identity = if args.identities.is_empty() {
        crate::config::default_identity_path().ok()
    } else {
        None
    };
    let identities: Vec<PathBuf> = args
        .identities
        .iter()
        .chain(&default_identity)
        .cloned()
        .collect();
    check_output_not_read(
        args.output.as_deref(),
        args.input.as_deref(),
        &[("identity file", &identities)],
        args.passphrase_source.passphrase_file.as_deref(),
    )?;
    let source = PassphraseSource {
        file: args.passphrase_source.passphrase_file.clone(),
        max_work_factor: Some(args.max_work_factor),
    };

    // The senders asked for are resolved before anything is read.
    let wanted = from_keys(&args.from)?;
    let mut verify_keys: Vec<X25519Key> = Vec::new();

    let mut input = io::open_input(args.input.as_deref())?;
    if io::input_is_terminal(args.input.as_deref()) {
        // A paste is over at its end line: read no further, so that no
        // Ctrl-D is needed (issue 13).
        let paste = format::armor::read_through_end_line(input, io::TERMINAL_LIMIT)
            .context("failed to read standard input")?;
        let Some(paste) = paste else {
            return Err(Error::failure(format!(
                "the input on the terminal is larger than {} MiB",
                io::TERMINAL_LIMIT >> 20
            ))
            .hint("save it to a file and open that: 'lockbox open FILE'")
            .into());
        };
        io::discard_terminal_input();
        input = Box::new(std::io::Cursor::new(paste));
    }
    let in_name = |e: FormatError| name_input(e.into(), "open", args.input.as_deref());
    let sealed = format::read_header(input).map_err(in_name)?;
    let key = if format::is_passphrase_sealed(&sealed.header).map_err(in_name)? {
        // Too much work is refused before a passphrase is asked (issue 10).
        format::scrypt::check_work(&sealed.header, Some(args.max_work_factor)).map_err(in_name)?;
        let pass = source.get("Passphrase: ", false)?;
        let id = keys::protected::passphrase_identity(pass, args.max_work_factor);
        format::unwrap_file_key(&sealed.header, &[&id]).map_err(anyhow::Error::new)
    } else {
        // With a passphrase given but no identity anywhere, the file is
        // simply not for that passphrase: "no identity matched" (exit 3).
        let files = identity_files(&args.identities, source.is_scripted())?;
        let callbacks = TerminalCallbacks {
            source: source.clone(),
        };
        let mut entries = Vec::new();
        for f in &files {
            let read = keys::read_identity_file(f, &mut source.clone())?;
            // Protected SSH keys are asked for only when the file is
            // addressed to them (issue 13).
            entries.extend(keys::unlock_ssh_keys(
                read,
                f,
                &sealed.header.stanzas,
                &mut source.clone(),
            )?);
        }
        verify_keys.extend(entries.iter().filter_map(keys::sender::identity_key));
        let ids = keys::to_age_identities(entries, &callbacks)?;
        let refs: Vec<&dyn age::Identity> = ids.iter().map(|b| b.as_ref()).collect();
        format::unwrap_file_key(&sealed.header, &refs).map_err(|e| tried(e, &files))
    }
    .map_err(|e| name_input(e, "open", args.input.as_deref()))?;

    // A sender seal is checked as far as it can be without the payload
    // (SENDER-AUTH.md, "Verifying", step 3) before anything is read.
    let mut seal = format::sender_seal(&sealed.header, &key).map_err(in_name)?;
    if seal.is_some() && verify_keys.is_empty() {
        // "Nobody signed it" would be wrong here: somebody did, and this
        // identity cannot tell who.
        if !wanted.is_empty() {
            return Err(not_from(
                args,
                &wanted,
                "it carries a sender seal, but the identity that opened it (SSH or plugin) cannot check who sealed it",
            )
            .hint("open it with an age1... or age1pq1... identity it is sealed to (-i FILE): those can verify")
            .into());
        }
        if !args.run.quiet {
            eprintln!("lockbox: note: the file has a sender seal, but the identity that opened it (SSH or plugin) cannot verify it: treated as unsigned");
        }
        seal = None;
    }
    if seal.is_none() && !wanted.is_empty() {
        return Err(
            not_from(args, &wanted, "nobody signed it (the file is unsigned)")
                .hint("ask the sender to seal it with 'lockbox seal --sign'")
                .into(),
        );
    }

    let total = input_size(args.input.as_deref());
    let mut output = Output::create(args.output.as_deref(), io::Holds::Plaintext)?;
    let mut sealed = sealed;
    if let Some(seal) = seal {
        let opts = stream_options(&args.run);
        let sender = if let Some(mut file) = output.temp_file() {
            // One pass into the -o temporary, renamed only once verified.
            let progress = Progress::new(total, !args.run.quiet);
            let pd = format::open_payload_hashed(&key, sealed.payload, &mut file, opts, &mut |n| {
                progress.add(n)
            });
            progress.finish();
            let pd = pd
                .map_err(|e| write_context(e, &output.name(), args.input.as_deref()))
                .map_err(|e| name_input(e, "open", args.input.as_deref()))?;
            let sender = seal
                .verify(&pd, &verify_keys)
                .map_err(|e| in_name(format::sender_error(e)))?;
            report_sender(args, &wanted, &sender)?;
            return output.commit();
        } else {
            // Anywhere else, nothing is released before verification: a
            // first pass only hashes the ciphertext (PD) while it goes to an
            // unlinked spool; the sender's MACs over PD pin those exact
            // bytes, and the second pass, from the spool, checks every
            // chunk's AEAD before releasing it. No plaintext on disk.
            let mut spool = io::spool()?;
            let payload = std::mem::replace(&mut sealed.payload, Box::new(std::io::empty()));
            let (sender, len) =
                format::verify_spooled(&key, payload, &mut spool, &seal, &verify_keys, opts)
                    .map_err(in_name)?;
            sealed.payload = Box::new(std::io::BufReader::new(std::io::Read::take(spool, len)));
            sender
        };
        report_sender(args, &wanted, &sender)?;
    }

    let opts = stream_options(&args.run);
    let progress = Progress::new(total, !args.run.quiet);
    let name = output.name();
    // The file actually opened decides, however -o spelled it: '-o
    // /dev/tty' is a terminal too (issue 10).
    let to_terminal = output.is_terminal();
    let result = if to_terminal {
        // Buffer what is bound for a terminal and refuse control characters.
        let mut buf = io::Held::default();
        let r = format::open_payload(&key, sealed, &mut buf, opts, &mut |_| {});
        if buf.overflow {
            return Err(
                Error::failure("the plaintext is too large to print on a terminal")
                    .hint("write it to a file with -o/--output FILE")
                    .into(),
            );
        }
        if r.is_ok() {
            if !io::printable(&buf.data) {
                return Err(Error::failure("refusing to print binary plaintext on a terminal")
                    .hint("write it to a file with -o/--output FILE, or pipe it to another program")
                    .into());
            }
            output.write_all(&buf.data)?;
        }
        r
    } else {
        format::open_payload(&key, sealed, &mut output, opts, &mut |n| progress.add(n))
    };
    progress.finish();
    result
        .map_err(|e| match e {
            // A reader that stops early ('open | head') is not an error:
            // quiet, with the status of a writer killed by SIGPIPE (issue 13).
            FormatError::Io(ioe) if ioe.kind() == std::io::ErrorKind::BrokenPipe => {
                Error::new(Exit::ClosedPipe, format!("{name} was closed early")).into()
            }
            e => write_context(e, &name, args.input.as_deref()),
        })
        .map_err(|e| name_input(e, "open", args.input.as_deref()))?;
    output.commit()
}

/// Names the identity files that were tried when none matched.
fn tried(e: FormatError, files: &[PathBuf]) -> anyhow::Error {
    match e {
        FormatError::NoMatch(_) if !files.is_empty() => {
            let (exit, hints) = crate::error::classify_format(&e);
            let mut err = Error::new(exit, e.to_string());
            err.hints = hints;
            let names: Vec<String> = files.iter().map(quote).collect();
            err.hints
                .push(format!("tried the identities in {}", names.join(", ")));
            err.into()
        }
        _ => e.into(),
    }
}

/// The identity files to use: `-i` files, else the default identity file.
fn identity_files(given: &[PathBuf], have_passphrase: bool) -> anyhow::Result<Vec<PathBuf>> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    if have_passphrase && !crate::config::default_identity_path()?.exists() {
        return Ok(Vec::new());
    }
    let default = crate::config::existing_default_identity(
        "missing identity: no -i/--identity given and",
        "use -i/--identity FILE, or create an identity with 'lockbox keygen'",
    )?;
    Ok(vec![default])
}

/// A sender asked for with `--from`: how it was named, and its X25519 keys.
struct Wanted {
    /// How messages show it: a contact's name quoted; a recipient, which
    /// was parsed and is public, shortened with its fingerprint (the
    /// redaction rule would show only 'age1…', which names nobody).
    shown: String,
    keys: Vec<[u8; 32]>,
}

/// Resolves the `--from` values: contact names, `@NAME`, `age1...`,
/// `age1pq1...`.
fn from_keys(values: &[String]) -> anyhow::Result<Vec<Wanted>> {
    let mut wanted = Vec::new();
    for v in values {
        let (entries, shown) = match keys::contacts::resolve(v)? {
            Some(contact) => (contact.entries()?, quote(v.trim_start_matches('@'))),
            None => {
                let entry = super::parse_recipient_argument(v)?;
                let chars: Vec<char> = v.chars().collect();
                let short = if chars.len() > 20 {
                    let head: String = chars[..14].iter().collect();
                    let tail: String = chars[chars.len() - 4..].iter().collect();
                    format!("{head}…{tail}")
                } else {
                    v.clone()
                };
                let shown = format!("{short} (fingerprint {})", keys::fingerprint(v));
                (vec![entry], shown)
            }
        };
        let keys: Vec<[u8; 32]> = entries
            .iter()
            .filter_map(keys::sender::recipient_key)
            .collect();
        if keys.is_empty() {
            return Err(Error::usage(format!(
                "--from {}: only age1... and age1pq1... keys can seal as a sender",
                quote(v)
            ))
            .into());
        }
        wanted.push(Wanted { shown, keys });
    }
    Ok(wanted)
}

/// Who the X25519 key `a` is, for messages: a contact (verified or not),
/// or its recipient and fingerprint.
fn describe_sender(a: &[u8; 32]) -> String {
    let names = keys::contacts::list_names().unwrap_or_default();
    for name in names {
        let Ok(contact) = keys::contacts::load(&name) else {
            continue;
        };
        let Ok(entries) = contact.entries() else {
            continue;
        };
        if entries
            .iter()
            .any(|e| keys::sender::recipient_key(e).as_ref() == Some(a))
        {
            return if contact.is_verified() {
                format!("{} (verified contact)", contact.name)
            } else {
                format!("{} (contact, fingerprints never compared)", contact.name)
            };
        }
    }
    let recipient = keys::sender::x25519_recipient_string(a);
    let fp = keys::fingerprint(&recipient);
    format!("{recipient} (fingerprint {fp}; not one of your contacts)")
}

/// Says who sealed the file, and refuses it (exit 5) if `--from` asked
/// for someone else.
fn report_sender(args: &OpenArgs, wanted: &[Wanted], sender: &[u8; 32]) -> anyhow::Result<()> {
    let who = describe_sender(sender);
    if !wanted.is_empty() && !wanted.iter().any(|w| w.keys.contains(sender)) {
        return Err(not_from(args, wanted, &format!("it is sealed by {who}"))
            .hint(
                "if you expected it from them, ask how they sent it: another key, or someone else",
            )
            .into());
    }
    if !args.run.quiet {
        eprintln!("lockbox: sealed by {who}");
    }
    Ok(())
}

/// The `--from` refusal (exit 5): nothing was released.
fn not_from(args: &OpenArgs, wanted: &[Wanted], why: &str) -> Error {
    let names: Vec<&str> = wanted.iter().map(|w| w.shown.as_str()).collect();
    Error::new(
        crate::error::Exit::NotFrom,
        format!(
            "{} is not sealed by {}: {why}",
            io::input_name(args.input.as_deref()),
            names.join(" or ")
        ),
    )
    .hint("nothing was released")
}
