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

/// Prints help and version on stdout; usage errors as one error line with
/// hints, exit 2.
fn report_clap(e: clap::Error, args: &[OsString]) -> ExitCode {
    use clap::error::ErrorKind;
    if let Some(err) = misplaced_open_flag(&e, args) {
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
