//! The committed `man/` and `completions/` must match what the clap
//! definition renders today (rust-analyzer's `ensure_file_contents` habit):
//! a stale file fails the test, and `UPDATE_GENERATED=1` rewrites it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use clap::CommandFactory;

use crate::cli::Cli;
use crate::generate;

const STALE: &str = "stale: rerun with UPDATE_GENERATED=1 cargo test --lib generate::";

/// The folders that hold only generated files.
const GENERATED_DIRS: [&str; 2] = ["man", "completions"];

#[test]
fn cli_definition_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn generated_files_are_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var_os("UPDATE_GENERATED").is_some_and(|v| v == "1");
    let files = generate::render_all();
    let mut stale = Vec::new();

    for (path, contents) in &files {
        let full = root.join(path);
        // Compare without carriage returns so a checkout with CRLF endings
        // is not reported as stale.
        let committed = fs::read_to_string(&full)
            .ok()
            .map(|s| s.replace("\r\n", "\n"));
        if committed.as_deref() == Some(contents.as_str()) {
            continue;
        }
        stale.push(path.display().to_string());
        if update {
            let dir = full.parent().expect("generated files live in a folder");
            fs::create_dir_all(dir).unwrap_or_else(|e| panic!("mkdir '{}': {e}", dir.display()));
            fs::write(&full, contents)
                .unwrap_or_else(|e| panic!("write '{}': {e}", full.display()));
        }
    }

    // A file left over from a removed subcommand is stale too.
    let expected: BTreeSet<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    for dir in GENERATED_DIRS {
        let Ok(entries) = fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let rel = Path::new(dir).join(entry.file_name());
            if !expected.contains(&rel) {
                stale.push(format!("{} (no longer generated)", rel.display()));
                if update {
                    fs::remove_file(entry.path())
                        .unwrap_or_else(|e| panic!("remove '{}': {e}", entry.path().display()));
                }
            }
        }
    }

    if update {
        for s in &stale {
            eprintln!("updated {s}");
        }
    } else if !stale.is_empty() {
        panic!("{STALE}\n  {}", stale.join("\n  "));
    }
}

#[test]
fn every_page_has_examples_and_the_top_page_the_contract() {
    let pages = generate::render_man_pages();
    let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    for want in [
        "lockbox.1",
        "lockbox-keygen.1",
        "lockbox-seal.1",
        "lockbox-open.1",
    ] {
        assert!(names.contains(&want), "no {want} in {names:?}");
    }
    for (name, page) in &pages {
        assert!(page.contains("\n.SH EXAMPLES\n"), "{name} has no EXAMPLES");
        assert!(!page.contains(".SH EXTRA"), "{name} has an EXTRA section");
        // The pieces are rendered separately; the roff preamble must appear once.
        assert_eq!(
            page.matches(".ds Aq").count(),
            2,
            "{name}: preamble repeated"
        );
    }
    let top = &pages.iter().find(|(n, _)| n == "lockbox.1").unwrap().1;
    for section in ["EXIT STATUS", "ENVIRONMENT", "FILES"] {
        assert!(
            top.contains(&format!("\n.SH \"{section}\"\n"))
                || top.contains(&format!("\n.SH {section}\n")),
            "lockbox.1 has no {section}"
        );
    }
    for var in [
        "LOCKBOX_IDENTITY",
        "LOCKBOX_PASSPHRASE",
        "XDG_CONFIG_HOME",
        "NO_COLOR",
    ] {
        assert!(top.contains(var), "lockbox.1 does not mention {var}");
    }
}

#[test]
fn completions_cover_every_shell() {
    let names: Vec<String> = generate::render_completions()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "lockbox.bash",
            "_lockbox",
            "lockbox.fish",
            "lockbox.elv",
            "_lockbox.ps1"
        ]
    );
}
