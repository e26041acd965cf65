//! Behaviour under a real terminal, driven through tmux: passphrase
//! prompts never echo, and nothing is drawn when stderr is not a terminal.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(home: &Path, cmdline: &str) -> Option<Tmux> {
        let tmux = common::peer("tmux")?;
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let socket = format!("lockbox-test-{}-{n}", std::process::id());
        let status = Command::new(&tmux)
            .args(["-L", &socket, "new-session", "-d", "-x", "120", "-y", "30"])
            .arg(format!(
                "env HOME={h} XDG_CONFIG_HOME={h}/.config {cmdline}; echo EXIT=$?; sleep 30",
                h = home.display()
            ))
            .status()
            .unwrap();
        assert!(status.success());
        Some(Tmux { socket })
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-S", "-50"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out waiting for {needle:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for a passphrase prompt, then a moment more, as a person
    /// would: rpassword prints the prompt before it turns echo off, so
    /// keys sent at once may still be echoed (seen under load).
    fn wait_for_prompt(&self, prompt: &str) {
        self.wait_for(prompt);
        std::thread::sleep(Duration::from_millis(200));
    }

    fn send(&self, keys: &str) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-l", keys])
            .status()
            .unwrap();
        assert!(status.success());
        Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "Enter"])
            .status()
            .unwrap();
    }
}

impl Tmux {
    /// Pastes `text` as a terminal paste does (tmux turns each line end
    /// into Enter).
    fn paste(&self, text: &[u8]) {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        for args in [
            vec!["load-buffer", file.path().to_str().unwrap()],
            vec!["paste-buffer", "-d"],
        ] {
            let status = Command::new("tmux")
                .args(["-L", &self.socket])
                .args(&args)
                .status()
                .unwrap();
            assert!(status.success());
        }
    }

    /// Presses one key, such as `C-d`.
    fn key(&self, key: &str) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", key])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

#[test]
fn passphrase_prompts_do_not_echo() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "typed secret test\n").unwrap();
    let sealed = dir.path().join("in.age");
    let bin = assert_cmd::cargo::cargo_bin("lockbox");
    let Some(t) = Tmux::start(
        home.path(),
        &format!(
            "{} seal -p -o {} {}",
            bin.display(),
            sealed.display(),
            input.display()
        ),
    ) else {
        return;
    };
    t.wait_for_prompt("Passphrase:");
    t.send("tmux-typed-pass");
    t.wait_for_prompt("Confirm passphrase:");
    t.send("tmux-typed-pass");
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(
        !screen.contains("tmux-typed-pass"),
        "the passphrase was echoed:\n{screen}"
    );
    drop(t);

    // The file opens with the passphrase typed at the prompt, which does
    // not echo either.
    let out = dir.path().join("out.txt");
    let t = Tmux::start(
        home.path(),
        &format!(
            "{} open -o {} {}",
            bin.display(),
            out.display(),
            sealed.display()
        ),
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
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "x").unwrap();
    let sealed = dir.path().join("in.age");
    let bin = assert_cmd::cargo::cargo_bin("lockbox");
    let Some(t) = Tmux::start(
        home.path(),
        &format!(
            "{} seal -p -o {} {}",
            bin.display(),
            sealed.display(),
            input.display()
        ),
    ) else {
        return;
    };
    t.wait_for_prompt("Passphrase:");
    t.send("first-one");
    t.wait_for_prompt("Confirm passphrase:");
    t.send("second-one");
    let screen = t.wait_for("EXIT=");
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
    let key = dir.path().join("k");
    let r = common::lockbox(home.path())
        .args(["keygen", "-q", "-o"])
        .arg(&key)
        .output()
        .unwrap();
    let recipient = String::from_utf8(r.stdout).unwrap().trim().to_owned();
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
    let key = dir.path().join("key.txt");
    let r = common::lockbox(home.path())
        .args(["keygen", "-q", "-o"])
        .arg(&key)
        .output()
        .unwrap();
    let recipient = String::from_utf8(r.stdout).unwrap().trim().to_owned();
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
    let bin = assert_cmd::cargo::cargo_bin("lockbox");
    for out in ["/dev/stdout", "/dev/tty", "/proc/self/fd/1"] {
        let Some(t) = Tmux::start(
            home.path(),
            &format!(
                "{} open -i {} -o {out} {}",
                bin.display(),
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
            &format!(
                "{} seal -r {recipient} -o {out} {}",
                bin.display(),
                input.display()
            ),
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

/// A new identity file in `dir` and its recipient.
fn keypair(home: &Path, dir: &Path) -> (std::path::PathBuf, String) {
    let key = dir.join("bob.key");
    let out = common::lockbox(home)
        .args(["keygen", "-q", "-o"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success());
    (
        key,
        String::from_utf8(out.stdout).unwrap().trim().to_owned(),
    )
}

/// `message` sealed to `recipient`, armored.
fn armored(home: &Path, recipient: &str, message: &str) -> String {
    let out = common::lockbox(home)
        .args(["seal", "-a", "-r", recipient])
        .write_stdin(message)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Issue 13: armor pasted into `lockbox open` opens at its end line, with
/// no Ctrl-D; so does a mail pasted whole, its block quoted.
#[test]
fn a_paste_into_open_opens_at_the_end_line() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (key, recipient) = keypair(home.path(), dir.path());
    let block = armored(home.path(), &recipient, "pasted and opened\n");
    let quoted: String = block.lines().map(|l| format!("> {l}\n")).collect();
    let mail = format!("On Monday, Alice wrote:\n{quoted}");
    let bin = assert_cmd::cargo::cargo_bin("lockbox");
    for paste in [block, mail] {
        let Some(t) = Tmux::start(
            home.path(),
            &format!("{} open -i {}", bin.display(), key.display()),
        ) else {
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
    let (key, recipient) = keypair(home.path(), dir.path());
    let bin = assert_cmd::cargo::cargo_bin("lockbox");
    let Some(t) = Tmux::start(
        home.path(),
        &format!("{} seal -a -r {recipient}", bin.display()),
    ) else {
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
    let (key, recipient) = keypair(home.path(), dir.path());
    let block = armored(home.path(), &recipient, "pasted and opened\n");
    // A long tail too, longer than the terminal's input buffer.
    let long: String = (0..300)
        .map(|i| format!("> line {i} of a long thread quoted after the block\n"))
        .collect();
    let paste = format!("{block}\n-- \nMallory\n{long}echo run-by-the-shell\n");
    let bin = assert_cmd::cargo::cargo_bin("lockbox");
    let Some(t) = Tmux::start(
        home.path(),
        &format!(
            "{} open -i {}; echo OPENED=$?; timeout --foreground 2 sed s/^/LEFT:/",
            bin.display(),
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
