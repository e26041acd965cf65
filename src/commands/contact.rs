//! `lockbox contact`: named recipients files and their fingerprints.

use std::fmt::Write as _;
use std::io::Write;

use anyhow::Context;

use crate::cli::{
    ContactAddArgs, ContactArgs, ContactCommand, ContactReplaceArgs, ContactVerifyArgs,
};
use crate::error::{quote, Error};
use crate::keys::contacts::{self, Contact, State};
use crate::keys::{self, RecipientEntry};

/// Runs `lockbox contact`.
pub(crate) fn run(args: &ContactArgs) -> anyhow::Result<()> {
    let quiet = args.quiet;
    match &args.command {
        ContactCommand::Add(a) => add(a, quiet),
        ContactCommand::Replace(a) => replace(a, quiet),
        ContactCommand::List(a) if a.names => names(),
        ContactCommand::List(_) => list(quiet),
        ContactCommand::Show(a) => {
            let contact = contacts::load(&a.name)?;
            warn_changed(&contact);
            print_stdout(&describe(&contact))
        }
        ContactCommand::Verify(a) => verify(a, quiet),
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

/// Prints the loud warning for a contact whose key changed since it was
/// verified ([`Contact::changed_warning`]); -q/--quiet does not silence it.
pub(crate) fn warn_changed(contact: &Contact) {
    if let Some((warning, hint)) = contact.changed_warning() {
        eprintln!("lockbox: warning: {warning}\nlockbox: hint: {hint}");
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
    // Before reading any --from file or stdin; create() checks again.
    if contacts::exists(&args.name) {
        return Err(contacts::already_exists(&args.name).into());
    }
    let recipients = collect_recipients("add", &args.name, &args.recipients, args.from.as_deref())?;
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

/// The recipients of `contact add` and `contact replace`: the arguments
/// and the --from file, canonical, duplicates dropped, never empty, never
/// post-quantum and classic mixed.
fn collect_recipients(
    command: &str,
    name: &str,
    args: &[String],
    from: Option<&std::path::Path>,
) -> anyhow::Result<Vec<String>> {
    let mut entries = Vec::new();
    for r in args {
        entries.push(super::parse_recipient_argument(r)?);
    }
    if let Some(file) = from {
        entries.extend(keys::read_recipients_file(file)?);
    }
    if entries.is_empty() {
        return Err(Error::usage(format!(
            "missing recipients for contact {}",
            quote(name)
        ))
        .hint(format!(
            "give them after the name ('lockbox contact {command} {name} age1...') or with --from FILE"
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
    Ok(recipients)
}

fn replace(args: &ContactReplaceArgs, quiet: bool) -> anyhow::Result<()> {
    let contact = contacts::load(&args.name)?;
    let recipients = collect_recipients(
        "replace",
        &args.name,
        &args.recipients,
        args.from.as_deref(),
    )?;
    let current: Vec<&String> = contact.recipients.iter().map(|r| &r.recipient).collect();
    if recipients.len() == current.len() && recipients.iter().all(|r| current.contains(&r)) {
        note(
            quiet,
            &format!(
                "contact {} already has these recipients: nothing changed",
                quote(&args.name)
            ),
        );
        warn_changed(&contact);
        return print_stdout(&describe(&contact));
    }
    contacts::replace_recipients(&contact, &recipients)?;
    let contact = contacts::load(&args.name)?;
    note(
        quiet,
        &format!(
            "replaced the recipients of contact {} ({})",
            quote(&args.name),
            quote(&contact.path)
        ),
    );
    print_stdout(&describe(&contact))?;
    if !contact.is_verified() && !quiet {
        eprintln!(
            "lockbox: hint: compare the new fingerprint{} with {} in person or by phone, then run 'lockbox contact verify {}'",
            if contact.recipients.len() > 1 { "s" } else { "" },
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
        let state = match (&r.verified, contact.state()) {
            (Some(at), _) => format!("verified {at}"),
            (None, State::Changed) => "CHANGED since verified, not verified".into(),
            (None, _) => "not verified".into(),
        };
        let _ = writeln!(out, "fingerprint: {} ({state})", r.fingerprint);
    }
    for r in &contact.replaced {
        let _ = writeln!(
            out,
            "replaced key: {} (verified {})",
            r.fingerprint, r.verified
        );
    }
    for h in &contact.history {
        let _ = writeln!(out, "replaced: {h}");
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
    let mut changed = Vec::new();
    for name in &names {
        match contacts::load(name) {
            Ok(c) => {
                let n = c.recipients.len();
                let _ = writeln!(
                    out,
                    "{name:<width$}  {n} recipient{}  {}",
                    if n == 1 { " " } else { "s" },
                    match c.state() {
                        State::Verified => "verified",
                        State::NotVerified => "not verified",
                        State::Changed => "CHANGED since verified",
                    }
                );
                if c.state() == State::Changed {
                    changed.push(c);
                }
            }
            Err(e) => {
                let _ = writeln!(out, "{name:<width$}  invalid");
                broken.push(crate::error::render(&e));
            }
        }
    }
    print_stdout(&out)?;
    for c in &changed {
        warn_changed(c);
    }
    for b in broken {
        note(quiet, &format!("warning: {b}"));
    }
    Ok(())
}

fn verify(args: &ContactVerifyArgs, quiet: bool) -> anyhow::Result<()> {
    let name = &args.name;
    let contact = contacts::load(name)?;
    let given = args
        .fingerprint
        .iter()
        .map(|f| normalize_fingerprint(f).map(|n| (n, f)))
        .collect::<Result<Vec<_>, Error>>()?;
    warn_changed(&contact);
    let on_terminal = given.is_empty();
    if !on_terminal {
        check_given_fingerprints(&contact, &given)?;
    }
    if contact.is_verified() {
        note(
            quiet,
            &format!("contact {} is already verified", quote(name)),
        );
        return print_stdout(&describe(&contact));
    }
    if on_terminal {
        confirm_on_terminal(&contact)?;
    }
    contacts::record_verified(&contact)?;
    let contact = contacts::load(name)?;
    note(
        quiet,
        &format!(
            "recorded that you compared the fingerprints of contact {} ({})",
            quote(name),
            quote(&contact.path)
        ),
    );
    if on_terminal {
        return Ok(());
    }
    print_stdout(&describe(&contact))
}

/// A fingerprint as typed or read out: 20 hex digits, case, spaces and
/// dashes ignored; anything else is a usage error.
fn normalize_fingerprint(given: &str) -> Result<String, Error> {
    let digits: String = given
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::usage(format!("invalid fingerprint {}", quote(given)))
            .hint("a fingerprint is 20 hex digits, as 'lockbox keygen' and 'lockbox contact show' print it: '3f2a 9c01 77be 0d4e 5a61'"));
    }
    Ok(digits)
}

/// Checks `--fingerprint` values against the contact: each must be the
/// fingerprint of one of its recipients (else the key may have been
/// swapped: a failure), and every recipient not verified yet needs one.
fn check_given_fingerprints(contact: &Contact, given: &[(String, &String)]) -> Result<(), Error> {
    let plain = |fp: &str| fp.replace(' ', "");
    let name = &contact.name;
    for (g, raw) in given {
        if !contact
            .recipients
            .iter()
            .any(|r| plain(&r.fingerprint) == *g)
        {
            let have: Vec<&str> = contact
                .recipients
                .iter()
                .map(|r| r.fingerprint.as_str())
                .collect();
            return Err(Error::failure(format!(
                "fingerprint {} does not match contact {}, which has {}",
                quote(raw),
                quote(name),
                have.join(", ")
            ))
            .hint(format!(
                "nothing was recorded: the key you have for {name} is not the one {name} holds (mistyped, or swapped on the way); get {name}'s key again over another channel and 'lockbox contact replace {name} RECIPIENT'"
            )));
        }
    }
    let missing: Vec<&str> = contact
        .recipients
        .iter()
        .filter(|r| r.verified.is_none() && !given.iter().any(|(g, _)| plain(&r.fingerprint) == *g))
        .map(|r| r.fingerprint.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(Error::usage(format!(
            "contact {} has {} more fingerprint{} to compare",
            quote(name),
            missing.len(),
            if missing.len() == 1 { "" } else { "s" }
        ))
        .hint(
            "give --fingerprint once for each recipient ('lockbox contact show NAME' lists them)",
        ));
    }
    Ok(())
}

/// Shows the contact and asks y/N on the terminal; no terminal is a usage
/// error, any answer but yes a failure (nothing is recorded).
fn confirm_on_terminal(contact: &Contact) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let name = &contact.name;
    let no_terminal = || {
        Error::usage(format!(
            "verifying contact {} needs a terminal to ask you on, or --fingerprint",
            quote(name)
        ))
        .hint(format!(
            "give the fingerprint {name} read to you: 'lockbox contact verify {name} --fingerprint \"XXXX XXXX XXXX XXXX XXXX\"'"
        ))
    };
    if !std::io::stdin().is_terminal() {
        return Err(no_terminal().into());
    }
    print_stdout(&describe(contact))?;
    let question = if contact.recipients.len() > 1 {
        "Are these the fingerprints"
    } else {
        "Is this the fingerprint"
    };
    let answer = crate::passphrase::ask_terminal(&format!(
        "{question} {name} read to you, in person or by phone? [y/N] "
    ))
    .ok_or_else(no_terminal)?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        return Ok(());
    }
    Err(Error::failure(format!("contact {} was not verified", quote(name)))
        .hint(format!(
            "nothing was recorded; if the fingerprints differ, get {name}'s key again over another channel"
        ))
        .into())
}
