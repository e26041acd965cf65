//! Recipients: `keys::parse_recipient` on every line and
//! `keys::read_recipients_file` on the whole (through a temporary file):
//! no panic, and the file reader agrees with the line parser.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use lockbox::keys;

fn path() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
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
            all_lines_ok &= keys::parse_recipient(line).is_ok();
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
