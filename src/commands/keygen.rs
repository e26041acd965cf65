//! `lockbox keygen`: new identities, and the recipients of existing ones.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use secrecy::ExposeSecret;

use crate::cli::KeygenArgs;
use crate::error::{quote, Error};
use crate::keys::{self, pq};
use crate::passphrase::PassphraseSource;

/// Runs `lockbox keygen`.
pub(crate) fn run(args: &KeygenArgs) -> anyhow::Result<()> {
    let source = PassphraseSource {
        file: args.passphrase.passphrase_file.clone(),
        max_work_factor: None,
    };
    if args.to_recipients {
        let input = match args.input.as_deref() {
            Some(p) => p.to_owned(),
            // Nobody types an identity: on a terminal, -y means yours
            // (issue 13).
            None if crate::io::input_is_terminal(None) => {
                let path = crate::config::existing_default_identity(
                    "no FILE given, and",
                    "name the identity file: 'lockbox keygen -y FILE', or pipe it in",
                )?;
                if !args.quiet {
                    eprintln!(
                        "lockbox: reading the default identity file {}",
                        quote(&path)
                    );
                }
                path
            }
            None => PathBuf::from("-"),
        };
        let implicit_stdin = args.input.is_none();
        crate::io::check_stdin_used_once(
            &[(
                "--passphrase-file",
                args.passphrase.passphrase_file.as_slice(),
            )],
            Some(&input),
        )?;
        return print_recipients(&input, &source, args.quiet).map_err(|e| {
            if implicit_stdin {
                empty_stdin_hint(e)
            } else {
                e
            }
        });
    }

    let (secret, recipient) = if args.pq {
        let id = pq::Identity::generate();
        let secret = zeroize::Zeroizing::new(id.to_string().expose_secret().to_owned());
        (secret, id.to_recipient().to_string())
    } else {
        let id = age::x25519::Identity::generate();
        (keys::x25519_secret(&id), id.to_public().to_string())
    };
    let fingerprint = keys::fingerprint(&recipient);
    let text = keys::identity_file_text(&secret, &recipient);
    let text = if args.protect {
        let pass = source.get("Passphrase to protect the identity: ", true)?;
        keys::protected::protect(&text, pass)?
    } else {
        text
    };

    let out = match &args.output {
        Some(p) if p == Path::new("-") => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
                .context("failed to write the identity to standard output")?;
            // stdout holds the identity: the recipient goes to stderr, in
            // the style of keygen's other lines (issue 13).
            eprintln!("lockbox: recipient: {recipient}");
            if !args.quiet {
                eprintln!("lockbox: fingerprint: {fingerprint}");
            }
            return Ok(());
        }
        Some(p) => p.clone(),
        None => {
            let path = crate::config::default_identity_path()?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                use std::os::unix::fs::DirBuilderExt;
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
                    .with_context(|| format!("failed to create folder {}", quote(dir)))?;
            }
            path
        }
    };
    crate::io::create_secret_file(&out, text.as_bytes())?;
    if !args.quiet {
        let protected = if args.protect {
            "passphrase-protected "
        } else {
            ""
        };
        eprintln!("lockbox: wrote {protected}identity to {}", quote(&out));
        eprintln!("lockbox: fingerprint: {fingerprint}");
    }
    println!("{recipient}");
    Ok(())
}

/// Prints the recipients of an identity file on stdout and, unless quiet,
/// their fingerprints on stderr, so you can read yours to a contact.
/// `keygen -y` without FILE in a script or under `bash -c` reads stdin,
/// which is empty there: the error says how to reach the default identity.
fn empty_stdin_hint(e: anyhow::Error) -> anyhow::Error {
    match e.downcast::<Error>() {
        Ok(err) if err.message == keys::NO_IDENTITIES_ON_STDIN => Error::failure(err.message)
            .hint("name the identity file: 'lockbox keygen -y ~/.config/lockbox/identity.txt' (on a terminal, 'lockbox keygen -y' reads your default identity)")
            .into(),
        Ok(err) => err.into(),
        Err(e) => e,
    }
}

fn print_recipients(path: &Path, source: &PassphraseSource, quiet: bool) -> anyhow::Result<()> {
    let entries = keys::read_identity_file(path, &mut source.clone())?;
    let mut out = String::new();
    for e in &entries {
        let r = e
            .recipient()
            .with_context(|| format!("identity file '{}'", path.display()))?;
        if !quiet {
            eprintln!("lockbox: fingerprint: {}", keys::fingerprint(&r));
        }
        out.push_str(&r);
        out.push('\n');
    }
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
        .context("failed to write to standard output")?;
    Ok(())
}
