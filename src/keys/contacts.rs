//! Contacts: named recipients files under `$XDG_CONFIG_HOME/lockbox/contacts/`.
//!
//! A contact file is exactly an age recipients file (`age -R` reads it):
//! `#` comment lines, then one recipient per line. That the user compared a
//! recipient's fingerprint is recorded as a comment line,
//! `# verified: <fingerprint> <RFC 3339 time>`, so there is no database to
//! corrupt and nothing hidden. A `# verified:` line whose fingerprint is no
//! longer one of the contact's recipients records a key that was replaced
//! (by `contact replace` or by hand): the contact then "changed since you
//! verified it" until the new key is verified, the warning fingerprints
//! exist for. `contact replace` also writes a history line,
//! `# replaced: <time>: was <fingerprints>, now <fingerprints>`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{
    check_recipient_count, fingerprint, parse_recipient, read_key_file, recipient_line,
    RecipientEntry,
};
use crate::error::{quote, Error};

/// Longest contact name (most email addresses fit; a longer name is
/// refused, as is an identity pasted where a name goes: those are 74
/// characters and more).
pub(crate) const MAX_NAME: usize = 64;

/// The prefix of the comment line that records a verified fingerprint.
const VERIFIED: &str = "# verified:";

/// What a `# verified:` line of a replaced key becomes once the new key is
/// verified: kept for the record, no longer part of the contact's state.
const VERIFIED_EARLIER: &str = "# verified earlier:";

/// The prefix of the history line `contact replace` writes.
const REPLACED: &str = "# replaced:";

/// One recipient of a contact.
pub(crate) struct ContactRecipient {
    /// The recipient, canonical form.
    pub recipient: String,
    /// Its fingerprint ([`fingerprint`]).
    pub fingerprint: String,
    /// When the user recorded comparing the fingerprint, if ever.
    pub verified: Option<String>,
}

/// A fingerprint recorded as verified that is none of the contact's
/// recipients any more: a key replaced since.
pub(crate) struct Replaced {
    /// The fingerprint that was verified.
    pub fingerprint: String,
    /// When it was verified.
    pub verified: String,
}

/// A contact, read from its file.
pub(crate) struct Contact {
    /// The contact's name (the file name).
    pub name: String,
    /// The contact file.
    pub path: PathBuf,
    /// The recipients, in file order.
    pub recipients: Vec<ContactRecipient>,
    /// Verified fingerprints of keys no longer in the contact, file order.
    pub replaced: Vec<Replaced>,
    /// The history lines (`# replaced:`), without their prefix.
    pub history: Vec<String>,
}

/// How far a contact's fingerprints were compared: the one rule `seal`,
/// `contact show` and `contact list` report.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// Every recipient's fingerprint was recorded as compared.
    Verified,
    /// Some recipient was never verified, and no verified key was replaced.
    NotVerified,
    /// A verified key was replaced by one not verified: the swapped-key
    /// case fingerprints exist for.
    Changed,
}

impl Contact {
    /// Whether every recipient's fingerprint was recorded as compared.
    pub(crate) fn is_verified(&self) -> bool {
        self.recipients.iter().all(|r| r.verified.is_some())
    }

    /// The contact's state (see [`State`]).
    pub(crate) fn state(&self) -> State {
        if self.is_verified() {
            State::Verified
        } else if self.replaced.is_empty() {
            State::NotVerified
        } else {
            State::Changed
        }
    }

    /// The loud warning for a contact whose key changed since it was
    /// verified, as SSH warns of a changed host key: the warning and its
    /// hint, without prefixes; `None` otherwise. Every command that reads a
    /// contact for the user prints it, and -q/--quiet does not silence it.
    pub(crate) fn changed_warning(&self) -> Option<(String, String)> {
        if self.state() != State::Changed {
            return None;
        }
        let when = self
            .replaced
            .iter()
            .map(|r| r.verified.as_str())
            .max()
            .unwrap_or_default();
        let was: Vec<&str> = self
            .replaced
            .iter()
            .map(|r| r.fingerprint.as_str())
            .collect();
        let now: Vec<&str> = self
            .recipients
            .iter()
            .filter(|r| r.verified.is_none())
            .map(|r| r.fingerprint.as_str())
            .collect();
        let name = &self.name;
        Some((
            format!(
                "the key of contact {} changed since you verified it on {when}: verified {}, now {}",
                quote(name),
                was.join(", "),
                now.join(", "),
            ),
            format!(
                "a swapped key looks exactly like this: unless {name} told you of a new key, don't trust it; \
                 compare the new fingerprint with {name} in person or by phone, then run 'lockbox contact verify {name}'"
            ),
        ))
    }

    /// The recipients, parsed for sealing.
    pub(crate) fn entries(&self) -> Result<Vec<RecipientEntry>, Error> {
        self.recipients
            .iter()
            .map(|r| parse_recipient(&r.recipient))
            .collect()
    }
}

/// The contacts folder: `$XDG_CONFIG_HOME/lockbox/contacts`.
pub(crate) fn contacts_dir() -> anyhow::Result<PathBuf> {
    Ok(crate::config::config_dir()?.join("contacts"))
}

/// Whether `name` is a valid contact name: `[A-Za-z0-9._+@-]`, 1 to
/// [`MAX_NAME`] characters, not starting with a dot (so no `..`, no hidden
/// or temporary files, and never a path) nor with `@` (which `-r @NAME`
/// strips). Email addresses are names: a recipient string never holds an
/// `@` without a space before it (only an SSH key's comment does), so
/// `-r alice@example.com` can't be read as a recipient.
pub(crate) fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && !name.starts_with(['.', '@'])
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+' | b'@'))
}

/// Checks a contact name, with a usage error that says what names may be.
pub(crate) fn check_name(name: &str) -> Result<(), Error> {
    if is_valid_name(name) {
        return Ok(());
    }
    Err(Error::usage(format!("invalid contact name {}", quote(name))).hint(format!(
        "contact names use letters, digits, '.', '_', '-', '+' and '@' (an email address will do), at most {MAX_NAME} characters, and don't start with '.' or '@'"
    )))
}

/// The file of the contact `name` (the name must be valid).
pub(crate) fn contact_path(name: &str) -> anyhow::Result<PathBuf> {
    check_name(name)?;
    Ok(contacts_dir()?.join(name))
}

/// The names of all contacts, sorted.
pub(crate) fn list_names() -> anyhow::Result<Vec<String>> {
    let dir = contacts_dir()?;
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(anyhow::Error::new(e)
                .context(format!("failed to read contacts folder {}", quote(&dir))))
        }
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry =
            entry.with_context(|| format!("failed to read contacts folder {}", quote(&dir)))?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if is_valid_name(&name) && entry.path().is_file() {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Whether a contact named `name` exists.
pub(crate) fn exists(name: &str) -> bool {
    is_valid_name(name)
        && contacts_dir()
            .map(|d| d.join(name).is_file())
            .unwrap_or(false)
}

/// Reads the contact `name`; an unknown name is a usage error that lists
/// close names.
pub(crate) fn load(name: &str) -> anyhow::Result<Contact> {
    let path = contact_path(name)?;
    if !path.is_file() {
        return Err(unknown(name)?.into());
    }
    let data = read_key_file(&path, "contact file")?;
    let text = std::str::from_utf8(&data)
        .map_err(|_| Error::usage(format!("contact file {} is not text", quote(&path))))?;
    let mut verified: Vec<(String, String)> = Vec::new();
    let mut history = Vec::new();
    let mut recipients: Vec<ContactRecipient> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix(REPLACED) {
            history.push(rest.trim().to_owned());
            continue;
        }
        if let Some(rest) = line.strip_prefix(VERIFIED) {
            verified.extend(parse_verified(rest));
            continue;
        }
        let Some(entry) = recipient_line("contact file", &path, i + 1, line)? else {
            continue;
        };
        let recipient = entry.canonical();
        let fp = fingerprint(&recipient);
        recipients.push(ContactRecipient {
            recipient,
            fingerprint: fp,
            verified: None,
        });
        check_recipient_count("contact file", &path, recipients.len())?;
    }
    if recipients.is_empty() {
        return Err(
            Error::usage(format!("contact file {} has no recipients", quote(&path)))
                .hint(format!(
                    "remove it with 'lockbox contact remove {name}' and add it again"
                ))
                .into(),
        );
    }
    for r in &mut recipients {
        r.verified = verified
            .iter()
            .find(|(fp, _)| *fp == r.fingerprint)
            .map(|(_, date)| date.clone());
    }
    let mut replaced: Vec<Replaced> = Vec::new();
    for (fp, date) in verified {
        if !recipients.iter().any(|r| r.fingerprint == fp)
            && !replaced.iter().any(|r| r.fingerprint == fp)
        {
            replaced.push(Replaced {
                fingerprint: fp,
                verified: date,
            });
        }
    }
    Ok(Contact {
        name: name.to_owned(),
        path,
        recipients,
        replaced,
        history,
    })
}

/// The fingerprint and time of a `# verified:` line (after the prefix).
fn parse_verified(rest: &str) -> Option<(String, String)> {
    let words: Vec<&str> = rest.split_whitespace().collect();
    let (date, fp) = words.split_last()?;
    Some((fp.join(" "), (*date).to_owned()))
}

/// The error for an unknown contact, with close names as hints.
pub(crate) fn unknown(name: &str) -> anyhow::Result<Error> {
    let names = list_names()?;
    let close = close_names(name, &names);
    let mut err = Error::usage(format!("unknown contact {}", quote(name)));
    if !close.is_empty() {
        let quoted: Vec<String> = close.iter().map(quote).collect();
        err = err.hint(format!("did you mean {}?", quoted.join(" or ")));
    }
    Ok(if names.is_empty() {
        err.hint("you have no contacts yet: add one with 'lockbox contact add NAME RECIPIENT'")
    } else {
        err.hint("list your contacts with 'lockbox contact list'")
    })
}

/// Resolves a `-r` value that names a contact: `@NAME` always does; a
/// bare value does when it is not a valid recipient but is a valid contact
/// name. Returns `None` for values to parse as recipients. A bare name that
/// is no contact is an unknown-contact error, unless it looks like an
/// attempt at a recipient or key (`age1`, `ssh-`, `AGE-`), whose own parse
/// error says more.
pub(crate) fn resolve(value: &str) -> anyhow::Result<Option<Contact>> {
    if let Some(name) = value.strip_prefix('@') {
        return load(name).map(Some);
    }
    if parse_recipient(value).is_ok() || !is_valid_name(value) {
        return Ok(None);
    }
    if exists(value) {
        return load(value).map(Some);
    }
    let lower = value.to_ascii_lowercase();
    if ["age1", "ssh-", "age-"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return Ok(None);
    }
    Err(unknown(value)?
        .hint("recipients look like age1..., age1pq1..., ssh-ed25519 AAAA... or ssh-rsa AAAA...")
        .into())
}

/// Up to three names within a small edit distance of `name`, closest first.
pub(crate) fn close_names(name: &str, names: &[String]) -> Vec<String> {
    let lower = name.to_ascii_lowercase();
    let limit = (name.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &String)> = names
        .iter()
        .filter_map(|n| {
            let d = edit_distance(&lower, &n.to_ascii_lowercase());
            let prefix = n.to_ascii_lowercase().starts_with(&lower) && lower.len() >= 2;
            (d <= limit || prefix).then_some((d, n))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n.clone()).collect()
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The text of a contact file for `recipients` (canonical forms), each
/// marked verified at `verified_at` when given.
pub(crate) fn render(name: &str, recipients: &[String], verified_at: Option<&str>) -> String {
    let mut out = format!(
        "# lockbox contact '{name}', added {}\n\
         # A recipients file: 'lockbox seal -r {name}' and 'age -R FILE' read it.\n",
        super::created_timestamp()
    );
    for r in recipients {
        let fp = fingerprint(r);
        out.push_str(&format!("# fingerprint: {fp}\n"));
        if let Some(at) = verified_at {
            out.push_str(&format!("{VERIFIED} {fp} {at}\n"));
        }
        out.push_str(r);
        out.push('\n');
    }
    out
}

/// Writes a new contact file, never replacing an existing one; returns its
/// path. The file is complete or absent: written to a temporary file, then
/// linked into place.
pub(crate) fn create(name: &str, text: &str) -> anyhow::Result<PathBuf> {
    let path = contact_path(name)?;
    let dir = contacts_dir()?;
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("failed to create contacts folder {}", quote(&dir)))?;
    let temp = write_temp(&dir, &path, text)?;
    temp.persist_noclobber(&path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::Error::new(already_exists(name))
        } else {
            anyhow::Error::new(e.error)
                .context(format!("failed to write contact file {}", quote(&path)))
        }
    })?;
    Ok(path)
}

/// The error for `contact add` over an existing contact: a usage error
/// pointing to `contact replace`, which keeps the history.
pub(crate) fn already_exists(name: &str) -> Error {
    Error::usage(format!("contact {} already exists", quote(name)))
        .hint(format!(
            "to give {name} new keys, run 'lockbox contact replace {name} RECIPIENT...': it keeps a dated history line, and {name} shows as changed until verified again"
        ))
        .hint(format!(
            "to record that you compared its fingerprint, run 'lockbox contact verify {name}'"
        ))
}

/// The text of `contact`'s file.
fn read_text(contact: &Contact) -> anyhow::Result<String> {
    let mut text = std::fs::read_to_string(&contact.path)
        .with_context(|| format!("failed to read contact file {}", quote(&contact.path)))?;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// Gives `contact` new recipients (canonical forms): its recipient lines
/// and their `# fingerprint:` comments are replaced, every other line is
/// kept (the `# verified:` lines of the old keys too, so the contact reads
/// as changed until the new keys are verified), and a dated history line
/// records the change.
pub(crate) fn replace_recipients(contact: &Contact, recipients: &[String]) -> anyhow::Result<()> {
    let old = read_text(contact)?;
    let mut text = String::new();
    for line in old.lines() {
        let t = line.trim();
        let comment_or_blank = t.is_empty() || t.starts_with('#');
        if comment_or_blank && !t.starts_with("# fingerprint:") {
            text.push_str(line);
            text.push('\n');
        }
    }
    let fps = |fps: Vec<String>| fps.join(", ");
    text.push_str(&format!(
        "{REPLACED} {}: was {}, now {}\n",
        super::created_timestamp(),
        fps(contact
            .recipients
            .iter()
            .map(|r| r.fingerprint.clone())
            .collect()),
        fps(recipients.iter().map(|r| fingerprint(r)).collect()),
    ));
    for r in recipients {
        text.push_str(&format!("# fingerprint: {}\n{r}\n", fingerprint(r)));
    }
    replace(contact, &text)
}

/// Records that every recipient of `contact` was compared, now: a
/// `# verified:` line for each one not verified yet, and the `# verified:`
/// lines of replaced keys become `# verified earlier:` (kept, no longer
/// counted).
pub(crate) fn record_verified(contact: &Contact) -> anyhow::Result<()> {
    let now = super::created_timestamp();
    let old = read_text(contact)?;
    let mut text = String::new();
    for line in old.lines() {
        let rest = line.trim().strip_prefix(VERIFIED);
        let stale = rest
            .and_then(parse_verified)
            .is_some_and(|(fp, _)| contact.replaced.iter().any(|r| r.fingerprint == fp));
        match rest {
            Some(rest) if stale => {
                text.push_str(&format!("{VERIFIED_EARLIER} {}\n", rest.trim()));
            }
            _ => {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    for r in contact.recipients.iter().filter(|r| r.verified.is_none()) {
        text.push_str(&format!("{VERIFIED} {} {now}\n", r.fingerprint));
    }
    replace(contact, &text)
}

/// Replaces the file of an existing contact, atomically.
fn replace(contact: &Contact, text: &str) -> anyhow::Result<()> {
    let dir = contact.path.parent().unwrap_or(Path::new("."));
    let temp = write_temp(dir, &contact.path, text)?;
    temp.persist(&contact.path).map_err(|e| {
        anyhow::Error::new(e.error).context(format!(
            "failed to write contact file {}",
            quote(&contact.path)
        ))
    })?;
    Ok(())
}

fn write_temp(dir: &Path, path: &Path, text: &str) -> anyhow::Result<tempfile::NamedTempFile> {
    use std::os::unix::fs::PermissionsExt;
    let ctx = || format!("failed to write contact file {}", quote(path));
    let mut temp = tempfile::Builder::new()
        .prefix(".contact.")
        .suffix(".lockbox-tmp")
        .permissions(std::fs::Permissions::from_mode(0o644))
        .tempfile_in(dir)
        .with_context(ctx)?;
    temp.write_all(text.as_bytes())
        .and_then(|_| temp.as_file().sync_all())
        .with_context(ctx)?;
    Ok(temp)
}

/// Removes the contact `name`; returns the path removed.
pub(crate) fn remove(name: &str) -> anyhow::Result<PathBuf> {
    let path = contact_path(name)?;
    if !path.is_file() {
        return Err(unknown(name)?.into());
    }
    std::fs::remove_file(&path)
        .with_context(|| format!("failed to remove contact file {}", quote(&path)))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in [
            "bob",
            "Alice.Work",
            "a-b_c.d",
            "x",
            "alice@example.com",
            "bob+work@mail.example.org",
            &"a".repeat(64),
        ] {
            assert!(is_valid_name(ok), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            ".hidden",
            "a/b",
            "../x",
            "a b",
            "é",
            "@bob",
            "@",
            "bob\n",
            "a\tb",
            ".bob@example.com",
            "bob@example.com/x",
            &"a".repeat(65),
        ] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn close() {
        let names: Vec<String> = ["alice", "bob", "bobby", "carol"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(close_names("bbo", &names), ["bob"]);
        assert_eq!(close_names("bobb", &names), ["bob", "bobby"]);
        assert_eq!(close_names("Alcie", &names), ["alice"]);
        assert!(close_names("zzzzzz", &names).is_empty());
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
