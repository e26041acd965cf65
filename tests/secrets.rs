//! No message lockbox prints carries key material (issue 5): every error
//! path a user can reach with a secret at hand (a private key where a
//! recipient goes, a damaged identity file, a wrong passphrase, an identity
//! file given as the input, ...) is run through the binary, and stdout and
//! stderr are searched for the secrets, whole and in pieces, in either case.
//! The CCTV vectors get the same search for their file keys in
//! `tests/vectors.rs`.

mod common;

use std::path::Path;
use std::process::Output;

use common::lockbox;

const PASS: &str = "correct horse battery staple";

/// The pieces of `secret` that must never be printed: the whole string, and
/// every 16-character window of its Bech32 data part (after the last '1'),
/// lower-cased. Windows catch a message that quotes a secret in part.
fn pieces(secret: &str) -> Vec<String> {
    let lower = secret.to_ascii_lowercase();
    let data = &lower[lower.rfind('1').map_or(0, |i| i + 1)..];
    let mut out = vec![lower.clone()];
    if data.len() >= 16 {
        for i in 0..=data.len() - 16 {
            out.push(data[i..i + 16].to_owned());
        }
    } else {
        out.push(data.to_owned());
    }
    out
}

struct Env {
    home: tempfile::TempDir,
    /// Every secret of this test, in pieces.
    forbidden: Vec<String>,
    /// Cases run, for the count printed at the end.
    cases: usize,
}

impl Env {
    fn path(&self, name: &str) -> std::path::PathBuf {
        self.home.path().join(name)
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    /// Runs lockbox, which must fail with `code`, and searches its output;
    /// returns stderr.
    fn fails(&mut self, code: i32, args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> String {
        let out = run(self.home.path(), args, stdin, env);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(code), "lockbox {args:?}: {stderr}");
        assert!(
            stderr.starts_with("lockbox: error: "),
            "lockbox {args:?}: {stderr}"
        );
        let printed = format!("{}\n{stderr}", String::from_utf8_lossy(&out.stdout)).to_lowercase();
        for p in &self.forbidden {
            assert!(
                !printed.contains(p.as_str()),
                "lockbox {args:?} printed key material ({p}): {stderr}"
            );
        }
        self.cases += 1;
        stderr
    }
}

/// Runs lockbox in `home` with `args`, `stdin` and the variables `env`.
fn run(home: &Path, args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    let mut c = lockbox(home);
    c.current_dir(home).args(args).write_stdin(stdin);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// Runs lockbox in `home`, which must succeed; returns its stdout.
fn ok(home: &Path, args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Vec<u8> {
    let out = run(home, args, stdin, env);
    assert!(
        out.status.success(),
        "lockbox {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A fresh identity: (secret line, recipient), from `lockbox keygen`.
fn keygen(home: &Path, extra: &[&str]) -> (String, String) {
    let text = String::from_utf8(ok(
        home,
        &[&["keygen", "-o", "-"], extra].concat(),
        b"",
        &[],
    ))
    .unwrap();
    let secret = text.lines().last().unwrap().to_owned();
    let recipient = String::from_utf8(ok(home, &["keygen", "-y"], text.as_bytes(), &[])).unwrap();
    (secret, recipient.trim().to_owned())
}

#[test]
fn no_error_message_carries_key_material() {
    let home = tempfile::tempdir().unwrap();
    let (sk, pk) = keygen(home.path(), &[]);
    let (pq_sk, _pq_pk) = keygen(home.path(), &["--pq"]);
    let (other_sk, other_pk) = keygen(home.path(), &[]);
    let mut forbidden = Vec::new();
    for s in [&sk, &pq_sk, &other_sk] {
        forbidden.extend(pieces(s));
    }
    forbidden.push(PASS.to_lowercase());
    // A damaged key must not be echoed either: one character changed.
    let damaged = {
        let mut d = sk.clone();
        let last = d.pop().unwrap();
        d.push(if last == 'Q' { 'P' } else { 'Q' });
        d
    };
    forbidden.extend(pieces(&damaged));
    let mut env = Env {
        home,
        forbidden,
        cases: 0,
    };

    env.write("key.txt", &format!("# mine\n{sk}\n"));
    env.write("pq.txt", &format!("{pq_sk}\n"));
    env.write("other.txt", &format!("{other_sk}\n"));
    env.write("damaged.txt", &format!("# mine\n{damaged}\n"));
    env.write("trailing.txt", &format!("{sk}\nnot a key\n"));
    env.write("recipients.txt", &format!("{pk}\n{sk}\n"));
    env.write("pass.txt", &format!("{PASS}\n"));
    env.write("wrong-pass.txt", "not it\n");
    env.write("plain.txt", "hello\n");

    // A file for `other`, one for the passphrase, a protected identity.
    let pass_env = [("LOCKBOX_PASSPHRASE", PASS)];
    let h = env.home.path();
    ok(
        h,
        &["seal", "-r", &other_pk, "-o", "for-other.age"],
        b"for other",
        &[],
    );
    ok(
        h,
        &["seal", "-p", "-o", "by-pass.age"],
        b"by passphrase",
        &pass_env,
    );
    ok(
        h,
        &["keygen", "--protect", "-o", "protected.age"],
        b"",
        &pass_env,
    );
    // A private key where a recipient goes: as -r, in any case, as a
    // contact, in a recipients file.
    env.fails(2, &["seal", "-r", &sk], b"x", &[]);
    env.fails(2, &["seal", "-r", &sk.to_lowercase()], b"x", &[]);
    env.fails(2, &["seal", "-r", &pq_sk], b"x", &[]);
    env.fails(2, &["seal", "-r", &damaged], b"x", &[]);
    env.fails(2, &["seal", "-R", "recipients.txt"], b"x", &[]);
    env.fails(2, &["seal", "-R", "key.txt"], b"x", &[]);
    env.fails(2, &["contact", "add", "eve", &sk], b"", &[]);
    env.fails(2, &["contact", "add", "eve", "--from", "key.txt"], b"", &[]);
    // Damaged or mixed identity files, wherever an identity is read.
    env.fails(1, &["open", "-i", "damaged.txt", "for-other.age"], b"", &[]);
    env.fails(
        1,
        &["open", "-i", "trailing.txt", "for-other.age"],
        b"",
        &[],
    );
    env.fails(1, &["keygen", "-y", "damaged.txt"], b"", &[]);
    env.fails(1, &["keygen", "-y", "recipients.txt"], b"", &[]);
    env.fails(1, &["seal", "-i", "damaged.txt", "plain.txt"], b"", &[]);
    // Valid identities that do not match; a passphrase that does not.
    env.fails(
        3,
        &["open", "-i", "key.txt", "-i", "pq.txt", "for-other.age"],
        b"",
        &[],
    );
    env.fails(
        3,
        &["open", "by-pass.age"],
        b"",
        &[("LOCKBOX_PASSPHRASE", "not it")],
    );
    env.fails(
        3,
        &["open", "--passphrase-file", "wrong-pass.txt", "by-pass.age"],
        b"",
        &[],
    );
    env.fails(
        1,
        &["open", "-i", "protected.age", "for-other.age"],
        b"",
        &[("LOCKBOX_PASSPHRASE", "not it")],
    );
    env.fails(
        3,
        &["open", "-i", "protected.age", "for-other.age"],
        b"",
        &pass_env,
    );
    // An identity file given where a sealed file goes.
    env.fails(4, &["open", "-i", "other.txt", "key.txt"], b"", &[]);
    env.fails(4, &["open", "-i", "other.txt"], sk.as_bytes(), &[]);
    env.fails(4, &["inspect", "key.txt"], b"", &[]);
    env.fails(4, &["inspect", "pq.txt"], b"", &[]);
    // A passphrase with recipients, or given to the wrong command.
    env.fails(2, &["seal", "-p", "-r", &pk], b"x", &pass_env);
    env.fails(
        2,
        &["seal", "-r", &pk, "--passphrase-file", "pass.txt"],
        b"x",
        &[],
    );
    // The same file for input and output, with a key in it.
    env.fails(
        2,
        &["seal", "-i", "key.txt", "-o", "key.txt", "key.txt"],
        b"",
        &[],
    );

    // A key typed where a file name goes (issue 10): every path argument
    // says what it is instead of echoing it.
    for key in [&sk, &sk.to_lowercase(), &pq_sk, &damaged] {
        let key: &str = key;
        let cases: [&[&str]; 9] = [
            &["open", "-i", key, "for-other.age"],
            &["open", "-i", "key.txt", key],
            &["open", "--passphrase-file", key, "by-pass.age"],
            &["seal", "-i", key, "plain.txt"],
            &["seal", "-R", key, "plain.txt"],
            &["seal", "-r", &pk, key],
            &["keygen", "-y", key],
            &["inspect", key],
            &["contact", "add", "eve", "--from", key],
        ];
        for args in cases {
            let err = env.fails(1, args, b"", &[]);
            assert!(
                err.contains("(a secret key, not a file name)")
                    && err.contains("lockbox: hint: give the path of a file"),
                "lockbox {args:?}: {err}"
            );
        }
        let missing = format!("no-such-folder/{key}");
        env.fails(
            1,
            &["seal", "-r", &pk, "-o", &missing, "plain.txt"],
            b"",
            &[],
        );
        // As a contact's name, and as a contact to seal to.
        env.fails(2, &["contact", "add", key, &pk], b"", &[]);
        env.fails(2, &["seal", "-r", &format!("@{key}")], b"x", &[]);
    }
    // The data of a secret key behind a recipient's prefix, or alone (then
    // it reads as a contact name): named without its data.
    for key in [&sk, &pq_sk] {
        let data = &key[key.rfind('1').unwrap() + 1..];
        for shape in [
            format!("age1{data}"),
            format!("age1pq1{data}"),
            format!("age1{}", data.to_lowercase()),
            data.to_owned(),
        ] {
            let err = env.fails(2, &["seal", "-r", &shape], b"x", &[]);
            // Named, but only by its prefix.
            assert!(err.contains("…'"), "{shape}: {err}");
            env.fails(2, &["contact", "add", "eve", &shape], b"", &[]);
        }
    }

    assert!(env.cases >= 80, "{} cases", env.cases);
    use std::io::Write;
    writeln!(
        std::io::stderr(),
        "secrets: {} error paths searched for key material, none found",
        env.cases
    )
    .unwrap();
}
