//! Shell completion through bash: the committed completions/lockbox.bash
//! (generated, see src/generate/) completes contact names after `seal
//! -r/--recipient` and for `contact show/verify/remove`, by calling
//! `lockbox contact list --names`, and identity files after `-i`. The
//! completion function is called as bash calls it (COMP_WORDS, COMP_CWORD),
//! in a non-interactive bash without the bash-completion package.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{keypair, lockbox};

/// A HOME with the contacts alice and bob, and the files of a working
/// folder (`work/`).
fn home_with_contacts() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    for name in ["alice", "bob"] {
        let (_, r) = keypair(h, format!("{name}.key"), false);
        lockbox(h)
            .args(["contact", "add", "-q", name, &r])
            .assert()
            .success();
    }
    std::fs::create_dir(h.join("work")).unwrap();
    for f in ["alice.key", "notes.txt"] {
        std::fs::write(h.join("work").join(f), "x").unwrap();
    }
    home
}

/// The folder that holds the lockbox binary under test, to put on PATH.
fn bin_dir() -> PathBuf {
    assert_cmd::cargo::cargo_bin("lockbox")
        .parent()
        .unwrap()
        .to_owned()
}

/// Completes the last of `words` (the word being typed, maybe empty) in
/// bash, from `home/work`: COMPREPLY, one entry per element.
fn complete(home: &Path, words: &[&str]) -> Vec<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/lockbox.bash");
    let quoted: Vec<String> = words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', "'\\''")))
        .collect();
    let cword = words.len() - 1;
    let program = format!(
        "source '{}' || exit 9\n\
         COMP_WORDS=({})\n\
         COMP_CWORD={cword}\n\
         COMP_LINE=\"${{COMP_WORDS[*]}}\"\n\
         COMP_POINT=${{#COMP_LINE}}\n\
         _lockbox_dynamic lockbox \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display(),
        quoted.join(" ")
    );
    let path = format!("{}:/usr/bin:/bin", bin_dir().display());
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .current_dir(home.join("work"))
        .env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("PATH", path)
        .output()
        .expect("bash runs");
    common::assert_success(&out);
    let mut reply: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    reply.sort();
    reply
}

#[test]
fn contact_names_complete_after_seal_r() {
    let home = home_with_contacts();
    let h = home.path();
    assert_eq!(
        complete(h, &["lockbox", "seal", "-r", ""]),
        ["alice", "bob"]
    );
    assert_eq!(
        complete(h, &["lockbox", "seal", "--recipient", "b"]),
        ["bob"]
    );
    assert_eq!(
        complete(h, &["lockbox", "seal", "-a", "-r", "alice", "-r", "al"]),
        ["alice"]
    );
    // The sender asked for with open --from (issue 12) is a contact too.
    assert_eq!(
        complete(h, &["lockbox", "open", "--from", ""]),
        ["alice", "bob"]
    );
    // The contact subcommands that take a NAME.
    for sub in ["show", "verify", "remove", "replace"] {
        assert_eq!(
            complete(h, &["lockbox", "contact", sub, ""]),
            ["alice", "bob"],
            "contact {sub}"
        );
    }
}

#[test]
fn identity_files_complete_after_i() {
    let home = home_with_contacts();
    let h = home.path();
    for words in [
        &["lockbox", "open", "-i", ""][..],
        &["lockbox", "seal", "--identity", ""],
        &["lockbox", "inspect", "-i", ""],
    ] {
        assert_eq!(complete(h, words), ["alice.key", "notes.txt"], "{words:?}");
    }
    assert_eq!(complete(h, &["lockbox", "open", "-i", "a"]), ["alice.key"]);
    // Not contact names: those are for -r.
    assert_eq!(
        complete(h, &["lockbox", "open", "-i", "b"]),
        Vec::<String>::new()
    );
}

#[test]
fn the_rest_is_clap_completion() {
    let home = home_with_contacts();
    let h = home.path();
    assert_eq!(complete(h, &["lockbox", "se"]), ["seal"],);
    assert!(complete(h, &["lockbox", "contact", "list", "--n"]) == ["--names"]);
}

#[test]
fn contact_list_names_prints_names_only() {
    let names = |home: &tempfile::TempDir, expected: &'static str| {
        lockbox(home.path())
            .args(["contact", "list", "--names"])
            .assert()
            .success()
            .stdout(expected)
            .stderr("");
    };
    names(&home_with_contacts(), "alice\nbob\n");
    // No contacts: nothing at all, and success (completion stays quiet).
    names(&tempfile::tempdir().unwrap(), "");
}
