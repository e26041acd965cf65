//! `Identity::parse_file` on arbitrary identity file contents, straight
//! from memory (a protected one gets the passphrase "password"): no panic,
//! and every identity parsed has a recipient.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lockbox::Identity;

fuzz_target!(|data: &[u8]| {
    if let Ok(ids) = Identity::parse_file(data, |_| Some("password".to_owned().into())) {
        assert!(!ids.is_empty());
        for id in &ids {
            let _ = id.to_recipient();
        }
    }
});
