//! Post-quantum hybrid recipients (`mlkem768x25519`, DESIGN.md §1) through
//! the real binary, lockbox alone: key generation and conversion, the known
//! answers, opening with mixed identity files, the refusal to mix post-quantum
//! and classic recipients, and the shape of the stanza lockbox writes.
//! Interop with typage is in `interop_typage.rs`.

mod common;

use base64::Engine as _;
use common::{bytes, lockbox};
use common::{header_lines, open_stdin as open, path_str as s};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const PQ_IDENTITY_PREFIX: &str = "AGE-SECRET-KEY-PQ-1";
const PQ_RECIPIENT_PREFIX: &str = "age1pq1";
const KAT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pq-kat");

/// `lockbox keygen -y FILE`: the recipients, one per line.
fn to_recipients(home: &Path, file: &Path) -> Vec<String> {
    let out = lockbox(home)
        .args(["keygen", "-y", s(file)])
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone())
        .expect("UTF-8 output")
        .lines()
        .map(str::to_string)
        .collect()
}

/// A home folder with a post-quantum identity `pq.txt` and an X25519 one
/// `x.txt`: (path, recipient) of each.
fn pq_and_x25519() -> (tempfile::TempDir, [(PathBuf, String); 2]) {
    let home = tempfile::tempdir().unwrap();
    let pq = common::keypair(home.path(), "pq.txt", true);
    let x = common::keypair(home.path(), "x.txt", false);
    (home, [pq, x])
}

/// Seals `plaintext` to `recipients` (binary, stdout) and returns the file.
fn seal(home: &Path, recipients: &[&str], plaintext: &[u8]) -> Vec<u8> {
    common::seal_stdin(home, recipients, false, plaintext)
}

/// Files in `dir` other than the ones named in `keep`: a refused seal must
/// leave neither its output nor a temporary file behind.
fn leftovers(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("readable temp dir")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| !keep.contains(&n.as_str()) && n != ".config")
        .collect()
}

#[test]
fn keygen_pq_writes_a_private_identity_file_and_prints_its_recipient() {
    let home = tempfile::tempdir().unwrap();
    let (path, recipient) = common::keypair(home.path(), "pq.txt", true);

    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "identity file mode {mode:o}");

    let text = std::fs::read_to_string(&path).unwrap();
    let identities: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(identities.len(), 1, "one identity line in:\n{text}");
    let identity = identities[0];
    assert!(identity.starts_with(PQ_IDENTITY_PREFIX), "{identity}");
    assert_eq!(identity.len(), 77, "identity length");
    assert_eq!(identity, identity.to_uppercase(), "identity is upper case");

    assert!(recipient.starts_with(PQ_RECIPIENT_PREFIX), "{recipient}");
    assert_eq!(recipient.len(), 1959, "recipient length");
    assert_eq!(
        recipient,
        recipient.to_lowercase(),
        "recipient is lower case"
    );
    // The comment line age writes, if any, names the same recipient.
    if let Some(line) = text.lines().find(|l| l.starts_with("# public key: ")) {
        assert_eq!(line["# public key: ".len()..], recipient);
    }

    // Two runs give two different keys.
    let (_, other) = common::keypair(home.path(), "pq2.txt", true);
    assert_ne!(other, recipient);
}

#[test]
fn keygen_y_on_a_pq_identity_gives_the_printed_recipient() {
    let home = tempfile::tempdir().unwrap();
    let (path, recipient) = common::keypair(home.path(), "pq.txt", true);
    assert_eq!(to_recipients(home.path(), &path), vec![recipient]);
}

#[test]
fn keygen_y_gives_the_known_answers() {
    let home = tempfile::tempdir().unwrap();
    for name in ["spec", "goage-testdata"] {
        let identity = Path::new(KAT).join(format!("{name}-identity.txt"));
        let expected =
            std::fs::read_to_string(Path::new(KAT).join(format!("{name}-recipient.txt")))
                .unwrap()
                .trim()
                .to_string();
        assert!(
            expected.starts_with(PQ_RECIPIENT_PREFIX),
            "{name}: {expected}"
        );
        assert_eq!(
            to_recipients(home.path(), &identity),
            vec![expected],
            "{name}: keygen -y"
        );
    }
}

#[test]
fn a_pq_sealed_file_round_trips_and_has_one_mlkem768x25519_stanza() {
    let home = tempfile::tempdir().unwrap();
    let (identity, recipient) = common::keypair(home.path(), "pq.txt", true);
    for len in [0, 100, 65536 + 1] {
        let plaintext = bytes(len, len as u64 + 1);
        let sealed = seal(home.path(), &[&recipient], &plaintext);
        assert!(sealed.starts_with(b"age-encryption.org/v1\n"));

        let lines = header_lines(&sealed);
        let stanzas: Vec<&String> = lines.iter().filter(|l| l.starts_with("-> ")).collect();
        assert_eq!(stanzas.len(), 1, "stanzas: {stanzas:?}");
        let args: Vec<&str> = stanzas[0].split(' ').collect();
        assert_eq!(args.len(), 3, "`-> mlkem768x25519 ENC` (one argument)");
        assert_eq!(args[1], "mlkem768x25519");
        let enc = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(args[2])
            .expect("the enc argument is unpadded base64");
        assert_eq!(enc.len(), 1120, "ML-KEM-768 ciphertext + X25519 share");
        // The body: the 32-byte HPKE ciphertext of the file key, one line.
        let body = &lines[lines.iter().position(|l| l == stanzas[0]).unwrap() + 1];
        let body = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(body)
            .expect("the body is unpadded base64");
        assert_eq!(body.len(), 32, "HPKE ciphertext of the file key");

        assert_eq!(
            open(home.path(), &identity, &sealed),
            plaintext,
            "len {len}"
        );
    }
}

#[test]
fn an_identity_file_mixing_pq_and_x25519_opens_files_sealed_to_either() {
    let (home, [(pq, pq_recipient), (x, x_recipient)]) = pq_and_x25519();
    assert!(x_recipient.starts_with("age1") && !x_recipient.starts_with(PQ_RECIPIENT_PREFIX));

    // Both orders, so neither identity type shadows the other.
    for (name, first, second) in [("pq-x.txt", &pq, &x), ("x-pq.txt", &x, &pq)] {
        let both = home.path().join(name);
        let mut text = std::fs::read_to_string(first).unwrap();
        text.push_str(&std::fs::read_to_string(second).unwrap());
        std::fs::write(&both, text).unwrap();
        std::fs::set_permissions(&both, std::fs::Permissions::from_mode(0o600)).unwrap();

        for (recipient, seed) in [(&pq_recipient, 1), (&x_recipient, 2)] {
            let plaintext = bytes(1000, seed);
            let sealed = seal(home.path(), &[recipient], &plaintext);
            assert_eq!(
                open(home.path(), &both, &sealed),
                plaintext,
                "{name}: file sealed to {}",
                &recipient[..10]
            );
        }
    }
}

/// Runs a seal that must be refused as a usage error, with stdout and with
/// `-o FILE`; returns the stderr of the stdout run.
fn assert_refused(home: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let plaintext = bytes(100, 7);
    let mut cmd = lockbox(home);
    cmd.arg("seal").args(args).write_stdin(plaintext.clone());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.assert().code(2).get_output().clone();
    assert!(
        out.stdout.is_empty(),
        "{args:?}: {} bytes on stdout",
        out.stdout.len()
    );
    let stderr = String::from_utf8(out.stderr).expect("UTF-8 stderr");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("lockbox: error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{args:?}: one error line in:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    // With -o FILE: nothing left, not even a temporary file.
    let before = leftovers(home, &[]);
    let target = home.join("refused.age");
    let mut cmd = lockbox(home);
    cmd.arg("seal")
        .args(args)
        .args(["-o", s(&target)])
        .write_stdin(plaintext);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.assert().code(2).get_output().clone();
    assert!(out.stdout.is_empty());
    assert!(!target.exists(), "{args:?}: -o FILE was created");
    let keep: Vec<&str> = before.iter().map(String::as_str).collect();
    assert_eq!(
        leftovers(home, &keep),
        Vec::<String>::new(),
        "{args:?}: files left behind"
    );
    stderr
}

fn assert_weak_link_hint(stderr: &str, what: &str) {
    let hints: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("lockbox: hint: "))
        .collect();
    assert!(
        hints.iter().any(|h| h.contains("weak link")),
        "{what}: a hint saying the classic recipient would be the weak link, in:\n{stderr}"
    );
    let error = stderr
        .lines()
        .find(|l| l.starts_with("lockbox: error: "))
        .unwrap();
    assert!(
        error.contains("post-quantum") && error.contains("classic"),
        "{what}: {error}"
    );
}

#[test]
fn sealing_to_pq_and_x25519_together_is_a_usage_error_that_writes_nothing() {
    let (home, [(pq, pq_recipient), (x, x_recipient)]) = pq_and_x25519();

    for order in [
        [pq_recipient.as_str(), x_recipient.as_str()],
        [x_recipient.as_str(), pq_recipient.as_str()],
    ] {
        let stderr = assert_refused(home.path(), &["-r", order[0], "-r", order[1]], &[]);
        assert_weak_link_hint(&stderr, "-r PQ -r X25519");
    }

    // The same through -R (a recipients file) and -i (an identity file
    // holding both kinds).
    let list = home.path().join("recipients.txt");
    std::fs::write(&list, format!("# mixed\n{pq_recipient}\n{x_recipient}\n")).unwrap();
    let stderr = assert_refused(home.path(), &["-R", s(&list)], &[]);
    assert_weak_link_hint(&stderr, "-R mixed");

    let both = home.path().join("both.txt");
    let text = std::fs::read_to_string(&pq).unwrap() + &std::fs::read_to_string(&x).unwrap();
    std::fs::write(&both, text).unwrap();
    std::fs::set_permissions(&both, std::fs::Permissions::from_mode(0o600)).unwrap();
    let stderr = assert_refused(home.path(), &["-i", s(&both)], &[]);
    assert_weak_link_hint(&stderr, "-i mixed identity file");
}

#[test]
fn a_pq_recipient_with_a_passphrase_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let (_, pq_recipient) = common::keypair(home.path(), "pq.txt", true);
    let stderr = assert_refused(
        home.path(),
        &["-p", "-r", &pq_recipient],
        &[("LOCKBOX_PASSPHRASE", "correct horse battery staple")],
    );
    assert!(stderr.contains("passphrase"), "{stderr}");
}

#[test]
fn several_pq_recipients_are_fine() {
    let home = tempfile::tempdir().unwrap();
    let (a, a_recipient) = common::keypair(home.path(), "a.txt", true);
    let (b, b_recipient) = common::keypair(home.path(), "b.txt", true);
    let plaintext = bytes(5000, 9);
    let sealed = seal(home.path(), &[&a_recipient, &b_recipient], &plaintext);
    let n = header_lines(&sealed)
        .iter()
        .filter(|l| l.starts_with("-> mlkem768x25519 "))
        .count();
    assert_eq!(n, 2);
    assert_eq!(open(home.path(), &a, &sealed), plaintext);
    assert_eq!(open(home.path(), &b, &sealed), plaintext);
}
