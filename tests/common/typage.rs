//! typage (npm `age-encryption` 0.3.1, pinned in `tests/typage/package.json`)
//! as a peer, through `node tests/typage/peer.mjs`.
//!
//! Needs `node` and `tests/typage/node_modules` (`npm ci` there; `.ci/run`
//! does it). Without them [`typage`] returns `None` with a notice, or
//! panics when `LOCKBOX_REQUIRE_PEERS=1` (CI).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{peer, peers_required};

const TYPAGE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/typage");

/// `node` and the peer script, with typage installed next to it.
pub struct Typage {
    node: PathBuf,
    script: PathBuf,
}

pub fn typage() -> Option<Typage> {
    let node = peer("node")?;
    let dir = Path::new(TYPAGE_DIR);
    if !dir.join("node_modules/age-encryption").is_dir() {
        if peers_required() {
            panic!(
                "typage is not installed in {} and LOCKBOX_REQUIRE_PEERS=1: run `npm ci` there (see .ci/run)",
                dir.display()
            );
        }
        eprintln!(
            "NOTICE: typage is not installed in {}: this test did NOT run (run `npm ci` there; set LOCKBOX_REQUIRE_PEERS=1 to make this a failure)",
            dir.display()
        );
        return None;
    }
    Some(Typage {
        node,
        script: dir.join("peer.mjs"),
    })
}

impl Typage {
    /// Runs `node peer.mjs ARGS` with `stdin`; returns stdout, panics with
    /// stderr on failure.
    pub fn run(&self, args: &[&str], stdin: &[u8]) -> Vec<u8> {
        let mut child = Command::new(&self.node)
            .arg(&self.script)
            .args(args)
            .current_dir(TYPAGE_DIR)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.node.display()));
        // Feed stdin from a thread so a large output cannot dead-lock us.
        let mut pipe = child.stdin.take().unwrap();
        let input = stdin.to_vec();
        let feeder = std::thread::spawn(move || pipe.write_all(&input));
        let out = child.wait_with_output().expect("node runs");
        feeder
            .join()
            .unwrap()
            .expect("typage peer reads all of stdin");
        assert!(
            out.status.success(),
            "typage peer {:?} failed ({}):\n{}",
            shorten(args),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// A new typage key pair: (identity, recipient).
    pub fn keygen(&self, kind: &str) -> (String, String) {
        let out = String::from_utf8(self.run(&[kind], b"")).expect("UTF-8 keys");
        let mut lines = out.lines();
        let identity = lines.next().expect("identity line").to_string();
        let recipient = lines.next().expect("recipient line").to_string();
        (identity, recipient)
    }

    /// `peer.mjs encrypt [--armor] RECIPIENT`: `plaintext` sealed by typage.
    pub fn encrypt(&self, recipient: &str, armor: bool, plaintext: &[u8]) -> Vec<u8> {
        self.crypt("encrypt", recipient, armor, plaintext)
    }

    /// `peer.mjs decrypt [--armor] IDENTITY`: `sealed` opened by typage.
    pub fn decrypt(&self, identity: &str, armor: bool, sealed: &[u8]) -> Vec<u8> {
        self.crypt("decrypt", identity, armor, sealed)
    }

    fn crypt(&self, op: &str, key: &str, armor: bool, input: &[u8]) -> Vec<u8> {
        let args: Vec<&str> = [op]
            .into_iter()
            .chain(armor.then_some("--armor"))
            .chain([key])
            .collect();
        self.run(&args, input)
    }
}

/// Keys in error messages: their first characters only (a PQ recipient is
/// 1959 characters; identities are secrets even in tests).
fn shorten(args: &[&str]) -> Vec<String> {
    args.iter()
        .map(|a| {
            if a.len() > 24 {
                format!("{}...", &a[..12])
            } else {
                a.to_string()
            }
        })
        .collect()
}
