//! `ArmoredReader` on arbitrary bytes: no panic, errors are armor errors,
//! and what decodes re-encodes and decodes to the same bytes.
#![no_main]

use std::io::{Read, Write};

use libfuzzer_sys::fuzz_target;
use lockbox::format::{armor, format_error_of, FormatError};

fn decode(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    armor::ArmoredReader::new(data).read_to_end(&mut out)?;
    Ok(out)
}

fuzz_target!(|data: &[u8]| {
    match decode(data) {
        Ok(plain) => {
            let mut w = armor::ArmoredWriter::new(Vec::new()).unwrap();
            w.write_all(&plain).unwrap();
            let text = w.finish().unwrap();
            assert_eq!(decode(&text).expect("written armor decodes"), plain);
        }
        Err(e) => {
            assert!(
                matches!(format_error_of(&e), Some(FormatError::Armor(_))),
                "not an armor error: {e:?}"
            );
        }
    }
});
