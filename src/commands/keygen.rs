//! `lockbox keygen`: new identities, and the recipients of existing ones.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use secrecy::ExposeSecret;

use crate::cli::KeygenArgs;
use crate::keys::{self, pq};
use crate::passphrase::PassphraseSource;

/// Runs `lockbox keygen`.
pub fn run(args: &KeygenArgs) -> anyhow::Result<()> {
    let source = PassphraseSource {
        file: args.passphrase.passphrase_file.clone(),
        max_work_factor: None,
    };
    if args.to_recipients {
        return print_recipients(
            args.input.as_deref().unwrap_or(Path::new("-")),
            &source,
            args.quiet,
        );
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
        protect(&text, &source)?
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
            eprintln!("Public key: {recipient}");
            eprintln!("Fingerprint: {fingerprint}");
            return Ok(());
        }
        Some(p) => p.clone(),
        None => {
            let path = super::default_identity_path()?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                use std::os::unix::fs::DirBuilderExt;
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
                    .with_context(|| format!("failed to create folder '{}'", dir.display()))?;
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
        eprintln!("lockbox: wrote {protected}identity to '{}'", out.display());
        eprintln!("lockbox: fingerprint: {fingerprint}");
    }
    println!("{recipient}");
    Ok(())
}

/// Seals an identity file's text with a passphrase: an armored age file
/// with one scrypt stanza, which age, rage and typage open as an identity
/// file.
fn protect(text: &str, source: &PassphraseSource) -> anyhow::Result<zeroize::Zeroizing<String>> {
    let pass = source.get("Passphrase to protect the identity: ", true)?;
    let mut r = age::scrypt::Recipient::new(pass);
    r.set_work_factor(crate::commands::seal::SCRYPT_WORK_FACTOR);
    let recipients: Vec<Box<dyn age::Recipient + Send>> = vec![Box::new(r)];
    let mut sealed = Vec::new();
    crate::format::encrypt(
        &recipients,
        text.as_bytes(),
        &mut sealed,
        true,
        crate::format::StreamOptions { threads: 1 },
        &mut |_| {},
    )?;
    // Armor is ASCII by construction.
    Ok(zeroize::Zeroizing::new(
        String::from_utf8(sealed).context("armored output is not text")?,
    ))
}

/// Prints the recipients of an identity file on stdout and, unless quiet,
/// their fingerprints on stderr, so you can read yours to a contact.
fn print_recipients(path: &Path, source: &PassphraseSource, quiet: bool) -> anyhow::Result<()> {
    let entries = keys::read_identity_file(path, source)?;
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
