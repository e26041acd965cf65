//! Hostile keys through the binary (issue 10, items 1-3 and 17): public
//! keys of small order, wherever a recipient comes from, are refused as
//! invalid recipients (exit 2) and never panic; an ssh-ed25519 stanza whose
//! ephemeral share is of small order is an invalid file (exit 4); an
//! ssh-rsa key with exponent 1 or 2 is named for what it is.

mod common;

use std::path::{Path, PathBuf};

use age_core::format::{FileKey, Stanza};
use age_core::primitives::{aead_encrypt, bech32_encode, hkdf};
use base64::prelude::{BASE64_STANDARD, BASE64_STANDARD_NO_PAD};
use base64::Engine as _;
use common::lockbox;
use sha2::Digest as _;

/// The Ed25519 encodings of small order: libsodium's blocklist
/// (`ge25519_has_small_order`, which compares without the sign bit), each
/// as listed and with the sign bit set. The 8 points of small order have 8
/// canonical encodings among these; the rest are non-canonical (y = p,
/// y = p + 1, or x = 0 with the sign bit set), which curve25519-dalek
/// decompresses all the same.
const ED25519_LOW_ORDER: [&str; 7] = [
    // y = 0: the two points of order 4
    "0000000000000000000000000000000000000000000000000000000000000000",
    // y = 1: the neutral point (order 1)
    "0100000000000000000000000000000000000000000000000000000000000000",
    // order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    // order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    // y = p - 1 = -1 (order 2)
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    // y = p (= 0, non-canonical)
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    // y = p + 1 (= 1, non-canonical)
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];

/// The X25519 u-coordinates of small order: libsodium's blocklist
/// (`has_small_order` in crypto_scalarmult/curve25519/ref10), each as
/// listed and with the top bit set (X25519 ignores it).
const X25519_LOW_ORDER: [&str; 7] = [
    // 0 (order 4)
    "0000000000000000000000000000000000000000000000000000000000000000",
    // 1 (order 1)
    "0100000000000000000000000000000000000000000000000000000000000000",
    // order 8
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    // order 8
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    // p - 1 (order 2)
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    // p (= 0)
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    // p + 1 (= 1)
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];

const ED25519_MESSAGE: &str =
    "invalid recipient: the ssh-ed25519 key is a point of small order: anyone could open a file sealed to it";
const X25519_MESSAGE: &str =
    "invalid recipient: the X25519 key is a point of small order: anyone could open a file sealed to it";
const LABEL: &[u8] = b"age-encryption.org/v1/ssh-ed25519";

/// Every entry of a blocklist, as listed and with the top (sign) bit set.
fn with_top_bit(list: &[&str]) -> Vec<[u8; 32]> {
    list.iter()
        .flat_map(|h| {
            let a: [u8; 32] = hex::decode(h).unwrap().try_into().unwrap();
            let mut b = a;
            b[31] |= 0x80;
            [a, b]
        })
        .collect()
}

/// [`with_top_bit`] of a list of seven points: all fourteen encodings.
fn all_fourteen(list: &[&str]) -> Vec<[u8; 32]> {
    let keys = with_top_bit(list);
    assert_eq!(keys.len(), 14);
    keys
}

fn put_string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend((s.len() as u32).to_be_bytes());
    out.extend(s);
}

/// The SSH wire encoding of an ssh-ed25519 public key.
fn ed25519_blob(key: &[u8; 32]) -> Vec<u8> {
    let mut blob = Vec::new();
    put_string(&mut blob, b"ssh-ed25519");
    put_string(&mut blob, key);
    blob
}

/// An `ssh-ed25519 AAAA...` public key line.
fn ed25519_line(key: &[u8; 32]) -> String {
    format!(
        "ssh-ed25519 {} hostile",
        BASE64_STANDARD.encode(ed25519_blob(key))
    )
}

/// An `age1...` X25519 recipient.
fn age1(u: &[u8; 32]) -> String {
    bech32_encode(bech32::Hrp::parse("age").unwrap(), u)
}

/// An unencrypted OpenSSH ed25519 private key file. The public key is
/// stored beside the seed (OpenSSH derives it; a crafted file need not).
fn openssh_private_key(public: &[u8; 32], seed: &[u8; 32]) -> String {
    let mut key = Vec::new();
    put_string(&mut key, b"ssh-ed25519");
    put_string(&mut key, public);
    put_string(&mut key, &[&seed[..], &public[..]].concat());
    openssh_file(&ed25519_blob(public), &key)
}

/// An unencrypted OpenSSH private key file of one key: its public key
/// blob, and its private key (type and numbers, without the comment).
fn openssh_file(public_blob: &[u8], key: &[u8]) -> String {
    let mut private = Vec::new();
    private.extend([0x5a; 8]); // the two equal check integers
    private.extend(key);
    put_string(&mut private, b"hostile");
    let mut pad = 1;
    while private.len() % 8 != 0 {
        private.push(pad);
        pad += 1;
    }
    let mut data = b"openssh-key-v1\0".to_vec();
    put_string(&mut data, b"none");
    put_string(&mut data, b"none");
    put_string(&mut data, b"");
    data.extend(1u32.to_be_bytes());
    put_string(&mut data, public_blob);
    put_string(&mut data, &private);
    let b64 = BASE64_STANDARD.encode(data);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(70)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

/// The real Ed25519 public key of a seed.
fn ed25519_public(seed: &[u8; 32]) -> [u8; 32] {
    use ring::signature::KeyPair as _;
    let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(seed).unwrap();
    pair.public_key().as_ref().try_into().unwrap()
}

/// Runs `lockbox ARGS` with empty stdin; returns (status, stderr).
fn run(home: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = lockbox(home)
        .args(args)
        .write_stdin("hello")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts an error with `status` whose first line starts with `start` and
/// contains `needle`, hints after it, and no panic.
fn assert_error(got: &(Option<i32>, String), status: i32, start: &str, needle: &str) {
    let (code, stderr) = got;
    assert_eq!(*code, Some(status), "{stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!("lockbox: error: {start}")),
        "{stderr}"
    );
    assert!(first.contains(needle), "{stderr}");
    assert!(
        stderr
            .lines()
            .skip(1)
            .all(|l| l.starts_with("lockbox: hint: ")),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn seal_out(home: &Path) -> PathBuf {
    home.join("out.age")
}

#[test]
fn every_small_order_ed25519_key_is_refused_by_seal_r() {
    let home = tempfile::tempdir().unwrap();
    for line in all_fourteen(&ED25519_LOW_ORDER).iter().map(ed25519_line) {
        let out = seal_out(home.path());
        let got = run(
            home.path(),
            &["seal", "-r", &line, "-o", out.to_str().unwrap()],
        );
        // The message names the key (shortened), after the reason.
        assert_error(&got, 2, ED25519_MESSAGE, "'ssh-ed25519 AAAA");
        assert!(!out.exists(), "{line}");
    }
}

#[test]
fn an_ed25519_encoding_that_is_no_point_is_refused_by_name() {
    // y = 2 is on neither the curve nor anywhere: x^2 would be a non-square.
    let home = tempfile::tempdir().unwrap();
    let mut key = [0u8; 32];
    key[0] = 2;
    let got = run(home.path(), &["seal", "-r", &ed25519_line(&key)]);
    assert_error(
        &got,
        2,
        "invalid recipient: the ssh-ed25519 key is not a point on the Ed25519 curve",
        "'ssh-ed25519 AAAA",
    );
}

#[test]
fn small_order_ed25519_keys_are_refused_in_a_recipients_file() {
    let home = tempfile::tempdir().unwrap();
    let good = ed25519_line(&ed25519_public(&[7; 32]));
    for key in with_top_bit(&ED25519_LOW_ORDER) {
        let file = home.path().join("recipients.txt");
        std::fs::write(
            &file,
            format!("# friends\n{good}\n{}\n", ed25519_line(&key)),
        )
        .unwrap();
        let got = run(home.path(), &["seal", "-R", file.to_str().unwrap()]);
        assert_error(
            &got,
            2,
            &format!("recipients file '{}' line 3: ", file.display()),
            ED25519_MESSAGE,
        );
    }
    // The good key alone seals.
    let file = home.path().join("good.txt");
    std::fs::write(&file, format!("{good}\n")).unwrap();
    let (code, stderr) = run(home.path(), &["seal", "-R", file.to_str().unwrap(), "-a"]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn small_order_ed25519_keys_are_refused_by_contact_add() {
    let home = tempfile::tempdir().unwrap();
    for (i, key) in with_top_bit(&ED25519_LOW_ORDER).iter().enumerate() {
        let name = format!("mallory{i}");
        let got = run(home.path(), &["contact", "add", &name, &ed25519_line(key)]);
        assert_error(&got, 2, ED25519_MESSAGE, "'ssh-ed25519 AAAA");
        assert!(!home
            .path()
            .join(".config/lockbox/contacts")
            .join(&name)
            .exists());
    }
}

#[test]
fn a_stored_contact_with_a_small_order_key_is_refused_by_seal() {
    // Written by hand (or by an older lockbox): read, then refused.
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join(".config/lockbox/contacts");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mallory");
    std::fs::write(
        &file,
        format!(
            "# contact: mallory\n{}\n",
            ed25519_line(&with_top_bit(&ED25519_LOW_ORDER)[2])
        ),
    )
    .unwrap();
    let got = run(home.path(), &["seal", "-r", "@mallory", "-a"]);
    let start = format!("contact file '{}' line 2: ", file.display());
    assert_error(&got, 2, &start, ED25519_MESSAGE);
}

#[test]
fn an_ssh_identity_holding_a_small_order_public_key_is_refused_by_seal_i() {
    let home = tempfile::tempdir().unwrap();
    for key in with_top_bit(&ED25519_LOW_ORDER) {
        let file = home.path().join("id_ed25519");
        std::fs::write(&file, openssh_private_key(&key, &[9; 32])).unwrap();
        let path = file.to_str().unwrap();
        // keygen -y does not print it as anyone's recipient either.
        for args in [
            ["seal", "-i", path, "-a"].as_slice(),
            &["keygen", "-y", path],
        ] {
            let got = run(home.path(), args);
            let start = format!("identity file '{}': ", file.display());
            assert_error(&got, 2, &start, ED25519_MESSAGE);
        }
    }
    // The same file with its real public key seals to itself.
    let file = home.path().join("id_real");
    let seed = [9; 32];
    std::fs::write(&file, openssh_private_key(&ed25519_public(&seed), &seed)).unwrap();
    let (code, stderr) = run(home.path(), &["seal", "-i", file.to_str().unwrap(), "-a"]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn every_low_order_x25519_key_is_refused_without_a_panic() {
    let home = tempfile::tempdir().unwrap();
    let keys = all_fourteen(&X25519_LOW_ORDER);
    for u in &keys {
        let r = age1(u);
        let got = run(home.path(), &["seal", "-r", &r, "-a"]);
        assert_error(&got, 2, X25519_MESSAGE, "'age1");
        // The same from a recipients file.
        let file = home.path().join("recipients.txt");
        std::fs::write(&file, format!("{r}\n")).unwrap();
        let got = run(home.path(), &["seal", "-R", file.to_str().unwrap(), "-a"]);
        assert_error(
            &got,
            2,
            &format!("recipients file '{}' line 1: ", file.display()),
            X25519_MESSAGE,
        );
        let got = run(home.path(), &["contact", "add", "mallory", &r]);
        assert_error(&got, 2, X25519_MESSAGE, "'age1");
    }
}

#[test]
fn a_post_quantum_recipient_with_a_low_order_x25519_half_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let out = lockbox(home.path())
        .args(["keygen", "--pq", "-o"])
        .arg(home.path().join("pq.key"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let good = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let hrp = bech32::Hrp::parse("age1pq").unwrap();
    let bytes = age_core::primitives::bech32_decode(
        &good,
        |_| (),
        |_| Ok(()),
        |_, b| Ok::<_, ()>(b.collect::<Vec<u8>>()),
    )
    .unwrap();
    assert_eq!(bytes.len(), 1216);
    for u in with_top_bit(&X25519_LOW_ORDER) {
        let mut bad = bytes.clone();
        bad[1184..].copy_from_slice(&u);
        let got = run(
            home.path(),
            &["seal", "-r", &bech32_encode(hrp, &bad), "-a"],
        );
        assert_error(
            &got,
            2,
            "invalid post-quantum recipient: its X25519 key is a point of small order",
            "'age1pq1",
        );
    }
}

/// An ssh-ed25519 identity file, and a sealed file holding one stanza for
/// it with the ephemeral share `share`, built by hand: the stanza is what
/// the age crate would accept (its body is the file key sealed under the
/// key that share gives), the header MAC and payload are right.
fn ssh_file_with_share(dir: &Path, share: [u8; 32], shared_secret: [u8; 32]) -> (PathBuf, PathBuf) {
    let seed = [3u8; 32];
    let public = ed25519_public(&seed);
    let identity = dir.join("id_ed25519");
    std::fs::write(&identity, openssh_private_key(&public, &seed)).unwrap();

    let blob = ed25519_blob(&public);
    let scalar: [u8; 32] = sha2::Sha512::digest(seed)[..32].try_into().unwrap();
    let pk = x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(scalar));
    let mut salt = share.to_vec();
    salt.extend(pk.as_bytes());
    let enc_key = hkdf(&salt, LABEL, &shared_secret);
    let stanza = HandMade {
        tag: BASE64_STANDARD_NO_PAD.encode(&sha2::Sha256::digest(&blob)[..4]),
        share: BASE64_STANDARD_NO_PAD.encode(share),
        enc_key,
    };
    let mut options = lockbox::Options::default();
    options.threads = 1;
    let mut sealed = Vec::new();
    lockbox::seal(
        &[lockbox::Recipient::from_age(stanza)],
        &b"secret"[..],
        &mut sealed,
        &options,
    )
    .unwrap();
    let file = dir.join("hostile.age");
    std::fs::write(&file, sealed).unwrap();
    (identity, file)
}

/// A recipient that writes the ssh-ed25519 stanza built by hand: the file
/// key sealed under `enc_key`, with the given key tag and share.
struct HandMade {
    tag: String,
    share: String,
    enc_key: [u8; 32],
}

impl age::Recipient for HandMade {
    fn wrap_file_key(
        &self,
        file_key: &FileKey,
    ) -> Result<(Vec<Stanza>, std::collections::HashSet<String>), age::EncryptError> {
        use age_core::secrecy::ExposeSecret as _;
        let stanza = Stanza {
            tag: "ssh-ed25519".into(),
            args: vec![self.tag.clone(), self.share.clone()],
            body: aead_encrypt(&self.enc_key, file_key.expose_secret()),
        };
        Ok((vec![stanza], Default::default()))
    }
}

#[test]
fn an_ssh_ed25519_stanza_with_a_small_order_share_is_an_invalid_file() {
    let home = tempfile::tempdir().unwrap();
    let shares = with_top_bit(&X25519_LOW_ORDER);
    for share in shares {
        // X25519 with a small-order share gives all zero, whoever's key.
        let (identity, file) = ssh_file_with_share(home.path(), share, [0; 32]);
        let got = run(
            home.path(),
            &[
                "open",
                "-i",
                identity.to_str().unwrap(),
                file.to_str().unwrap(),
            ],
        );
        assert_error(
            &got,
            4,
            &format!("failed to open '{}'", file.display()),
            "malformed",
        );
    }
}

#[test]
fn an_ssh_ed25519_stanza_built_the_same_way_with_an_honest_share_opens() {
    // The control for the test above: the hand-built file opens when the
    // share is a real one, so the refusal is for the share alone.
    let home = tempfile::tempdir().unwrap();
    let seed = [3u8; 32];
    let scalar: [u8; 32] = sha2::Sha512::digest(seed)[..32].try_into().unwrap();
    let pk = x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(scalar));
    let esk = x25519_dalek::StaticSecret::from([5u8; 32]);
    let share = x25519_dalek::PublicKey::from(&esk);
    let blob = ed25519_blob(&ed25519_public(&seed));
    let tweak = x25519_dalek::StaticSecret::from(hkdf(&blob, LABEL, &[]));
    let dh = esk.diffie_hellman(&pk);
    let shared = tweak.diffie_hellman(&x25519_dalek::PublicKey::from(*dh.as_bytes()));
    let (identity, file) = ssh_file_with_share(home.path(), share.to_bytes(), *shared.as_bytes());
    let args = [
        "open",
        "-i",
        common::path_str(&identity),
        common::path_str(&file),
    ];
    assert_eq!(common::lockbox_ok(home.path(), &args, b""), b"secret");
}

/// A 2048-bit odd modulus, as an SSH mpint.
fn modulus() -> Vec<u8> {
    let mut n = vec![0u8];
    n.extend(common::bytes(256, 17));
    n[1] |= 0x80;
    n[256] |= 1;
    n
}

/// The SSH wire encoding of an ssh-rsa public key.
fn rsa_blob(e: &[u8], n: &[u8]) -> Vec<u8> {
    let mut blob = Vec::new();
    put_string(&mut blob, b"ssh-rsa");
    put_string(&mut blob, e);
    put_string(&mut blob, n);
    blob
}

/// An `ssh-rsa` public key line with exponent `e` and a 2048-bit odd
/// modulus.
fn rsa_line(e: &[u8]) -> String {
    format!(
        "ssh-rsa {} hostile",
        BASE64_STANDARD.encode(rsa_blob(e, &modulus()))
    )
}

#[test]
fn an_ssh_rsa_key_with_exponent_1_or_2_says_what_is_wrong() {
    let home = tempfile::tempdir().unwrap();
    for e in [1u8, 2] {
        let got = run(home.path(), &["seal", "-r", &rsa_line(&[e]), "-a"]);
        assert_error(
            &got,
            2,
            &format!(
                "invalid recipient: ssh-rsa key with public exponent {e} is not a valid RSA key"
            ),
            "'ssh-rsa AAAA",
        );
        assert!(!got.1.contains("unsupported"), "{}", got.1);
    }
    // The same modulus with the usual exponent is a key lockbox seals to.
    let (code, stderr) = run(home.path(), &["seal", "-r", &rsa_line(&[1, 0, 1]), "-a"]);
    assert_eq!(code, Some(0), "{stderr}");
}

const NON_CANONICAL_ZERO: &str =
    "the ssh-rsa key is malformed: one of its numbers is a non-canonical zero";

#[test]
fn an_ssh_rsa_key_with_a_number_of_zero_bytes_is_refused_without_a_panic() {
    // The age crate's SSH parser reads past the end of such a number
    // (found by the recipients fuzz target).
    let home = tempfile::tempdir().unwrap();
    let lines = [
        "ssh-rsa AAAAB3NzaC1yc2EAAAABAA==".to_owned(),
        format!(
            "ssh-rsa {}",
            BASE64_STANDARD.encode(rsa_blob(&[0, 0], &modulus()))
        ),
        format!(
            "ssh-rsa {}",
            BASE64_STANDARD.encode(rsa_blob(&[1, 0, 1], &[0; 3]))
        ),
    ];
    for line in &lines {
        let got = run(home.path(), &["seal", "-r", line, "-a"]);
        assert_error(
            &got,
            2,
            &format!("invalid recipient: {NON_CANONICAL_ZERO}"),
            "'ssh-rsa AAAA",
        );
        let file = home.path().join("recipients.txt");
        std::fs::write(&file, format!("{line}\n")).unwrap();
        let got = run(
            home.path(),
            &["contact", "add", "rsa", "--from", file.to_str().unwrap()],
        );
        assert_error(
            &got,
            2,
            &format!("recipients file '{}' line 1: ", file.display()),
            NON_CANONICAL_ZERO,
        );
    }
}

#[test]
fn an_openssh_rsa_identity_with_a_number_of_zero_bytes_is_refused_without_a_panic() {
    let home = tempfile::tempdir().unwrap();
    let rsa_key = |numbers: [&[u8]; 6]| {
        let mut key = Vec::new();
        put_string(&mut key, b"ssh-rsa");
        for m in numbers {
            put_string(&mut key, m);
        }
        key
    };
    let n = modulus();
    let one: &[u8] = &[1];
    let cases = [
        // The public key's exponent, then the private key's d.
        (
            rsa_blob(&[0], &n),
            rsa_key([&n, &[1, 0, 1], one, one, one, one]),
        ),
        (
            rsa_blob(&[1, 0, 1], &n),
            rsa_key([&n, &[1, 0, 1], &[0, 0], one, one, one]),
        ),
    ];
    // The age crate parses the key before it looks for the END line (the
    // identity fuzz target found a file whose END line was garbled).
    let files = cases.iter().flat_map(|(public, private)| {
        let text = openssh_file(public, private);
        let garbled = text.replace("-----END OPENSSH", "-----END OPETSSH");
        [text, garbled]
    });
    for text in files {
        let file = home.path().join("id_rsa");
        std::fs::write(&file, text).unwrap();
        for args in [
            &["seal", "-i", file.to_str().unwrap(), "-a"][..],
            &["keygen", "-y", file.to_str().unwrap()],
        ] {
            let got = run(home.path(), args);
            assert_error(
                &got,
                1,
                &format!("identity file '{}': ", file.display()),
                NON_CANONICAL_ZERO,
            );
        }
    }
}
