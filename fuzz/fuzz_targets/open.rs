//! A whole open through the front door (`lockbox::open`) of arbitrary input
//! with the CCTV vectors' X25519 identity: no panic, and every failure is
//! one of the documented classes (exit 3 or 4), never a bare I/O error.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use lockbox::{Error, Identity, Options};

const IDENTITY: &str = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";

fn identity() -> &'static [Identity] {
    static ID: OnceLock<[Identity; 1]> = OnceLock::new();
    ID.get_or_init(|| [IDENTITY.parse().unwrap()])
}

fn options() -> &'static Options {
    static OPTIONS: OnceLock<Options> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut o = Options::default();
        o.threads = 1;
        o
    })
}

fuzz_target!(|data: &[u8]| {
    let mut out = Vec::new();
    if let Err(e) = lockbox::open(identity(), data, &mut out, options()) {
        assert!(
            matches!(
                e,
                Error::Armor(_)
                    | Error::Header(_)
                    | Error::Hmac
                    | Error::Payload(_)
                    | Error::Truncated(..)
                    | Error::NoMatch(_)
                    | Error::WorkFactor(_)
                    | Error::Memory { .. }
            ),
            "an open failed outside the classes: {e}"
        );
        let _ = e.to_string();
    }
});
