//! `Header::read` on arbitrary bytes: no panic, and a header that parses
//! consumed exactly its own bytes and re-encodes to the same stanzas.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lockbox::format::Header;

fuzz_target!(|data: &[u8]| {
    let mut r = data;
    if let Ok(h) = Header::read(&mut r) {
        assert_eq!(h.size + r.len(), data.len(), "the header read past itself");
        assert!(!h.stanzas.is_empty());
        // What parsed re-encodes to a header with the same stanzas.
        let key = age_core::format::FileKey::new(Box::new([7; 16]));
        let again = lockbox::format::header::write_header(&h.stanzas, &key);
        let h2 = Header::read(&mut &again[..]).expect("a written header parses");
        assert_eq!(h2.stanzas.len(), h.stanzas.len());
        for (a, b) in h.stanzas.iter().zip(&h2.stanzas) {
            assert_eq!((&a.tag, &a.args, &a.body), (&b.tag, &b.args, &b.body));
        }
        h2.verify_mac(&key)
            .expect("a written header's MAC verifies");
    }
});
