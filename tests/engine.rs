//! The parallel STREAM engine through the front door: every thread count
//! opens what any other sealed, binary and armored, at sizes around chunk
//! and batch edges. (That the sealed bytes are the same whatever the thread
//! count is checked inside the crate, where the file key can be fixed:
//! `format::tests::output_is_identical_for_every_thread_count`.)

mod common;

use lockbox::layout::CHUNK;
use lockbox::{Identity, Options};

fn options(threads: usize, armor: bool) -> Options {
    let mut o = Options::default();
    o.threads = threads;
    o.armor = armor;
    o
}

#[test]
fn every_thread_count_opens_what_any_other_sealed() {
    let identity = Identity::generate();
    let recipient = identity.to_recipient().unwrap();
    // Sizes around chunk and batch edges (a batch is 16 chunks per thread).
    for len in [
        0,
        1,
        CHUNK - 1,
        CHUNK,
        CHUNK + 1,
        16 * CHUNK,
        16 * CHUNK + 1,
        33 * CHUNK - 5,
        64 * CHUNK + 1,
    ] {
        let data = common::bytes(len, len as u64 + 1);
        for armor in [false, true] {
            for seal_threads in [1, 3] {
                let mut sealed = Vec::new();
                lockbox::seal(
                    std::slice::from_ref(&recipient),
                    &data[..],
                    &mut sealed,
                    &options(seal_threads, armor),
                )
                .unwrap();
                for open_threads in [1, 2, 5] {
                    let mut plain = Vec::new();
                    lockbox::open(
                        std::slice::from_ref(&identity),
                        &sealed[..],
                        &mut plain,
                        &options(open_threads, false),
                    )
                    .unwrap();
                    assert!(
                        plain == data,
                        "len {len}, armor {armor}: sealed with {seal_threads}, opened with {open_threads}"
                    );
                }
            }
        }
    }
}
