//! Behaviour under a real terminal, driven through tmux: passphrase
//! prompts never echo, and nothing is drawn when stderr is not a terminal.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::terminal::Tmux;

/// Runs `lockbox seal -p -o DIR/in.age DIR/in.txt` in tmux, `in.txt`
/// holding `plaintext`, typing `first` at the passphrase prompt and
/// `again` at the confirmation: the screen once it ended, and the output
/// path.
fn seal_with_passphrase(
    home: &Path,
    dir: &Path,
    plaintext: &str,
    [first, again]: [&str; 2],
) -> Option<(String, PathBuf)> {
    let input = dir.join("in.txt");
    std::fs::write(&input, plaintext).unwrap();
    let sealed = dir.join("in.age");
    let cmdline = format!(
        "lockbox seal -p -o {} {}",
        sealed.display(),
        input.display()
    );
    let t = Tmux::start(home, &cmdline)?;
    t.wait_for("Passphrase:");
    t.send(first);
    t.wait_for("Confirm passphrase:");
    t.send(again);
    Some((t.wait_for("EXIT="), sealed))
}

#[test]
fn passphrase_prompts_do_not_echo() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let typed = ["tmux-typed-pass"; 2];
    let Some((screen, sealed)) =
        seal_with_passphrase(home.path(), dir.path(), "typed secret test\n", typed)
    else {
        return;
    };
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(
        !screen.contains("tmux-typed-pass"),
        "the passphrase was echoed:\n{screen}"
    );

    // The file opens with the passphrase typed at the prompt, which does
    // not echo either.
    let out = dir.path().join("out.txt");
    let t = Tmux::start(
        home.path(),
        &format!("lockbox open -o {} {}", out.display(), sealed.display()),
    )
    .unwrap();
    t.wait_for_prompt("Passphrase:");
    t.send("tmux-typed-pass");
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(!screen.contains("tmux-typed-pass"), "{screen}");
    assert_eq!(std::fs::read(&out).unwrap(), b"typed secret test\n");
}

#[test]
fn mismatched_confirmation_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let typed = ["first-one", "second-one"];
    let Some((screen, sealed)) = seal_with_passphrase(home.path(), dir.path(), "x", typed) else {
        return;
    };
    assert!(
        screen.contains("lockbox: error: the passphrases do not match"),
        "{screen}"
    );
    assert!(screen.contains("EXIT=1"), "{screen}");
    assert!(!sealed.exists());
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Above the 64 MiB threshold for a bar.
    let big = dir.path().join("big");
    std::fs::write(&big, vec![0u8; 65 << 20]).unwrap();
    let (_, recipient) = common::keypair(home.path(), dir.path().join("k"), false);
    let out = common::lockbox(home.path())
        .args(["seal", "-r", &recipient, "-o"])
        .arg(dir.path().join("big.age"))
        .arg(&big)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_terminal_named_by_output_gets_the_terminal_checks() {
    // Issue 10: the checks looked at how -o was spelled, so '-o /dev/tty',
    // '-o /dev/stdout' and '-o /proc/self/fd/1' printed anything.
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (key, recipient) = common::keypair(home.path(), dir.path().join("key.txt"), false);
    let input = dir.path().join("in.bin");
    std::fs::write(&input, b"before\x01\x02\x7fafter-the-controls\n").unwrap();
    let sealed = dir.path().join("in.age");
    let r = common::lockbox(home.path())
        .args(["seal", "-r", &recipient, "-o"])
        .arg(&sealed)
        .arg(&input)
        .output()
        .unwrap();
    assert!(r.status.success());
    for out in ["/dev/stdout", "/dev/tty", "/proc/self/fd/1"] {
        let Some(t) = Tmux::start(
            home.path(),
            &format!(
                "lockbox open -i {} -o {out} {}",
                key.display(),
                sealed.display()
            ),
        ) else {
            return;
        };
        let screen = t.wait_for("EXIT=");
        assert!(
            screen.contains("lockbox: error: refusing to print binary plaintext on a terminal"),
            "open -o {out}:\n{screen}"
        );
        assert!(screen.contains("EXIT=1"), "open -o {out}:\n{screen}");
        assert!(
            !screen.contains("after-the-controls"),
            "open -o {out}:\n{screen}"
        );
        drop(t);

        let t = Tmux::start(
            home.path(),
            &format!("lockbox seal -r {recipient} -o {out} {}", input.display()),
        )
        .unwrap();
        let screen = t.wait_for("EXIT=");
        assert!(
            screen.contains("lockbox: error: refusing to write binary output to a terminal"),
            "seal -o {out}:\n{screen}"
        );
        assert!(screen.contains("EXIT=2"), "seal -o {out}:\n{screen}");
    }
}

/// Issue 13: armor pasted into `lockbox open` opens at its end line, with
/// no Ctrl-D; so does a mail pasted whole, its block quoted.
#[test]
fn a_paste_into_open_opens_at_the_end_line() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (key, recipient) = common::keypair(home.path(), dir.path().join("bob.key"), false);
    let block = String::from_utf8(common::seal_stdin(
        home.path(),
        &[&recipient],
        true,
        "pasted and opened\n".as_bytes(),
    ))
    .unwrap();
    let quoted: String = block.lines().map(|l| format!("> {l}\n")).collect();
    let mail = format!("On Monday, Alice wrote:\n{quoted}");
    for paste in [block, mail] {
        let Some(t) = Tmux::start(home.path(), &format!("lockbox open -i {}", key.display()))
        else {
            return;
        };
        // The paste goes in, and no Ctrl-D follows.
        t.paste(paste.as_bytes());
        let screen = t.wait_for("EXIT=");
        assert!(screen.contains("EXIT=0"), "{screen}");
        assert!(screen.contains("\npasted and opened\n"), "{screen}");
    }
}

/// Issue 13: a message typed into `lockbox seal -a` is sealed when the
/// input ends; nothing of the block shows while the person types, and
/// the block copied from the screen opens.
#[test]
fn a_message_typed_into_seal_is_printed_when_the_input_ends() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (key, recipient) = common::keypair(home.path(), dir.path().join("bob.key"), false);
    let Some(t) = Tmux::start(home.path(), &format!("lockbox seal -a -r {recipient}")) else {
        return;
    };
    t.send("first typed line");
    t.wait_for("first typed line");
    // Time for anything the program would print while the person types.
    std::thread::sleep(Duration::from_millis(500));
    let screen = t.screen();
    assert!(
        !screen.contains("-----BEGIN"),
        "armor printed while typing:\n{screen}"
    );
    t.send("second typed line");
    t.key("C-d");
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    let lines: Vec<&str> = screen.lines().collect();
    let begin = lines
        .iter()
        .position(|l| l.starts_with("-----BEGIN"))
        .unwrap();
    let end = lines
        .iter()
        .position(|l| l.starts_with("-----END"))
        .unwrap();
    assert!(
        lines[..begin]
            .iter()
            .any(|l| l.contains("second typed line")),
        "the block came before the input ended:\n{screen}"
    );
    let copied: String = lines[begin..=end]
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    let opened = common::lockbox(home.path())
        .args(["open", "-i"])
        .arg(&key)
        .write_stdin(copied)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&opened.stdout),
        "first typed line\nsecond typed line\n",
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
}

/// Issue 13: what a paste holds after the end line (a signature, or lines
/// a hostile mail puts there) is discarded, not left on the terminal for
/// the shell to run once open exits; here a reader after open gets none.
#[test]
fn the_rest_of_a_paste_does_not_reach_the_next_program() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (key, recipient) = common::keypair(home.path(), dir.path().join("bob.key"), false);
    let block = String::from_utf8(common::seal_stdin(
        home.path(),
        &[&recipient],
        true,
        "pasted and opened\n".as_bytes(),
    ))
    .unwrap();
    // A long tail too, longer than the terminal's input buffer.
    let long: String = (0..300)
        .map(|i| format!("> line {i} of a long thread quoted after the block\n"))
        .collect();
    let paste = format!("{block}\n-- \nMallory\n{long}echo run-by-the-shell\n");
    let Some(t) = Tmux::start(
        home.path(),
        &format!(
            "lockbox open -i {}; echo OPENED=$?; timeout --foreground 2 sed s/^/LEFT:/",
            key.display()
        ),
    ) else {
        return;
    };
    t.paste(paste.as_bytes());
    let screen = t.wait_for("EXIT=");
    assert!(!screen.contains("LEFT:"), "the paste went on:\n{screen}");
    // The echo of the paste may end mid-line where the discarding cut it.
    assert!(screen.contains("pasted and opened\nOPENED=0"), "{screen}");
}

#[test]
fn a_protected_ssh_key_is_asked_with_lockboxs_own_prompt() {
    let Some(ssh_keygen) = common::peer("ssh-keygen") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let key = home.path().join("id_ed25519");
    common::run_peer(
        &ssh_keygen,
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "ssh-typed-pass",
            "-C",
            "t",
            "-f",
            key.to_str().unwrap(),
        ],
    );
    let sealed = home.path().join("for-key.age");
    common::lockbox(home.path())
        .args(["seal", "-R"])
        .arg(key.with_extension("pub"))
        .arg("-o")
        .arg(&sealed)
        .write_stdin("opened with the ssh key\n")
        .assert()
        .success();
    let Some(t) = Tmux::start(
        home.path(),
        &format!("lockbox open -i {} {}", key.display(), sealed.display()),
    ) else {
        return;
    };
    let prompt = format!("Passphrase for SSH key '{}': ", key.display());
    t.wait_for_prompt(prompt.trim_end());
    t.send("ssh-typed-pass");
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(screen.contains("opened with the ssh key"), "{screen}");
    assert!(!screen.contains("ssh-typed-pass"), "{screen}");
    // No invisible isolation marks around the name, as age's own prompt has.
    assert!(!screen.contains(['\u{2068}', '\u{2069}']), "{screen}");
    assert_eq!(
        screen.matches("Passphrase").count(),
        1,
        "asked once:\n{screen}"
    );
}

#[test]
fn keygen_y_on_a_terminal_reads_the_default_identity() {
    let home = tempfile::tempdir().unwrap();
    // No default identity yet: a usage error, not a silent wait on stdin.
    let Some(t) = Tmux::start(home.path(), "lockbox keygen -y") else {
        return;
    };
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=2"), "{screen}");
    assert!(
        screen.contains("lockbox: error: no FILE given, and the default identity file"),
        "{screen}"
    );
    drop(t);

    let out = common::lockbox(home.path()).arg("keygen").output().unwrap();
    common::assert_success(&out);
    let recipient = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let default = home.path().join(".config/lockbox/identity.txt");
    assert!(default.is_file());
    let t = Tmux::start(home.path(), "lockbox keygen -y").unwrap();
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(screen.contains(&recipient), "{screen}");
    assert!(
        screen.contains(&format!(
            "lockbox: reading the default identity file '{}'",
            default.display()
        )),
        "{screen}"
    );
}

#[test]
fn open_into_a_reader_that_stops_early_clears_its_progress_bar() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (key, recipient) = common::keypair(home.path(), dir.path().join("k"), false);
    // Above the 64 MiB threshold for a bar.
    let big = dir.path().join("big");
    std::fs::write(&big, vec![0u8; 65 << 20]).unwrap();
    let sealed = dir.path().join("big.age");
    common::lockbox(home.path())
        .args(["seal", "-r", &recipient, "-o"])
        .arg(&sealed)
        .arg(&big)
        .assert()
        .success();
    std::fs::remove_file(&big).unwrap();
    // The reader takes 10 bytes, then waits (the bar shows), then goes.
    let Some(t) = Tmux::start(
        home.path(),
        &format!(
            "bash -c 'lockbox open -i {} {} | (head -c 10 >/dev/null; sleep 2); exit ${{PIPESTATUS[0]}}'",
            key.display(),
            sealed.display()
        ),
    ) else {
        return;
    };
    t.wait_for(" left");
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=141"), "{screen}");
    assert!(!screen.contains(" left"), "the bar stayed:\n{screen}");
    assert!(!screen.contains("lockbox:"), "{screen}");
}
