//! Driving lockbox (or a peer) under a real terminal: tmux for sessions to
//! type into, util-linux `script` to capture what a terminal shows.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A detached tmux session running a command line, to type into and read.
pub struct Tmux {
    tmux: PathBuf,
    socket: String,
}

impl Tmux {
    /// Starts `cmdline` (a shell command line; `lockbox` in it is the
    /// binary under test) with HOME and XDG_CONFIG_HOME at `home`; it prints
    /// `EXIT=<status>` when it ends. `None` (with a notice) when tmux is
    /// missing.
    pub fn start(home: &Path, cmdline: &str) -> Option<Tmux> {
        let tmux = super::peer("tmux")?;
        let cmdline = with_lockbox_binary(cmdline);
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
        Some(Tmux { tmux, socket })
    }

    /// What the terminal shows, with 50 lines of scrollback.
    pub fn screen(&self) -> String {
        let out = Command::new(&self.tmux)
            .args(["-L", &self.socket, "capture-pane", "-p", "-S", "-50"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits (30 s at most) until the screen shows `needle`; returns it.
    pub fn wait_for(&self, needle: &str) -> String {
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

    /// Types `keys`, then Enter.
    pub fn send(&self, keys: &str) {
        let status = Command::new(&self.tmux)
            .args(["-L", &self.socket, "send-keys", "-l", keys])
            .status()
            .unwrap();
        assert!(status.success());
        Command::new(&self.tmux)
            .args(["-L", &self.socket, "send-keys", "Enter"])
            .status()
            .unwrap();
    }
    /// Waits for a passphrase prompt, then a moment more, as a person
    /// would: rpassword prints the prompt before it turns echo off, so
    /// keys sent at once may still be echoed (seen under load).
    pub fn wait_for_prompt(&self, prompt: &str) {
        self.wait_for(prompt);
        std::thread::sleep(Duration::from_millis(200));
    }

    /// Pastes `text` as a terminal paste does (tmux turns each line end
    /// into Enter).
    pub fn paste(&self, text: &[u8]) {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        for args in [
            vec!["load-buffer", file.path().to_str().unwrap()],
            vec!["paste-buffer", "-d"],
        ] {
            let status = Command::new(&self.tmux)
                .args(["-L", &self.socket])
                .args(&args)
                .status()
                .unwrap();
            assert!(status.success());
        }
    }

    /// Presses one key, such as `C-d`.
    pub fn key(&self, key: &str) {
        let status = Command::new(&self.tmux)
            .args(["-L", &self.socket, "send-keys", key])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new(&self.tmux)
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

/// Runs a command line under a pseudo-terminal (util-linux `script`), so
/// that stdout is a terminal; `lockbox` in it is the binary under test.
/// Returns (exit status, what the terminal showed), or `None` (with a
/// notice) when `script` is missing.
pub fn under_script(home: &Path, cmdline: &str) -> Option<(i32, String)> {
    let script = super::peer("script")?;
    let out = Command::new(script)
        .args(["-qec", &with_lockbox_binary(cmdline), "/dev/null"])
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env_remove("LOCKBOX_PASSPHRASE")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    Some((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

/// `cmdline` with its `lockbox ` commands pointing at the binary under test.
fn with_lockbox_binary(cmdline: &str) -> String {
    let bin = assert_cmd::cargo::cargo_bin("lockbox");
    cmdline.replace("lockbox ", &format!("{} ", bin.display()))
}
