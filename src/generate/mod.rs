//! Man pages and shell completions, rendered in memory from [`Cli`]'s clap
//! definition, so that the committed `man/` and `completions/` can be
//! checked against it (the tests in `generate/tests.rs`).
//!
//! Output is deterministic: no dates, and nothing that depends on the
//! machine, so regenerating on any host gives the same bytes.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{ArgAction, CommandFactory};
use clap_complete::{Generator, Shell};
use clap_mangen::roff::{bold, italic, roman, Roff};
use clap_mangen::Man;

mod dynamic;

use crate::cli::Cli;
use crate::error::Exit;

/// The shells we ship completions for.
pub(crate) const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::Elvish,
    Shell::PowerShell,
];

/// Environment variables lockbox reads, for ENVIRONMENT.
const ENVIRONMENT: [(&str, &str); 4] = [
    (
        "LOCKBOX_IDENTITY",
        "The default identity file: read by lockbox open without -i/--identity, written by \
         lockbox keygen without -o/--output. Overrides the location under XDG_CONFIG_HOME.",
    ),
    (
        "LOCKBOX_PASSPHRASE",
        "The passphrase, for scripts, when --passphrase-file is not given: used by lockbox seal \
         -p/--passphrase, by lockbox open on a passphrase-sealed file, by lockbox keygen \
         --protect, and for passphrase-protected identity files. A passphrase is never taken from the command line.",
    ),
    (
        "XDG_CONFIG_HOME",
        "The configuration folder; the default identity file is \
         $XDG_CONFIG_HOME/lockbox/identity.txt and contacts are in \
         $XDG_CONFIG_HOME/lockbox/contacts/. When unset or empty, ~/.config is used.",
    ),
    (
        "NO_COLOR",
        "When set to a non-empty value, help and usage messages are printed without color.",
    ),
];

/// Files lockbox reads and writes on its own, for FILES.
const FILES: [(&str, &str); 2] = [
    (
        "~/.config/lockbox/identity.txt",
        "The default identity file, created with mode 0600 (in a folder created with mode 0700) \
         by lockbox keygen and read by lockbox open. It moves with XDG_CONFIG_HOME, and \
         LOCKBOX_IDENTITY replaces it.",
    ),
    (
        "~/.config/lockbox/contacts/NAME",
        "The contact NAME: a plain age recipients file (one recipient per line, '#' comments), \
         mode 0644, written by lockbox contact add and read by lockbox seal -r NAME and by \
         age -R. '# verified: FINGERPRINT TIME' lines record compared fingerprints. It moves \
         with XDG_CONFIG_HOME.",
    ),
];

/// Every generated file as (path relative to the repository root, contents):
/// the man pages under `man/`, then the completions under `completions/`.
pub(crate) fn render_all() -> Vec<(PathBuf, String)> {
    let man = render_man_pages()
        .into_iter()
        .map(|(name, text)| (PathBuf::from("man").join(name), text));
    let completions = render_completions()
        .into_iter()
        .map(|(name, text)| (PathBuf::from("completions").join(name), text));
    man.chain(completions).collect()
}

/// The man pages as (file name, roff source): `lockbox.1`, then one page
/// per visible subcommand (`lockbox-seal.1`, ...), found by walking the
/// clap definition, so new subcommands get a page without code here.
pub(crate) fn render_man_pages() -> Vec<(String, String)> {
    let mut root = Cli::command();
    root.build();
    let mut pages = Vec::new();
    collect_pages(&root, None, &mut pages);
    pages
}

/// The completion scripts as (file name, script), one per [`SHELLS`] entry,
/// named as each shell expects (`lockbox.bash`, `_lockbox`, `lockbox.fish`,
/// `lockbox.elv`, `_lockbox.ps1`).
pub(crate) fn render_completions() -> Vec<(String, String)> {
    SHELLS
        .iter()
        .map(|&shell| (shell.file_name("lockbox"), render_completion(shell)))
        .collect()
}

/// The completion script for one shell.
pub(crate) fn render_completion(shell: Shell) -> String {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "lockbox", &mut buf);
    let script = String::from_utf8(buf).expect("clap_complete writes UTF-8");
    dynamic::extend(shell, script)
}

/// Adds the page of `cmd` and of its visible subcommands, depth first.
/// `parent` is the display name of the command `cmd` belongs to.
fn collect_pages(cmd: &clap::Command, parent: Option<&str>, pages: &mut Vec<(String, String)>) {
    let man = Man::new(cmd.clone()).source(source());
    let text = render_man_page(&man, cmd, parent).expect("writing to memory cannot fail");
    pages.push((man.get_filename(), text));
    let name = display_name(cmd);
    for sub in visible_subcommands(cmd) {
        collect_pages(sub, Some(name), pages);
    }
}

/// One page: clap_mangen's sections, then ours. clap_mangen's own
/// `render` would put `after_help` under a heading "EXTRA"; we turn it
/// into EXAMPLES instead.
fn render_man_page(man: &Man, cmd: &clap::Command, parent: Option<&str>) -> io::Result<String> {
    let mut pieces: Vec<Vec<u8>> = Vec::new();
    let mut piece = |render: &dyn Fn(&mut dyn Write) -> io::Result<()>| -> io::Result<()> {
        let mut buf = Vec::new();
        render(&mut buf)?;
        pieces.push(buf);
        Ok(())
    };
    piece(&|w| man.render_title(w))?;
    piece(&|w| layout().to_writer(w))?;
    piece(&|w| man.render_name_section(w))?;
    piece(&|w| synopsis_section(cmd).to_writer(w))?;
    piece(&|w| man.render_description_section(w))?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        piece(&|w| man.render_options_section(w))?;
    }
    if visible_subcommands(cmd).next().is_some() {
        piece(&|w| man.render_subcommands_section(w))?;
    }
    let (notes, examples) = split_after_help(cmd);
    if parent.is_none() {
        piece(&|w| exit_status_section().to_writer(w))?;
        piece(&|w| environment_section().to_writer(w))?;
        piece(&|w| files_section().to_writer(w))?;
    }
    if !notes.is_empty() {
        piece(&|w| notes_section(&notes).to_writer(w))?;
    }
    piece(&|w| examples_section(cmd, &examples).to_writer(w))?;
    piece(&|w| see_also_section(cmd, parent).to_writer(w))?;
    Ok(join_roff(&pieces))
}

/// Joins separately rendered roff pieces. Each `Roff::to_writer` call
/// starts with the same apostrophe-string preamble; it is kept once.
fn join_roff(pieces: &[Vec<u8>]) -> String {
    let preamble = Roff::new().render();
    let mut out = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        let text = String::from_utf8_lossy(piece);
        match text.strip_prefix(preamble.as_str()) {
            Some(rest) if i > 0 => out.push_str(rest),
            _ => out.push_str(&text),
        }
    }
    out
}

/// The `.TH` source field: "lockbox 0.1.0" on every page (clap_mangen
/// would write the subcommand's own name, "seal 0.1.0").
fn source() -> String {
    let root = Cli::command();
    format!(
        "{} {}",
        root.get_name(),
        root.get_version().unwrap_or_default()
    )
}

fn display_name(cmd: &clap::Command) -> &str {
    cmd.get_display_name().unwrap_or_else(|| cmd.get_name())
}

fn visible_subcommands(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set())
}

/// No hyphenation and ragged-right text: the pages are full of flags,
/// paths and variable names, which hyphenation splits (`$XDG_CON-FIG_HOME`)
/// and justification spreads apart.
fn layout() -> Roff {
    let mut roff = Roff::new();
    roff.control("nh", []);
    roff.control("ad", ["l"]);
    roff
}

/// SYNOPSIS with the value of each option (`[-o|--output OUT]`) and `...`
/// on repeatable ones; clap_mangen's own synopsis leaves values out, so
/// `[-r|--recipient]` reads like a flag.
fn synopsis_section(cmd: &clap::Command) -> Roff {
    let bin = cmd.get_bin_name().unwrap_or_else(|| cmd.get_name());
    let mut line = vec![bold(bin)];
    let visible = cmd.get_arguments().filter(|a| !a.is_hide_set());
    let (positionals, options): (Vec<_>, Vec<_>) = visible.partition(|a| a.is_positional());
    for arg in options {
        let mut group = Vec::new();
        match (arg.get_short(), arg.get_long()) {
            (Some(s), Some(l)) => {
                group.push(bold(format!("-{s}")));
                group.push(roman("|"));
                group.push(bold(format!("--{l}")));
            }
            (Some(s), None) => group.push(bold(format!("-{s}"))),
            (None, Some(l)) => group.push(bold(format!("--{l}"))),
            (None, None) => continue,
        }
        if arg.get_num_args().is_some_and(|n| n.takes_values()) {
            group.push(roman(" "));
            group.push(italic(value_name(arg)));
        }
        line.push(roman(if arg.is_required_set() { " " } else { " [" }));
        line.extend(group);
        line.push(roman(if arg.is_required_set() { "" } else { "]" }));
        if repeats(arg) {
            line.push(roman("..."));
        }
    }
    for arg in positionals {
        line.push(roman(if arg.is_required_set() { " " } else { " [" }));
        line.push(italic(value_name(arg)));
        line.push(roman(if arg.is_required_set() { "" } else { "]" }));
        if repeats(arg) {
            line.push(roman("..."));
        }
    }
    if visible_subcommands(cmd).next().is_some() {
        let (open, close) = if cmd.is_subcommand_required_set() {
            (" ", "")
        } else {
            (" [", "]")
        };
        line.push(roman(open));
        line.push(italic(cmd.get_subcommand_value_name().unwrap_or("COMMAND")));
        line.push(roman(close));
    }
    let mut roff = Roff::new();
    roff.control("SH", ["SYNOPSIS"]);
    roff.text(line);
    roff
}

fn value_name(arg: &clap::Arg) -> String {
    match arg.get_value_names() {
        Some(names) => names
            .iter()
            .map(|n| n.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        None => arg.get_id().as_str().to_uppercase(),
    }
}

fn repeats(arg: &clap::Arg) -> bool {
    matches!(arg.get_action(), ArgAction::Append | ArgAction::Count)
}

/// An example: a command line, and what it does (may be empty).
#[derive(Debug, PartialEq, Eq)]
struct Example {
    command: String,
    comment: String,
}

/// Splits `after_help` into prose (lines before an "Examples:" line) and
/// examples (lines after it). An example line is a command, then two or
/// more spaces, then an optional comment, as in `--help` output.
fn split_after_help(cmd: &clap::Command) -> (Vec<String>, Vec<Example>) {
    let text = cmd
        .get_after_long_help()
        .or_else(|| cmd.get_after_help())
        .map(|s| s.to_string())
        .unwrap_or_default();
    let mut notes = Vec::new();
    let mut examples = Vec::new();
    let mut in_examples = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.eq_ignore_ascii_case("examples:") {
            in_examples = true;
        } else if in_examples {
            if !trimmed.is_empty() {
                examples.push(parse_example(trimmed));
            }
        } else {
            notes.push(line.to_owned());
        }
    }
    while notes.last().is_some_and(|l| l.trim().is_empty()) {
        notes.pop();
    }
    (notes, examples)
}

fn parse_example(line: &str) -> Example {
    match line.split_once("  ") {
        Some((command, comment)) => Example {
            command: command.trim().to_owned(),
            comment: comment.trim().to_owned(),
        },
        None => Example {
            command: line.to_owned(),
            comment: String::new(),
        },
    }
}

/// What an exit status means, in a sentence; `--help` has the short form
/// ([`Exit::summary`]).
fn meaning(exit: Exit) -> &'static str {
    match exit {
        Exit::Failure => "Failure of any other kind (for example an unreadable file).",
        Exit::Usage => "Usage error: the command line is not valid.",
        Exit::NoMatch => {
            "No identity matched any of the file's recipients: the file is not addressed to you. \
             For a passphrase-sealed file: the passphrase is incorrect."
        }
        Exit::Invalid => {
            "The input is not a valid sealed file, or was altered or truncated \
             (armor, header, MAC or payload failure), or its sender seal does not verify \
             (altered by someone who could open it, or forwarded)."
        }
        Exit::NotFrom => {
            "open --from: the file is unsigned, or sealed by someone other than the senders \
             asked for; nothing was released."
        }
        Exit::ClosedPipe => {
            "'lockbox open' stopped because the reader of its plaintext went away early \
             (as in 'lockbox open file.age | head'): no error line, and the status of a \
             program killed by SIGPIPE, as age gives. Never 0: the plaintext was not all read. \
             Sealing into a closed pipe is an error (1)."
        }
    }
}

fn exit_status_section() -> Roff {
    let statuses = [(0, "Success.")]
        .into_iter()
        .chain(Exit::ALL.iter().map(|&e| (e as u8, meaning(e))));
    definitions(
        "EXIT STATUS",
        statuses.map(|(code, meaning)| (code.to_string(), meaning)),
    )
}

fn environment_section() -> Roff {
    definitions(
        "ENVIRONMENT",
        ENVIRONMENT.map(|(name, meaning)| (name.to_owned(), meaning)),
    )
}

fn files_section() -> Roff {
    definitions(
        "FILES",
        FILES.map(|(path, meaning)| (path.to_owned(), meaning)),
    )
}

/// A section of terms in bold, each with its meaning below.
fn definitions<'a>(title: &str, items: impl IntoIterator<Item = (String, &'a str)>) -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", [title]);
    for (term, meaning) in items {
        roff.control("TP", []);
        roff.text([bold(term)]);
        roff.text([roman(meaning)]);
    }
    roff
}

fn notes_section(lines: &[String]) -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["NOTES"]);
    for line in lines {
        if line.trim().is_empty() {
            roff.control("PP", []);
        } else {
            roff.text([roman(line.trim())]);
        }
    }
    roff
}

/// EXAMPLES: each command in bold on its own line, never filled or
/// hyphenated so it can be copied, with its comment indented below.
/// A command without examples in `after_help` gets a pointer to `--help`.
fn examples_section(cmd: &clap::Command, examples: &[Example]) -> Roff {
    let fallback;
    let examples = if examples.is_empty() {
        let bin = cmd.get_bin_name().unwrap_or_else(|| cmd.get_name());
        fallback = [Example {
            command: format!("{bin} --help"),
            comment: "list the options, with a short description of each".to_owned(),
        }];
        &fallback[..]
    } else {
        examples
    };
    let mut roff = Roff::new();
    roff.control("SH", ["EXAMPLES"]);
    for example in examples {
        roff.control("PP", []);
        roff.control("nf", []);
        roff.text([bold(&example.command)]);
        roff.control("fi", []);
        if !example.comment.is_empty() {
            roff.control("RS", ["4"]);
            roff.text([roman(&example.comment)]);
            roff.control("RE", []);
        }
    }
    roff
}

/// SEE ALSO: the parent page, the pages of the subcommands and siblings,
/// and age(1), whose format lockbox shares.
fn see_also_section(cmd: &clap::Command, parent: Option<&str>) -> Roff {
    let name = display_name(cmd);
    let mut refs: Vec<String> = Vec::new();
    if let Some(parent) = parent {
        refs.push(format!("{parent}(1)"));
    }
    refs.extend(visible_subcommands(cmd).map(|s| format!("{}(1)", display_name(s))));
    if let Some(parent) = parent {
        let mut root = Cli::command();
        root.build();
        if let Some(parent_cmd) = find_by_display_name(&root, parent) {
            refs.extend(
                visible_subcommands(parent_cmd)
                    .map(display_name)
                    .filter(|n| *n != name)
                    .map(|n| format!("{n}(1)")),
            );
        }
    }
    refs.push("age(1)".to_owned());
    let mut inlines = Vec::new();
    for (i, r) in refs.iter().enumerate() {
        if i > 0 {
            inlines.push(roman(", "));
        }
        let (page, section) = r.split_at(r.find('(').unwrap_or(r.len()));
        inlines.push(bold(page));
        inlines.push(roman(section));
    }
    let mut roff = Roff::new();
    roff.control("SH", ["SEE ALSO"]);
    roff.text(inlines);
    roff.control("PP", []);
    roff.text([roman("The age file format: https://age-encryption.org/v1")]);
    roff
}

fn find_by_display_name<'a>(cmd: &'a clap::Command, name: &str) -> Option<&'a clap::Command> {
    if display_name(cmd) == name {
        return Some(cmd);
    }
    cmd.get_subcommands()
        .find_map(|s| find_by_display_name(s, name))
}

#[cfg(test)]
mod tests;
