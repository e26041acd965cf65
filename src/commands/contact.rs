//! `lockbox contact`: named recipients files and their fingerprints.

use std::fmt::Write as _;
use std::io::Write;

use anyhow::Context;

use crate::cli::{ContactAddArgs, ContactArgs, ContactCommand};
use crate::error::{quote, Error};
use crate::keys::contacts::{self, Contact};
use crate::keys::{self, RecipientEntry};

/// Runs `lockbox contact`.
pub(crate) fn run(args: &ContactArgs) -> anyhow::Result<()> {
    let quiet = args.quiet;
    match &args.command {
        ContactCommand::Add(a) => add(a, quiet),
        ContactCommand::List(a) if a.names => names(),
        ContactCommand::List(_) => list(quiet),
        ContactCommand::Show(a) => {
            let contact = contacts::load(&a.name)?;
            print_stdout(&describe(&contact))
        }
        ContactCommand::Verify(a) => verify(&a.name, quiet),
        ContactCommand::Remove(a) => {
            let path = contacts::remove(&a.name)?;
            note(
                quiet,
                &format!("removed contact {} ({})", quote(&a.name), quote(&path)),
            );
            Ok(())
        }
    }
}

fn note(quiet: bool, message: &str) {
    if !quiet {
        eprintln!("lockbox: {message}");
    }
}

fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
        .context("failed to write to standard output")
}

fn add(args: &ContactAddArgs, quiet: bool) -> anyhow::Result<()> {
    contacts::check_name(&args.name)?;
    let mut entries = Vec::new();
    for r in &args.recipients {
        entries.push(super::parse_recipient_argument(r)?);
    }
    if let Some(file) = &args.from {
        entries.extend(keys::read_recipients_file(file)?);
    }
    if entries.is_empty() {
        return Err(Error::usage(format!(
            "missing recipients for contact {}",
            quote(&args.name)
        ))
        .hint(format!(
            "give them after the name ('lockbox contact add {} age1...') or with --from FILE",
            args.name
        ))
        .into());
    }
    let pq = entries
        .iter()
        .filter(|e| matches!(e, RecipientEntry::Pq(_)))
        .count();
    if pq > 0 && pq < entries.len() {
        return Err(Error::usage(
            "a contact can't mix post-quantum and classic recipients",
        )
        .hint("a file can't be sealed to both: make one contact for the post-quantum keys and one for the others")
        .into());
    }
    let mut recipients: Vec<String> = Vec::new();
    for e in &entries {
        let c = e.canonical();
        if !recipients.contains(&c) {
            recipients.push(c);
        }
    }
    let now = keys::created_timestamp();
    let text = contacts::render(
        &args.name,
        &recipients,
        args.verified.then_some(now.as_str()),
    );
    let path = contacts::create(&args.name, &text)?;
    let contact = contacts::load(&args.name)?;
    note(
        quiet,
        &format!("added contact {} ({})", quote(&args.name), quote(&path)),
    );
    print_stdout(&describe(&contact))?;
    if !args.verified && !quiet {
        eprintln!(
            "lockbox: hint: compare the fingerprint{} with {} in person or by phone, then run 'lockbox contact verify {}'",
            if recipients.len() > 1 { "s" } else { "" },
            args.name,
            args.name
        );
    }
    Ok(())
}

/// A contact as `show`, `add` and `verify` print it.
fn describe(contact: &Contact) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "contact: {}", contact.name);
    let _ = writeln!(out, "file: {}", contact.path.display());
    for r in &contact.recipients {
        let _ = writeln!(out, "recipient: {}", r.recipient);
        let state = match &r.verified {
            Some(at) => format!("verified {at}"),
            None => "not verified".into(),
        };
        let _ = writeln!(out, "fingerprint: {} ({state})", r.fingerprint);
    }
    out
}

/// `contact list --names`: the names only, one per line, for scripts and
/// shell completion; no contact file is read and nothing goes to stderr.
fn names() -> anyhow::Result<()> {
    let mut out = String::new();
    for name in contacts::list_names()? {
        out.push_str(&name);
        out.push('\n');
    }
    print_stdout(&out)
}

fn list(quiet: bool) -> anyhow::Result<()> {
    let names = contacts::list_names()?;
    if names.is_empty() {
        note(
            quiet,
            "no contacts yet: add one with 'lockbox contact add NAME RECIPIENT'",
        );
        return Ok(());
    }
    let width = names.iter().map(|n| n.len()).max().unwrap_or(0);
    let mut out = String::new();
    let mut broken = Vec::new();
    for name in &names {
        match contacts::load(name) {
            Ok(c) => {
                let n = c.recipients.len();
                let _ = writeln!(
                    out,
                    "{name:<width$}  {n} recipient{}  {}",
                    if n == 1 { " " } else { "s" },
                    if c.is_verified() {
                        "verified"
                    } else {
                        "not verified"
                    }
                );
            }
            Err(e) => {
                let _ = writeln!(out, "{name:<width$}  invalid");
                broken.push(crate::error::render(&e));
            }
        }
    }
    print_stdout(&out)?;
    for b in broken {
        note(quiet, &format!("warning: {b}"));
    }
    Ok(())
}

fn verify(name: &str, quiet: bool) -> anyhow::Result<()> {
    let contact = contacts::load(name)?;
    if contact.is_verified() {
        note(
            quiet,
            &format!("contact {} is already verified", quote(name)),
        );
        return print_stdout(&describe(&contact));
    }
    let now = keys::created_timestamp();
    let mut text = std::fs::read_to_string(&contact.path)
        .with_context(|| format!("failed to read contact file {}", quote(&contact.path)))?;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    for r in contact.recipients.iter().filter(|r| r.verified.is_none()) {
        let _ = writeln!(text, "# verified: {} {now}", r.fingerprint);
    }
    contacts::replace(&contact, &text)?;
    let contact = contacts::load(name)?;
    note(
        quiet,
        &format!(
            "recorded that you compared the fingerprints of contact {} ({})",
            quote(name),
            quote(&contact.path)
        ),
    );
    print_stdout(&describe(&contact))
}
