//! The `lockbox` binary: parse the command line, run it, report the outcome.

use std::process::ExitCode;

fn main() -> ExitCode {
    lockbox::run_main(std::env::args_os())
}
