//! The command line as a user meets it: round trips, and every error
//! message with its exit status.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{error_line, keypair, lockbox};
use predicates::prelude::*;

#[test]
fn round_trip_file_and_pipe() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (key, recipient) = keypair(home.path(), dir.path().join("key.txt"), false);
    assert!(
        recipient.starts_with("age1") && recipient.len() == 62,
        "{recipient}"
    );
    for len in [0usize, 1, 65536, 65537, 1 << 20] {
        let data = common::bytes(len, len as u64);
        let plain = dir.path().join("plain");
        std::fs::write(&plain, &data).unwrap();
        let sealed = dir.path().join("sealed.age");
        lockbox(home.path())
            .args(["seal", "-r", &recipient, "-o"])
            .arg(&sealed)
            .arg(&plain)
            .assert()
            .success()
            .stdout("");
        let out = lockbox(home.path())
            .args(["open", "-i"])
            .arg(&key)
            .arg(&sealed)
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(out.stdout, data, "len {len}");
        // Through pipes, armored.
        let armored = lockbox(home.path())
            .args(["seal", "-a", "-r", &recipient])
            .write_stdin(data.clone())
            .output()
            .unwrap();
        assert!(armored.status.success());
        assert!(armored
            .stdout
            .starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----\n"));
        lockbox(home.path())
            .args(["open", "-i"])
            .arg(&key)
            .arg("-")
            .write_stdin(armored.stdout)
            .assert()
            .success()
            .stdout(predicate::eq(data));
    }
}

#[test]
fn keygen_default_path_modes_and_never_overwrites() {
    let home = tempfile::tempdir().unwrap();
    let out = lockbox(home.path()).arg("keygen").output().unwrap();
    assert!(out.status.success());
    let recipient = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let cfg = home.path().join(".config/lockbox");
    let id = cfg.join("identity.txt");
    assert_eq!(
        std::fs::metadata(&cfg).unwrap().permissions().mode() & 0o777,
        0o700
    );
    assert_eq!(
        std::fs::metadata(&id).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let before = std::fs::read(&id).unwrap();
    let text = String::from_utf8(before.clone()).unwrap();
    assert!(text.starts_with("# created: "));
    assert!(text.contains(&format!("# public key: {recipient}\n")));
    assert!(text.lines().last().unwrap().starts_with("AGE-SECRET-KEY-1"));

    // A second keygen refuses and leaves the key alone.
    lockbox(home.path())
        .arg("keygen")
        .assert()
        .code(1)
        .stdout("")
        .stderr(error_line("already exists").and(predicate::str::contains("hint: ")));
    assert_eq!(std::fs::read(&id).unwrap(), before);

    // open and seal -i use the default identity.
    let sealed = lockbox(home.path())
        .args(["seal", "-r", &recipient])
        .write_stdin("to myself\n")
        .output()
        .unwrap();
    lockbox(home.path())
        .arg("open")
        .write_stdin(sealed.stdout)
        .assert()
        .success()
        .stdout("to myself\n");

    // LOCKBOX_IDENTITY wins over the default path.
    let other = home.path().join("other.txt");
    lockbox(home.path())
        .env("LOCKBOX_IDENTITY", &other)
        .arg("keygen")
        .assert()
        .success();
    assert!(other.exists());

    // keygen -y on stdin: the recipient on stdout, its fingerprint (the
    // one keygen printed) on stderr, to read to a contact.
    let printed = String::from_utf8(out.stderr).unwrap();
    let fp_line = printed
        .lines()
        .find(|l| l.starts_with("lockbox: fingerprint: "))
        .expect("keygen prints the fingerprint")
        .to_owned();
    lockbox(home.path())
        .args(["keygen", "-y"])
        .write_stdin(before.clone())
        .assert()
        .success()
        .stdout(format!("{recipient}\n"))
        .stderr(format!("{fp_line}\n"));
    lockbox(home.path())
        .args(["keygen", "-q", "-y"])
        .write_stdin(before)
        .assert()
        .success()
        .stderr("");
}

#[test]
fn keygen_to_stdout_writes_the_identity_there() {
    let home = tempfile::tempdir().unwrap();
    let out = lockbox(home.path())
        .args(["keygen", "-o", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("AGE-SECRET-KEY-1"));
    // The recipient and fingerprint lines in keygen's own style.
    let recipient = text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert_eq!(lines[0], format!("lockbox: recipient: {recipient}"));
    assert!(lines[1].starts_with("lockbox: fingerprint: "), "{stderr}");
    assert_eq!(
        lines[1].len(),
        "lockbox: fingerprint: ".len() + 24,
        "{stderr}"
    );
    assert!(!home.path().join(".config/lockbox/identity.txt").exists());
    // -q leaves out the fingerprint note, never the recipient.
    lockbox(home.path())
        .args(["keygen", "-q", "-o", "-"])
        .assert()
        .success()
        .stderr(
            predicate::str::starts_with("lockbox: recipient: age1")
                .and(predicate::function(|s: &str| s.lines().count() == 1)),
        );
}

#[test]
fn recipients_files_and_seal_to_identity() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (k1, r1) = keypair(home.path(), dir.path().join("k1"), false);
    let (k2, r2) = keypair(home.path(), dir.path().join("k2"), false);
    let (k3, _) = keypair(home.path(), dir.path().join("k3"), false);
    let list = dir.path().join("friends.txt");
    std::fs::write(
        &list,
        format!("# my friends\n\n{r1}\n  # indented comment\n{r2}\n"),
    )
    .unwrap();
    let sealed = lockbox(home.path())
        .args(["seal", "-R"])
        .arg(&list)
        .arg("-i")
        .arg(&k3)
        .write_stdin("many\n")
        .output()
        .unwrap();
    assert!(sealed.status.success());
    for k in [&k1, &k2, &k3] {
        lockbox(home.path())
            .args(["open", "-i"])
            .arg(k)
            .write_stdin(sealed.stdout.clone())
            .assert()
            .success()
            .stdout("many\n");
    }
    // -R - reads recipients from stdin.
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "x").unwrap();
    let out = lockbox(home.path())
        .args(["seal", "-R", "-"])
        .arg(&input)
        .write_stdin(format!("{r1}\n"))
        .output()
        .unwrap();
    assert!(out.status.success());
    lockbox(home.path())
        .args(["open", "-i"])
        .arg(&k1)
        .write_stdin(out.stdout)
        .assert()
        .success()
        .stdout("x");
}

#[test]
fn passphrase_round_trips_through_file_and_environment() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw.txt");
    std::fs::write(&pw, "correct horse battery staple\nignored second line\n").unwrap();
    let sealed = lockbox(home.path())
        .args(["seal", "-p", "--passphrase-file"])
        .arg(&pw)
        .write_stdin("secret\n")
        .output()
        .unwrap();
    common::assert_success(&sealed);
    let text = String::from_utf8_lossy(&sealed.stdout);
    assert!(
        text.contains("\n-> scrypt ") && text.contains(" 18\n"),
        "work factor 18"
    );
    lockbox(home.path())
        .arg("open")
        .env("LOCKBOX_PASSPHRASE", "correct horse battery staple")
        .write_stdin(sealed.stdout.clone())
        .assert()
        .success()
        .stdout("secret\n");
    // A wrong passphrase says so, still exit 3 (issue 13).
    lockbox(home.path())
        .arg("open")
        .env("LOCKBOX_PASSPHRASE", "wrong")
        .write_stdin(sealed.stdout.clone())
        .assert()
        .code(3)
        .stdout("")
        .stderr(
            predicate::str::diff(
                "lockbox: error: failed to open standard input: incorrect passphrase\n\
                 lockbox: hint: the file was sealed with a passphrase (scrypt): check it and try again\n",
            ),
        );
    // No terminal and no passphrase source: a clear error, not a hang.
    lockbox(home.path())
        .arg("open")
        .arg("-")
        .write_stdin(sealed.stdout)
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(1)
        .stderr(error_line("no terminal").and(predicate::str::contains("--passphrase-file")));
}

#[test]
fn passphrase_protected_identity_file() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (key, recipient) = keypair(home.path(), dir.path().join("plain.key"), false);
    let protected = dir.path().join("protected.key.age");
    lockbox(home.path())
        .args(["seal", "-p", "-a", "-o"])
        .arg(&protected)
        .arg(&key)
        .env("LOCKBOX_PASSPHRASE", "pw for key")
        .assert()
        .success();
    let sealed = lockbox(home.path())
        .args(["seal", "-r", &recipient])
        .write_stdin("via protected key")
        .output()
        .unwrap();
    lockbox(home.path())
        .args(["open", "-i"])
        .arg(&protected)
        .env("LOCKBOX_PASSPHRASE", "pw for key")
        .write_stdin(sealed.stdout.clone())
        .assert()
        .success()
        .stdout("via protected key");
    // Not on a terminal, -y without FILE reads stdin; empty, it says so
    // and how to reach the default identity.
    lockbox(home.path())
        .args(["keygen", "-y"])
        .write_stdin("")
        .assert()
        .code(1)
        .stderr(error_line("standard input holds no identities"))
        .stderr(predicates::str::contains(
            "lockbox keygen -y ~/.config/lockbox/identity.txt",
        ));
    lockbox(home.path())
        .args(["keygen", "-y"])
        .arg(&protected)
        .env("LOCKBOX_PASSPHRASE", "pw for key")
        .assert()
        .success()
        .stdout(format!("{recipient}\n"));
    lockbox(home.path())
        .args(["open", "-i"])
        .arg(&protected)
        .env("LOCKBOX_PASSPHRASE", "not it")
        .write_stdin(sealed.stdout)
        .assert()
        .code(1)
        .stderr(error_line("wrong passphrase for identity file"));
}

#[test]
fn usage_errors_have_hints_and_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (key, recipient) = keypair(home.path(), dir.path().join("key.txt"), false);
    let h = home.path();
    lockbox(h)
        .arg("seal")
        .write_stdin("x")
        .assert()
        .code(2)
        .stdout("")
        .stderr(error_line("missing recipients").and(predicate::str::contains("lockbox: hint: ")));
    lockbox(h)
        .args(["open", "-r", &recipient])
        .assert()
        .code(2)
        .stderr(
            error_line("-r/--recipient can't be used with open")
                .and(predicate::str::contains("hint: did you mean -i/--identity")),
        );
    lockbox(h)
        .args(["open", "-a", "-i"])
        .arg(&key)
        .assert()
        .code(2)
        .stderr(
            error_line("-a/--armor can't be used with open")
                .and(predicate::str::contains("detected automatically")),
        );
    lockbox(h)
        .args(["seal", "-p", "-r", &recipient])
        .assert()
        .code(2)
        .stderr(error_line(
            "-p/--passphrase can't be combined with recipients",
        ));
    lockbox(h)
        .args(["seal", "-r", "age1notarecipient"])
        .assert()
        .code(2)
        .stderr(error_line("invalid recipient"));
    lockbox(h)
        .args(["seal", "--bogus"])
        .assert()
        .code(2)
        .stderr(error_line("--bogus"));
    // A secret key given as a recipient: refused, never echoed back.
    let secret = std::fs::read_to_string(&key).unwrap();
    let secret = secret.lines().last().unwrap().to_owned();
    lockbox(h)
        .args(["seal", "-r", &secret])
        .assert()
        .code(2)
        .stderr(
            error_line("this is an identity").and(predicate::str::contains(&secret[..30]).not()),
        );
}

#[test]
fn recipients_file_errors_name_the_line() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, recipient) = keypair(home.path(), dir.path().join("key.txt"), false);
    let list = dir.path().join("list.txt");
    std::fs::write(&list, format!("# ok\n{recipient}\n\nnot a recipient\n")).unwrap();
    lockbox(home.path())
        .args(["seal", "-R"])
        .arg(&list)
        .write_stdin("x")
        .assert()
        .code(2)
        .stdout("")
        .stderr(error_line("line 4").and(predicate::str::contains("list.txt")));
    lockbox(home.path())
        .args(["seal", "-R"])
        .arg(dir.path().join("missing.txt"))
        .write_stdin("x")
        .assert()
        .code(1)
        .stderr(
            error_line("failed to read recipients file")
                .and(predicate::str::contains("missing.txt")),
        );
}

#[test]
fn identity_errors() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, recipient) = keypair(home.path(), dir.path().join("key.txt"), false);
    let sealed = lockbox(home.path())
        .args(["seal", "-r", &recipient])
        .write_stdin("x")
        .output()
        .unwrap()
        .stdout;
    // Missing default identity.
    lockbox(home.path())
        .arg("open")
        .write_stdin(sealed.clone())
        .assert()
        .code(2)
        .stderr(error_line("missing identity").and(predicate::str::contains("lockbox keygen")));
    // Unreadable identity file.
    lockbox(home.path())
        .args(["open", "-i"])
        .arg(dir.path().join("nope.txt"))
        .write_stdin(sealed.clone())
        .assert()
        .code(1)
        .stderr(
            error_line("failed to read identity file").and(predicate::str::contains("nope.txt")),
        );
    // A file that is not an identity file.
    let junk = dir.path().join("junk.txt");
    std::fs::write(&junk, "# comment\nhello there\n").unwrap();
    lockbox(home.path())
        .args(["open", "-i"])
        .arg(&junk)
        .write_stdin(sealed.clone())
        .assert()
        .code(1)
        .stderr(
            error_line("is not an identity file (line 2)")
                .and(predicate::str::contains("junk.txt")),
        );
    // Someone else's identity: no match, exit 3, naming the stanza types.
    let (other, _) = keypair(home.path(), dir.path().join("other.txt"), false);
    lockbox(home.path())
        .args(["open", "-i"])
        .arg(&other)
        .write_stdin(sealed)
        .assert()
        .code(3)
        .stdout("")
        .stderr(
            error_line("no identity matched any of the file's recipients").and(
                predicate::str::contains("lockbox: hint: the file was sealed to: X25519 (1)"),
            ),
        );
}

#[test]
fn standard_input_serves_one_purpose_only() {
    // Issue 10: `cat bob.pub | lockbox seal -R - -a` ate stdin as the
    // recipients, then sealed an empty message and exited 0.
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (key, recipient) = keypair(home.path(), dir.path().join("key.txt"), false);
    let key = key.to_str().unwrap();
    let sealed = dir.path().join("x.age");
    lockbox(home.path())
        .args(["seal", "-r", &recipient, "-o"])
        .arg(&sealed)
        .write_stdin("x")
        .assert()
        .success();
    let sealed = sealed.to_str().unwrap();
    let cases: [(&[&str], &str); 7] = [
        (
            &["seal", "-R", "-", "-a"],
            "-R/--recipients-file - and the input",
        ),
        (
            &["seal", "-R", "-", "-a", "-"],
            "-R/--recipients-file - and the input",
        ),
        (&["seal", "-i", "-"], "-i/--identity - and the input"),
        (
            &["seal", "-R", "-", "-R", "-", sealed],
            "-R/--recipients-file - and -R/--recipients-file -",
        ),
        (
            &["seal", "-R", "-", "-i", "-", "-r", &recipient],
            "-R/--recipients-file -, -i/--identity - and the input",
        ),
        (&["open", "-i", "-"], "-i/--identity - and the input"),
        (
            &["open", "-i", key, "-i", "-", "-"],
            "-i/--identity - and the input",
        ),
    ];
    for (args, users) in cases {
        lockbox(home.path())
            .args(args)
            .write_stdin(format!("{recipient}\n"))
            .assert()
            .code(2)
            .stdout("")
            .stderr(
                predicate::str::starts_with(format!(
                    "lockbox: error: standard input is used for more than one purpose: {users}"
                ))
                .and(predicate::str::contains(
                    "lockbox: hint: let at most one of them read standard input",
                )),
            );
    }
}

#[test]
fn same_file_for_input_and_output_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (key, recipient) = keypair(home.path(), dir.path().join("key.txt"), false);
    let f = dir.path().join("data.txt");
    std::fs::write(&f, "precious").unwrap();
    lockbox(home.path())
        .args(["seal", "-r", &recipient, "-o"])
        .arg(&f)
        .arg(&f)
        .assert()
        .code(2)
        .stderr(error_line("same file"));
    assert_eq!(std::fs::read(&f).unwrap(), b"precious");
    lockbox(home.path())
        .args(["open", "-i"])
        .arg(&key)
        .arg("-o")
        .arg(&f)
        .arg(&f)
        .assert()
        .code(2)
        .stderr(error_line("same file"));
    assert_eq!(std::fs::read(&f).unwrap(), b"precious");
}

#[test]
fn failed_open_leaves_no_file_and_keeps_an_existing_one() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (key, recipient) = keypair(home.path(), dir.path().join("key.txt"), false);
    let data = common::bytes(300_000, 9);
    let sealed = lockbox(home.path())
        .args(["seal", "-r", &recipient])
        .write_stdin(data)
        .output()
        .unwrap()
        .stdout;
    let mut bad = sealed.clone();
    let n = bad.len();
    bad[n - 100] ^= 1; // the last chunk
    let out = dir.path().join("out.bin");
    lockbox(home.path())
        .args(["open", "-i"])
        .arg(&key)
        .arg("-o")
        .arg(&out)
        .write_stdin(bad.clone())
        .assert()
        .code(4)
        .stderr(error_line("does not authenticate"));
    assert!(!out.exists());
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "only the key is left: {names:?}");
    // An existing output is left untouched by a failed open.
    std::fs::write(&out, "old").unwrap();
    lockbox(home.path())
        .args(["open", "-i"])
        .arg(&key)
        .arg("-o")
        .arg(&out)
        .write_stdin(bad)
        .assert()
        .code(4);
    assert_eq!(std::fs::read(&out).unwrap(), b"old");
    // Truncation is exit 4 too.
    lockbox(home.path())
        .args(["open", "-i"])
        .arg(&key)
        .write_stdin(sealed[..sealed.len() - 1000].to_vec())
        .assert()
        .code(4);
}

#[test]
fn binary_to_a_terminal_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (key, recipient) = keypair(home.path(), dir.path().join("key.txt"), false);
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "hello terminal\n").unwrap();
    let Some((code, shown)) = common::terminal::under_script(
        home.path(),
        &format!("lockbox seal -r {recipient} {}", input.display()),
    ) else {
        return;
    };
    assert_eq!(code, 2, "{shown}");
    assert!(
        shown.contains("lockbox: error: refusing to write binary output to a terminal"),
        "{shown}"
    );
    // A file first (issue 13), then armor, then forcing binary.
    assert!(
        shown.contains(
            "lockbox: hint: write it to a file with -o/--output FILE, or use -a/--armor for text output (-o - forces binary onto the terminal)"
        ),
        "{shown}"
    );
    // Armored output is fine on a terminal, and so is readable plaintext.
    let sealed = dir.path().join("in.age");
    lockbox(home.path())
        .args(["seal", "-r", &recipient, "-o"])
        .arg(&sealed)
        .arg(&input)
        .assert()
        .success();
    let (code, shown) = common::terminal::under_script(
        home.path(),
        &format!("lockbox open -i {} {}", key.display(), sealed.display()),
    )
    .unwrap();
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("hello terminal"), "{shown}");
    // Binary plaintext is not printed on a terminal.
    let binary = dir.path().join("bin");
    std::fs::write(&binary, b"\x1b[2J\x00\x01binary").unwrap();
    let sealed_bin = dir.path().join("bin.age");
    lockbox(home.path())
        .args(["seal", "-r", &recipient, "-o"])
        .arg(&sealed_bin)
        .arg(&binary)
        .assert()
        .success();
    let (code, shown) = common::terminal::under_script(
        home.path(),
        &format!("lockbox open -i {} {}", key.display(), sealed_bin.display()),
    )
    .unwrap();
    assert_eq!(code, 1, "{shown}");
    assert!(
        shown.contains("refusing to print binary plaintext on a terminal"),
        "{shown}"
    );
}

#[test]
fn output_files_are_atomic_and_special_files_written_in_place() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (key, recipient) = keypair(home.path(), dir.path().join("key.txt"), false);
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "data").unwrap();
    // /dev/null is written in place, never replaced.
    lockbox(home.path())
        .args(["seal", "-r", &recipient, "-o", "/dev/null"])
        .arg(&input)
        .assert()
        .success();
    assert!(std::fs::metadata("/dev/null").unwrap().permissions().mode() & 0o170000 != 0o100000);
    // Plaintext outputs are 0600; sealed outputs 0644.
    let sealed = dir.path().join("in.age");
    lockbox(home.path())
        .args(["seal", "-r", &recipient, "-o"])
        .arg(&sealed)
        .arg(&input)
        .assert()
        .success();
    assert_eq!(
        std::fs::metadata(&sealed).unwrap().permissions().mode() & 0o777,
        0o644
    );
    let plain = dir.path().join("plain.txt");
    lockbox(home.path())
        .args(["open", "-i"])
        .arg(&key)
        .arg("-o")
        .arg(&plain)
        .arg(&sealed)
        .assert()
        .success();
    assert_eq!(
        std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(std::fs::read(&plain).unwrap(), b"data");
    // A missing output folder is a clear error.
    lockbox(home.path())
        .args(["seal", "-r", &recipient, "-o"])
        .arg(dir.path().join("no/such/dir/out.age"))
        .arg(&input)
        .assert()
        .code(1)
        .stderr(error_line("failed to write output").and(predicate::str::contains("out.age")));
}

#[test]
fn ages_habits_name_the_lockbox_command() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let sealed = h.join("letter");
    std::fs::write(&sealed, common::sealed(b"hi")).unwrap();
    let sealed_name = sealed.to_str().unwrap();
    // (command line, the error, the command line meant)
    let cases: &[(&[&str], &str, String)] = &[
        (
            &["-d", "file.age"],
            "unexpected argument '-d'",
            "lockbox open file.age".into(),
        ),
        (
            &["--decrypt", "-i", "k.txt", "-o", "out", "file.age"],
            "unexpected argument '--decrypt'",
            "lockbox open -i k.txt -o out file.age".into(),
        ),
        (
            &["open", "-d", "file.age"],
            "unexpected argument '-d'",
            "lockbox open file.age".into(),
        ),
        (
            &["-e", "-r", "bob", "doc.pdf"],
            "unexpected argument '-e'",
            "lockbox seal -r bob doc.pdf".into(),
        ),
        (&["-e"], "unexpected argument '-e'", "lockbox seal".into()),
        (
            &["decrypt", "file.age"],
            "'decrypt' is not a lockbox command",
            "lockbox open file.age".into(),
        ),
        (
            &["encrypt", "-a", "-r", "bob"],
            "'encrypt' is not a lockbox command",
            "lockbox seal -a -r bob".into(),
        ),
        (
            &["file.age"],
            "'file.age' is not a lockbox command",
            "lockbox open file.age".into(),
        ),
        // A sealed file without the .age ending is known by its content.
        (
            &[sealed_name],
            "is not a lockbox command",
            format!("lockbox open {sealed_name}"),
        ),
    ];
    for (args, error, meant) in cases {
        let out = lockbox(h).args(*args).output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(error_line(error).eval(&err), "{args:?}: {err}");
        assert!(
            err.contains(&format!("lockbox: hint: did you mean '{meant}'?\n")),
            "{args:?}: {err}"
        );
        // Not clap's advice to pass the flag as a value.
        assert!(!err.contains("-- -"), "{args:?}: {err}");
    }
    // Key material in the command line meant is cut, as in every message.
    let out = lockbox(h)
        .args(["-e", "-r", common::RECIPIENT, "doc.pdf"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("did you mean 'lockbox seal -r age1… doc.pdf'?"),
        "{err}"
    );
    // An unknown word that is no file keeps clap's own error.
    lockbox(h)
        .arg("frobnicate")
        .assert()
        .code(2)
        .stderr(error_line("unrecognized subcommand 'frobnicate'"));
}

#[test]
fn a_recipients_file_given_to_r_suggests_capital_r() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::write(h.join("bob.pub"), format!("{}\n", common::RECIPIENT)).unwrap();
    for (arg, error) in [
        ("./bob.pub", "invalid recipient: './bob.pub'"),
        // A bare name is first a contact name.
        ("bob.pub", "unknown contact 'bob.pub'"),
    ] {
        let out = lockbox(h)
            .current_dir(h)
            .args(["seal", "-r", arg])
            .write_stdin("x")
            .output()
            .unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(error_line(error).eval(&err), "{err}");
        // The -R hint comes first.
        assert_eq!(
            err.lines().nth(1),
            Some(format!(
                "lockbox: hint: '{arg}' is a file: to seal to the recipients in it, use -R/--recipients-file '{arg}'"
            ))
            .as_deref(),
            "{err}"
        );
    }
    // What it suggests works.
    lockbox(h)
        .current_dir(h)
        .args(["seal", "-R", "./bob.pub", "-o", "x.age"])
        .write_stdin("x")
        .assert()
        .success();
    // Not a file: no such hint.
    lockbox(h)
        .current_dir(h)
        .args(["seal", "-r", "./carol.pub"])
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a file").not());
}

#[test]
fn passphrase_file_dash_reads_stdin_unless_stdin_is_already_used() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::write(h.join("m.txt"), "by a piped passphrase\n").unwrap();
    lockbox(h)
        .current_dir(h)
        .args([
            "seal",
            "-p",
            "--passphrase-file",
            "-",
            "-o",
            "m.age",
            "m.txt",
        ])
        .write_stdin("piped pass\n")
        .assert()
        .success();
    lockbox(h)
        .current_dir(h)
        .args(["open", "--passphrase-file", "-", "m.age"])
        .write_stdin("piped pass\n")
        .assert()
        .success()
        .stdout("by a piped passphrase\n");
    let sealed = std::fs::read(h.join("m.age")).unwrap();
    // With the input on stdin too: refused before anything is read.
    for args in [
        &["open", "--passphrase-file", "-"][..],
        &["seal", "-p", "--passphrase-file", "-"],
        &["keygen", "-y", "--passphrase-file", "-"],
    ] {
        lockbox(h)
            .current_dir(h)
            .args(args)
            .write_stdin(sealed.clone())
            .assert()
            .code(2)
            .stdout("")
            .stderr(error_line(
                "standard input is used for more than one purpose: --passphrase-file - and the input",
            ));
    }
}
