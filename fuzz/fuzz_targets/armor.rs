//! The engine's armor on arbitrary bytes: see `lockbox::fuzzing::armor` (in
//! src/fuzzing.rs, built only under `cargo fuzz`) for the properties.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| lockbox::fuzzing::armor(data));
