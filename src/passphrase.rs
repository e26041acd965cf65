//! Passphrases: from a file or the environment for scripts, else from the
//! terminal with echo off; and the callbacks that age plugins and encrypted
//! SSH keys use to talk to the user.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};

use crate::error::{quote, Error};

/// The environment variable holding a non-interactive passphrase.
pub(crate) const ENV_PASSPHRASE: &str = "LOCKBOX_PASSPHRASE";

/// Where passphrases come from.
#[derive(Clone, Debug, Default)]
pub(crate) struct PassphraseSource {
    /// `--passphrase-file`: its first line is the passphrase.
    pub file: Option<PathBuf>,
    /// `open --max-work-factor`: the highest scrypt work factor accepted for
    /// passphrase-protected identity files. `None` (seal, keygen, which have
    /// no such flag) means the default, [`DEFAULT_MAX_WORK_FACTOR`].
    pub max_work_factor: Option<u8>,
}

pub(crate) use crate::keys::DEFAULT_MAX_WORK_FACTOR;

/// The longest passphrase accepted, in bytes, wherever it comes from.
/// Longer is refused, never cut: two passphrases sharing their first
/// 64 KiB must not open each other's files (issue 10).
pub(crate) const MAX_PASSPHRASE: usize = 64 * 1024;

/// The first line of a passphrase file, without its line ending.
/// `-` is standard input, as everywhere (issue 13).
fn read_first_line(path: &Path) -> anyhow::Result<SecretString> {
    let stdin = crate::io::is_std(Some(path));
    let what = if stdin {
        "the passphrase file (standard input)".to_owned()
    } else {
        format!("passphrase file {}", quote(path))
    };
    let context = || format!("failed to read {what}");
    // Straight into a zeroized buffer (no BufReader): the longest
    // passphrase, a CR LF, and a byte more to tell a longer line.
    let mut data = crate::secret::SecretBuffer::with_capacity(MAX_PASSPHRASE + 3);
    let mut f = if stdin {
        crate::secret::stdin_file().with_context(context)?
    } else {
        std::fs::File::open(path)
            .map_err(|e| crate::error::file_error("read passphrase file", path, e))?
    };
    data.read_from(&mut f, MAX_PASSPHRASE + 2)
        .with_context(context)?;
    let line = match data.iter().position(|&b| b == b'\n') {
        Some(end) => &data[..end],
        // No line end within reach: the line is longer than any passphrase.
        None if data.len() > MAX_PASSPHRASE + 2 => return Err(too_long(&what).into()),
        None => &data[..],
    };
    let end = line.iter().rposition(|&b| b != b'\r').map_or(0, |i| i + 1);
    let pass = std::str::from_utf8(&line[..end])
        .map_err(|_| Error::failure(format!("{what} is not valid UTF-8")))?;
    if pass.is_empty() {
        return Err(Error::failure(format!("{what} has an empty first line")).into());
    }
    checked(SecretString::from(pass.to_owned()), &what)
}

/// Refuses an over-long passphrase, naming where it came from: the one
/// length check every source of a passphrase goes through.
fn checked(pass: SecretString, from: &str) -> anyhow::Result<SecretString> {
    if pass.expose_secret().len() > MAX_PASSPHRASE {
        return Err(too_long(from).into());
    }
    Ok(pass)
}

fn too_long(from: &str) -> Error {
    Error::failure(format!(
        "the passphrase from {from} is longer than {MAX_PASSPHRASE} bytes"
    ))
    .hint("use a shorter passphrase: lockbox never cuts one")
}

impl PassphraseSource {
    /// Whether a non-interactive passphrase is available.
    pub(crate) fn is_scripted(&self) -> bool {
        self.file.is_some() || std::env::var_os(ENV_PASSPHRASE).is_some()
    }

    /// Gets a passphrase: `--passphrase-file`, then `$LOCKBOX_PASSPHRASE`,
    /// then the terminal (asked twice when `confirm`).
    pub(crate) fn get(&self, prompt: &str, confirm: bool) -> anyhow::Result<SecretString> {
        if let Some(path) = &self.file {
            return read_first_line(path);
        }
        if let Some(v) = std::env::var_os(ENV_PASSPHRASE) {
            let v = v
                .into_string()
                .map_err(|_| Error::failure(format!("{ENV_PASSPHRASE} is not valid UTF-8")))?;
            if v.is_empty() {
                return Err(Error::failure(format!("{ENV_PASSPHRASE} is empty")).into());
            }
            return checked(SecretString::from(v), ENV_PASSPHRASE);
        }
        let pass = checked(prompt_terminal(prompt)?, "the terminal")?;
        if pass.expose_secret().is_empty() {
            return Err(Error::failure("the passphrase is empty").into());
        }
        if confirm {
            let again = prompt_terminal("Confirm passphrase: ")?;
            if again.expose_secret() != pass.expose_secret() {
                return Err(Error::failure("the passphrases do not match").into());
            }
        }
        Ok(pass)
    }
}

/// Asks on the terminal with echo off; a clear error when there is none.
pub(crate) fn prompt_terminal(prompt: &str) -> anyhow::Result<SecretString> {
    let no_terminal = || {
        Error::failure("a passphrase is needed but there is no terminal to ask it on").hint(
            format!("use --passphrase-file FILE or set {ENV_PASSPHRASE}"),
        )
    };
    if std::fs::File::open("/dev/tty").is_err() && !std::io::stdin().is_terminal() {
        return Err(no_terminal().into());
    }
    let pass = rpassword::prompt_password(prompt).map_err(|_| no_terminal())?;
    Ok(SecretString::from(pass))
}

/// Asks on the terminal (`/dev/tty`), echo on: one line back, line end
/// included, or `None` when there is no terminal.
pub(crate) fn ask_terminal(prompt: &str) -> Option<String> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()?;
    std::io::Write::write_all(&mut &tty, prompt.as_bytes()).ok()?;
    let mut line = String::new();
    std::io::BufReader::new(&tty).read_line(&mut line).ok()?;
    Some(line)
}

/// The callbacks age plugins and encrypted SSH keys use to reach the user.
#[derive(Clone, Debug, Default)]
pub(crate) struct TerminalCallbacks {
    /// Passphrase source for encrypted SSH keys.
    pub source: PassphraseSource,
}

impl age::Callbacks for TerminalCallbacks {
    fn display_message(&self, message: &str) {
        eprintln!("lockbox: {message}");
    }

    fn confirm(&self, message: &str, yes_string: &str, no_string: Option<&str>) -> Option<bool> {
        let choices = match no_string {
            Some(no) => format!("[{yes_string}/{no}]"),
            None => format!("[{yes_string}]"),
        };
        let line = ask_terminal(&format!("{message} {choices} "))?;
        let answer = line.trim();
        if answer == yes_string {
            Some(true)
        } else if no_string.is_some_and(|n| n == answer) {
            Some(false)
        } else {
            None
        }
    }

    fn request_public_string(&self, description: &str) -> Option<String> {
        let line = ask_terminal(&format!("{description} "))?;
        Some(line.trim_end_matches(['\n', '\r']).to_owned())
    }

    fn request_passphrase(&self, description: &str) -> Option<SecretString> {
        self.source.get(&format!("{description} "), false).ok()
    }
}
