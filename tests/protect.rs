//! Passphrase-protected identities (`keygen --protect`) through the binary:
//! lockbox uses them everywhere an identity goes, and Go age (through a
//! terminal in tmux) and typage (`Decrypter.addPassphrase`) open them.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::{error_line, lockbox};
use predicates::prelude::*;

const PASS: &str = "tr0ub4dor & 3 horses";

/// `lockbox` with [`PASS`] in `LOCKBOX_PASSPHRASE`.
fn with_passphrase(home: &Path) -> assert_cmd::Command {
    let mut cmd = lockbox(home);
    cmd.env("LOCKBOX_PASSPHRASE", PASS);
    cmd
}

/// `keygen --protect -o FILE` with the passphrase from the environment;
/// returns (file, recipient, stderr).
fn protected(home: &Path, name: &str, extra: &[&str]) -> (PathBuf, String, String) {
    let path = home.join(name);
    let cmd = with_passphrase(home);
    let args: Vec<&str> = ["--protect"].iter().chain(extra).copied().collect();
    let (recipient, stderr) = common::keygen_with(cmd, &path, &args);
    (path, recipient, stderr)
}

#[test]
fn protected_identity_is_an_armored_passphrase_sealed_file() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (key, recipient, stderr) = protected(h, "key.age", &[]);
    assert!(recipient.starts_with("age1") && recipient.len() == 62);
    assert!(stderr.contains("lockbox: wrote passphrase-protected identity to '"));
    assert!(stderr.contains("lockbox: fingerprint: "));
    let text = std::fs::read_to_string(&key).unwrap();
    assert!(
        text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"),
        "{text}"
    );
    assert!(!text.contains("AGE-SECRET-KEY"));
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let json = common::stdout_of(h, &["inspect", "--json", common::path_str(&key)]);
    assert!(json.contains("\"stanzas\": [\"scrypt\"]"), "{json}");
    assert!(json.contains("\"armored\": true"), "{json}");
    // Work factor 18, as Go age and `seal -p`.
    let bin = {
        use base64::prelude::{Engine, BASE64_STANDARD};
        let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        BASE64_STANDARD.decode(body).unwrap()
    };
    let header = String::from_utf8_lossy(&bin[..80]);
    assert!(
        header.contains("-> scrypt ") && header.contains(" 18\n"),
        "{header}"
    );
}

#[test]
fn lockbox_uses_a_protected_identity_everywhere() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (key, recipient, _) = protected(h, "key.age", &[]);
    let passfile = h.join("pass.txt");
    std::fs::write(&passfile, format!("{PASS}\n")).unwrap();

    // keygen -y, with the passphrase from the environment or a file.
    with_passphrase(h)
        .args(["keygen", "-y"])
        .arg(&key)
        .assert()
        .success()
        .stdout(format!("{recipient}\n"));
    lockbox(h)
        .args(["keygen", "-y", "--passphrase-file"])
        .arg(&passfile)
        .arg(&key)
        .assert()
        .success()
        .stdout(format!("{recipient}\n"));

    // seal -i (to the identity's own recipient), then open -i.
    let sealed = with_passphrase(h)
        .args(["seal", "-a", "-i"])
        .arg(&key)
        .write_stdin("to myself")
        .output()
        .unwrap();
    common::assert_success(&sealed);
    lockbox(h)
        .args(["open", "--passphrase-file"])
        .arg(&passfile)
        .arg("-i")
        .arg(&key)
        .write_stdin(sealed.stdout.clone())
        .assert()
        .success()
        .stdout("to myself");

    // seal -i takes --passphrase-file for a protected identity too.
    let sealed2 = lockbox(h)
        .args(["seal", "-a", "--passphrase-file"])
        .arg(&passfile)
        .arg("-i")
        .arg(&key)
        .write_stdin("again")
        .output()
        .unwrap();
    common::assert_success(&sealed2);
    with_passphrase(h)
        .args(["open", "-i"])
        .arg(&key)
        .write_stdin(sealed2.stdout)
        .assert()
        .success()
        .stdout("again");
    // Without -p or -i, a passphrase file has nothing to serve.
    lockbox(h)
        .args(["seal", "-r", &recipient, "--passphrase-file"])
        .arg(&passfile)
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(error_line(
            "--passphrase-file is only used with -p/--passphrase or a protected -i/--identity file",
        ));

    // A wrong passphrase is a plain failure naming the file.
    lockbox(h)
        .env("LOCKBOX_PASSPHRASE", "wrong")
        .args(["open", "-i"])
        .arg(&key)
        .write_stdin(sealed.stdout.clone())
        .assert()
        .code(1)
        .stderr(error_line("wrong passphrase for identity file '"));
    let mut keygen_y = lockbox(h);
    keygen_y.env("LOCKBOX_PASSPHRASE", "wrong");
    keygen_y
        .args(["keygen", "-y"])
        .arg(&key)
        .assert()
        .code(1)
        .stderr(error_line("wrong passphrase for identity file '"));
}

#[test]
fn protected_default_identity_and_post_quantum() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let out = with_passphrase(h)
        .args(["keygen", "--protect", "--pq"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let recipient = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(recipient.starts_with("age1pq1"));
    let default = h.join(".config/lockbox/identity.txt");
    assert!(std::fs::read_to_string(&default)
        .unwrap()
        .starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    let sealed = lockbox(h)
        .args(["seal", "-a", "-r", &recipient])
        .write_stdin("pq")
        .output()
        .unwrap();
    with_passphrase(h)
        .arg("open")
        .write_stdin(sealed.stdout)
        .assert()
        .success()
        .stdout("pq");
    // Never overwritten.
    with_passphrase(h)
        .args(["keygen", "--protect"])
        .assert()
        .code(1)
        .stderr(error_line("already exists"));
}

#[test]
fn protect_to_stdout_and_usage_errors() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    with_passphrase(h)
        .args(["keygen", "--protect", "-o", "-"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "-----BEGIN AGE ENCRYPTED FILE-----\n",
        ))
        .stderr(
            predicate::str::contains("lockbox: recipient: age1")
                .and(predicate::str::contains("lockbox: fingerprint: ")),
        );
    lockbox(h)
        .args(["keygen", "--protect", "-y"])
        .assert()
        .code(2)
        .stderr(error_line("cannot be used with"));
    let empty = h.join("empty.txt");
    std::fs::write(&empty, "\n").unwrap();
    lockbox(h)
        .args(["keygen", "--protect", "-o"])
        .arg(h.join("k.age"))
        .arg("--passphrase-file")
        .arg(&empty)
        .assert()
        .code(1)
        .stderr(error_line("has an empty first line"));
    assert!(!h.join("k.age").exists());
}

#[test]
fn typage_opens_a_protected_identity() {
    let Some(t) = common::typage::typage() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let (key, recipient, _) = protected(home.path(), "key.age", &[]);
    let out = t.run(
        &["decrypt-passphrase", "--armor", PASS],
        &std::fs::read(&key).unwrap(),
    );
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains(&format!("# public key: {recipient}\n")),
        "{text}"
    );
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("AGE-SECRET-KEY-1"))
            .count(),
        1
    );
}

/// Go age asks for an identity file's passphrase on the terminal only, so
/// it runs inside a detached tmux session that we type into.
#[test]
fn go_age_opens_a_protected_identity_through_a_terminal() {
    let Some(age) = common::peer("age") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (key, recipient, _) = protected(h, "key.age", &[]);
    let sealed = h.join("msg.age");
    lockbox(h)
        .args(["seal", "-r", &recipient, "-o"])
        .arg(&sealed)
        .write_stdin("opened by Go age")
        .assert()
        .success();
    let out = h.join("out.txt");
    let cmdline = format!(
        "'{}' -d -i '{}' -o '{}' '{}'",
        age.display(),
        key.display(),
        out.display(),
        sealed.display()
    );
    let Some(t) = common::terminal::Tmux::start(h, &cmdline) else {
        return;
    };
    t.wait_for("passphrase");
    t.send(PASS);
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "opened by Go age");
}
