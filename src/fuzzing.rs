//! The engine's own properties on arbitrary bytes, for the fuzz targets
//! that reach below the front door (`fuzz/fuzz_targets/{header,armor,
//! stream}.rs`). Compiled only under `cargo fuzz` (`--cfg fuzzing`); not
//! part of the API.

use std::io::{Read, Write};

use age_core::format::FileKey;

use crate::format::{armor, format_error_of, header, stream, FormatError, Header};

/// `Header::read`: no panic, and a header that parses consumed exactly its
/// own bytes and re-encodes to the same stanzas.
pub fn header(data: &[u8]) {
    let mut r = data;
    if let Ok(h) = Header::read(&mut r) {
        assert_eq!(h.size + r.len(), data.len(), "the header read past itself");
        assert!(!h.stanzas.is_empty());
        // What parsed re-encodes to a header with the same stanzas.
        let key = FileKey::new(Box::new([7; 16]));
        let again = header::write_header(&h.stanzas, &key);
        let h2 = Header::read(&mut &again[..]).expect("a written header parses");
        assert_eq!(h2.stanzas.len(), h.stanzas.len());
        for (a, b) in h.stanzas.iter().zip(&h2.stanzas) {
            assert_eq!((&a.tag, &a.args, &a.body), (&b.tag, &b.args, &b.body));
        }
        h2.verify_mac(&key)
            .expect("a written header's MAC verifies");
    }
}

fn decode_armor(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    armor::ArmoredReader::new(data).read_to_end(&mut out)?;
    Ok(out)
}

/// `ArmoredReader`: no panic, errors are armor errors, and what decodes
/// re-encodes and decodes to the same bytes.
pub fn armor(data: &[u8]) {
    match decode_armor(data) {
        Ok(plain) => {
            let mut w = armor::ArmoredWriter::new(Vec::new()).unwrap();
            w.write_all(&plain).unwrap();
            let text = w.finish().unwrap();
            assert_eq!(decode_armor(&text).expect("written armor decodes"), plain);
        }
        Err(e) => {
            assert!(
                matches!(format_error_of(&e), Some(FormatError::Armor(_))),
                "not an armor error: {e:?}"
            );
        }
    }
}

/// The CCTV vectors' "YELLOW SUBMARINE" file key.
const KEY: [u8; 16] = *b"YELLOW SUBMARINE";

fn open_payload(data: &[u8], threads: usize) -> (Result<(), String>, Vec<u8>) {
    let key = FileKey::new(Box::new(KEY));
    let mut out = Vec::new();
    let r = stream::open_payload(
        &key,
        data,
        &mut out,
        stream::StreamOptions { threads },
        &mut |_| {},
    );
    let r = r.map_err(|e| {
        match format_error_of(&e) {
            Some(FormatError::Payload(_) | FormatError::Header(_) | FormatError::Truncated(..)) => {
            }
            other => panic!("unexpected error class: {other:?} ({e})"),
        }
        e.to_string()
    });
    (r, out)
}

/// `stream::open_payload` with a fixed file key: no panic, payload-class
/// errors only, and the sequential and parallel paths agree on what they
/// release and whether they succeed.
pub fn stream(data: &[u8]) {
    let (r1, out1) = open_payload(data, 1);
    if let Ok(()) = r1 {
        // Plaintext is ciphertext minus nonce and one tag per chunk.
        assert!(out1.len() + stream::NONCE <= data.len());
    }
    // The parallel path only differs from 4 chunks up.
    if data.len() >= stream::NONCE + 3 * stream::ENC_CHUNK {
        let (r2, out2) = open_payload(data, 2);
        assert_eq!(
            r1.is_ok(),
            r2.is_ok(),
            "threads 1 vs 2 disagree: {r1:?} {r2:?}"
        );
        if r1.is_ok() {
            assert_eq!(out1, out2);
        }
    }
}
