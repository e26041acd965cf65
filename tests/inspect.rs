//! `lockbox inspect` through the binary: files sealed by lockbox, Go age and
//! typage (post-quantum), checked field by field against sizes computed here
//! independently; and every error.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::prelude::{Engine, BASE64_STANDARD};
use common::header_len;
use common::{error_line, keypair, lockbox};
use predicates::prelude::*;

/// Plaintext sizes around the 64 KiB chunk boundaries.
const SIZES: [usize; 6] = [0, 1, 65535, 65536, 65537, 3 * 65536 + 7];

/// The binary form of a sealed file (armor removed here, independently).
fn binary(sealed: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(sealed);
    if !text
        .trim_start()
        .starts_with("-----BEGIN AGE ENCRYPTED FILE-----")
    {
        return sealed.to_vec();
    }
    let body: String = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----"))
        .collect();
    BASE64_STANDARD.decode(body).unwrap()
}

/// The value of `"key": ` in the JSON text `json`, as written.
fn field<'a>(json: &'a str, key: &str) -> &'a str {
    let pat = format!("\"{key}\": ");
    let at = json
        .find(&pat)
        .unwrap_or_else(|| panic!("no field {key} in {json}"))
        + pat.len();
    let rest = &json[at..];
    let end = rest.find(",\n").or_else(|| rest.find('\n')).unwrap();
    &rest[..end]
}

fn inspect_json(home: &Path, sealed: &[u8]) -> String {
    let out = lockbox(home)
        .args(["inspect", "--json"])
        .write_stdin(sealed.to_vec())
        .output()
        .unwrap();
    common::assert_success(&out);
    assert!(out.stderr.is_empty());
    let json = String::from_utf8(out.stdout).unwrap();
    check_valid_json(&json);
    json
}

/// Parses with node's JSON.parse when node is there: the output is JSON,
/// not just JSON-looking.
fn check_valid_json(json: &str) {
    let Some(node) = which("node") else { return };
    let mut child = Command::new(node)
        .args([
            "-e",
            "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{JSON.parse(s)})",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(json.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "not JSON: {json}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}

/// Checks every field against the file itself.
fn check(json: &str, sealed: &[u8], plaintext: usize, types: &[&str], pq: &str) {
    let bin = binary(sealed);
    let armored = bin != sealed;
    let header = header_len(&bin);
    let payload = bin.len() - header;
    let list = format!(
        "[{}]",
        types
            .iter()
            .map(|t| format!("\"{t}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert_eq!(field(json, "armored"), armored.to_string(), "{json}");
    assert_eq!(field(json, "stanzas"), list, "{json}");
    assert_eq!(field(json, "postquantum"), format!("\"{pq}\""), "{json}");
    assert_eq!(field(json, "header_size"), header.to_string(), "{json}");
    assert_eq!(field(json, "payload_size"), payload.to_string(), "{json}");
    assert_eq!(
        field(json, "plaintext_size"),
        plaintext.to_string(),
        "{json}"
    );
    assert_eq!(field(json, "note"), "null", "{json}");
    // Go age-inspect's names.
    assert_eq!(field(json, "version"), "\"age-encryption.org/v1\"");
    assert_eq!(field(json, "armor"), armored.to_string());
    assert_eq!(field(json, "stanza_types"), list);
    let sizes = &json[json.find("\"sizes\"").unwrap()..];
    assert_eq!(field(sizes, "header"), header.to_string());
    assert_eq!(
        field(sizes, "armor"),
        (sealed.len() - bin.len()).to_string()
    );
    assert_eq!(field(sizes, "overhead"), (payload - plaintext).to_string());
    assert_eq!(field(sizes, "min_payload"), plaintext.to_string());
    assert_eq!(field(sizes, "max_payload"), plaintext.to_string());
    assert_eq!(field(sizes, "min_padding"), "0");
    assert_eq!(field(sizes, "max_padding"), "0");
}

#[test]
fn files_sealed_by_lockbox() {
    let (home, r1) = common::home_with_recipient("a", false);
    let h = home.path();
    let (_, r2) = keypair(h, "b", false);
    for len in SIZES {
        for armor in [false, true] {
            let mut cmd = lockbox(h);
            cmd.args(["seal", "-r", &r1, "-r", &r2, "-o", "-"]);
            if armor {
                cmd.arg("-a");
            }
            let out = cmd.write_stdin(common::bytes(len, 7)).output().unwrap();
            assert!(out.status.success());
            let json = inspect_json(h, &out.stdout);
            check(&json, &out.stdout, len, &["X25519", "X25519"], "no");
        }
    }
}

#[test]
fn files_sealed_by_lockbox_post_quantum_and_passphrase() {
    let (home, pq) = common::home_with_recipient("pq", true);
    let h = home.path();
    let out = lockbox(h)
        .args(["seal", "-a", "-r", &pq])
        .write_stdin(common::bytes(70000, 1))
        .output()
        .unwrap();
    check(
        &inspect_json(h, &out.stdout),
        &out.stdout,
        70000,
        &["mlkem768x25519"],
        "yes",
    );
    let out = lockbox(h)
        .env("LOCKBOX_PASSPHRASE", "correct horse")
        .args(["seal", "-p", "-o", "-"])
        .write_stdin("secret")
        .output()
        .unwrap();
    assert!(out.status.success());
    check(
        &inspect_json(h, &out.stdout),
        &out.stdout,
        6,
        &["scrypt"],
        "yes",
    );
}

#[test]
fn files_sealed_by_go_age() {
    let Some(age) = common::peer("age") else {
        return;
    };
    let (home, r1) = common::home_with_recipient("a", false);
    let h = home.path();
    let ssh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN";
    for len in [0usize, 65536, 65537] {
        for armor in [false, true] {
            let plain = h.join("plain");
            std::fs::write(&plain, common::bytes(len, 3)).unwrap();
            let mut cmd = Command::new(&age);
            cmd.args(["-r", &r1, "-r", ssh]);
            if armor {
                cmd.arg("-a");
            }
            let out = cmd.arg(&plain).output().unwrap();
            common::assert_success(&out);
            let json = inspect_json(h, &out.stdout);
            check(&json, &out.stdout, len, &["X25519", "ssh-ed25519"], "no");
            // From a file too, by name.
            let f = h.join("sealed.age");
            std::fs::write(&f, &out.stdout).unwrap();
            let by_name = lockbox(h)
                .args(["inspect", "--json"])
                .arg(&f)
                .output()
                .unwrap();
            assert_eq!(String::from_utf8(by_name.stdout).unwrap(), json);
        }
    }
}

#[test]
fn files_sealed_by_typage_post_quantum() {
    let Some(t) = common::typage::typage() else {
        return;
    };
    let (home, pq) = common::home_with_recipient("pq", true);
    let h = home.path();
    for (len, armor) in [(0usize, false), (100, true), (200_000, false)] {
        let sealed = t.encrypt(&pq, armor, &common::bytes(len, 5));
        let json = inspect_json(h, &sealed);
        check(&json, &sealed, len, &["mlkem768x25519"], "yes");
    }
}

/// A header with arbitrary stanzas: inspect reads it without checking the
/// MAC (it has no key), so any well-formed header will do.
fn crafted(stanzas: &[&str], payload: usize) -> Vec<u8> {
    let mut f = b"age-encryption.org/v1\n".to_vec();
    for s in stanzas {
        f.extend_from_slice(format!("-> {s} AAAA\nAAAA\n").as_bytes());
    }
    f.extend_from_slice(b"--- ");
    f.extend_from_slice(
        BASE64_STANDARD
            .encode([7u8; 32])
            .trim_end_matches('=')
            .as_bytes(),
    );
    f.push(b'\n');
    f.extend(common::bytes(payload, 9));
    f
}

#[test]
fn post_quantum_is_yes_no_or_unknown() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    for (stanzas, pq) in [
        (&["mlkem768x25519", "mlkem768x25519"][..], "yes"),
        (&["mlkem768x25519", "X25519"][..], "no"),
        (&["age-plugin-yubikey"][..], "unknown"),
        (&["mlkem768x25519", "piv-p256"][..], "no"),
        (&["mlkem768x25519", "frobnicate"][..], "unknown"),
    ] {
        let f = crafted(stanzas, 40);
        let json = inspect_json(h, &f);
        check(&json, &f, 8, stanzas, pq);
    }
}

#[test]
fn many_stanza_types_give_a_bounded_summary() {
    // 20,000 distinct types (the header's stanza limit), each 50 characters:
    // the "sealed to" line names the first 8, cut at 40 characters, and
    // counts the rest, as the "no identity matched" hint does (one function
    // for both). Before, it listed all of them: a 1.1 MB line.
    let home = tempfile::tempdir().unwrap();
    let types: Vec<String> = (0..20_000)
        .map(|i| format!("{i:05}{}", "t".repeat(45)))
        .collect();
    let refs: Vec<&str> = types.iter().map(String::as_str).collect();
    let f = crafted(&refs, 40);
    let out = lockbox(home.path())
        .arg("inspect")
        .write_stdin(f)
        .assert()
        .success()
        .stderr("");
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.lines().all(|l| l.len() < 500), "{} bytes", text.len());
    let sealed_to = text
        .lines()
        .find_map(|l| l.strip_prefix("sealed to:     "))
        .unwrap_or_else(|| panic!("no 'sealed to' line in {text}"));
    let first = format!("00000{}... (1), ", "t".repeat(35));
    assert!(sealed_to.starts_with(&first), "{sealed_to}");
    assert!(
        sealed_to.ends_with("and 19992 other types (19992)"),
        "{sealed_to}"
    );
}

#[test]
fn impossible_payload_sizes_give_null_and_a_note() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    // Too short for a nonce and a chunk; a lone 16-byte tag after a full
    // chunk (an empty last chunk); a last chunk shorter than its tag.
    for (payload, why) in [
        (20usize, "shorter than a nonce and one sealed chunk"),
        (16 + 65552 + 16, "the last chunk is empty"),
        (16 + 65552 + 5, "shorter than its 16-byte tag"),
    ] {
        let f = crafted(&["X25519"], payload);
        let out = lockbox(h)
            .args(["inspect", "--json"])
            .write_stdin(f.clone())
            .assert()
            .success()
            .stderr(
                predicate::str::starts_with("lockbox: warning: ")
                    .and(predicate::str::contains(why)),
            );
        let json = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        check_valid_json(&json);
        assert_eq!(field(&json, "payload_size"), payload.to_string());
        assert_eq!(field(&json, "plaintext_size"), "null");
        assert!(field(&json, "note").contains(why), "{json}");
        let sizes = &json[json.find("\"sizes\"").unwrap()..];
        assert_eq!(field(sizes, "overhead"), "null");
        assert_eq!(field(sizes, "min_payload"), "null");
        lockbox(h)
            .args(["inspect", "--json", "-q"])
            .write_stdin(f.clone())
            .assert()
            .success()
            .stderr("");
        lockbox(h)
            .args(["inspect"])
            .write_stdin(f)
            .assert()
            .success()
            .stdout(
                predicate::str::contains("plaintext:     unknown: ")
                    .and(predicate::str::contains(why)),
            )
            .stderr("");
    }
}

#[test]
fn text_report() {
    let (home, r) = common::home_with_recipient("a", false);
    let h = home.path();
    let f = h.join("doc.age");
    lockbox(h)
        .args(["seal", "-a", "-r", &r, "-r", &r, "-o"])
        .arg(&f)
        .write_stdin("hello")
        .assert()
        .success();
    let sealed = std::fs::read(&f).unwrap();
    let bin = binary(&sealed);
    let header = header_len(&bin);
    lockbox(h)
        .arg("inspect")
        .arg(&f)
        .assert()
        .success()
        .stderr("")
        .stdout(format!(
            "'{}': an age file (age-encryption.org/v1), ASCII-armored\n\
             sealed to:     X25519 (2)\n\
             post-quantum:  no (a classic stanza could be broken by a quantum computer)\n\
             sender:        not signed\n\
             header:        {header} bytes\n\
             payload:       {} bytes (16-byte nonce and sealed chunks)\n\
             plaintext:     5 bytes, if it opens\n\
             armor:         {} bytes of overhead\n\
             can open:      not checked: no -i/--identity, and no default identity file '{}'\n",
            f.display(),
            bin.len() - header,
            sealed.len() - bin.len(),
            h.join(".config/lockbox/identity.txt").display()
        ));
    // stdin, named '-' or not at all.
    for args in [&["inspect", "-"][..], &["inspect"][..]] {
        lockbox(h)
            .args(args)
            .write_stdin(sealed.clone())
            .assert()
            .success()
            .stdout(predicate::str::starts_with(
                "standard input: an age file (age-encryption.org/v1), ASCII-armored\n",
            ));
    }
}

#[test]
fn needs_no_identity() {
    // No identity anywhere, and a file for someone else: inspect still works.
    let (other, r) = common::home_with_recipient("k", false);
    let home = tempfile::tempdir().unwrap();
    let sealed = lockbox(other.path())
        .args(["seal", "-r", &r, "-o", "-"])
        .write_stdin("x")
        .output()
        .unwrap()
        .stdout;
    assert!(!home.path().join(".config/lockbox/identity.txt").exists());
    check(
        &inspect_json(home.path(), &sealed),
        &sealed,
        1,
        &["X25519"],
        "no",
    );
}

#[test]
fn invalid_inputs() {
    let (home, r) = common::home_with_recipient("a", false);
    let h = home.path();
    let good = lockbox(h)
        .args(["seal", "-r", &r, "-o", "-"])
        .write_stdin("x")
        .output()
        .unwrap()
        .stdout;
    let header = header_len(&good);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("not age", b"hello world\n".to_vec(), "not an age file"),
        ("empty", Vec::new(), "invalid header"),
        (
            "truncated header",
            good[..header - 10].to_vec(),
            "invalid header",
        ),
        (
            "other version",
            b"age-encryption.org/v2\n".to_vec(),
            "unsupported age format version",
        ),
        (
            "bad armor",
            b"-----BEGIN AGE ENCRYPTED FILE-----\n!!!!\n-----END AGE ENCRYPTED FILE-----\n"
                .to_vec(),
            "invalid armor",
        ),
    ];
    for (what, input, needle) in cases {
        for json in [false, true] {
            let mut cmd = lockbox(h);
            cmd.arg("inspect");
            if json {
                cmd.arg("--json");
            }
            cmd.write_stdin(input.clone())
                .assert()
                .append_context("case", what)
                .code(4)
                .stdout("")
                .stderr(
                    error_line("failed to inspect standard input")
                        .and(predicate::str::contains(needle)),
                );
        }
    }
    lockbox(h)
        .args(["inspect", "/nonexistent/f.age"])
        .assert()
        .code(1)
        .stderr(error_line("failed to open input '/nonexistent/f.age'"));
    lockbox(h)
        .arg("inspect")
        .arg(h)
        .assert()
        .code(1)
        .stderr(error_line("is a folder, not a file"));
    lockbox(h).args(["inspect", "a", "b"]).assert().code(2);
}

// "Can I open this?" (issue 13 item 13).

/// `lockbox inspect ARGS...` with HOME at `home`, asserting success and
/// silence on stderr: stdout, checked to hold no secret key.
fn inspect_ok(home: &Path, args: &[&str]) -> String {
    let out = lockbox(home)
        .current_dir(home)
        .arg("inspect")
        .args(args)
        .write_stdin("")
        .output()
        .unwrap();
    common::assert_success(&out);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains("AGE-SECRET-KEY"), "{stdout}");
    stdout
}

/// The "can open:" part of the text report.
fn can_open(text: &str) -> &str {
    &text[text.find("can open:").expect("a 'can open:' section")..]
}

/// The default identity file of `home`, made by keygen: its recipient.
/// A new home folder with a default identity: the folder and the
/// identity's recipient.
fn home_with_default_identity() -> (tempfile::TempDir, String) {
    let home = tempfile::tempdir().unwrap();
    let recipient = default_identity(home.path());
    (home, recipient)
}

fn default_identity(home: &Path) -> String {
    let out = lockbox(home).args(["keygen", "-q"]).output().unwrap();
    common::assert_success(&out);
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn fingerprint(recipient: &str) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(recipient.as_bytes());
    d[..10]
        .chunks(2)
        .map(hex::encode)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn says_which_identities_open_the_file() {
    let (home, mine) = home_with_default_identity();
    let h = home.path();
    let (bob, bob_r) = keypair(h, "bob.key", false);
    let (pq, pq_r) = keypair(h, "pq.key", true);
    let f = h.join("doc.age");
    std::fs::write(&f, common::seal_stdin(h, &[&mine], true, b"hi")).unwrap();
    let default = h.join(".config/lockbox/identity.txt");
    let text = inspect_ok(h, &["-i", common::path_str(&bob), common::path_str(&f)]);
    assert_eq!(
        can_open(&text),
        format!(
            "can open:\n  '{}' {}: opens\n  '{}' {}: does not open\n",
            default.display(),
            fingerprint(&mine),
            bob.display(),
            fingerprint(&bob_r)
        )
    );
    // A post-quantum file: the PQ identity given with -i opens it, the
    // default (classic) one does not; in JSON, one object per identity.
    let g = h.join("pq.age");
    std::fs::write(&g, common::seal_stdin(h, &[&pq_r], false, b"hi")).unwrap();
    let json = inspect_ok(
        h,
        &["--json", "-i", common::path_str(&pq), common::path_str(&g)],
    );
    check_valid_json(&json);
    assert_eq!(
        field(&json, "identities"),
        format!(
            "[{{\"file\": \"{}\", \"recipient\": \"{mine}\", \"fingerprint\": \"{}\", \"plugin\": null, \"result\": \"does not open\", \"error\": null}}, \
             {{\"file\": \"{}\", \"recipient\": \"{pq_r}\", \"fingerprint\": \"{}\", \"plugin\": null, \"result\": \"opens\", \"error\": null}}]",
            default.display(),
            fingerprint(&mine),
            pq.display(),
            fingerprint(&pq_r)
        )
    );
    assert_eq!(field(&json, "passphrase"), "false");
    // $LOCKBOX_IDENTITY names the default identity.
    let out = lockbox(h)
        .env("LOCKBOX_IDENTITY", &bob)
        .args(["inspect"])
        .arg(&f)
        .output()
        .unwrap();
    common::assert_success(&out);
    assert_eq!(
        can_open(&String::from_utf8(out.stdout).unwrap()),
        format!(
            "can open:\n  '{}' {}: does not open\n",
            bob.display(),
            fingerprint(&bob_r)
        )
    );
}

#[test]
fn a_changed_header_is_tampered_for_the_identity_that_unwraps_it() {
    let (home, mine) = home_with_default_identity();
    let h = home.path();
    let mut sealed = common::seal_stdin(h, &[&mine], false, b"hi");
    // Change one character in the middle of the MAC to another base64
    // character (a bit flip could leave the alphabet: 'Z' ^ 1 is '[', and
    // then the header is malformed rather than tampered).
    let mac = header_len(&sealed) - 20;
    sealed[mac] = if sealed[mac] == b'A' { b'B' } else { b'A' };
    let f = h.join("doc.age");
    std::fs::write(&f, &sealed).unwrap();
    let text = inspect_ok(h, &[common::path_str(&f)]);
    assert!(
        can_open(&text).ends_with(": unwraps a stanza, but the header MAC is wrong (tampered)\n"),
        "{text}"
    );
}

#[test]
fn asks_no_passphrase_and_says_which_need_one() {
    let Some((ssh_keygen, home)) = ssh_keygen_and_home() else {
        return;
    };
    let h = home.path();
    let mine = default_identity(h);
    std::fs::write(h.join("pw"), "a passphrase\n").unwrap();
    let protected = h.join("protected.key");
    let (prot_r, _) = common::keygen(
        h,
        &protected,
        &[
            "--protect",
            "--passphrase-file",
            common::path_str(&h.join("pw")),
        ],
    );
    let key = h.join("id_ed25519");
    let ok = Command::new(&ssh_keygen)
        .args(["-q", "-t", "ed25519", "-N", "ssh secret", "-C", "", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(ok.success());
    let ssh_r = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let ssh_r = ssh_r.trim();
    let f = h.join("doc.age");
    std::fs::write(
        &f,
        common::seal_stdin(h, &[&mine, ssh_r, &prot_r], false, b"hi"),
    )
    .unwrap();
    // stdin is not a terminal, and no passphrase is given: nothing could
    // be asked, and nothing fails.
    let text = inspect_ok(
        h,
        &[
            "-i",
            "protected.key",
            "-i",
            common::path_str(&key),
            "doc.age",
        ],
    );
    // The recipient without its comment: what fingerprints are made of.
    let ssh_canonical = ssh_r.split(' ').take(2).collect::<Vec<_>>().join(" ");
    assert_eq!(
        can_open(&text).lines().skip(2).take(2).collect::<Vec<_>>(),
        [
            "  'protected.key': needs its passphrase".to_owned(),
            format!(
                "  '{}' {}: needs its passphrase",
                key.display(),
                fingerprint(&ssh_canonical)
            ),
        ]
    );
    // An encrypted SSH key whose tag matches no stanza does not need it.
    let g = h.join("other.age");
    std::fs::write(&g, common::seal_stdin(h, &[&mine], false, b"hi")).unwrap();
    let text = inspect_ok(h, &["-i", common::path_str(&key), "other.age"]);
    assert!(
        can_open(&text).ends_with(&format!("{}: does not open\n", fingerprint(&ssh_canonical))),
        "{text}"
    );
    // A passphrase-sealed file: no identity is looked at.
    let p = h.join("p.age");
    lockbox(h)
        .current_dir(h)
        .args(["seal", "-p", "--passphrase-file", "pw", "-o"])
        .arg(&p)
        .write_stdin("hi")
        .assert()
        .success();
    let text = inspect_ok(h, &["-i", "protected.key", "p.age"]);
    assert_eq!(
        can_open(&text),
        "can open:      sealed with a passphrase: no identity opens it, its passphrase does\n"
    );
    let json = inspect_ok(h, &["--json", "p.age"]);
    assert_eq!(field(&json, "passphrase"), "true");
    assert_eq!(field(&json, "identities"), "[]");
}

#[test]
fn ssh_stanzas_name_the_contact_or_ssh_key_of_their_tag() {
    let Some((ssh_keygen, home)) = ssh_keygen_and_home() else {
        return;
    };
    let h = home.path();
    std::fs::create_dir(h.join(".ssh")).unwrap();
    let mut keys = Vec::new();
    for (name, kind) in [
        ("id_ed25519", "ed25519"),
        ("carol", "ed25519"),
        ("stranger", "rsa"),
    ] {
        let path = h.join(".ssh").join(name);
        let mut cmd = Command::new(&ssh_keygen);
        cmd.args(["-q", "-t", kind, "-N", "", "-C", name, "-f"])
            .arg(&path);
        if kind == "rsa" {
            cmd.args(["-b", "2048"]);
        }
        assert!(cmd.status().unwrap().success());
        let public = std::fs::read_to_string(path.with_extension("pub")).unwrap();
        keys.push(public.trim().to_owned());
    }
    // carol is a contact, not a file in ~/.ssh; the stranger is neither.
    std::fs::remove_file(h.join(".ssh/carol.pub")).unwrap();
    std::fs::remove_file(h.join(".ssh/stranger.pub")).unwrap();
    lockbox(h)
        .args(["contact", "add", "carol", &keys[1]])
        .assert()
        .success();
    let sealed = common::seal_stdin(h, &[&keys[0], &keys[1], &keys[2]], false, b"hi");
    // The tag, computed here: SHA-256 of the key's wire format, 4 bytes.
    let tag = |public: &str| {
        use sha2::Digest;
        let wire = BASE64_STANDARD
            .decode(public.split(' ').nth(1).unwrap())
            .unwrap();
        base64::prelude::BASE64_STANDARD_NO_PAD.encode(&sha2::Sha256::digest(wire)[..4])
    };
    let lines = common::header_lines(&sealed);
    for (i, k) in keys.iter().enumerate() {
        assert!(lines[1 + 2 * i].contains(&tag(k)), "{lines:?}");
    }
    let f = h.join("doc.age");
    std::fs::write(&f, &sealed).unwrap();
    let text = inspect_ok(h, &["doc.age"]);
    let ssh = &text[text.find("ssh stanzas:\n").expect("an ssh section")..];
    let mut expected = vec![
        format!(
            "  ssh-ed25519 tag {}: '{}'",
            tag(&keys[0]),
            h.join(".ssh/id_ed25519.pub").display()
        ),
        format!("  ssh-ed25519 tag {}: contact 'carol'", tag(&keys[1])),
    ];
    expected.sort();
    expected.push(format!(
        "  ssh-rsa tag {}: no contact or ~/.ssh/*.pub key has this tag",
        tag(&keys[2])
    ));
    assert_eq!(ssh.lines().skip(1).collect::<Vec<_>>(), expected);
    let json = inspect_ok(h, &["--json", "doc.age"]);
    check_valid_json(&json);
    assert!(
        field(&json, "ssh_stanzas").contains(&format!(
            "{{\"type\": \"ssh-ed25519\", \"tag\": \"{}\", \"keys\": [\"contact 'carol'\"]}}",
            tag(&keys[1])
        )),
        "{json}"
    );
}

#[test]
fn plugin_identities_are_matched_by_type_and_the_plugin_never_runs() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    // A plugin on PATH that leaves a mark if anything runs it.
    let bin = h.join("bin");
    std::fs::create_dir(&bin).unwrap();
    let plugin = bin.join("age-plugin-lockboxtest");
    std::fs::write(
        &plugin,
        format!("#!/bin/sh\ntouch '{}'\nexit 1\n", h.join("ran").display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let identity = age::plugin::Identity::default_for_plugin("lockboxtest")
        .unwrap()
        .to_string();
    std::fs::write(h.join("plugin.key"), format!("{identity}\n")).unwrap();
    let run = |file: &str| {
        let out = lockbox(h)
            .env("PATH", &bin)
            .current_dir(h)
            .args(["inspect", "-i", "plugin.key", file])
            .output()
            .unwrap();
        common::assert_success(&out);
        String::from_utf8(out.stdout).unwrap()
    };
    std::fs::write(h.join("plugin.age"), crafted(&["lockboxtest"], 32)).unwrap();
    assert_eq!(
        can_open(&run("plugin.age")),
        "can open:\n  'plugin.key' (plugin 'lockboxtest'): may open (plugin, not run)\n"
    );
    std::fs::write(h.join("x.age"), crafted(&["X25519"], 32)).unwrap();
    assert_eq!(
        can_open(&run("x.age")),
        "can open:\n  'plugin.key' (plugin 'lockboxtest'): does not open\n"
    );
    assert!(!h.join("ran").exists(), "inspect ran the plugin");
}

#[test]
fn hostile_headers_get_bounded_work() {
    // 20,000 X25519 stanzas for nobody (the most a header may hold), read
    // with two identities: 10,000 unwraps are tried in all, the rest is
    // "not tried", whatever the header.
    let (home, _) = home_with_default_identity();
    let h = home.path();
    let (other, _) = keypair(h, "other.key", false);
    let mut f = b"age-encryption.org/v1\n".to_vec();
    for i in 0..20_000u32 {
        use sha2::Digest;
        let share = sha2::Sha256::digest(i.to_le_bytes());
        let b64 = |b: &[u8]| base64::prelude::BASE64_STANDARD_NO_PAD.encode(b);
        f.extend_from_slice(format!("-> X25519 {}\n{}\n", b64(&share), b64(&[1u8; 32])).as_bytes());
    }
    f.extend_from_slice(b"--- ");
    f.extend_from_slice(
        base64::prelude::BASE64_STANDARD_NO_PAD
            .encode([7u8; 32])
            .as_bytes(),
    );
    f.push(b'\n');
    f.extend(common::bytes(32, 1));
    std::fs::write(h.join("many.age"), &f).unwrap();
    let started = std::time::Instant::now();
    let text = inspect_ok(h, &["-i", common::path_str(&other), "many.age"]);
    let lines: Vec<&str> = can_open(&text).lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].ends_with(": not tried (too many identities and stanzas)"),
        "{text}"
    );
    assert!(
        lines[2].ends_with(": not tried (too many identities and stanzas)"),
        "{text}"
    );
    eprintln!("20,000 stanzas x 2 identities: {:?}", started.elapsed());
}

#[test]
fn a_broken_default_identity_is_reported_and_a_broken_i_is_an_error() {
    let (home, r) = home_with_default_identity();
    let h = home.path();
    let f = h.join("doc.age");
    std::fs::write(&f, common::seal_stdin(h, &[&r], false, b"hi")).unwrap();
    let default = h.join(".config/lockbox/identity.txt");
    std::fs::write(&default, "not a key\n").unwrap();
    let text = inspect_ok(h, &["doc.age"]);
    assert_eq!(
        can_open(&text),
        format!(
            "can open:\n  '{0}': could not be read: '{0}' is not an identity file (line 1)\n",
            default.display()
        )
    );
    lockbox(h)
        .current_dir(h)
        .args(["inspect", "-i", "missing.key", "doc.age"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(error_line("'missing.key'"));
}

/// `ssh-keygen` (or `None`, with a notice, when it is missing) and a new
/// home folder.
fn ssh_keygen_and_home() -> Option<(std::path::PathBuf, tempfile::TempDir)> {
    let ssh_keygen = common::peer("ssh-keygen")?;
    Some((ssh_keygen, tempfile::tempdir().unwrap()))
}
