//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub mod terminal;
pub mod typage;

use predicates::prelude::*;

/// A `lockbox` command with HOME and XDG_CONFIG_HOME pointed at `home`, and
/// no passphrase or identity from the caller's environment.
pub fn lockbox(home: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("lockbox").expect("the lockbox binary is built");
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env_remove("LOCKBOX_IDENTITY")
        .env_remove("LOCKBOX_PASSPHRASE")
        .env_remove("NO_COLOR");
    c
}

/// Whether CI demands every peer (`LOCKBOX_REQUIRE_PEERS=1`).
pub fn peers_required() -> bool {
    std::env::var("LOCKBOX_REQUIRE_PEERS").is_ok_and(|v| v == "1")
}

/// Finds a peer program on PATH. When it is missing: panics if peers are
/// required, else prints a loud notice and returns None (the caller
/// returns early; the notice shows in `cargo test -- --nocapture`).
pub fn peer(program: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if peers_required() {
            panic!(
                "peer '{program}' is missing and LOCKBOX_REQUIRE_PEERS=1: install it (see .ci/run)"
            );
        }
        eprintln!("NOTICE: peer '{program}' not found: this test did NOT run (set LOCKBOX_REQUIRE_PEERS=1 to make this a failure)");
    }
    found
}

/// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
pub fn bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// The X25519 identity of the CCTV vectors, and its recipient.
pub const IDENTITY: &str =
    "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";
pub const RECIPIENT: &str = "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef";

/// `plain` sealed through the library's front door to `recipients`,
/// binary or armored.
pub fn seal_to(recipients: &[lockbox::Recipient], plain: &[u8], armor: bool) -> Vec<u8> {
    let mut options = lockbox::Options::default();
    options.threads = 2;
    options.armor = armor;
    let mut out = Vec::new();
    lockbox::seal(recipients, plain, &mut out, &options).expect("sealing works");
    out
}

/// `plain` sealed to the vectors' X25519 identity ([`IDENTITY`]).
pub fn sealed_with(plain: &[u8], armor: bool) -> Vec<u8> {
    seal_to(&[RECIPIENT.parse().unwrap()], plain, armor)
}

/// `plain` sealed to the vectors' X25519 identity, binary.
pub fn sealed(plain: &[u8]) -> Vec<u8> {
    sealed_with(plain, false)
}

/// Runs `lockbox keygen -o PATH ARGS...` with HOME at `home`, asserting
/// success: the recipient it prints, and its messages on stderr.
pub fn keygen(home: &Path, path: &Path, args: &[&str]) -> (String, String) {
    keygen_with(lockbox(home), path, args)
}

/// [`keygen`] through a prepared `lockbox` command (its environment set).
pub fn keygen_with(mut cmd: assert_cmd::Command, path: &Path, args: &[&str]) -> (String, String) {
    let out = cmd
        .args(["keygen", "-o"])
        .arg(path)
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    let recipient = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    (recipient, stderr)
}

/// A new identity file at `home.join(name)` (`name` may be absolute),
/// post-quantum when `pq`: its path and recipient.
pub fn keypair(home: &Path, name: impl AsRef<Path>, pq: bool) -> (PathBuf, String) {
    let path = home.join(name);
    let (recipient, _) = keygen(home, &path, if pq { &["--pq"] } else { &[] });
    (path, recipient)
}

/// Asserts one `lockbox: error:` line containing `needle`, then only
/// `lockbox:` lines (hints), and no panic.
pub fn error_line(needle: &'static str) -> impl Predicate<str> {
    predicate::str::starts_with("lockbox: error: ")
        .and(predicate::str::contains(needle))
        .and(predicate::function(|s: &str| {
            s.lines().all(|l| l.starts_with("lockbox: ")) && !s.contains("panicked")
        }))
}

/// Asserts that a finished process succeeded, showing its stderr if not.
pub fn assert_success(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a peer program and returns its stdout; panics with its stderr when
/// it fails.
pub fn run_peer(program: &Path, args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    assert!(
        out.status.success(),
        "{} {:?} failed ({}):\n{}",
        program.display(),
        args,
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A temporary path as a `&str` argument.
pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// Byte-for-byte comparison that names the first difference instead of
/// printing megabytes.
pub fn assert_same(actual: &[u8], expected: &[u8], what: &str) {
    if actual == expected {
        return;
    }
    let first = actual
        .iter()
        .zip(expected)
        .position(|(a, b)| a != b)
        .unwrap_or(actual.len().min(expected.len()));
    panic!(
        "{what}: plaintext differs: got {} bytes, expected {} bytes, first difference at offset {first}",
        actual.len(),
        expected.len()
    );
}

/// Checks a sealed file's outer form: armored (`armor`) or binary. For a
/// binary file, returns its header's stanza types, in order.
pub fn assert_form(sealed: &[u8], armor: bool, what: &str) -> Option<Vec<String>> {
    if armor {
        assert!(
            sealed.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"),
            "{what}: not armored"
        );
        return None;
    }
    assert!(
        sealed.starts_with(b"age-encryption.org/v1\n"),
        "{what}: not a binary age file"
    );
    Some(
        header_lines(sealed)
            .iter()
            .filter_map(|l| l.strip_prefix("-> "))
            .map(|l| l.split(' ').next().unwrap_or("").to_owned())
            .collect(),
    )
}

/// `lockbox ARGS...` with HOME at `home` and `stdin` on standard input,
/// asserting success: what it wrote on stdout.
pub fn lockbox_ok(home: &Path, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    lockbox(home)
        .args(args)
        .write_stdin(stdin)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

/// `lockbox seal -r RECIPIENT... [-a]` of `plaintext` on stdin: the file.
pub fn seal_stdin(home: &Path, recipients: &[&str], armor: bool, plaintext: &[u8]) -> Vec<u8> {
    let mut args = vec!["seal"];
    for r in recipients {
        args.extend(["-r", r]);
    }
    if armor {
        args.push("-a");
    }
    lockbox_ok(home, &args, plaintext)
}

/// `lockbox open -i IDENTITY` of `sealed` on stdin: the plaintext.
pub fn open_stdin(home: &Path, identity: &Path, sealed: &[u8]) -> Vec<u8> {
    lockbox_ok(home, &["open", "-i", path_str(identity)], sealed)
}

/// The header lines of a binary sealed file, up to (not including) the MAC
/// line.
pub fn header_lines(sealed: &[u8]) -> Vec<String> {
    let end = sealed
        .windows(4)
        .position(|w| w == b"\n---")
        .expect("a MAC line");
    String::from_utf8_lossy(&sealed[..end])
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The length of a binary sealed file's header, through the end of the
/// `---` line.
pub fn header_len(sealed: &[u8]) -> usize {
    let mac = sealed
        .windows(5)
        .position(|w| w == b"\n--- ")
        .expect("a MAC line");
    mac + 1 + sealed[mac + 1..].iter().position(|&b| b == b'\n').unwrap() + 1
}

/// A new home folder holding a new identity `name` (post-quantum when
/// `pq`): the folder, and the identity's recipient.
pub fn home_with_recipient(name: &str, pq: bool) -> (tempfile::TempDir, String) {
    let home = tempfile::tempdir().unwrap();
    let (_, recipient) = keypair(home.path(), name, pq);
    (home, recipient)
}

/// What `lockbox ARGS...` with HOME at `home` prints on stdout, as text,
/// whatever its exit status.
pub fn stdout_of(home: &Path, args: &[&str]) -> String {
    let out = lockbox(home).args(args).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}
