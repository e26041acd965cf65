//! `lockbox open`: open a sealed file with identities or a passphrase.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::OpenArgs;
use crate::error::{quote, Error};
use crate::format::{self, stream, FormatError};
use crate::io::{self, Output};
use crate::keys;
use crate::passphrase::{PassphraseSource, TerminalCallbacks};
use crate::progress::Progress;

/// Runs `lockbox open`.
pub fn run(args: &OpenArgs) -> anyhow::Result<()> {
    io::check_stdin_used_once(
        &[("-i/--identity", &args.identities)],
        args.input.as_deref(),
    )?;
    // The default identity file counts too when no -i is given.
    let default_identity = if args.identities.is_empty() {
        crate::commands::default_identity_path().ok()
    } else {
        None
    };
    let mut reads: Vec<(&str, &Path)> = Vec::new();
    reads.extend(args.input.as_deref().map(|p| ("input", p)));
    reads.extend(
        args.identities
            .iter()
            .chain(&default_identity)
            .map(|p| ("identity file", p.as_path())),
    );
    reads.extend(
        args.passphrase_source
            .passphrase_file
            .iter()
            .map(|p| ("passphrase file", p.as_path())),
    );
    io::check_output_not_read(args.output.as_deref(), &reads)?;
    let source = PassphraseSource {
        file: args.passphrase_source.passphrase_file.clone(),
        max_work_factor: Some(args.max_work_factor),
    };

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
    let sealed = format::read_header(input).map_err(|e| name_input(e, args.input.as_deref()))?;
    let key = if format::is_passphrase_sealed(&sealed.header)
        .map_err(|e| name_input(e.into(), args.input.as_deref()))?
    {
        // Too much work is refused before a passphrase is asked (issue 10).
        format::scrypt::check_work(&sealed.header, Some(args.max_work_factor))
            .map_err(|e| name_input(e.into(), args.input.as_deref()))?;
        let pass = source.get("Passphrase: ", false)?;
        let mut id = age::scrypt::Identity::new(pass);
        id.set_max_work_factor(args.max_work_factor);
        format::unwrap_file_key(&sealed.header, &[&id])
    } else {
        // With a passphrase given but no identity anywhere, the file is
        // simply not for that passphrase: "no identity matched" (exit 3).
        let files = identity_files(&args.identities, source.is_scripted())?;
        let callbacks = TerminalCallbacks {
            source: source.clone(),
        };
        let mut entries = Vec::new();
        for f in &files {
            entries.extend(keys::read_identity_file(f, &source)?);
        }
        let ids = keys::to_age_identities(entries, &callbacks)?;
        let refs: Vec<&dyn age::Identity> = ids.iter().map(|b| b.as_ref()).collect();
        format::unwrap_file_key(&sealed.header, &refs).map_err(|e| tried(e, &files))
    }
    .map_err(|e| name_input(e, args.input.as_deref()))?;

    let total = crate::commands::seal::input_size(args.input.as_deref());
    let mut output = Output::create(args.output.as_deref(), io::Holds::Plaintext)?;
    let opts = crate::commands::seal::stream_options(&args.run);
    let progress = Progress::new(total, !args.run.quiet);
    let name = output.name();
    // The file actually opened decides, however -o spelled it: '-o
    // /dev/tty' is a terminal too (issue 10).
    let to_terminal = output.is_terminal();
    let result = if to_terminal {
        // Buffer what is bound for a terminal and refuse control characters.
        let mut buf = io::Held::default();
        let r = stream::open_payload(&key, sealed.payload, &mut buf, opts, &mut |_| {});
        if buf.overflow {
            return Err(
                Error::failure("the plaintext is too large to print on a terminal")
                    .hint("write it to a file with -o/--output FILE")
                    .into(),
            );
        }
        let r = r.map_err(format::from_io);
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
        stream::open_payload(&key, sealed.payload, &mut output, opts, &mut |n| {
            progress.add(n)
        })
        .map_err(format::from_io)
    };
    progress.finish();
    result
        .map_err(|e| crate::commands::seal::write_context(e, &name, args.input.as_deref()))
        .map_err(|e| name_input(e, args.input.as_deref()))?;
    output.commit()
}

/// Names the identity files that were tried when none matched.
fn tried(e: anyhow::Error, files: &[PathBuf]) -> anyhow::Error {
    match e.downcast_ref::<FormatError>() {
        Some(fe @ FormatError::NoMatch(_)) if !files.is_empty() => {
            let mut err = Error::new(crate::error::Exit::NoMatch, fe.to_string());
            err.hints = fe.hints();
            let names: Vec<String> = files.iter().map(quote).collect();
            err.hints
                .push(format!("tried the identities in {}", names.join(", ")));
            err.into()
        }
        _ => e,
    }
}

/// Adds the input's name to format errors, so the message names the file.
fn name_input(e: anyhow::Error, input: Option<&Path>) -> anyhow::Error {
    let about_file = e.downcast_ref::<FormatError>().is_some()
        || e.downcast_ref::<Error>().is_some_and(|x| {
            matches!(
                x.exit,
                crate::error::Exit::NoMatch | crate::error::Exit::Invalid
            )
        });
    if about_file {
        let name = io::input_name(input);
        return e.context(format!("failed to open {name}"));
    }
    e
}

/// The identity files to use: `-i` files, else the default identity file.
fn identity_files(given: &[PathBuf], have_passphrase: bool) -> anyhow::Result<Vec<PathBuf>> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    let default = crate::commands::default_identity_path()?;
    if !default.exists() && have_passphrase {
        return Ok(Vec::new());
    }
    if !default.exists() {
        return Err(Error::usage(format!(
            "missing identity: no -i/--identity given and the default identity file {} does not exist",
            quote(&default)
        ))
        .hint("use -i/--identity FILE, or create an identity with 'lockbox keygen'")
        .into());
    }
    Ok(vec![default])
}

/// Opens a passphrase-protected identity file's contents.
pub fn open_protected_identity(
    path: &Path,
    data: &[u8],
    source: &PassphraseSource,
) -> anyhow::Result<zeroize::Zeroizing<Vec<u8>>> {
    let owned = data.to_vec();
    let sealed = format::read_header(std::io::Cursor::new(owned))
        .map_err(|e| e.context(format!("failed to read identity file {}", quote(path))))?;
    if !format::is_passphrase_sealed(&sealed.header).unwrap_or(false) {
        return Err(Error::failure(format!(
            "identity file {} is a sealed file but not passphrase-protected",
            quote(path)
        ))
        .into());
    }
    let limit = source
        .max_work_factor
        .unwrap_or(crate::passphrase::DEFAULT_MAX_WORK_FACTOR);
    // Too much work is refused before a passphrase is asked (issue 10).
    format::scrypt::check_work(&sealed.header, Some(limit))
        .map_err(|e| identity_error(e.into(), path, source, limit))?;
    let pass = source.get(
        &format!("Passphrase for identity file {}: ", quote(path)),
        false,
    )?;
    let mut id = age::scrypt::Identity::new(pass);
    id.set_max_work_factor(limit);
    let key = format::unwrap_file_key(&sealed.header, &[&id])
        .map_err(|e| identity_error(e, path, source, limit))?;
    // The plaintext is shorter than the sealed file: sized up front, the
    // buffer never moves and leaves no copy behind (issue 10).
    let mut plain = crate::io::SecretBuffer::with_capacity(data.len());
    stream::open_secret_payload(
        &key,
        sealed.payload,
        &mut plain,
        stream::StreamOptions { threads: 1 },
    )
    .map_err(format::from_io)
    .map_err(|e| e.context(format!("failed to open identity file {}", quote(path))))?;
    Ok(plain.into_inner())
}

/// Says why a protected identity file could not be opened. The file is the
/// user's own and intact: one that asks for more work or memory than
/// allowed is a failure (exit 1), not a tampered input (exit 4), with the
/// way out that exists here.
fn identity_error(
    e: anyhow::Error,
    path: &Path,
    source: &PassphraseSource,
    limit: u8,
) -> anyhow::Error {
    match e.downcast_ref::<FormatError>() {
        Some(FormatError::NoMatch(_)) => Error::failure(format!(
            "wrong passphrase for identity file {}",
            quote(path)
        ))
        .into(),
        Some(FormatError::WorkFactor(found)) => {
            let way_out = if source.max_work_factor.is_some() {
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
        Some(fe @ FormatError::Memory { .. }) => Error::failure(format!(
            "identity file {} cannot be opened here: {fe}",
            quote(path)
        ))
        .hint("open it where that much memory is free")
        .into(),
        _ => e.context(format!("failed to open identity file {}", quote(path))),
    }
}
