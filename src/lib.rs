//! lockbox: seal files and messages to a recipient's public key, in the age
//! v1 format.
//!
//! The library holds everything; `main.rs` only calls [`run_main`].

#![forbid(unsafe_code)]

pub mod cli;
pub mod commands;
pub mod error;
pub mod format;
pub mod generate;
pub mod io;
pub mod keys;
pub mod passphrase;
pub mod progress;

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::error::Exit;

/// Runs a parsed command line.
pub fn run(cli: &Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Keygen(a) => commands::keygen::run(a),
        Command::Seal(a) => commands::seal::run(a),
        Command::Open(a) => commands::open::run(a),
    }
}

/// Parses the command line, runs it, reports errors on stderr, and returns
/// the exit status of the contract.
pub fn run_main<I: IntoIterator<Item = OsString>>(args: I) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => return report_clap(e),
    };
    io::install_signal_cleanup();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let (exit, hints) = error::classify(&e);
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "lockbox: error: {}", error::render(&e));
            for h in hints {
                let _ = writeln!(stderr, "lockbox: hint: {h}");
            }
            ExitCode::from(exit as u8)
        }
    }
}

/// Prints help and version on stdout; usage errors as one error line with
/// hints, exit 2.
fn report_clap(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
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
