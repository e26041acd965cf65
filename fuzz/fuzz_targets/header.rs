//! The engine's header on arbitrary bytes: see `lockbox::fuzzing::header` (in
//! src/fuzzing.rs, built only under `cargo fuzz`) for the properties.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| lockbox::fuzzing::header(data));
