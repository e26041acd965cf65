//! Plugin recipients and identities, end to end, through the test plugin
//! `age-plugin-lockboxtest` (tests/plugin/age-plugin-lockboxtest, a workspace
//! member): lockbox finds `age-plugin-NAME` on PATH, seals to
//! `age1lockboxtest1...` and opens with `AGE-PLUGIN-LOCKBOXTEST-1...`, and Go
//! age agrees with it both ways.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use predicates::prelude::*;
use tempfile::TempDir;

const PLUGIN: &str = "age-plugin-lockboxtest";

/// Builds the test plugin once per test binary and returns its path.
///
/// Cargo does not build a workspace member's binaries for another member's
/// tests, so this runs cargo itself, into the target directory that holds
/// the lockbox binary under test.
fn plugin_binary() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let lockbox = assert_cmd::cargo::cargo_bin("lockbox");
        // <target-dir>/<profile>/lockbox (or <target-dir>/<triple>/<profile>/lockbox).
        let target_dir = lockbox
            .parent()
            .and_then(Path::parent)
            .expect("the lockbox binary lives in <target-dir>/<profile>/");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
        let out = Command::new(cargo)
            .args(["build", "-q", "--locked", "-p", PLUGIN, "--target-dir"])
            .arg(target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "building {PLUGIN} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bin = target_dir
            .join("debug")
            .join(format!("{PLUGIN}{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.is_file(), "{} was not built", bin.display());
        bin
    })
}

/// A temporary HOME with a `bin` folder that holds only the plugin: the PATH
/// the commands under test get.
struct Env {
    home: TempDir,
    bin: PathBuf,
}

impl Env {
    fn new() -> Env {
        let home = tempfile::tempdir().unwrap();
        let bin = home.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let link = bin.join(plugin_binary().file_name().unwrap());
        std::fs::hard_link(plugin_binary(), &link)
            .or_else(|_| std::fs::copy(plugin_binary(), &link).map(|_| ()))
            .expect("the plugin can be put in the test's bin folder");
        Env { home, bin }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    /// lockbox, with the plugin (and nothing else) on PATH.
    fn lockbox(&self) -> assert_cmd::Command {
        let mut c = common::lockbox(self.home.path());
        c.env("PATH", &self.bin).current_dir(self.home.path());
        c
    }

    /// A new plugin key: writes the plugin's identity file to `name` and
    /// returns the recipient.
    fn plugin_keypair(&self, name: &str) -> String {
        let out = Command::new(plugin_binary())
            .arg("--generate")
            .output()
            .unwrap();
        assert!(out.status.success(), "{PLUGIN} --generate failed");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.lines()
                .any(|l| l.starts_with("AGE-PLUGIN-LOCKBOXTEST-1")),
            "no identity line in:\n{text}"
        );
        std::fs::write(self.path(name), &text).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("# recipient: "))
            .filter(|r| r.starts_with("age1lockboxtest1"))
            .unwrap_or_else(|| panic!("no recipient line in:\n{text}"))
            .to_owned()
    }

    /// A new X25519 identity file from `lockbox keygen`; returns its recipient.
    fn x25519_keypair(&self, name: &str) -> String {
        self.lockbox()
            .args(["keygen", "-o"])
            .arg(self.path(name))
            .assert()
            .success();
        let text = std::fs::read_to_string(self.path(name)).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("# public key: "))
            .expect("keygen writes a '# public key:' line")
            .to_owned()
    }
}

/// The stanza lines (`-> ...`) of a binary sealed file's header.
fn stanza_lines(sealed: &[u8]) -> Vec<String> {
    common::header_lines(sealed)
        .into_iter()
        .filter(|l| l.starts_with("-> "))
        .collect()
}

#[test]
fn seal_to_a_plugin_recipient_and_open_with_its_identity() {
    let env = Env::new();
    let recipient = env.plugin_keypair("plugin-identity.txt");
    for (i, len) in [0usize, 1, 1000, 64 * 1024, 100 * 1024]
        .into_iter()
        .enumerate()
    {
        let data = common::bytes(len, i as u64 + 1);
        std::fs::write(env.path("input"), &data).unwrap();
        env.lockbox()
            .args(["seal", "-r", &recipient, "-o", "f.age", "input"])
            .assert()
            .success();
        let sealed = std::fs::read(env.path("f.age")).unwrap();
        assert_eq!(stanza_lines(&sealed), ["-> lockboxtest"], "size {len}");
        env.lockbox()
            .args(["open", "-i", "plugin-identity.txt", "-o", "out", "f.age"])
            .assert()
            .success();
        assert_eq!(std::fs::read(env.path("out")).unwrap(), data, "size {len}");
    }
}

#[test]
fn armored_plugin_file_round_trips_through_stdout() {
    let env = Env::new();
    let recipient = env.plugin_keypair("plugin-identity.txt");
    let data = common::bytes(5000, 7);
    let sealed = env
        .lockbox()
        .args(["seal", "-a", "-r", &recipient])
        .write_stdin(data.clone())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(sealed.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
    env.lockbox()
        .args(["open", "-i", "plugin-identity.txt"])
        .write_stdin(sealed)
        .assert()
        .success()
        .stdout(data);
}

#[test]
fn seal_to_a_plugin_identity() {
    let env = Env::new();
    env.plugin_keypair("plugin-identity.txt");
    let data = common::bytes(3000, 3);
    std::fs::write(env.path("input"), &data).unwrap();
    env.lockbox()
        .args(["seal", "-i", "plugin-identity.txt", "-o", "f.age", "input"])
        .assert()
        .success();
    let sealed = std::fs::read(env.path("f.age")).unwrap();
    assert_eq!(stanza_lines(&sealed), ["-> lockboxtest"]);
    env.lockbox()
        .args(["open", "-i", "plugin-identity.txt", "f.age"])
        .assert()
        .success()
        .stdout(data);
}

#[test]
fn plugin_and_x25519_recipients_in_one_file() {
    let env = Env::new();
    let plugin = env.plugin_keypair("plugin-identity.txt");
    let x25519 = env.x25519_keypair("x25519.txt");
    let data = common::bytes(2000, 4);
    std::fs::write(env.path("input"), &data).unwrap();
    env.lockbox()
        .args(["seal", "-r", &x25519, "-r", &plugin, "-o", "f.age", "input"])
        .assert()
        .success();
    let sealed = std::fs::read(env.path("f.age")).unwrap();
    let stanzas = stanza_lines(&sealed);
    assert_eq!(stanzas.len(), 2, "{stanzas:?}");
    assert!(stanzas.iter().any(|s| s == "-> lockboxtest"), "{stanzas:?}");
    for id in ["plugin-identity.txt", "x25519.txt"] {
        env.lockbox()
            .args(["open", "-i", id, "f.age"])
            .assert()
            .success()
            .stdout(data.clone());
    }
}

#[test]
fn unrelated_x25519_identity_is_not_a_match() {
    let env = Env::new();
    let recipient = env.plugin_keypair("plugin-identity.txt");
    env.x25519_keypair("x25519.txt");
    std::fs::write(env.path("input"), b"not for you").unwrap();
    env.lockbox()
        .args(["seal", "-r", &recipient, "-o", "f.age", "input"])
        .assert()
        .success();
    env.lockbox()
        .args(["open", "-i", "x25519.txt", "-o", "out", "f.age"])
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::starts_with("lockbox: error:"));
    assert!(!env.path("out").exists(), "a failed open left a file");
}

#[test]
fn another_plugin_key_is_not_a_match() {
    let env = Env::new();
    let recipient = env.plugin_keypair("a.txt");
    env.plugin_keypair("b.txt");
    std::fs::write(env.path("input"), b"for a only").unwrap();
    env.lockbox()
        .args(["seal", "-r", &recipient, "-o", "f.age", "input"])
        .assert()
        .success();
    env.lockbox()
        .args(["open", "-i", "b.txt", "f.age"])
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::starts_with("lockbox: error:"));
}

/// The first stderr line is a lockbox error that names the plugin binary.
fn names_plugin(stderr: &str) -> bool {
    stderr
        .lines()
        .next()
        .is_some_and(|l| l.starts_with("lockbox: error:") && l.contains(PLUGIN))
}

#[test]
fn missing_plugin_binary_is_a_clear_error() {
    let env = Env::new();
    let recipient = env.plugin_keypair("plugin-identity.txt");
    std::fs::write(env.path("input"), b"data").unwrap();
    let empty = env.path("empty-bin");
    std::fs::create_dir(&empty).unwrap();
    env.lockbox()
        .env("PATH", &empty)
        .args(["seal", "-r", &recipient, "-o", "f.age", "input"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::function(names_plugin));
    assert!(!env.path("f.age").exists(), "a failed seal left a file");

    // Opening with a plugin identity needs the plugin just the same.
    env.lockbox()
        .args(["seal", "-r", &recipient, "-o", "f.age", "input"])
        .assert()
        .success();
    env.lockbox()
        .env("PATH", &empty)
        .args(["open", "-i", "plugin-identity.txt", "-o", "out", "f.age"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::function(names_plugin));
    assert!(!env.path("out").exists(), "a failed open left a file");
}

#[test]
fn go_age_agrees_on_plugin_files() {
    let Some(age) = common::peer("age") else {
        return;
    };
    let env = Env::new();
    let recipient = env.plugin_keypair("plugin-identity.txt");
    let data = common::bytes(70 * 1024, 9);
    std::fs::write(env.path("input"), &data).unwrap();

    // lockbox seals, Go age opens (starting the plugin from PATH).
    env.lockbox()
        .args(["seal", "-r", &recipient, "-o", "f.age", "input"])
        .assert()
        .success();
    assert_cmd::Command::new(&age)
        .env("PATH", &env.bin)
        .current_dir(env.home.path())
        .args(["-d", "-i", "plugin-identity.txt", "f.age"])
        .assert()
        .success()
        .stdout(data.clone());

    // Go age seals, lockbox opens.
    assert_cmd::Command::new(&age)
        .env("PATH", &env.bin)
        .current_dir(env.home.path())
        .args(["-e", "-r", &recipient, "-o", "g.age", "input"])
        .assert()
        .success();
    env.lockbox()
        .args(["open", "-i", "plugin-identity.txt", "g.age"])
        .assert()
        .success()
        .stdout(data);
}
