//! Recipients: `keys::parse_recipient` on every line and
//! `keys::read_recipients_file` on the whole (through a temporary file):
//! no panic, and the file reader agrees with the line parser. Every
//! recipient that parses (plugins aside: they run a program) also wraps a
//! file key, so a key the parser lets through cannot make sealing panic
//! (the age crate panics on a small-order X25519 key).
#![no_main]

use std::sync::OnceLock;

use age::Recipient as _;
use libfuzzer_sys::fuzz_target;
use lockbox::keys::{self, RecipientEntry};

fn path() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

/// Wraps a file key to a parsed recipient; it must not fail.
fn wrap(entry: &RecipientEntry) {
    let key = age_core::format::FileKey::new(Box::new([7; 16]));
    let wrapped = match entry {
        RecipientEntry::X25519(r) => r.wrap_file_key(&key),
        RecipientEntry::Pq(r) => r.wrap_file_key(&key),
        RecipientEntry::Ssh(r) => r.wrap_file_key(&key),
        RecipientEntry::Plugin(_) => return,
    };
    assert!(wrapped.is_ok_and(|(stanzas, _)| stanzas.len() == 1));
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
            match keys::parse_recipient(line) {
                Ok(entry) => wrap(&entry),
                Err(_) => all_lines_ok = false,
            }
        }
    }
    let file = path().join("recipients");
    std::fs::write(&file, data).unwrap();
    let r = keys::read_recipients_file(&file);
    if let Ok(rs) = &r {
        assert!(all_lines_ok && rs.len() == count);
    } else if std::str::from_utf8(data).is_ok() && count > 0 && count <= keys::MAX_RECIPIENTS {
        assert!(!all_lines_ok, "the file was refused but every line parses");
    }
});
