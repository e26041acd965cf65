//! Property tests: any corruption of a sealed file is detected (issue 5).
//!
//! Through the library's front door (`lockbox::open`): for random
//! plaintexts up to 300 KiB, a single-bit flip anywhere (binary and
//! armored), any truncation, any appended bytes, and reordering or
//! duplication of chunks give a failure of a documented class (armor,
//! header, HMAC, payload, or no match), never success with other plaintext,
//! never a panic; what was released before the failure is a prefix of the
//! plaintext. Through the binary, fewer cases: exit 4 (3 when a stanza is
//! damaged) and nothing left behind with `-o`.

mod common;

use std::path::Path;

use common::header_len;
use lockbox::layout as stream;
use lockbox::{Error, Identity, Options};
use proptest::prelude::*;

/// The X25519 identity of the CCTV vectors.
const IDENTITY: &str = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";

fn identity() -> Identity {
    IDENTITY.parse().unwrap()
}

fn options(threads: usize, armor: bool) -> Options {
    let mut o = Options::default();
    o.threads = threads;
    o.armor = armor;
    o
}

/// Plaintext lengths: anywhere up to 300 KiB, often near a chunk boundary.
fn plaintext_len() -> impl Strategy<Value = usize> {
    prop_oneof![
        0usize..300 * 1024,
        (0usize..=4, 0usize..=4).prop_map(|(k, d)| (k * stream::CHUNK + d).saturating_sub(2)),
    ]
}

fn seal(plain: &[u8], armored: bool) -> Vec<u8> {
    let recipient = identity().to_recipient().unwrap();
    let mut out = Vec::new();
    lockbox::seal(&[recipient], plain, &mut out, &options(2, armored)).unwrap();
    out
}

/// `plain` sealed to the vectors' identity and signed by it (a sender may
/// seal to itself, as the `x25519_to_self` vector does).
fn seal_signed(plain: &[u8], armored: bool) -> Vec<u8> {
    let recipient = identity().to_recipient().unwrap();
    let sender = identity();
    let mut out = Vec::new();
    lockbox::Encryptor::new(&[recipient], &options(2, armored))
        .unwrap()
        .sign(&sender)
        .unwrap()
        .seal(plain, &mut out)
        .unwrap();
    out
}

/// Checks a damaged signed file: a failure of a documented class, or (for
/// armor, whose whitespace is free) the very same plaintext; and nothing
/// released on a failure, since a signed file releases nothing before its
/// seal is verified.
fn check_damaged_signed(damaged: &[u8], plain: &[u8]) -> Result<(), TestCaseError> {
    let mut out = Vec::new();
    let r = lockbox::open(&[identity()], damaged, &mut out, &options(2, false));
    match r {
        Ok(sender) => {
            prop_assert!(
                out == plain,
                "a damaged signed file opened to other plaintext"
            );
            let expected = identity().to_recipient().unwrap().to_string();
            prop_assert_eq!(sender, lockbox::Sender::SealedBy(expected));
        }
        Err(e) => {
            let c = class(&e);
            prop_assert!(c != "work factor", "{}", c);
            prop_assert!(
                out.is_empty(),
                "released {} bytes of a signed file",
                out.len()
            );
        }
    }
    Ok(())
}

/// The failure class of an open, by the vectors' names.
fn class(err: &Error) -> &'static str {
    match err {
        Error::Armor(_) => "armor",
        Error::Header(_) | Error::Truncated(lockbox::Part::Header, _) => "header",
        Error::Hmac => "hmac",
        Error::Payload(_) | Error::Truncated(lockbox::Part::Payload, _) => "payload",
        Error::NoMatch(_) => "no match",
        Error::WorkFactor(_) => "work factor",
        Error::Memory { .. } => "work factor",
        Error::SenderSeal(_) => "sender seal",
        _ => panic!("an open failed outside the documented classes: {err}"),
    }
}

/// Opens `sealed`; returns the failure class (None on success) and what was
/// released.
fn open(sealed: &[u8], threads: usize) -> (Option<&'static str>, Vec<u8>) {
    let mut out = Vec::new();
    let r = lockbox::open(&[identity()], sealed, &mut out, &options(threads, false));
    (r.err().map(|e| class(&e)), out)
}

/// Checks a damaged binary file: a failure, of a class that fits where the
/// damage is, releasing only a prefix of the plaintext.
fn check_damaged(
    damaged: &[u8],
    plain: &[u8],
    header: usize,
    first_change: usize,
    threads: usize,
) -> Result<(), TestCaseError> {
    let (class, released) = open(damaged, threads);
    let Some(class) = class else {
        return Err(TestCaseError::fail(format!(
            "a damaged file opened ({} bytes released, change at {first_change}, header {header})",
            released.len()
        )));
    };
    prop_assert!(
        plain.starts_with(&released),
        "released {} bytes that are not a prefix of the plaintext",
        released.len()
    );
    if first_change >= header {
        prop_assert!(
            class == "payload" || (class == "header" && first_change < header + stream::NONCE),
            "damage in the payload gave a {class} failure"
        );
    } else {
        prop_assert!(
            matches!(class, "header" | "hmac" | "no match"),
            "damage in the header gave a {class} failure"
        );
        prop_assert!(released.is_empty(), "released plaintext with a bad header");
    }
    Ok(())
}

/// Checks a damaged armored file: a failure releasing only a prefix, or
/// success with the very same plaintext (whitespace around the armor and
/// the final line end are free).
fn check_damaged_armored(damaged: &[u8], plain: &[u8]) -> Result<(), TestCaseError> {
    let (class, released) = open(damaged, 2);
    match class {
        None => prop_assert!(
            released == plain,
            "an altered armored file opened to other plaintext"
        ),
        Some(c) => {
            prop_assert!(
                matches!(c, "armor" | "header" | "hmac" | "payload" | "no match"),
                "{c}"
            );
            prop_assert!(plain.starts_with(&released), "released a non-prefix");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn a_signed_file_round_trips_and_names_its_sender(len in plaintext_len(), seed: u64, armored: bool) {
        let plain = common::bytes(len, seed);
        let sealed = seal_signed(&plain, armored);
        check_damaged_signed(&sealed, &plain)?;
    }

    #[test]
    fn any_bit_flip_in_a_signed_file_is_detected(
        len in plaintext_len(), seed: u64, armored: bool, at: prop::sample::Index, bit in 0u8..8,
    ) {
        let plain = common::bytes(len, seed);
        let mut sealed = seal_signed(&plain, armored);
        let i = at.index(sealed.len());
        sealed[i] ^= 1 << bit;
        check_damaged_signed(&sealed, &plain)?;
        if !armored {
            // Binary: no byte is free, so it must fail.
            let mut out = Vec::new();
            prop_assert!(lockbox::open(&[identity()], &sealed[..], &mut out, &options(1, false)).is_err());
        }
    }

    #[test]
    fn any_truncation_of_a_signed_file_is_detected(
        len in plaintext_len(), seed: u64, armored: bool, at: prop::sample::Index,
    ) {
        let plain = common::bytes(len, seed);
        let sealed = seal_signed(&plain, armored);
        let cut = at.index(sealed.len());
        check_damaged_signed(&sealed[..cut], &plain)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn round_trip(len in plaintext_len(), seed: u64, armored: bool, threads in 1usize..=3) {
        let plain = common::bytes(len, seed);
        let sealed = seal(&plain, armored);
        let (class, released) = open(&sealed, threads);
        prop_assert_eq!(class, None);
        prop_assert!(released == plain);
    }

    #[test]
    fn any_bit_flip_is_detected(
        len in plaintext_len(), seed: u64, at: prop::sample::Index, bit in 0u8..8, threads in 1usize..=2,
    ) {
        let plain = common::bytes(len, seed);
        let mut sealed = seal(&plain, false);
        let header = header_len(&sealed);
        let i = at.index(sealed.len());
        sealed[i] ^= 1 << bit;
        check_damaged(&sealed, &plain, header, i, threads)?;
    }

    #[test]
    fn any_bit_flip_in_the_header_is_detected(
        len in 0usize..1000, seed: u64, at: prop::sample::Index, bit in 0u8..8,
    ) {
        // The header is a small part of the file: flip there on purpose too.
        let plain = common::bytes(len, seed);
        let mut sealed = seal(&plain, false);
        let header = header_len(&sealed);
        let i = at.index(header);
        sealed[i] ^= 1 << bit;
        check_damaged(&sealed, &plain, header, i, 1)?;
    }

    #[test]
    fn any_bit_flip_in_armor_is_detected(
        len in plaintext_len(), seed: u64, at: prop::sample::Index, bit in 0u8..8,
    ) {
        let plain = common::bytes(len, seed);
        let mut sealed = seal(&plain, true);
        let i = at.index(sealed.len());
        sealed[i] ^= 1 << bit;
        check_damaged_armored(&sealed, &plain)?;
    }

    #[test]
    fn any_truncation_is_detected(
        len in plaintext_len(), seed: u64, at: prop::sample::Index, armored: bool,
    ) {
        let plain = common::bytes(len, seed);
        let sealed = seal(&plain, armored);
        let cut = at.index(sealed.len());
        if armored {
            check_damaged_armored(&sealed[..cut], &plain)?;
        } else {
            let header = header_len(&sealed);
            check_damaged(&sealed[..cut], &plain, header, cut, 2)?;
        }
    }

    #[test]
    fn any_appended_bytes_are_detected(
        len in plaintext_len(), seed: u64, extra in prop::collection::vec(any::<u8>(), 1..100), armored: bool,
    ) {
        let plain = common::bytes(len, seed);
        let mut sealed = seal(&plain, armored);
        let end = sealed.len();
        sealed.extend_from_slice(&extra);
        if armored {
            check_damaged_armored(&sealed, &plain)?;
        } else {
            let header = header_len(&sealed);
            check_damaged(&sealed, &plain, header, end, 2)?;
        }
    }

    #[test]
    fn reordered_or_duplicated_chunks_are_detected(
        len in stream::CHUNK + 1..300 * 1024, seed: u64, a: prop::sample::Index, b: prop::sample::Index,
        how in 0u8..3, threads in 1usize..=2,
    ) {
        let plain = common::bytes(len, seed);
        let sealed = seal(&plain, false);
        let start = header_len(&sealed) + stream::NONCE;
        let chunks: Vec<&[u8]> = sealed[start..].chunks(stream::ENC_CHUNK).collect();
        let (i, j) = (a.index(chunks.len()), b.index(chunks.len()));
        let mut order: Vec<usize> = (0..chunks.len()).collect();
        match how {
            // Swap two different chunks.
            0 => {
                let j = if i == j { (j + 1) % chunks.len() } else { j };
                order.swap(i, j);
            }
            // Duplicate one chunk in place.
            1 => order.insert(i, i),
            // Copy one chunk over another position (j != i).
            _ => {
                let j = if i == j { (j + 1) % chunks.len() } else { j };
                order[j] = i;
            }
        }
        let mut damaged = sealed[..start].to_vec();
        for k in &order {
            damaged.extend_from_slice(chunks[*k]);
        }
        let first = order.iter().enumerate().position(|(p, k)| p != *k).unwrap();
        let (class, released) = open(&damaged, threads);
        prop_assert_eq!(class, Some("payload"));
        prop_assert!(plain.starts_with(&released));
        // Nothing from the first moved chunk on is released.
        prop_assert!(released.len() <= first * stream::CHUNK);
    }
}

/// A sealed file on disk for the binary tests, with the identity file.
fn sealed_on_disk(dir: &Path, plain: &[u8], armored: bool) -> Vec<u8> {
    std::fs::write(dir.join("key.txt"), format!("{IDENTITY}\n")).unwrap();
    seal(plain, armored)
}

/// Runs `lockbox open -o out` on `damaged`; checks the exit status class and
/// that neither `out` nor a temporary is left. Returns the exit code.
fn open_with_binary(dir: &Path, damaged: &[u8]) -> Result<i32, TestCaseError> {
    let input = dir.join("damaged.age");
    let out = dir.join("out");
    let _ = std::fs::remove_file(&out);
    std::fs::write(&input, damaged).unwrap();
    let o = common::lockbox(dir)
        .args(["open", "-q", "-i"])
        .arg(dir.join("key.txt"))
        .arg("-o")
        .arg(&out)
        .arg(&input)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    prop_assert!(
        stderr.starts_with("lockbox: error: ") && !stderr.contains("panicked"),
        "{}",
        stderr
    );
    prop_assert!(!out.exists(), "a failed open left its output");
    let left: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("lockbox-tmp"))
        .collect();
    prop_assert!(left.is_empty(), "temporary files left: {:?}", left);
    Ok(o.status.code().unwrap_or(-1))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn binary_bit_flip_exits_4_or_3_and_leaves_nothing(
        len in plaintext_len(), seed: u64, at: prop::sample::Index, bit in 0u8..8, armored: bool,
        in_header: bool,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let plain = common::bytes(len, seed);
        let mut sealed = sealed_on_disk(dir.path(), &plain, armored);
        let header = if armored { 0 } else { header_len(&sealed) };
        let i = if in_header && !armored {
            at.index(header)
        } else {
            at.index(sealed.len())
        };
        sealed[i] ^= 1 << bit;
        if armored && open(&sealed, 1).0.is_none() {
            // A whitespace change the armor allows: not damage.
            return Ok(());
        }
        let code = open_with_binary(dir.path(), &sealed)?;
        if !armored && i >= header {
            prop_assert_eq!(code, 4);
        } else {
            prop_assert!(code == 4 || code == 3, "exit {}", code);
        }
    }

    #[test]
    fn binary_truncation_or_appending_exits_4_and_leaves_nothing(
        len in plaintext_len(), seed: u64, at: prop::sample::Index, append: bool,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let plain = common::bytes(len, seed);
        let mut sealed = sealed_on_disk(dir.path(), &plain, false);
        if append {
            sealed.push(at.index(256) as u8);
        } else {
            sealed.truncate(at.index(sealed.len()));
        }
        prop_assert_eq!(open_with_binary(dir.path(), &sealed)?, 4);
    }
}
