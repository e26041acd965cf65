//! `stream::open_payload` with a fixed file key (the CCTV vectors' "YELLOW
//! SUBMARINE" key): no panic, payload-class errors only, and the sequential
//! and parallel paths agree on what they release and whether they succeed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lockbox::format::{format_error_of, stream, FormatError};

const KEY: [u8; 16] = *b"YELLOW SUBMARINE";

fn open(data: &[u8], threads: usize) -> (Result<(), String>, Vec<u8>) {
    let key = age_core::format::FileKey::new(Box::new(KEY));
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
            Some(FormatError::Payload(_)) | Some(FormatError::Header(_)) => {}
            other => panic!("unexpected error class: {other:?} ({e})"),
        }
        e.to_string()
    });
    (r, out)
}

fuzz_target!(|data: &[u8]| {
    let (r1, out1) = open(data, 1);
    if let Ok(()) = r1 {
        // Plaintext is ciphertext minus nonce and one tag per chunk.
        assert!(out1.len() + stream::NONCE <= data.len());
    }
    // The parallel path only differs from 4 chunks up.
    if data.len() >= stream::NONCE + 3 * stream::ENC_CHUNK {
        let (r2, out2) = open(data, 2);
        assert_eq!(
            r1.is_ok(),
            r2.is_ok(),
            "threads 1 vs 2 disagree: {r1:?} {r2:?}"
        );
        if r1.is_ok() {
            assert_eq!(out1, out2);
        }
    }
});
