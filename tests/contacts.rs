//! Contacts and fingerprints through the binary: every subcommand, every
//! error, `seal -r NAME`, and contact files read by Go age's `-R`.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::{error_line, keypair, lockbox};
use predicates::prelude::*;
use sha2::Digest;

/// The documented construction, computed independently.
fn expected_fingerprint(recipient: &str) -> String {
    let d = sha2::Sha256::digest(recipient.as_bytes());
    let hex: String = d[..10].iter().map(|b| format!("{b:02x}")).collect();
    hex.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(" ")
}

fn contact_file(home: &Path, name: &str) -> PathBuf {
    home.join(".config/lockbox/contacts").join(name)
}

fn add(home: &Path, args: &[&str]) -> std::process::Output {
    lockbox(home)
        .args(["contact", "add"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn fingerprint_construction_is_documented_one() {
    let home = tempfile::tempdir().unwrap();
    let (recipient, stderr) = common::keygen(home.path(), &home.path().join("k"), &[]);
    let fp = expected_fingerprint(&recipient);
    assert_eq!(fp.len(), 24, "{fp}");
    assert!(
        stderr.contains(&format!("lockbox: fingerprint: {fp}\n")),
        "{stderr}"
    );
    // The same construction for a post-quantum recipient.
    let (pq, stderr) = common::keygen(home.path(), &home.path().join("kpq"), &["--pq"]);
    assert!(pq.starts_with("age1pq1"));
    assert!(stderr.contains(&format!(
        "lockbox: fingerprint: {}\n",
        expected_fingerprint(&pq)
    )));
    // keygen -o - prints it too.
    lockbox(home.path())
        .args(["keygen", "-o", "-"])
        .assert()
        .success()
        .stderr(predicate::str::contains("lockbox: fingerprint: "));
}

#[test]
fn add_show_list_verify_remove() {
    let (home, recipient) = common::home_with_recipient("bob.key", false);
    let h = home.path();
    let fp = expected_fingerprint(&recipient);

    let out = add(h, &["bob", &recipient]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stdout.contains(&format!("recipient: {recipient}\n")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("fingerprint: {fp} (not verified)\n")),
        "{stdout}"
    );
    assert!(stderr.contains("added contact 'bob'"), "{stderr}");
    assert!(stderr.contains("lockbox contact verify bob"), "{stderr}");

    let file = contact_file(h, "bob");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.lines().any(|l| l == recipient), "{text}");
    assert!(text
        .lines()
        .all(|l| l.starts_with('#') || l == recipient || l.is_empty()));
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o644
    );

    lockbox(h)
        .args(["contact", "show", "bob"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "contact: bob\nfile: {}\nrecipient: {recipient}\nfingerprint: {fp} (not verified)\n",
            file.display()
        )));
    lockbox(h)
        .args(["contact", "list"])
        .assert()
        .success()
        .stdout("bob  1 recipient   not verified\n");

    lockbox(h)
        .args(["contact", "verify", "bob", "--fingerprint", &fp])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "fingerprint: {fp} (verified 20"
        )))
        .stderr(predicate::str::contains(
            "recorded that you compared the fingerprints of contact 'bob'",
        ));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(&format!("# verified: {fp} 20")), "{text}");
    lockbox(h)
        .args(["contact", "verify", "bob"])
        .assert()
        .success()
        .stderr(predicate::str::contains("already verified"));
    lockbox(h)
        .args(["contact", "list"])
        .assert()
        .success()
        .stdout("bob  1 recipient   verified\n");

    lockbox(h)
        .args(["contact", "remove", "bob"])
        .assert()
        .success()
        .stderr(predicate::str::contains("removed contact 'bob'"));
    assert!(!file.exists());
    lockbox(h)
        .args(["contact", "list"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("no contacts yet"));
    lockbox(h)
        .args(["contact", "list", "-q"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
}

#[test]
fn add_verified_from_file_and_stdin() {
    let (home, a) = common::home_with_recipient("a.key", false);
    let h = home.path();
    let (_, b) = keypair(h, "b.key", false);
    let list = h.join("team.txt");
    std::fs::write(&list, format!("# the team\n{a}\n\n{b}\n{a}\n")).unwrap();

    let out = add(h, &["--verified", "team", "--from", list.to_str().unwrap()]);
    common::assert_success(&out);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.matches("recipient: ").count(),
        2,
        "duplicates dropped: {stdout}"
    );
    assert_eq!(stdout.matches("(verified 20").count(), 2, "{stdout}");
    assert!(!String::from_utf8(out.stderr).unwrap().contains("hint"));
    lockbox(h)
        .args(["contact", "list"])
        .assert()
        .stdout("team  2 recipients  verified\n");

    lockbox(h)
        .args(["contact", "add", "solo", "--from", "-"])
        .write_stdin(format!("{b}\n"))
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("recipient: {b}\n")));
    // Positional recipients and --from together.
    let out = add(h, &["both", &a, "--from", list.to_str().unwrap()]);
    assert!(out.status.success());
}

#[test]
fn ssh_recipients_are_stored_without_comment() {
    let home = tempfile::tempdir().unwrap();
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN";
    let out = add(home.path(), &["laptop", &format!("{key} alice@laptop")]);
    common::assert_success(&out);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains(&format!("recipient: {key}\n")), "{stdout}");
    assert!(stdout.contains(&expected_fingerprint(key)));
}

#[test]
fn seal_to_contact_warns_once_when_unverified() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (bob_key, bob) = keypair(h, "bob.key", false);
    let (carol_key, carol) = keypair(h, "carol.key", false);
    assert!(add(h, &["bob", &bob]).status.success());
    assert!(add(h, &["carol", &carol]).status.success());

    let out = lockbox(h)
        .args(["seal", "-a", "-r", "bob", "-r", "@carol", "-r", "bob"])
        .write_stdin("hello")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.matches("lockbox: warning:").count(), 1, "{stderr}");
    assert!(
        stderr.contains("lockbox: warning: contacts 'bob', 'carol' were never verified"),
        "{stderr}"
    );
    for key in [&bob_key, &carol_key] {
        lockbox(h)
            .args(["open", "-i"])
            .arg(key)
            .write_stdin(out.stdout.clone())
            .assert()
            .success()
            .stdout("hello");
    }

    // One unverified contact: named in the warning and the hint.
    lockbox(h)
        .args(["seal", "-a", "-r", "bob"])
        .write_stdin("x")
        .assert()
        .success()
        .stderr(
            predicate::str::contains("lockbox: warning: contact 'bob' was never verified\n")
                .and(predicate::str::contains("lockbox contact verify bob")),
        );
    // -q silences it.
    lockbox(h)
        .args(["seal", "-q", "-a", "-r", "bob"])
        .write_stdin("x")
        .assert()
        .success()
        .stderr("");
    // Verified: no warning.
    lockbox(h)
        .args(["contact", "verify", "bob", "--fingerprint"])
        .arg(expected_fingerprint(&bob))
        .assert()
        .success();
    lockbox(h)
        .args(["seal", "-a", "-r", "bob"])
        .write_stdin("x")
        .assert()
        .success()
        .stderr("");
}

#[test]
fn a_recipient_wins_over_a_contact_of_the_same_name_unless_at() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (key1, r1) = keypair(h, "one.key", false);
    let (key2, r2) = keypair(h, "two.key", false);
    // A contact whose name is itself a valid recipient string.
    assert!(add(h, &["--verified", &r1, &r2]).status.success());
    let sealed = lockbox(h)
        .args(["seal", "-a", "-r", &r1])
        .write_stdin("x")
        .output()
        .unwrap();
    lockbox(h)
        .args(["open", "-i"])
        .arg(&key1)
        .write_stdin(sealed.stdout)
        .assert()
        .success();
    let sealed = lockbox(h)
        .args(["seal", "-a", "-r", &format!("@{r1}")])
        .write_stdin("x")
        .output()
        .unwrap();
    assert!(sealed.status.success());
    lockbox(h)
        .args(["open", "-i"])
        .arg(&key2)
        .write_stdin(sealed.stdout.clone())
        .assert()
        .success();
    lockbox(h)
        .args(["open", "-i"])
        .arg(&key1)
        .write_stdin(sealed.stdout)
        .assert()
        .code(3);
}

#[test]
fn unknown_contacts_list_close_names() {
    let (home, r) = common::home_with_recipient("k", false);
    let h = home.path();
    // No contacts at all.
    lockbox(h)
        .args(["seal", "-a", "-r", "bob"])
        .write_stdin("x")
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            error_line("unknown contact 'bob'")
                .and(predicate::str::contains("hint: you have no contacts yet")),
        );
    assert!(add(h, &["bob", &r]).status.success());
    assert!(add(h, &["bobby", &r]).status.success());
    assert!(add(h, &["alice", &r]).status.success());
    lockbox(h)
        .args(["seal", "-a", "-r", "bobb"])
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(
            error_line("unknown contact 'bobb'")
                .and(predicate::str::contains(
                    "lockbox: hint: did you mean 'bob' or 'bobby'?",
                ))
                .and(predicate::str::contains("lockbox contact list")),
        );
    lockbox(h)
        .args(["seal", "-a", "-r", "@alcie"])
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(
            error_line("unknown contact 'alcie'")
                .and(predicate::str::contains("did you mean 'alice'?")),
        );
    for sub in ["show", "verify", "remove"] {
        lockbox(h)
            .args(["contact", sub, "alcie"])
            .assert()
            .code(2)
            .stderr(
                error_line("unknown contact 'alcie'")
                    .and(predicate::str::contains("did you mean 'alice'?")),
            );
    }
    // Something that looks like a recipient keeps the recipient error.
    lockbox(h)
        .args(["seal", "-a", "-r", "age1notakey"])
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(error_line("invalid recipient"));
}

#[test]
fn invalid_names_are_refused_and_nothing_is_written() {
    let (home, r) = common::home_with_recipient("k", false);
    let h = home.path();
    let long = "a".repeat(65);
    for name in [
        "../evil",
        ".hidden",
        "a/b",
        "a b",
        "",
        "é",
        "@bob",
        "bob\n",
        "a\x1bb",
        "bob@example.com/../x",
        long.as_str(),
    ] {
        let out = add(h, &[name, &r]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.starts_with("lockbox: error: invalid contact name"),
            "{stderr}"
        );
        assert!(
            stderr.contains("hint: contact names use letters"),
            "{stderr}"
        );
    }
    assert!(!h.join(".config/lockbox/evil").exists());
    let dir = h.join(".config/lockbox/contacts");
    assert!(!dir.exists() || std::fs::read_dir(&dir).unwrap().next().is_none());
    for sub in ["show", "remove", "verify"] {
        lockbox(h)
            .args(["contact", sub, "../identity.txt"])
            .assert()
            .code(2)
            .stderr(error_line("invalid contact name '../identity.txt'"));
    }
    lockbox(h)
        .args(["seal", "-a", "-r", "@../x"])
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(error_line("invalid contact name '../x'"));
}

#[test]
fn add_errors() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (key, r) = keypair(h, "k", false);
    let (_, pq) = keypair(h, "kpq", true);

    // No recipients.
    lockbox(h)
        .args(["contact", "add", "bob"])
        .assert()
        .code(2)
        .stderr(
            error_line("missing recipients for contact 'bob'")
                .and(predicate::str::contains("--from FILE")),
        );
    // An invalid recipient is named.
    lockbox(h)
        .args(["contact", "add", "bob", "age1bogus"])
        .assert()
        .code(2)
        .stderr(error_line("invalid recipient").and(predicate::str::contains("'age1bogus'")));
    // A secret key is refused and never echoed.
    let secret = std::fs::read_to_string(&key).unwrap();
    let secret = secret
        .lines()
        .find(|l| l.starts_with("AGE-SECRET"))
        .unwrap();
    lockbox(h)
        .args(["contact", "add", "bob", secret])
        .assert()
        .code(2)
        .stderr(
            error_line("this is an identity (a private key)")
                .and(predicate::str::contains(&secret[20..]).not()),
        );
    // A bad --from file.
    let bad = h.join("bad.txt");
    std::fs::write(&bad, "age1bogus\n").unwrap();
    lockbox(h)
        .args(["contact", "add", "bob", "--from"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(error_line("recipients file").and(predicate::str::contains("line 1")));
    lockbox(h)
        .args(["contact", "add", "bob", "--from", "/nonexistent/x"])
        .assert()
        .code(1)
        .stderr(error_line(
            "failed to read recipients file '/nonexistent/x'",
        ));
    // Post-quantum and classic can't share a contact.
    lockbox(h)
        .args(["contact", "add", "mixed", &r, &pq])
        .assert()
        .code(2)
        .stderr(error_line("can't mix post-quantum and classic recipients"));
    // An existing contact is never replaced by add: a usage error that
    // points to 'contact replace'.
    assert!(add(h, &["bob", &r]).status.success());
    let before = std::fs::read(contact_file(h, "bob")).unwrap();
    lockbox(h)
        .args(["contact", "add", "bob", &pq])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            error_line("contact 'bob' already exists").and(predicate::str::contains(
                "lockbox: hint: to give bob new keys, run 'lockbox contact replace bob RECIPIENT...'",
            )),
        );
    assert_eq!(std::fs::read(contact_file(h, "bob")).unwrap(), before);
    // Missing subcommand or name: usage errors.
    lockbox(h).args(["contact"]).assert().code(2);
    lockbox(h).args(["contact", "show"]).assert().code(2);
}

#[test]
fn a_broken_contact_file_is_named() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let dir = h.join(".config/lockbox/contacts");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("bob"), "# nothing\n").unwrap();
    std::fs::write(dir.join("eve"), "not a key\n").unwrap();
    lockbox(h)
        .args(["seal", "-a", "-r", "bob"])
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(error_line("contact file '").and(predicate::str::contains("has no recipients")));
    lockbox(h)
        .args(["contact", "show", "eve"])
        .assert()
        .code(2)
        .stderr(error_line("contact file '").and(predicate::str::contains("line 1")));
    lockbox(h)
        .args(["contact", "list"])
        .assert()
        .success()
        .stdout("bob  invalid\neve  invalid\n")
        .stderr(predicate::str::contains("lockbox: warning: contact file"));
}

#[test]
fn post_quantum_contact_round_trip() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (key, pq) = keypair(h, "kpq", true);
    let out = add(h, &["--verified", "quantum", &pq]);
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().contains(&format!(
        "fingerprint: {} (verified",
        expected_fingerprint(&pq)
    )));
    let sealed = lockbox(h)
        .args(["seal", "-r", "quantum", "-o", "-"])
        .write_stdin("pq")
        .output()
        .unwrap();
    assert!(sealed.status.success());
    lockbox(h)
        .args(["open", "-i"])
        .arg(&key)
        .write_stdin(sealed.stdout)
        .assert()
        .success()
        .stdout("pq");
}

#[test]
fn contacts_follow_home_without_xdg_config_home() {
    let (home, r) = common::home_with_recipient("k", false);
    let h = home.path();
    lockbox(h)
        .env_remove("XDG_CONFIG_HOME")
        .args(["contact", "add", "bob", &r])
        .assert()
        .success();
    assert!(h.join(".config/lockbox/contacts/bob").is_file());
    let other = tempfile::tempdir().unwrap();
    lockbox(h)
        .env("XDG_CONFIG_HOME", other.path())
        .args(["contact", "add", "carol", &r])
        .assert()
        .success();
    assert!(other.path().join("lockbox/contacts/carol").is_file());
}

#[test]
fn contact_files_work_with_go_age_recipients_file() {
    let Some(age) = common::peer("age") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (k1, r1) = keypair(h, "one.key", false);
    let (k2, r2) = keypair(h, "two.key", false);
    assert!(add(h, &["--verified", "team", &r1, &r2]).status.success());
    let file = contact_file(h, "team");
    let out = std::process::Command::new(&age)
        .arg("-R")
        .arg(&file)
        .arg("-o")
        .arg(h.join("sealed.age"))
        .stdin(std::fs::File::open(&k1).unwrap())
        .output()
        .unwrap();
    common::assert_success(&out);
    for k in [&k1, &k2] {
        lockbox(h)
            .args(["open", "-i"])
            .arg(k)
            .arg(h.join("sealed.age"))
            .assert()
            .success()
            .stdout(std::fs::read_to_string(&k1).unwrap());
    }
    // And the other way: lockbox seals to the contact, Go age opens.
    let sealed = lockbox(h)
        .args(["seal", "-r", "team", "-o"])
        .arg(h.join("l.age"))
        .write_stdin("from lockbox")
        .assert()
        .success();
    drop(sealed);
    let out = std::process::Command::new(&age)
        .arg("-d")
        .arg("-i")
        .arg(&k2)
        .arg(h.join("l.age"))
        .output()
        .unwrap();
    common::assert_success(&out);
    assert_eq!(out.stdout, b"from lockbox");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// The warning for a changed key, exactly.
fn changed_warning(name: &str, was: &str, now: &str) -> String {
    format!("lockbox: warning: the key of contact '{name}' changed since you verified it on 20")
        + &format!("Z: verified {was}, now {now}\n")
}

#[test]
fn a_replaced_key_is_reported_loudly_until_verified_again() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (_, old) = keypair(h, "old.key", false);
    let (new_key, new) = keypair(h, "new.key", false);
    let (old_fp, new_fp) = (expected_fingerprint(&old), expected_fingerprint(&new));
    assert!(add(h, &["bob", &old]).status.success());
    lockbox(h)
        .args(["contact", "verify", "bob", "--fingerprint", &old_fp])
        .assert()
        .success();

    lockbox(h)
        .args(["contact", "replace", "bob", &new])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "recipient: {new}\nfingerprint: {new_fp} (CHANGED since verified, not verified)\n"
        )))
        .stderr(
            predicate::str::contains("replaced the recipients of contact 'bob'")
                .and(predicate::str::contains("lockbox contact verify bob")),
        );
    let text = read(&contact_file(h, "bob"));
    assert!(!text.lines().any(|l| l == old), "{text}");
    assert!(text.lines().any(|l| l == new), "{text}");
    let history: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("# replaced: 20"))
        .collect();
    assert_eq!(history.len(), 1, "{text}");
    assert!(
        history[0].ends_with(&format!("Z: was {old_fp}, now {new_fp}")),
        "{text}"
    );

    // Each place the contact is read for the user says it, -q or not: the
    // words and both fingerprints, never "never verified".
    let warning = |stderr: &str| {
        let line = stderr
            .lines()
            .find(|l| l.starts_with("lockbox: warning:"))
            .unwrap_or_else(|| panic!("no warning in {stderr:?}"));
        let want = changed_warning("bob", &old_fp, &new_fp);
        let (head, tail) = want.split_once("on 20").unwrap();
        assert!(
            line.starts_with(&format!("{head}on 20")) && line.ends_with(tail.trim_end()),
            "{stderr}"
        );
        assert!(stderr.contains("lockbox: hint: a swapped key looks exactly like this"));
        assert!(!stderr.contains("never verified"), "{stderr}");
        assert_eq!(stderr.matches("lockbox: warning:").count(), 1, "{stderr}");
    };
    let out = lockbox(h)
        .args(["seal", "-q", "-a", "-r", "bob", "-r", "@bob"])
        .write_stdin("hi")
        .output()
        .unwrap();
    common::assert_success(&out);
    warning(&String::from_utf8(out.stderr).unwrap());
    // It was sealed, to the key the contact has now.
    lockbox(h)
        .args(["open", "-i"])
        .arg(&new_key)
        .write_stdin(out.stdout)
        .assert()
        .success()
        .stdout("hi");
    let out = lockbox(h)
        .args(["contact", "show", "-q", "bob"])
        .output()
        .unwrap();
    common::assert_success(&out);
    warning(&String::from_utf8(out.stderr).unwrap());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!("replaced key: {old_fp} (verified 20")),
        "{stdout}"
    );
    let out = lockbox(h).args(["contact", "list", "-q"]).output().unwrap();
    common::assert_success(&out);
    assert_eq!(out.stdout, b"bob  1 recipient   CHANGED since verified\n");
    warning(&String::from_utf8(out.stderr).unwrap());

    // Verified again: quiet everywhere, the history stays.
    lockbox(h)
        .args(["contact", "verify", "bob", "--fingerprint", &new_fp])
        .assert()
        .success();
    lockbox(h)
        .args(["seal", "-a", "-r", "bob"])
        .write_stdin("x")
        .assert()
        .success()
        .stderr("");
    lockbox(h)
        .args(["contact", "list"])
        .assert()
        .success()
        .stdout("bob  1 recipient   verified\n")
        .stderr("");
    let text = read(&contact_file(h, "bob"));
    assert!(
        text.contains(&format!("# verified earlier: {old_fp} 20")),
        "{text}"
    );
    assert!(text.contains("# replaced: 20"), "{text}");

    // Replacing with the same keys changes nothing; an unknown contact is
    // a usage error.
    lockbox(h)
        .args(["contact", "replace", "bob", &new])
        .assert()
        .success()
        .stderr(predicate::str::contains("nothing changed"));
    assert_eq!(read(&contact_file(h, "bob")), text);
    lockbox(h)
        .args(["contact", "replace", "bobb", &new])
        .assert()
        .code(2)
        .stderr(error_line("unknown contact 'bobb'").and(predicate::str::contains("'bob'")));
}

#[test]
fn a_never_verified_contact_replaced_is_not_changed() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (_, one) = keypair(h, "one.key", false);
    let (_, two) = keypair(h, "two.key", false);
    assert!(add(h, &["bob", &one]).status.success());
    lockbox(h)
        .args(["contact", "replace", "bob", &two])
        .assert()
        .success();
    lockbox(h)
        .args(["seal", "-a", "-r", "bob"])
        .write_stdin("x")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "lockbox: warning: contact 'bob' was never verified\n",
        ));
}

#[test]
fn old_contact_files_still_read_and_a_hand_edited_key_is_changed() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (_, one) = keypair(h, "one.key", false);
    let (_, two) = keypair(h, "two.key", false);
    let (fp1, fp2) = (expected_fingerprint(&one), expected_fingerprint(&two));
    let dir = h.join(".config/lockbox/contacts");
    std::fs::create_dir_all(&dir).unwrap();
    // As earlier versions wrote them.
    let old_format = |r: &str, fp: &str| {
        format!(
            "# lockbox contact 'bob', added 2025-01-02T03:04:05Z\n\
             # A recipients file: 'lockbox seal -r bob' and 'age -R FILE' read it.\n\
             # fingerprint: {fp}\n\
             # verified: {fp1} 2025-01-02T03:04:06Z\n{r}\n"
        )
    };
    std::fs::write(dir.join("bob"), old_format(&one, &fp1)).unwrap();
    lockbox(h)
        .args(["contact", "list"])
        .assert()
        .success()
        .stdout("bob  1 recipient   verified\n")
        .stderr("");
    // Someone (or something) swapped the key in the file.
    std::fs::write(dir.join("bob"), old_format(&two, &fp2)).unwrap();
    lockbox(h)
        .args(["seal", "-q", "-a", "-r", "bob"])
        .write_stdin("x")
        .assert()
        .success()
        .stderr(predicate::str::starts_with(format!(
            "lockbox: warning: the key of contact 'bob' changed since you verified it on 2025-01-02T03:04:06Z: verified {fp1}, now {fp2}\n"
        )));
}

#[test]
fn verify_compares_a_given_fingerprint_or_needs_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (_, r) = keypair(h, "k", false);
    let (_, other) = keypair(h, "other", false);
    let fp = expected_fingerprint(&r);
    assert!(add(h, &["bob", &r]).status.success());
    let file = contact_file(h, "bob");
    let before = read(&file);

    // No terminal, no --fingerprint: a usage error, nothing recorded.
    lockbox(h)
        .args(["contact", "verify", "bob"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            error_line("verifying contact 'bob' needs a terminal to ask you on, or --fingerprint")
                .and(predicate::str::contains(
                    "lockbox contact verify bob --fingerprint",
                )),
        );
    // Another key's fingerprint: a failure (1), nothing recorded.
    lockbox(h)
        .args(["contact", "verify", "bob", "--fingerprint"])
        .arg(expected_fingerprint(&other))
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            error_line(
                &*format!(
                    "fingerprint '{}' does not match contact 'bob', which has {fp}",
                    expected_fingerprint(&other)
                )
                .leak(),
            )
            .and(predicate::str::contains("swapped on the way")),
        );
    // Not a fingerprint at all: a usage error.
    for bad in ["1234", "zzzz zzzz zzzz zzzz zzzz", ""] {
        lockbox(h)
            .args(["contact", "verify", "bob", "--fingerprint", bad])
            .assert()
            .code(2)
            .stderr(
                error_line("invalid fingerprint").and(predicate::str::contains("20 hex digits")),
            );
    }
    assert_eq!(read(&file), before);

    // Case, spaces and dashes don't matter.
    let shouted = fp.to_uppercase().replace(' ', "-");
    lockbox(h)
        .args(["contact", "verify", "bob", "--fingerprint", &shouted])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "fingerprint: {fp} (verified 20"
        )));
    assert!(read(&file).contains(&format!("# verified: {fp} 20")));

    // A contact of two recipients needs both.
    let (_, second) = keypair(h, "k2", false);
    assert!(add(h, &["team", &r, &second]).status.success());
    lockbox(h)
        .args(["contact", "verify", "team", "--fingerprint", &fp])
        .assert()
        .code(2)
        .stderr(error_line(
            "contact 'team' has 1 more fingerprint to compare",
        ));
    lockbox(h)
        .args([
            "contact",
            "verify",
            "team",
            "--fingerprint",
            &fp,
            "--fingerprint",
        ])
        .arg(expected_fingerprint(&second).replace(' ', ""))
        .assert()
        .success();
    lockbox(h)
        .args(["contact", "list"])
        .assert()
        .stdout(predicate::str::contains("team  2 recipients  verified\n"));
}

#[test]
fn verify_asks_y_n_on_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (_, r) = keypair(h, "k", false);
    let fp = expected_fingerprint(&r);
    assert!(add(h, &["bob", &r]).status.success());
    let file = contact_file(h, "bob");
    let before = read(&file);
    let prompt = "Is this the fingerprint bob read to you, in person or by phone? [y/N]";

    // Enter alone is no: exit 1, nothing recorded.
    let Some(t) = common::terminal::Tmux::start(h, "lockbox contact verify bob") else {
        return;
    };
    let screen = t.wait_for(prompt);
    assert!(
        screen.contains(&format!("fingerprint: {fp} (not verified)")),
        "{screen}"
    );
    t.send("");
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=1"), "{screen}");
    assert!(
        screen.contains("lockbox: error: contact 'bob' was not verified"),
        "{screen}"
    );
    assert_eq!(read(&file), before);
    drop(t);

    // y records it.
    let t = common::terminal::Tmux::start(h, "lockbox contact verify bob").unwrap();
    t.wait_for(prompt);
    t.send("y");
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(
        screen.contains("recorded that you compared the fingerprints of contact 'bob'"),
        "{screen}"
    );
    assert!(read(&file).contains(&format!("# verified: {fp} 20")));
}

#[test]
fn email_addresses_are_contact_names() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (key, r) = keypair(h, "k", false);
    let name = "alice+work@example.com";
    let out = add(h, &["--verified", name, &r]);
    common::assert_success(&out);
    // The file is named by the address, in the contacts folder.
    let file = contact_file(h, name);
    assert!(file.is_file());
    assert_eq!(
        std::fs::read_dir(file.parent().unwrap()).unwrap().count(),
        1
    );
    lockbox(h)
        .args(["contact", "list"])
        .assert()
        .success()
        .stdout(format!("{name}  1 recipient   verified\n"));
    // -r NAME and -r @NAME both seal to it.
    for value in [name.to_owned(), format!("@{name}")] {
        let out = lockbox(h)
            .args(["seal", "-a", "-r", &value])
            .write_stdin("mail")
            .output()
            .unwrap();
        common::assert_success(&out);
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        lockbox(h)
            .args(["open", "-i"])
            .arg(&key)
            .write_stdin(out.stdout)
            .assert()
            .success()
            .stdout("mail");
    }
    // An address that is no contact is an unknown contact, not a bad
    // recipient; a close one is suggested.
    lockbox(h)
        .args(["seal", "-a", "-r", "alice+work@example.org"])
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(
            error_line("unknown contact 'alice+work@example.org'")
                .and(predicate::str::contains(format!("did you mean '{name}'?"))),
        );
    // An SSH key whose comment holds an address is still a recipient.
    let ssh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN";
    lockbox(h)
        .args(["seal", "-a", "-r", &format!("{ssh} {name}")])
        .write_stdin("x")
        .assert()
        .success();
    lockbox(h)
        .args(["contact", "remove", name])
        .assert()
        .success();
    assert!(!file.exists());
}
