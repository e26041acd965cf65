//! "Sealed by" (issue 12, SENDER-AUTH.md) through the binary: the 22
//! sender-auth vectors, `seal --sign`, `open --from`, and the attacks of the
//! threat table, each refused with nothing released.

mod common;

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use common::{error_line, keypair, lockbox, path_str};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use predicates::Predicate as _;
use sha2::{Digest, Sha256};

/// A recipient nobody in these tests holds (the README's example).
const SOMEONE_ELSE: &str = "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef";

struct Vector {
    name: String,
    expect: String,
    sender: Option<String>,
    payload: Option<String>,
    identities: Vec<String>,
    file: Vec<u8>,
}

fn load_vectors() -> Vec<Vector> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sender-auth");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let data = std::fs::read(path).unwrap();
            let split = data.windows(2).position(|w| w == b"\n\n").unwrap();
            let head = String::from_utf8(data[..split].to_vec()).unwrap();
            let mut v = Vector {
                name: path.file_name().unwrap().to_string_lossy().into_owned(),
                expect: String::new(),
                sender: None,
                payload: None,
                identities: Vec::new(),
                file: data[split + 2..].to_vec(),
            };
            for line in head.lines() {
                let (k, val) = line.split_once(": ").unwrap();
                match k {
                    "expect" => v.expect = val.to_owned(),
                    "sender" => v.sender = Some(val.to_owned()),
                    "payload" => v.payload = Some(val.to_owned()),
                    "identity" => v.identities.push(val.to_owned()),
                    _ => {}
                }
            }
            v
        })
        .collect()
}

/// `lockbox open ARGS... -i IDENTITY FILE` with HOME at `home`.
fn open(home: &Path, identity: &Path, file: &Path, args: &[&str]) -> std::process::Output {
    lockbox(home)
        .arg("open")
        .args(["-i", path_str(identity)])
        .args(args)
        .arg(file)
        .output()
        .unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_22_vectors_through_the_binary() {
    let vectors = load_vectors();
    assert_eq!(vectors.len(), 22);
    for v in vectors {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        let id = h.join("id.txt");
        std::fs::write(&id, v.identities.join("\n") + "\n").unwrap();
        let file = h.join("file.age");
        std::fs::write(&file, &v.file).unwrap();
        let out_path = h.join("out");
        let name = &v.name;
        match v.expect.as_str() {
            "sealed-by" => {
                let sender = v.sender.as_deref().unwrap();
                let o = path_str(&out_path);
                for args in [&["--from", sender][..], &["--from", sender, "-o", o]] {
                    let out = open(h, &id, &file, args);
                    assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
                    let plain = if args.len() == 4 {
                        std::fs::read(&out_path).unwrap()
                    } else {
                        out.stdout.clone()
                    };
                    assert_eq!(
                        hex::encode(Sha256::digest(&plain)),
                        v.payload.clone().unwrap(),
                        "{name}"
                    );
                    let e = stderr(&out);
                    assert!(e.starts_with("lockbox: sealed by age1"), "{name}: {e}");
                    assert!(e.contains("not one of your contacts"), "{name}: {e}");
                    std::fs::remove_file(&out_path).ok();
                }
                let out = open(h, &id, &file, &["--from", SOMEONE_ELSE]);
                assert_eq!(out.status.code(), Some(5), "{name}: {}", stderr(&out));
                assert!(out.stdout.is_empty(), "{name}");
                assert_error_line(&out, "is not sealed by", name);
                assert!(stderr(&out).contains("it is sealed by age1"), "{name}");
            }
            "unsigned" => {
                let out = open(h, &id, &file, &[]);
                assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
                assert!(out.stderr.is_empty(), "{name}: {}", stderr(&out));
                assert_eq!(
                    hex::encode(Sha256::digest(&out.stdout)),
                    v.payload.clone().unwrap()
                );
                let out = open(h, &id, &file, &["--from", SOMEONE_ELSE]);
                assert_eq!(out.status.code(), Some(5), "{name}: {}", stderr(&out));
                assert!(out.stdout.is_empty(), "{name}");
                assert!(error_line("nobody signed it").eval(&stderr(&out)));
            }
            "invalid" => {
                let out = open(h, &id, &file, &[]);
                assert_eq!(out.status.code(), Some(4), "{name}: {}", stderr(&out));
                assert!(out.stdout.is_empty(), "{name}: released bytes");
                assert_error_line(&out, "invalid sender seal", name);
                let out = open(h, &id, &file, &["-o", path_str(&out_path)]);
                assert_eq!(out.status.code(), Some(4), "{name}: {}", stderr(&out));
                assert!(!out_path.exists(), "{name}: -o file left");
                let left: Vec<_> = std::fs::read_dir(h).unwrap().collect();
                assert_eq!(left.len(), 2, "{name}: a temporary was left");
            }
            other => panic!("{name}: unknown expectation {other}"),
        }
    }
}

/// Alice, Bob and Carol, each with an identity file in one home; Bob
/// holds Alice as a verified contact.
struct Party {
    home: tempfile::TempDir,
    alice: (PathBuf, String),
    bob: (PathBuf, String),
    carol: (PathBuf, String),
}

fn party(pq: bool) -> Party {
    let home = tempfile::tempdir().unwrap();
    let alice = keypair(home.path(), "alice.txt", pq);
    let bob = keypair(home.path(), "bob.txt", pq);
    let carol = keypair(home.path(), "carol.txt", pq);
    lockbox(home.path())
        .args(["contact", "add", "--verified", "alice", &alice.1])
        .assert()
        .success();
    Party {
        home,
        alice,
        bob,
        carol,
    }
}

/// Alice seals `plain` to `to`, signed, through the binary.
fn signed(p: &Party, to: &[&str], plain: &[u8], extra: &[&str]) -> Vec<u8> {
    let mut cmd = lockbox(p.home.path());
    cmd.args(["seal", "--sign-with", path_str(&p.alice.0)]);
    for r in to {
        cmd.args(["-r", r]);
    }
    cmd.args(extra)
        .write_stdin(plain)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

#[test]
fn a_signed_file_opens_with_from_and_names_the_contact() {
    for pq in [false, true] {
        let p = party(pq);
        let h = p.home.path();
        let plain = common::bytes(200_000, 3);
        let file = h.join("f.age");
        std::fs::write(&file, signed(&p, &[&p.bob.1, &p.carol.1], &plain, &[])).unwrap();
        for args in [
            &["--from", "alice"][..],
            &["--from", "@alice"],
            &["--from", &p.alice.1],
        ] {
            let out = open(h, &p.bob.0, &file, args);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            assert!(out.stdout == plain);
            assert_eq!(
                stderr(&out),
                "lockbox: sealed by alice (verified contact)\n"
            );
        }
        // -q silences the line; Carol has no contacts: the key is named.
        let out = open(h, &p.bob.0, &file, &["-q"]);
        assert!(out.status.success() && out.stderr.is_empty());
        // To -o, the same, one pass.
        let o = h.join("o");
        let out = open(
            h,
            &p.carol.0,
            &file,
            &["--from", &p.alice.1, "-o", path_str(&o)],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(std::fs::read(h.join("o")).unwrap() == plain);
        // Armored, signed to -o and to stdout.
        let armored = signed(&p, &[&p.bob.1], &plain, &["-a"]);
        assert!(armored.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
        std::fs::write(&file, &armored).unwrap();
        let out = open(h, &p.bob.0, &file, &["--from", "alice"]);
        assert!(
            out.status.success() && out.stdout == plain,
            "{}",
            stderr(&out)
        );
        lockbox(h)
            .args(["seal", "--sign-with", path_str(&p.alice.0), "-r", &p.bob.1])
            .args(["-a", "-o", path_str(&h.join("signed.asc"))])
            .write_stdin(&plain[..])
            .assert()
            .success();
        let out = open(h, &p.bob.0, &h.join("signed.asc"), &["--from", "alice"]);
        assert!(
            out.status.success() && out.stdout == plain,
            "{}",
            stderr(&out)
        );
        // Bob is no sender: exit 5, nothing released.
        let out = open(h, &p.bob.0, &file, &["--from", &p.bob.1]);
        assert_eq!(out.status.code(), Some(5));
        assert!(out.stdout.is_empty());
        assert!(error_line("it is sealed by alice (verified contact)").eval(&stderr(&out)));
    }
}

#[test]
fn sign_refusals_and_the_warning() {
    let p = party(false);
    let h = p.home.path();
    lockbox(h)
        .args(["seal", "--sign", "-p", "--passphrase-file", "x"])
        .assert()
        .code(2)
        .stderr(error_line("--sign can't be combined with -p/--passphrase"));
    let ssh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN";
    lockbox(h)
        .args(["seal", "--sign-with", path_str(&p.alice.0), "-r", ssh])
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(error_line("no recipient can verify a sender seal"));
    let out = lockbox(h)
        .args([
            "seal",
            "--sign-with",
            path_str(&p.alice.0),
            "-r",
            ssh,
            "-r",
            &p.bob.1,
        ])
        .write_stdin("x")
        .output()
        .unwrap();
    assert!(out.status.success());
    let e = stderr(&out);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.starts_with("lockbox: warning: these recipients can open the file but cannot verify who sealed it: 'ssh-ed25519 "));
    // No default identity: a usage error that says how to make one.
    lockbox(h)
        .args(["seal", "--sign", "-r", &p.bob.1])
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(error_line("--sign: the default identity file"));
}

// ---- The attacks: files edited as a co-recipient (Bob) could. ----

/// A binary age file taken apart: stanzas (first line without "-> ",
/// body) and payload (nonce and chunks).
struct Parts {
    stanzas: Vec<(String, Vec<u8>)>,
    payload: Vec<u8>,
}

fn parse(file: &[u8]) -> Parts {
    let end = common::header_len(file);
    let text = std::str::from_utf8(&file[..end]).unwrap();
    let mut stanzas: Vec<(String, Vec<u8>)> = Vec::new();
    let mut body = String::new();
    for line in text.lines().skip(1) {
        if let Some(first) = line.strip_prefix("-> ") {
            stanzas.push((first.to_owned(), Vec::new()));
            body.clear();
        } else if line.starts_with("---") {
            break;
        } else {
            body.push_str(line);
            if line.len() < 64 {
                stanzas.last_mut().unwrap().1 = B64.decode(&body).unwrap();
            }
        }
    }
    Parts {
        stanzas,
        payload: file[end..].to_vec(),
    }
}

fn hkdf(ikm: &[u8], salt: &[u8], info: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info, &mut out)
        .unwrap();
    out
}

/// Writes the file back with a header MAC made with `file_key`.
fn build(parts: &Parts, file_key: &[u8]) -> Vec<u8> {
    let mut h = String::from("age-encryption.org/v1\n");
    for (first, body) in &parts.stanzas {
        h.push_str(&format!("-> {first}\n"));
        let enc = B64.encode(body);
        let mut rest = enc.as_str();
        loop {
            let (line, tail) = rest.split_at(rest.len().min(64));
            h.push_str(line);
            h.push('\n');
            rest = tail;
            if line.len() < 64 {
                break;
            }
        }
    }
    h.push_str("---");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&hkdf(file_key, b"", b"header")).unwrap();
    mac.update(h.as_bytes());
    let tag = B64.encode(mac.finalize().into_bytes());
    let mut out = format!("{h} {tag}\n").into_bytes();
    out.extend_from_slice(&parts.payload);
    out
}

/// The X25519 secret of an `AGE-SECRET-KEY-1` identity file.
fn x25519_secret(identity_file: &Path) -> [u8; 32] {
    let text = std::fs::read_to_string(identity_file).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .unwrap();
    let (_, data) = bech32::decode(&line.to_lowercase()).unwrap();
    data.try_into().unwrap()
}

fn x25519_public(recipient: &str) -> [u8; 32] {
    bech32::decode(recipient).unwrap().1.try_into().unwrap()
}

/// Bob's way to the file key: unwrap his X25519 stanza.
fn file_key_as(parts: &Parts, identity_file: &Path) -> Vec<u8> {
    let secret = x25519_dalek::StaticSecret::from(x25519_secret(identity_file));
    let public = x25519_dalek::PublicKey::from(&secret);
    for (first, body) in &parts.stanzas {
        let Some(epk) = first.strip_prefix("X25519 ") else {
            continue;
        };
        let epk: [u8; 32] = B64.decode(epk).unwrap().try_into().unwrap();
        let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(epk));
        let salt = [&epk[..], public.as_bytes()].concat();
        let key = hkdf(shared.as_bytes(), &salt, b"age-encryption.org/v1/X25519");
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&key));
        if let Ok(k) = cipher.decrypt(&Nonce::default(), body.as_slice()) {
            return k;
        }
    }
    panic!("not a recipient")
}

/// A new X25519 stanza wrapping `file_key` to `recipient`.
fn wrap_to(file_key: &[u8], recipient: &str) -> (String, Vec<u8>) {
    let eph = x25519_dalek::StaticSecret::from([7u8; 32]);
    let epk = x25519_dalek::PublicKey::from(&eph);
    let to = x25519_public(recipient);
    let shared = eph.diffie_hellman(&x25519_dalek::PublicKey::from(to));
    let salt = [epk.as_bytes(), &to[..]].concat();
    let key = hkdf(shared.as_bytes(), &salt, b"age-encryption.org/v1/X25519");
    let body = ChaCha20Poly1305::new(Key::from_slice(&key))
        .encrypt(&Nonce::default(), file_key)
        .unwrap();
    (format!("X25519 {}", B64.encode(epk.as_bytes())), body)
}

/// A one-chunk payload of `plain` under `file_key`.
fn payload(file_key: &[u8], plain: &[u8]) -> Vec<u8> {
    let nonce = [5u8; 16];
    let key = hkdf(file_key, &nonce, b"payload");
    let mut chunk_nonce = [0u8; 12];
    chunk_nonce[11] = 1;
    let sealed = ChaCha20Poly1305::new(Key::from_slice(&key))
        .encrypt(Nonce::from_slice(&chunk_nonce), plain)
        .unwrap();
    [&nonce[..], &sealed].concat()
}

/// Opens `file` as `who` in every way: to stdout from the file, through a
/// pipe, and to -o; each must give `code` and release nothing.
fn refused(p: &Party, who: &Path, file: &[u8], args: &[&str], code: i32, needle: &'static str) {
    let h = p.home.path();
    let path = h.join("attack.age");
    std::fs::write(&path, file).unwrap();
    let out = open(h, who, &path, args);
    assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "released bytes");
    assert!(error_line(needle).eval(&stderr(&out)), "{}", stderr(&out));
    let out = lockbox(h)
        .args(["open", "-i", path_str(who)])
        .args(args)
        .write_stdin(file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(code), "pipe: {}", stderr(&out));
    assert!(out.stdout.is_empty(), "pipe: released bytes");
    let target = h.join("released");
    let out = open(h, who, &path, &[args, &["-o", path_str(&target)]].concat());
    assert_eq!(out.status.code(), Some(code), "-o: {}", stderr(&out));
    assert!(!target.exists(), "-o: file written");
}

#[test]
fn a_co_recipient_cannot_change_the_payload() {
    let p = party(false);
    // Big enough for several batches: the refusal comes after the payload.
    let plain = common::bytes(3_000_000, 9);
    let file = signed(&p, &[&p.bob.1, &p.carol.1], &plain, &[]);
    let mut parts = parse(&file);
    let key = file_key_as(&parts, &p.bob.0);
    parts.payload = payload(&key, b"the new bank details, love, Alice");
    let forged = build(&parts, &key);
    // Carol sees a file whose header MAC checks, and refuses it.
    refused(
        &p,
        &p.carol.0,
        &forged,
        &[],
        4,
        "altered by someone who could open it, or forwarded",
    );
}

#[test]
fn a_co_recipient_cannot_forward() {
    let p = party(false);
    let file = signed(&p, &[&p.bob.1], b"for bob only", &[]);
    let mut parts = parse(&file);
    let key = file_key_as(&parts, &p.bob.0);
    // Bob re-wraps the file key to Carol, keeping Alice's seal.
    parts.stanzas[0] = wrap_to(&key, &p.carol.1);
    let forwarded = build(&parts, &key);
    refused(&p, &p.carol.0, &forwarded, &[], 4, "or forwarded");
}

#[test]
fn the_sender_stanza_moved_doubled_emptied_or_with_arguments() {
    let p = party(false);
    let file = signed(&p, &[&p.bob.1, &p.carol.1], b"hello", &[]);
    let parts = parse(&file);
    let key = file_key_as(&parts, &p.bob.0);
    let seal = parts.stanzas.last().unwrap().clone();
    assert_eq!(seal.0, "lockbox-sender");
    type Edit = Box<dyn Fn(&mut Vec<(String, Vec<u8>)>)>;
    let edits: Vec<(&str, Edit)> = vec![
        (
            "is not the last stanza",
            Box::new(|s| {
                let last = s.pop().unwrap();
                s.insert(0, last);
            }),
        ),
        (
            "more than one lockbox-sender stanza",
            Box::new(|s| {
                let last = s.last().unwrap().clone();
                s.push(last);
            }),
        ),
        (
            "invalid length",
            Box::new(|s| s.last_mut().unwrap().1.clear()),
        ),
        (
            "has arguments",
            Box::new(|s| s.last_mut().unwrap().0.push_str(" x")),
        ),
    ];
    for (needle, edit) in edits {
        let mut edited = Parts {
            stanzas: parts.stanzas.clone(),
            payload: parts.payload.clone(),
        };
        edit(&mut edited.stanzas);
        refused(&p, &p.bob.0, &build(&edited, &key), &[], 4, needle);
    }
    // Stripped: an unsigned file, which --from refuses (exit 5); without
    // --from it opens, saying nothing.
    let mut stripped = Parts {
        stanzas: parts.stanzas.clone(),
        payload: parts.payload.clone(),
    };
    stripped.stanzas.pop();
    let stripped = build(&stripped, &key);
    refused(
        &p,
        &p.carol.0,
        &stripped,
        &["--from", "alice"],
        5,
        "nobody signed it",
    );
    let path = p.home.path().join("stripped.age");
    std::fs::write(&path, &stripped).unwrap();
    let out = open(p.home.path(), &p.carol.0, &path, &[]);
    assert!(out.status.success() && out.stdout == b"hello" && out.stderr.is_empty());
}

#[test]
fn inspect_says_sealed_by_someone_and_counts_no_sender_as_recipient() {
    let p = party(false);
    let h = p.home.path();
    let s = h.join("s.age");
    let u = h.join("u.age");
    std::fs::write(&s, signed(&p, &[&p.bob.1], b"x", &[])).unwrap();
    let text = lockbox(h).arg("inspect").arg(&s).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("sealed to:     X25519 (1)\n"), "{text}");
    assert!(text.contains("sender:        sealed by someone (only recipients can see who)\n"));
    let json = common::stdout_of(h, &["inspect", "--json", common::path_str(&s)]);
    assert!(json.contains("\"sender_sealed\": true,"), "{json}");
    assert!(json.contains("\"stanzas\": [\"X25519\"],"), "{json}");
    std::fs::write(&u, common::seal_stdin(h, &[&p.bob.1], false, b"x")).unwrap();
    let text = lockbox(h).arg("inspect").arg(&u).output().unwrap();
    assert!(String::from_utf8(text.stdout)
        .unwrap()
        .contains("sender:        not signed\n"));
    let json = lockbox(h)
        .args(["inspect", "--json"])
        .arg(&u)
        .output()
        .unwrap();
    assert!(String::from_utf8(json.stdout)
        .unwrap()
        .contains("\"sender_sealed\": false,"));
}

#[test]
fn signed_files_open_in_go_age() {
    let Some(age) = common::peer("age") else {
        return;
    };
    let p = party(false);
    for extra in [&[][..], &["-a"]] {
        peer_opens_signed(&age, &p, &[&p.bob.1, &p.carol.1], 4, extra);
    }
}

#[test]
fn signed_files_open_in_rage() {
    let Some(rage) = common::peer("rage") else {
        return;
    };
    let p = party(false);
    peer_opens_signed(&rage, &p, &[&p.bob.1], 5, &[]);
}

/// A signed file for `to`, opened with Bob's identity by a peer (Go age or
/// rage), which skips the sender stanza: the plaintext comes back.
fn peer_opens_signed(peer: &Path, p: &Party, to: &[&str], seed: u64, extra: &[&str]) {
    let plain = common::bytes(300_000, seed);
    let file = signed(p, to, &plain, extra);
    let path = p.home.path().join("peer.age");
    std::fs::write(&path, &file).unwrap();
    let out = common::run_peer(peer, &["-d", "-i", path_str(&p.bob.0), path_str(&path)]);
    assert!(out == plain, "{} opened something else", peer.display());
}

#[test]
fn signed_files_open_in_typage() {
    let Some(typage) = common::typage::typage() else {
        return;
    };
    for pq in [false, true] {
        let p = party(pq);
        let plain = common::bytes(100_000, 6);
        let file = signed(&p, &[&p.bob.1], &plain, &[]);
        let text = std::fs::read_to_string(&p.bob.0).unwrap();
        let secret = text
            .lines()
            .find(|l| l.starts_with("AGE-SECRET-KEY-"))
            .unwrap();
        assert!(typage.decrypt(secret, false, &file) == plain, "pq {pq}");
    }
}

#[test]
fn a_protected_identity_signs_with_its_passphrase() {
    let p = party(false);
    let h = p.home.path();
    let key = h.join("protected.age");
    let mut cmd = lockbox(h);
    cmd.env("LOCKBOX_PASSPHRASE", "correct horse battery staple");
    let (protected_recipient, _) = common::keygen_with(cmd, &key, &["--protect"]);
    let pass = h.join("pass.txt");
    std::fs::write(&pass, "correct horse battery staple\n").unwrap();
    let file = h.join("p.age");
    lockbox(h)
        .args([
            "seal",
            "--sign-with",
            path_str(&key),
            "--passphrase-file",
            path_str(&pass),
        ])
        .args(["-r", &p.bob.1, "-o", path_str(&file)])
        .write_stdin("from the protected key")
        .assert()
        .success();
    let out = open(h, &p.bob.0, &file, &["--from", &protected_recipient]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(out.stdout, b"from the protected key");
    // The default identity, from $LOCKBOX_IDENTITY, signs with --sign.
    lockbox(h)
        .env("LOCKBOX_IDENTITY", &p.alice.0)
        .args(["seal", "--sign", "-r", &p.bob.1, "-o", path_str(&file)])
        .write_stdin("hi")
        .assert()
        .success();
    let out = open(h, &p.bob.0, &file, &["--from", "alice"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// Asserts that `out`'s stderr is an error line containing `needle`.
fn assert_error_line(out: &std::process::Output, needle: &'static str, name: &str) {
    let e = stderr(out);
    assert!(error_line(needle).eval(&e), "{name}: {e}");
}

/// `seal --sign > file.age` writes the signed file in one pass straight
/// into the file standard output is, from where the shell left its offset;
/// `>> file.age` (O_APPEND, where the header could not be put back in
/// front) and a pipe go through the spool. Every form opens and names
/// Alice; the bytes before the offset are left as they were.
#[test]
fn signed_seal_to_a_file_on_standard_output_at_any_offset() {
    use std::io::Write as _;
    let p = party(false);
    let h = p.home.path();
    let plain = common::bytes(3 * 65536 + 100, 11);
    let input = h.join("plain");
    std::fs::write(&input, &plain).unwrap();
    let prefix = b"kept: the bytes the shell wrote before\n";
    for append in [false, true] {
        for with_prefix in [false, true] {
            let path = h.join("out.age");
            let _ = std::fs::remove_file(&path);
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .append(append)
                .open(&path)
                .unwrap();
            if with_prefix {
                file.write_all(prefix).unwrap();
            }
            // assert_cmd captures stdout; a std Command can hand it a file.
            let status = std::process::Command::new(assert_cmd::cargo::cargo_bin("lockbox"))
                .env("HOME", h)
                .env("XDG_CONFIG_HOME", h.join(".config"))
                .args(["seal", "--sign-with", path_str(&p.alice.0), "-r", &p.bob.1])
                .arg(&input)
                .stdout(file)
                .status()
                .unwrap();
            assert!(status.success(), "append {append}, prefix {with_prefix}");
            let written = std::fs::read(&path).unwrap();
            let sealed = if with_prefix {
                assert!(written.starts_with(prefix), "append {append}: prefix lost");
                &written[prefix.len()..]
            } else {
                &written[..]
            };
            let file = h.join("f.age");
            std::fs::write(&file, sealed).unwrap();
            let out = open(h, &p.bob.0, &file, &["--from", "alice"]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "append {append}, prefix {with_prefix}: {}",
                stderr(&out)
            );
            assert!(out.stdout == plain);
        }
    }
}
