//! `keys::read_identity_file` on arbitrary file contents (it takes a path,
//! so the bytes go to a temporary file): no panic.
#![no_main]

use std::io::Write;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use lockbox::keys;
use lockbox::passphrase::PassphraseSource;

struct Files {
    _dir: tempfile::TempDir,
    identity: std::path::PathBuf,
    source: PassphraseSource,
}

fn files() -> &'static Files {
    static FILES: OnceLock<Files> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let pass = dir.path().join("pass");
        std::fs::write(&pass, "password\n").unwrap();
        Files {
            identity: dir.path().join("identity"),
            source: PassphraseSource {
                file: Some(pass),
                max_work_factor: None,
            },
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = files();
    let mut file = std::fs::File::create(&f.identity).unwrap();
    file.write_all(data).unwrap();
    drop(file);
    if let Ok(ids) = keys::read_identity_file(&f.identity, &f.source) {
        assert!(!ids.is_empty());
        for id in &ids {
            let _ = id.recipient();
        }
    }
});
