//! SSH keys as recipients and identities (`ssh-ed25519`, `ssh-rsa`), as in
//! age: keys made by `ssh-keygen`, round trips through lockbox alone and
//! against Go age in both directions, and a clear usage error for key types
//! age does not support.
//!
//! Every test needs `ssh-keygen` (and the interop ones Go `age`); without
//! them it returns early with a notice, or fails when
//! `LOCKBOX_REQUIRE_PEERS=1` (CI).

mod common;

use common::run_peer as run;
use common::{bytes, lockbox, peer};
use predicates::str::starts_with;
use std::path::{Path, PathBuf};

/// Empty, one byte, and one byte into the second 64 KiB chunk.
const SIZES: [usize; 3] = [0, 1, 65537];

fn s(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// A new unencrypted SSH key pair `dir/name` and `dir/name.pub`, made by
/// `ssh-keygen -t kind [extra] -N '' -f ...`; returns (private key path, the
/// public key line without its line ending).
fn ssh_key(ssh_keygen: &Path, dir: &Path, name: &str, kind: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    let mut args = vec!["-q", "-t", kind];
    if kind == "rsa" {
        args.extend(["-b", "2048"]);
    }
    args.extend(["-N", "", "-C", "lockbox-test@example", "-f", s(&path)]);
    run(ssh_keygen, &args);
    let public = String::from_utf8(read(&path.with_extension("pub")))
        .unwrap()
        .trim_end()
        .to_string();
    (path, public)
}

/// The `-> TYPE` of every stanza in a binary age header.
fn stanza_types(sealed: &[u8]) -> Vec<String> {
    common::assert_form(sealed, false, "sealed").expect("a binary file")
}

/// The age stanza type for a key made with `ssh-keygen -t kind`.
fn stanza_type(kind: &str) -> &'static str {
    match kind {
        "ed25519" => "ssh-ed25519",
        "rsa" => "ssh-rsa",
        _ => unreachable!(),
    }
}

/// lockbox seals with `seal_args` (recipient flags), checks the stanza, and
/// lockbox opens with the private key; for every size.
fn lockbox_round_trip(home: &Path, key: &Path, kind: &str, seal_args: &[&str], what: &str) {
    for len in SIZES {
        let data = bytes(len, len as u64 + 7);
        let input = home.join(format!("plain-{len}"));
        std::fs::write(&input, &data).unwrap();
        let sealed = home.join(format!("sealed-{len}"));
        lockbox(home)
            .arg("seal")
            .args(seal_args)
            .args(["-o", s(&sealed), s(&input)])
            .assert()
            .success();
        assert_eq!(
            stanza_types(&read(&sealed)),
            [stanza_type(kind)],
            "{what}: stanzas"
        );
        let out = home.join(format!("opened-{len}"));
        lockbox(home)
            .args(["open", "-i", s(key), "-o", s(&out), s(&sealed)])
            .assert()
            .success();
        assert!(read(&out) == data, "{what}: {len} bytes: plaintext differs");
    }
}

fn recipient_line_round_trip(kind: &str) {
    let Some(ssh_keygen) = peer("ssh-keygen") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (key, public) = ssh_key(&ssh_keygen, home, "id", kind);
    lockbox_round_trip(
        home,
        &key,
        kind,
        &["-r", &public],
        &format!("{kind}: seal -r \"$(cat id.pub)\""),
    );
}

fn recipients_file_round_trip(kind: &str) {
    let Some(ssh_keygen) = peer("ssh-keygen") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (key, _) = ssh_key(&ssh_keygen, home, "id", kind);
    let pubfile = key.with_extension("pub");
    lockbox_round_trip(
        home,
        &key,
        kind,
        &["-R", s(&pubfile)],
        &format!("{kind}: seal -R id.pub"),
    );
}

fn seal_to_identity_round_trip(kind: &str) {
    let Some(ssh_keygen) = peer("ssh-keygen") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (key, _) = ssh_key(&ssh_keygen, home, "id", kind);
    lockbox_round_trip(
        home,
        &key,
        kind,
        &["-i", s(&key)],
        &format!("{kind}: seal -i id"),
    );
    // Go age, when present, opens it too.
    if let Some(age) = peer("age") {
        let data = bytes(1000, 99);
        let input = home.join("plain");
        std::fs::write(&input, &data).unwrap();
        let sealed = home.join("sealed-i");
        lockbox(home)
            .args(["seal", "-i", s(&key), "-o", s(&sealed), s(&input)])
            .assert()
            .success();
        let opened = run(&age, &["-d", "-i", s(&key), s(&sealed)]);
        assert!(opened == data, "{kind}: lockbox seal -i -> age -d differs");
    }
}

/// lockbox → age and age → lockbox, binary and armored.
fn interop_with_age(kind: &str) {
    let Some(ssh_keygen) = peer("ssh-keygen") else {
        return;
    };
    let Some(age) = peer("age") else { return };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (key, public) = ssh_key(&ssh_keygen, home, "id", kind);
    let pubfile = key.with_extension("pub");
    for armor in [false, true] {
        for len in SIZES {
            let what = format!("{kind}, armor {armor}, {len} bytes");
            let data = bytes(len, len as u64 + 11);
            let input = home.join(format!("plain-{len}"));
            std::fs::write(&input, &data).unwrap();

            // lockbox seals (to the .pub line), age opens with the private key.
            let sealed = home.join(format!("lockbox-{armor}-{len}"));
            let mut cmd = lockbox(home);
            cmd.args(["seal", "-r", &public]);
            if armor {
                cmd.arg("-a");
            }
            cmd.args(["-o", s(&sealed), s(&input)]).assert().success();
            let opened = run(&age, &["-d", "-i", s(&key), s(&sealed)]);
            assert!(opened == data, "{what}: lockbox seal -> age -d differs");

            // age seals (-R key.pub), lockbox opens with the private key.
            let sealed = home.join(format!("age-{armor}-{len}"));
            let mut args = vec!["-R", s(&pubfile)];
            if armor {
                args.push("-a");
            }
            args.extend(["-o", s(&sealed), s(&input)]);
            run(&age, &args);
            if !armor {
                assert_eq!(stanza_types(&read(&sealed)), [stanza_type(kind)]);
            }
            let out = home.join(format!("opened-{armor}-{len}"));
            lockbox(home)
                .args(["open", "-i", s(&key), "-o", s(&out), s(&sealed)])
                .assert()
                .success();
            assert!(read(&out) == data, "{what}: age -R -> lockbox open differs");
        }
    }
}

#[test]
fn ed25519_seal_to_public_key_line() {
    recipient_line_round_trip("ed25519");
}

#[test]
fn rsa_seal_to_public_key_line() {
    recipient_line_round_trip("rsa");
}

#[test]
fn ed25519_seal_to_pub_file() {
    recipients_file_round_trip("ed25519");
}

#[test]
fn rsa_seal_to_pub_file() {
    recipients_file_round_trip("rsa");
}

#[test]
fn ed25519_seal_to_identity() {
    seal_to_identity_round_trip("ed25519");
}

#[test]
fn rsa_seal_to_identity() {
    seal_to_identity_round_trip("rsa");
}

#[test]
fn ed25519_interop_with_age() {
    interop_with_age("ed25519");
}

#[test]
fn rsa_interop_with_age() {
    interop_with_age("rsa");
}

#[test]
fn ssh_file_for_another_key_exits_3() {
    let Some(ssh_keygen) = peer("ssh-keygen") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (_, theirs) = ssh_key(&ssh_keygen, home, "theirs", "ed25519");
    let (mine, _) = ssh_key(&ssh_keygen, home, "mine", "ed25519");
    let sealed = home.join("sealed");
    lockbox(home)
        .args(["seal", "-r", &theirs, "-o", s(&sealed)])
        .write_stdin("secret")
        .assert()
        .success();
    lockbox(home)
        .args(["open", "-i", s(&mine), s(&sealed)])
        .assert()
        .code(3)
        .stdout("")
        .stderr(starts_with("lockbox: error:"));
}

#[test]
fn ecdsa_recipient_is_a_usage_error() {
    let Some(ssh_keygen) = peer("ssh-keygen") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (key, public) = ssh_key(&ssh_keygen, home, "id", "ecdsa");
    let pubfile = key.with_extension("pub");
    let out = home.join("sealed");
    for args in [["-r", public.as_str()], ["-R", s(&pubfile)]] {
        let assert = lockbox(home)
            .arg("seal")
            .args(args)
            .args(["-o", s(&out)])
            .write_stdin("secret")
            .assert()
            .code(2)
            .stdout("")
            .stderr(starts_with("lockbox: error:"));
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(
            !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
            "seal {args:?}: panic instead of an error:\n{stderr}"
        );
        assert!(!out.exists(), "seal {args:?}: wrote {}", out.display());
    }
}

/// A new SSH key pair `dir/name` protected with `passphrase`: the private
/// key path and the public key line.
fn protected_ssh_key(
    ssh_keygen: &Path,
    dir: &Path,
    name: &str,
    passphrase: &str,
) -> (PathBuf, String) {
    let path = dir.join(name);
    run(
        ssh_keygen,
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            passphrase,
            "-C",
            "t",
            "-f",
            s(&path),
        ],
    );
    let public = String::from_utf8(read(&path.with_extension("pub")))
        .unwrap()
        .trim_end()
        .to_string();
    (path, public)
}

#[test]
fn protected_ssh_key_needs_a_passphrase_only_for_its_own_stanza() {
    let Some(ssh_keygen) = peer("ssh-keygen") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (locked, locked_pub) = protected_ssh_key(&ssh_keygen, home, "locked", "ssh-pass");
    let (other, other_pub) = ssh_key(&ssh_keygen, home, "other", "ed25519");
    let seal = |recipient: &str, name: &str| {
        let path = home.join(name);
        lockbox(home)
            .args(["seal", "-r", recipient, "-o", s(&path)])
            .write_stdin("secret")
            .assert()
            .success();
        path
    };
    let for_locked = seal(&locked_pub, "for-locked.age");
    let for_other = seal(&other_pub, "for-other.age");

    // Addressed to the protected key, no terminal: lockbox's own error for
    // a passphrase it cannot ask (exit 1), not "no identity matched".
    lockbox(home)
        .args(["open", "-i", s(&locked), s(&for_locked)])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicates::str::diff(
            "lockbox: error: a passphrase is needed but there is no terminal to ask it on\n\
             lockbox: hint: use --passphrase-file FILE or set LOCKBOX_PASSPHRASE\n",
        ));
    // Not addressed to it: never asked, the other key opens the file.
    lockbox(home)
        .args(["open", "-i", s(&locked), "-i", s(&other), s(&for_other)])
        .assert()
        .success()
        .stdout("secret");
    // Alone, it is "no identity matched" (exit 3), still without asking.
    lockbox(home)
        .args(["open", "-i", s(&locked), s(&for_other)])
        .assert()
        .code(3)
        .stderr(common::error_line("no identity matched"));
    // The passphrase from the environment or a file, as for lockbox's own.
    lockbox(home)
        .args(["open", "-i", s(&locked), s(&for_locked)])
        .env("LOCKBOX_PASSPHRASE", "ssh-pass")
        .assert()
        .success()
        .stdout("secret");
    let pass_file = home.join("pass.txt");
    std::fs::write(&pass_file, "ssh-pass\n").unwrap();
    lockbox(home)
        .args([
            "open",
            "--passphrase-file",
            s(&pass_file),
            "-i",
            s(&locked),
            s(&for_locked),
        ])
        .assert()
        .success()
        .stdout("secret");
    // A wrong one says so, naming the key.
    lockbox(home)
        .args(["open", "-i", s(&locked), s(&for_locked)])
        .env("LOCKBOX_PASSPHRASE", "wrong")
        .assert()
        .code(1)
        .stdout("")
        .stderr(common::error_line("incorrect passphrase for SSH key '"));
}

/// A signed file opened with an SSH identity: the seal can't be checked
/// with it. Without --from it opens with a note; with --from it is exit 5,
/// nothing released, and the message says a seal is there that this
/// identity cannot check (not "nobody signed it").
#[test]
fn a_signed_file_opened_with_an_ssh_key_says_it_cannot_check_the_seal() {
    let Some(ssh_keygen) = peer("ssh-keygen") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (key, public) = ssh_key(&ssh_keygen, home, "id", "ed25519");
    let (alice, alice_recipient) = common::keypair(home, "alice.txt", false);
    let (_, bob) = common::keypair(home, "bob.txt", false);
    let data = bytes(5000, 5);
    let sealed = home.join("signed.age");
    lockbox(home)
        .args([
            "seal",
            "-q",
            "--sign-with",
            s(&alice),
            "-r",
            &bob,
            "-r",
            &public,
        ])
        .args(["-o", s(&sealed)])
        .write_stdin(data.clone())
        .assert()
        .success();
    let out = lockbox(home)
        .args(["open", "-i", s(&key), s(&sealed)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout == data);
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot verify it: treated as unsigned"));
    lockbox(home)
        .args(["open", "-i", s(&key), "--from", &alice_recipient, s(&sealed)])
        .assert()
        .code(5)
        .stdout("")
        .stderr(common::error_line(
            "it carries a sender seal, but the identity that opened it (SSH or plugin) cannot check who sealed it",
        ))
        // The recipient asked for is named (shortened, with its
        // fingerprint), not redacted to 'age1…'.
        .stderr(predicates::str::contains(format!(
            "is not sealed by {}…",
            &alice_recipient[..14]
        )))
        .stderr(predicates::str::contains("(fingerprint "));
}
