//! A whole open (`format::decrypt`) of arbitrary input with the CCTV
//! vectors' X25519 identity: no panic, and every failure is one of the
//! documented classes (exit 3 or 4), never a bare I/O error.
#![no_main]

use std::str::FromStr;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use lockbox::format::{self, FormatError};

const IDENTITY: &str = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";

fn identity() -> &'static age::x25519::Identity {
    static ID: OnceLock<age::x25519::Identity> = OnceLock::new();
    ID.get_or_init(|| age::x25519::Identity::from_str(IDENTITY).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let mut out = Vec::new();
    let ids: [&dyn age::Identity; 1] = [identity()];
    let r = format::decrypt(
        std::io::Cursor::new(data.to_vec()),
        &ids,
        &mut out,
        format::StreamOptions { threads: 1 },
    );
    if let Err(e) = r {
        let class = e.chain().find_map(|c| c.downcast_ref::<FormatError>());
        assert!(class.is_some(), "an open failed outside the classes: {e:#}");
        let _ = lockbox::error::render(&e);
    }
});
