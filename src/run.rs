//! The command line's entry: parse, run the command, report the outcome on
//! stderr and return the exit status.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::error::{self, Exit};

/// Runs a parsed command line.
fn run(cli: &Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Keygen(a) => crate::commands::keygen::run(a),
        Command::Seal(a) => crate::commands::seal::run(a),
        Command::Open(a) => crate::commands::open::run(a),
        Command::Inspect(a) => crate::commands::inspect::run(a),
        Command::Contact(a) => crate::commands::contact::run(a),
    }
}

/// The `lockbox` command line: parses `args`, runs the command, reports
/// errors on stderr, and returns the exit status of the contract (0 success,
/// 1 failure, 2 usage error, 3 no identity matched, 4 invalid file).
pub fn run_main<I: IntoIterator<Item = OsString>>(args: I) -> ExitCode {
    let args: Vec<OsString> = args.into_iter().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(c) => c,
        Err(e) => return report_clap(e, &args),
    };
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let (exit, hints) = error::classify(&e);
            if exit == Exit::ClosedPipe {
                // Not an error the user needs to hear about (issue 13).
                return ExitCode::from(exit as u8);
            }
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "lockbox: error: {}", error::render(&e));
            for h in hints {
                let _ = writeln!(stderr, "lockbox: hint: {h}");
            }
            ExitCode::from(exit as u8)
        }
    }
}

/// Seal's flags given to open: a usage error with a hint, as age gives.
fn misplaced_open_flag(e: &clap::Error, args: &[OsString]) -> Option<error::Error> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::UnknownArgument
        || args
            .iter()
            .skip(1)
            .find(|a| !a.to_string_lossy().starts_with('-'))?
            != "open"
    {
        return None;
    }
    let Some(ContextValue::String(flag)) = e.get(ContextKind::InvalidArg) else {
        return None;
    };
    let flag = flag.split('=').next().unwrap_or_default();
    Some(match flag {
        "-a" | "--armor" => error::Error::usage("-a/--armor can't be used with open")
            .hint("armored files are detected automatically: run the same command without -a"),
        "-r" | "--recipient" | "-R" | "--recipients-file" => {
            error::Error::usage("-r/--recipient can't be used with open")
                .hint("did you mean -i/--identity? To seal a file, use 'lockbox seal -r ...'")
        }
        "-p" | "--passphrase" => error::Error::usage("-p/--passphrase can't be used with open")
            .hint(
            "passphrase-sealed files are detected automatically: run the same command without -p",
        ),
        _ => return None,
    })
}

/// age's habits (`-d`, `-e`, `decrypt`, `encrypt`, a file name where the
/// command goes): a usage error whose hint is the lockbox command meant,
/// built from the rest of the command line (issue 13).
fn age_habit(e: &clap::Error, args: &[OsString]) -> Option<error::Error> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let rest: Vec<String> = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let Some(ContextValue::String(found)) = e.get(ContextKind::InvalidArg).or_else(|| {
        (e.kind() == ErrorKind::InvalidSubcommand)
            .then(|| e.get(ContextKind::InvalidSubcommand))
            .flatten()
    }) else {
        return None;
    };
    let command_of = |word: &str| match word {
        "-d" | "--decrypt" | "decrypt" => Some("open"),
        "-e" | "--encrypt" | "encrypt" => Some("seal"),
        _ => None,
    };
    let (message, command) = match e.kind() {
        ErrorKind::UnknownArgument => {
            let flag = found.split('=').next().unwrap_or_default();
            let command = command_of(flag)?;
            (
                format!(
                    "unexpected argument {}: lockbox has commands where age has -d/-e flags",
                    error::quote(flag)
                ),
                command,
            )
        }
        ErrorKind::InvalidSubcommand => {
            let command = command_of(found).or_else(|| looks_sealed(found).then_some("open"))?;
            (
                format!("{} is not a lockbox command", error::quote(found)),
                command,
            )
        }
        _ => return None,
    };
    // The command line meant: the same arguments, with the command first
    // and without the flag or word of age's.
    let mut words = vec!["lockbox".to_owned(), command.to_owned()];
    let mut dropped = false;
    for (i, a) in rest.iter().enumerate() {
        let word = a.split('=').next().unwrap_or_default();
        if command_of(word).is_some() && !dropped {
            dropped = true;
            continue;
        }
        // The command itself, given before or after age's flag.
        if i <= 1 && (a == "open" || a == "seal") {
            continue;
        }
        words.push(shell_word(a));
    }
    Some(
        error::Error::usage(message)
            .hint(format!("did you mean '{}'?", words.join(" ")))
            .hint("see 'lockbox --help'"),
    )
}

/// Whether a command-line word names a sealed file: it ends in `.age`, or
/// it is a file that starts as an age file or armor does.
fn looks_sealed(word: &str) -> bool {
    if word.ends_with(".age") {
        return true;
    }
    let mut start = [0u8; 34];
    let n = std::fs::File::open(word)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut start))
        .unwrap_or(0);
    let start = &start[..n];
    start.starts_with(b"age-encryption.org/") || start.starts_with(b"-----BEGIN AGE ENCRYPTED FILE")
}

/// An argument as it may be shown in a suggested command: as it is when
/// plain, else quoted (and never key material, see [`error::quote`]).
fn shell_word(a: &str) -> String {
    let plain = !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/@:=+,-~".contains(c));
    if plain && error::looks_like_key(a).is_none() {
        a.to_owned()
    } else if error::looks_like_key(a).is_some() {
        error::quote(a).trim_matches('\'').to_owned()
    } else {
        error::quote(a)
    }
}

/// Prints help and version on stdout; usage errors as one error line with
/// hints, exit 2.
fn report_clap(e: clap::Error, args: &[OsString]) -> ExitCode {
    use clap::error::ErrorKind;
    if let Some(err) = misplaced_open_flag(&e, args).or_else(|| age_habit(&e, args)) {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "lockbox: error: {}", err.message);
        for h in err.hints {
            let _ = writeln!(stderr, "lockbox: hint: {h}");
        }
        return ExitCode::from(Exit::Usage as u8);
    }
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::from(Exit::Usage as u8);
        }
        _ => {}
    }
    let text = e.render().to_string();
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let first = lines
        .next()
        .unwrap_or("invalid command line")
        .trim_start_matches("error: ");
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "lockbox: error: {first}");
    for l in lines {
        let l = l.trim();
        if let Some(tip) = l.strip_prefix("tip: ") {
            let _ = writeln!(stderr, "lockbox: hint: {tip}");
        } else if let Some(usage) = l.strip_prefix("Usage: ") {
            let _ = writeln!(stderr, "lockbox: hint: usage: {usage}");
        }
    }
    let _ = writeln!(stderr, "lockbox: hint: see 'lockbox --help'");
    ExitCode::from(Exit::Usage as u8)
}
