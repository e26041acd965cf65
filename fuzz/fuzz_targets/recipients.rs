//! Recipients through the front door: `Recipient::from_str` on every line
//! and `Recipient::parse_file` on the whole, straight from memory: no
//! panic, and the file parser agrees with the line parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lockbox::{limits, Recipient};

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
            all_lines_ok &= line.parse::<Recipient>().is_ok();
        }
    }
    let r = Recipient::parse_file(data);
    if let Ok(rs) = &r {
        assert!(all_lines_ok && rs.len() == count);
    } else if std::str::from_utf8(data).is_ok() && count > 0 && count <= limits::MAX_RECIPIENTS {
        assert!(!all_lines_ok, "the file was refused but every line parses");
    }
});
