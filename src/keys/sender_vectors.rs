//! The lockbox-sender/v1 vectors (tests/data/sender-auth, issue 12)
//! through the library: the header parsed and the file key unwrapped by the
//! same code as `open`, armor removed by the same reader, the payload
//! decrypted and hashed, then the sender seal verified with the vector's
//! identities.
//!
//! The front door has no sender seal yet, so the vectors reach the engine
//! from inside the crate, as a unit test of `keys`; `tests/sign.rs` runs
//! `seal --sign` and `open --from` through the binary.

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::format::sender::{self, InvalidSeal, PayloadDigest, SenderError, Verified};
use crate::format::stream::{ENC_CHUNK, NONCE};
use crate::format::{self, StreamOptions};
use crate::keys::{self, IdentityEntry};
use sha2::{Digest, Sha256};

struct Vector {
    name: String,
    expect: String,
    sender: Option<String>,
    payload: Option<String>,
    identities: Vec<String>,
    armored: bool,
    file: Vec<u8>,
}

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sender-auth")
}

fn load_vectors() -> Vec<Vector> {
    let mut paths: Vec<_> = std::fs::read_dir(vectors_dir())
        .expect("the vectors are in tests/data/sender-auth")
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".md") {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let split = data
            .windows(2)
            .position(|w| w == b"\n\n")
            .expect("a vector has a header and a body");
        let mut v = Vector {
            name,
            expect: String::new(),
            sender: None,
            payload: None,
            identities: Vec::new(),
            armored: false,
            file: data[split + 2..].to_vec(),
        };
        for line in std::str::from_utf8(&data[..split]).unwrap().lines() {
            let (k, val) = line.split_once(": ").expect("key: value");
            match k {
                "expect" => v.expect = val.to_owned(),
                "sender" => v.sender = Some(val.to_owned()),
                "payload" => v.payload = Some(val.to_owned()),
                "identity" => v.identities.push(val.to_owned()),
                "armored" => v.armored = val == "yes",
                "comment" => {}
                other => panic!("{}: unknown key {other:?}", v.name),
            }
        }
        out.push(v);
    }
    out
}

/// Why each `invalid` vector is invalid, from its comment: it must fail
/// for that reason, not by accident for another.
fn expected_reason(name: &str) -> InvalidSeal {
    match name {
        "body_bad_length" | "no_macs" => InvalidSeal::BodyLength,
        "body_wrong_key" => InvalidSeal::BodyDecrypt,
        "forged_payload_by_corecipient" | "forwarded" | "no_mac_for_this_recipient" => {
            InvalidSeal::NoMatch
        }
        "low_order_sender" => InvalidSeal::LowOrderSender,
        "sender_stanza_not_last" => InvalidSeal::NotLast,
        "sender_stanza_with_argument" => InvalidSeal::Arguments,
        "two_sender_stanzas" => InvalidSeal::Doubled,
        other => panic!("{other}: an invalid vector this test does not know"),
    }
}

fn identity_entry(s: &str) -> IdentityEntry {
    if s.starts_with("AGE-SECRET-KEY-PQ-1") {
        IdentityEntry::Pq(keys::pq::Identity::from_str(s).unwrap())
    } else {
        IdentityEntry::X25519(age::x25519::Identity::from_str(s).unwrap())
    }
}

/// What the library says about one vector.
struct Outcome {
    /// The verdict on the sender seal.
    verdict: Result<Verified, SenderError>,
    /// The same check with no X25519 key at hand.
    without_keys: Result<Verified, SenderError>,
    /// SHA-256 of the decrypted plaintext, hex.
    plaintext_hash: String,
    /// Whether the armor reader was used.
    armored: bool,
}

fn run(v: &Vector) -> Outcome {
    let entries: Vec<IdentityEntry> = v.identities.iter().map(|s| identity_entry(s)).collect();
    let keys: Vec<sender::X25519Key> = entries
        .iter()
        .filter_map(keys::sender::identity_key)
        .collect();
    assert_eq!(
        keys.len(),
        entries.len(),
        "{}: every identity has an X25519 key",
        v.name
    );
    let ids: Vec<Box<dyn age::Identity>> = entries
        .into_iter()
        .map(|e| -> Box<dyn age::Identity> {
            match e {
                IdentityEntry::X25519(i) => Box::new(i),
                IdentityEntry::Pq(i) => Box::new(i),
                _ => unreachable!(),
            }
        })
        .collect();
    let refs: Vec<&dyn age::Identity> = ids.iter().map(|b| b.as_ref()).collect();

    // Step 1 of "Verifying": open the header as `open` does (armor
    // detected and removed by the same reader).
    let mut sealed = format::read_header(Cursor::new(v.file.clone()))
        .unwrap_or_else(|e| panic!("{}: header: {e:#}", v.name));
    let key = format::unwrap_file_key(&sealed.header, &refs)
        .unwrap_or_else(|e| panic!("{}: unwrap: {e:#}", v.name));

    // PD over the ciphertext chunks as they are in the file.
    let mut payload = Vec::new();
    sealed.payload.read_to_end(&mut payload).unwrap();
    let nonce: [u8; NONCE] = payload[..NONCE].try_into().unwrap();
    let mut pd = PayloadDigest::new(&nonce);
    for chunk in payload[NONCE..].chunks(ENC_CHUNK) {
        pd.push_chunk(chunk);
    }
    let pd = pd.finish();

    let mut plaintext = Vec::new();
    format::stream::open_payload(
        &key,
        Cursor::new(&payload),
        &mut plaintext,
        StreamOptions { threads: 1 },
        &mut |_| {},
    )
    .unwrap_or_else(|e| panic!("{}: payload: {e}", v.name));

    Outcome {
        verdict: sender::verify(&sealed.header, &key, &pd, &keys),
        without_keys: sender::verify(&sealed.header, &key, &pd, &[]),
        plaintext_hash: hex::encode(Sha256::digest(&plaintext)),
        armored: sealed.armored,
    }
}

/// The X25519 key A of a recipient string: itself, or a post-quantum
/// recipient's X25519 half.
fn sender_key(recipient: &str) -> [u8; 32] {
    let entry = keys::parse_recipient(recipient).unwrap_or_else(|e| panic!("{}", e.message));
    keys::sender::recipient_key(&entry).expect("a sender's recipient has an X25519 key")
}

fn check(v: &Vector) -> Result<(), String> {
    let o = run(v);
    if o.armored != v.armored {
        return Err(format!(
            "armored: {} where the vector says {}",
            o.armored, v.armored
        ));
    }
    if let Some(hash) = &v.payload {
        if &o.plaintext_hash != hash {
            return Err(format!(
                "plaintext hash {} where {hash} was expected",
                o.plaintext_hash
            ));
        }
    }
    match v.expect.as_str() {
        "sealed-by" => {
            let want = sender_key(
                v.sender
                    .as_deref()
                    .expect("a sealed-by vector names its sender"),
            );
            if o.verdict != Ok(Verified::SealedBy(want)) {
                return Err(format!(
                    "verdict {:?}, expected sealed by {}",
                    o.verdict,
                    hex::encode(want)
                ));
            }
            if o.without_keys != Err(SenderError::NotVerifiable) {
                return Err(format!(
                    "without keys: {:?}, expected not verifiable",
                    o.without_keys
                ));
            }
        }
        "unsigned" => {
            if o.verdict != Ok(Verified::Unsigned) || o.without_keys != Ok(Verified::Unsigned) {
                return Err(format!(
                    "verdict {:?} / {:?}, expected unsigned",
                    o.verdict, o.without_keys
                ));
            }
        }
        "invalid" => {
            let want = Err(SenderError::Invalid(expected_reason(&v.name)));
            if o.verdict != want {
                return Err(format!("verdict {:?}, expected {want:?}", o.verdict));
            }
        }
        other => return Err(format!("unknown expectation {other:?}")),
    }
    Ok(())
}

#[test]
fn every_sender_vector_through_the_library() {
    let vectors = load_vectors();
    assert_eq!(vectors.len(), 22, "all 22 sender-auth vectors are present");
    let mut failures = Vec::new();
    for v in &vectors {
        if let Err(m) = check(v) {
            failures.push(format!("{} ({}): {m}", v.name, v.expect));
        }
    }
    // Past the harness's capture, so every run shows how many ran.
    writeln!(
        std::io::stderr(),
        "sender-auth vectors, library: ran {} vectors, {} failures",
        vectors.len(),
        failures.len()
    )
    .unwrap();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_vectors_cover_each_expectation_and_rule() {
    let vectors = load_vectors();
    let count = |e: &str| vectors.iter().filter(|v| v.expect == e).count();
    assert_eq!(
        (count("sealed-by"), count("unsigned"), count("invalid")),
        (11, 1, 10)
    );
    // Every rule of step 3 and 5 has a vector.
    let mut reasons: Vec<InvalidSeal> = vectors
        .iter()
        .filter(|v| v.expect == "invalid")
        .map(|v| expected_reason(&v.name))
        .collect();
    reasons.sort_by_key(|r| format!("{r:?}"));
    reasons.dedup();
    assert_eq!(reasons.len(), 7, "{reasons:?}");
    assert!(vectors.iter().any(|v| v.armored && v.expect == "sealed-by"));
}
