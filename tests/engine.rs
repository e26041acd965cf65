//! The parallel STREAM engine through the front door: every thread count
//! opens what any other sealed, binary and armored, at sizes around chunk
//! and batch edges. (That the sealed bytes are the same whatever the thread
//! count is checked inside the crate, where the file key can be fixed:
//! `format::tests::output_is_identical_for_every_thread_count`.)

mod common;

use lockbox::layout::{CHUNK, ENC_CHUNK, TAG};
use lockbox::{Decryptor, Identity, Options};

fn options(threads: usize, armor: bool) -> Options {
    let mut o = Options::default();
    o.threads = threads;
    o.armor = armor;
    o
}

#[test]
fn every_thread_count_opens_what_any_other_sealed() {
    let identities = [Identity::generate()];
    let recipients = [identities[0].to_recipient().unwrap()];
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
                let seal_opts = options(seal_threads, armor);
                lockbox::seal(&recipients, &data[..], &mut sealed, &seal_opts).unwrap();
                for open_threads in [1, 2, 5] {
                    let mut plain = Vec::new();
                    let open_opts = options(open_threads, false);
                    lockbox::open(&identities, &sealed[..], &mut plain, &open_opts).unwrap();
                    assert!(
                        plain == data,
                        "len {len}, armor {armor}: sealed with {seal_threads}, opened with {open_threads}"
                    );
                }
            }
        }
    }
}

/// Gives the bytes of `data` up to `fail_at`, then an error on every read.
struct FailingReader {
    data: Vec<u8>,
    at: usize,
    fail_at: usize,
}

impl std::io::Read for FailingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at >= self.fail_at {
            return Err(std::io::Error::other("the disk broke"));
        }
        let n = buf.len().min(self.fail_at - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn a_read_error_releases_the_same_whole_chunks_whatever_the_threads() {
    // A payload of 70 chunks; the input fails at, around and inside chunk
    // and batch edges (16 chunks a batch per thread), and in the last one.
    let identity = [Identity::generate()];
    let recipient = [identity[0].to_recipient().unwrap()];
    let chunk = CHUNK;
    let enc = ENC_CHUNK;
    let data = common::bytes(70 * chunk - 9, 7);
    let mut sealed = Vec::new();
    lockbox::seal(&recipient, &data[..], &mut sealed, &options(1, false)).unwrap();
    // Where the chunks start (a read error in the header's first kilobyte
    // fails before the payload, and is not the point here).
    let start = sealed.len() - (69 * enc + chunk - 9 + TAG);
    for fail_at in [
        start + enc - 1,
        start + enc,
        start + enc + 1,
        start + 16 * enc,
        start + 16 * enc + 1,
        start + 32 * enc - 1,
        start + 32 * enc,
        start + 40 * enc + 100,
        start + 64 * enc,
        start + 69 * enc,
        sealed.len() - 1,
    ] {
        let whole = (fail_at - start) / enc;
        for threads in [1, 2, 3, 4] {
            let input = FailingReader {
                data: sealed.clone(),
                at: 0,
                fail_at,
            };
            let mut out = Vec::new();
            let err = Decryptor::new(input, &options(threads, false))
                .unwrap()
                .open(&identity, &mut out)
                .unwrap_err();
            assert_eq!(err.to_string(), "the disk broke", "at {fail_at}");
            assert!(
                out == data[..whole * chunk],
                "failing at {fail_at} ({whole} whole chunks), {threads} threads: released {} bytes",
                out.len()
            );
        }
    }
}

/// The spooled front door: a signed file sealed and opened through an
/// unlinked temporary file holds its ciphertext there, not in memory; the
/// sender is known before a byte of plaintext is written; an unsigned file
/// is not spooled; damage is an error before anything is released.
#[test]
fn signed_files_through_a_spool_file() {
    use std::io::{Seek, SeekFrom};
    let (alice, bob) = (Identity::generate(), Identity::generate());
    let alice_recipient = alice.to_recipient().unwrap().to_string();
    let plain = common::bytes(5 * (1 << 20) + 123, 8);
    for threads in [1, 2] {
        let o = options(threads, false);
        let mut sealed = Vec::new();
        let mut spool = tempfile::tempfile().unwrap();
        lockbox::Encryptor::new(&[bob.to_recipient().unwrap()], &o)
            .unwrap()
            .sign(&alice)
            .unwrap()
            .seal_spooled(&plain[..], &mut sealed, &mut spool)
            .unwrap();
        assert_eq!(spool.seek(SeekFrom::End(0)).unwrap(), sealed.len() as u64);

        let mut spool = tempfile::tempfile().unwrap();
        let opened = Decryptor::new(&sealed[..], &o)
            .unwrap()
            .open_spooled(std::slice::from_ref(&bob), &mut spool)
            .unwrap();
        assert_eq!(
            opened.sender(),
            &lockbox::Sender::SealedBy(alice_recipient.clone())
        );
        let mut out = Vec::new();
        opened.write_to(&mut out).unwrap();
        assert!(out == plain, "{threads} threads: plaintext differs");
        let payload = sealed.len() - common::header_len(&sealed);
        assert_eq!(spool.seek(SeekFrom::End(0)).unwrap(), payload as u64);

        // A damaged chunk: refused by open_spooled, before any write_to.
        let mut bad = sealed.clone();
        let n = bad.len();
        bad[n - 3 * ENC_CHUNK] ^= 1;
        let r = Decryptor::new(&bad[..], &o)
            .unwrap()
            .open_spooled(std::slice::from_ref(&bob), tempfile::tempfile().unwrap());
        assert!(
            matches!(r, Err(lockbox::Error::Payload(_))),
            "{:?}",
            r.err()
        );

        // A spool used before, longer than this file: what lies after the
        // new file in it is not part of it, sealing or opening.
        let dirty = || std::io::Cursor::new(vec![0xAA; 9 << 20]);
        let mut again = Vec::new();
        lockbox::Encryptor::new(&[bob.to_recipient().unwrap()], &o)
            .unwrap()
            .sign(&alice)
            .unwrap()
            .seal_spooled(&plain[..], &mut again, dirty())
            .unwrap();
        assert_eq!(again.len(), sealed.len());
        let opened = Decryptor::new(&again[..], &o)
            .unwrap()
            .open_spooled(std::slice::from_ref(&bob), dirty())
            .unwrap();
        let mut out = Vec::new();
        opened.write_to(&mut out).unwrap();
        assert!(out == plain, "{threads} threads: through a used spool");

        // Unsigned: nothing spooled, the same plaintext.
        let mut unsigned = Vec::new();
        lockbox::seal(
            &[bob.to_recipient().unwrap()],
            &plain[..],
            &mut unsigned,
            &o,
        )
        .unwrap();
        let mut spool = tempfile::tempfile().unwrap();
        let opened = Decryptor::new(&unsigned[..], &o)
            .unwrap()
            .open_spooled(std::slice::from_ref(&bob), &mut spool)
            .unwrap();
        assert_eq!(opened.sender(), &lockbox::Sender::Unsigned);
        let mut out = Vec::new();
        opened.write_to(&mut out).unwrap();
        assert!(out == plain);
        assert_eq!(spool.seek(SeekFrom::End(0)).unwrap(), 0);
    }
}
