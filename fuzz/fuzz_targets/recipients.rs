//! Recipients through the front door: `Recipient::from_str` on every line
//! and `Recipient::parse_file` on the whole, straight from memory: no
//! panic, and the file parser agrees with the line parser. Every recipient
//! that parses (plugins aside: they run a program) also seals, so a key
//! the parser lets through cannot make sealing panic (the age crate panics
//! on a small-order X25519 key).
#![no_main]

use libfuzzer_sys::fuzz_target;
use lockbox::{limits, Options, Recipient};

/// A plugin recipient (`age1NAME1...`): its Bech32 separator is not the
/// `1` of `age1`, and it is not a post-quantum one.
fn is_plugin(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    l.starts_with("age1") && !l.starts_with("age1pq1") && l.rfind('1') != Some(3)
}

/// Seals an empty message to one parsed recipient; it must not fail.
fn seal(recipient: Recipient) {
    let mut out = Vec::new();
    let sealed = lockbox::seal(&[recipient], &b""[..], &mut out, &Options::default());
    assert!(sealed.is_ok(), "a recipient that parses must seal: {sealed:?}");
}

fuzz_target!(|data: &[u8]| {
    let mut all_lines_ok = true;
    let mut count = 0;
    if let Ok(text) = std::str::from_utf8(data) {
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            count += 1;
            match line.parse::<Recipient>() {
                Ok(r) if !is_plugin(line) => seal(r),
                Ok(_) => {}
                Err(_) => all_lines_ok = false,
            }
        }
    }
    let r = Recipient::parse_file(data);
    if let Ok(rs) = &r {
        assert!(all_lines_ok && rs.len() == count);
    } else if std::str::from_utf8(data).is_ok() && count > 0 && count <= limits::MAX_RECIPIENTS {
        assert!(!all_lines_ok, "the file was refused but every line parses");
    }
});
