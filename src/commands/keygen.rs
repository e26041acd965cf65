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
    };
    if args.to_recipients {
        return print_recipients(args.input.as_deref().unwrap_or(Path::new("-")), &source);
    }

    let (secret, recipient) = if args.pq {
        let id = pq::Identity::generate();
        let secret = zeroize::Zeroizing::new(id.to_string().expose_secret().to_owned());
        (secret, id.to_recipient().to_string())
    } else {
        let id = age::x25519::Identity::generate();
        (keys::x25519_secret(&id), id.to_public().to_string())
    };
    let text = keys::identity_file_text(&secret, &recipient);

    let out = match &args.output {
        Some(p) if p == Path::new("-") => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
                .context("failed to write the identity to standard output")?;
            eprintln!("Public key: {recipient}");
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
    eprintln!("lockbox: wrote identity to '{}'", out.display());
    println!("{recipient}");
    Ok(())
}

fn print_recipients(path: &Path, source: &PassphraseSource) -> anyhow::Result<()> {
    let entries = keys::read_identity_file(path, source)?;
    let mut out = String::new();
    for e in &entries {
        out.push_str(&e.recipient()?);
        out.push('\n');
    }
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
        .context("failed to write to standard output")?;
    Ok(())
}
