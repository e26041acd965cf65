//! The subcommands: each turns parsed arguments into work on the library.
//! No cryptography here.

pub(crate) mod contact;
pub(crate) mod inspect;
pub(crate) mod keygen;
pub(crate) mod open;
pub(crate) mod seal;

use std::path::{Path, PathBuf};

use crate::cli::RunArgs;
use crate::error::{quote, Error};
use crate::format::{FormatError, StreamOptions};
use crate::io;
use crate::keys::{self, RecipientEntry};
use crate::passphrase::PassphraseSource;

/// Stream options from `-j`.
fn stream_options(run: &RunArgs) -> StreamOptions {
    match run.threads {
        Some(n) => StreamOptions {
            threads: n as usize,
        },
        None => StreamOptions::default(),
    }
}

/// The size of a regular input file, for the progress bar.
fn input_size(path: Option<&Path>) -> Option<u64> {
    let p = path.filter(|p| !io::is_std(Some(p)))?;
    std::fs::metadata(p)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len())
}

/// Names the files in an error from the payload path: an I/O error says
/// which side failed; the engine's other errors stay as they are.
fn write_context(e: FormatError, output: &str, input: Option<&Path>) -> anyhow::Error {
    let FormatError::Io(ioe) = e else {
        return e.into();
    };
    let context = match ioe.kind() {
        std::io::ErrorKind::BrokenPipe => format!("{output} was closed early"),
        std::io::ErrorKind::StorageFull => format!("no space left to write {output}"),
        _ => format!(
            "failed while reading {} or writing {output}",
            io::input_name(input)
        ),
    };
    anyhow::Error::new(ioe).context(context)
}

/// Refuses an output that is one of the files the command reads: the
/// input, the key files (`files`: what they are, and their paths) and the
/// passphrase file (see [`io::check_output_not_read`]).
fn check_output_not_read(
    output: Option<&Path>,
    input: Option<&Path>,
    files: &[(&str, &[PathBuf])],
    passphrase_file: Option<&Path>,
) -> anyhow::Result<()> {
    let mut reads: Vec<(&str, &Path)> = Vec::new();
    reads.extend(input.map(|p| ("input", p)));
    for (what, paths) in files {
        reads.extend(paths.iter().map(|p| (*what, p.as_path())));
    }
    reads.extend(passphrase_file.map(|p| ("passphrase file", p)));
    io::check_output_not_read(output, &reads)
}

/// Adds "failed to VERB INPUT" to an error about the input file itself (an
/// invalid file, or one for no identity), so the message names the file.
fn name_input(e: anyhow::Error, verb: &str, input: Option<&Path>) -> anyhow::Error {
    match crate::error::classify(&e).0 {
        crate::error::Exit::NoMatch | crate::error::Exit::Invalid => {
            let name = io::input_name(input);
            e.context(format!("failed to {verb} {name}"))
        }
        _ => e,
    }
}

/// The command line's passphrases unlock protected identity files.
impl keys::Unlock for PassphraseSource {
    fn passphrase(&mut self, prompt: &str) -> anyhow::Result<secrecy::SecretString> {
        self.get(prompt, false)
    }

    fn max_work_factor(&self) -> Option<u8> {
        self.max_work_factor
    }
}

/// Parses a recipient given on the command line (`seal -r`, `contact add`),
/// naming it in the error as every message names a user string: through
/// [`quote`], which never shows key material.
pub(crate) fn parse_recipient_argument(r: &str) -> Result<RecipientEntry, Error> {
    keys::parse_recipient(r).map_err(|e| {
        let mut err = Error::usage(format!("{}: {}", e.message, quote(r)));
        err.hints = e.hints;
        err
    })
}
