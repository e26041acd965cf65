//! The parallel STREAM engine: output is byte-identical whatever the
//! thread count, and every thread count opens what any other sealed.

mod common;

use std::io::Cursor;

use age_core::format::{FileKey, Stanza};
use lockbox::format::{self, stream, StreamOptions};

fn seal(data: &[u8], threads: usize, armored: bool) -> Vec<u8> {
    let key = FileKey::new(Box::new([3; 16]));
    let stanzas = vec![Stanza {
        tag: "test".into(),
        args: vec!["a".into()],
        body: vec![1; 32],
    }];
    let mut out = Vec::new();
    format::seal_with(
        &key,
        &stanzas,
        [9; 16],
        data,
        &mut out,
        armored,
        StreamOptions { threads },
        &mut |_| {},
    )
    .unwrap();
    out
}

fn open(sealed: Vec<u8>, threads: usize) -> Vec<u8> {
    let key = FileKey::new(Box::new([3; 16]));
    let input = format::read_header(Cursor::new(sealed)).unwrap();
    let mut out = Vec::new();
    stream::open_payload(
        &key,
        input.payload,
        &mut out,
        StreamOptions { threads },
        &mut |_| {},
    )
    .unwrap();
    out
}

#[test]
fn output_is_identical_for_every_thread_count() {
    // Sizes around chunk and batch edges (a batch is 16 chunks per thread).
    let chunk = stream::CHUNK;
    for len in [
        0,
        1,
        chunk - 1,
        chunk,
        chunk + 1,
        8 * chunk,
        16 * chunk,
        16 * chunk + 1,
        32 * chunk,
        33 * chunk - 5,
        64 * chunk + 1,
        100 * chunk,
    ] {
        let data = common::bytes(len, len as u64 + 1);
        for armored in [false, true] {
            let reference = seal(&data, 1, armored);
            for threads in [2, 3, 4, 7] {
                assert!(
                    seal(&data, threads, armored) == reference,
                    "len {len}, armored {armored}: {threads} threads differ from 1"
                );
            }
            for threads in [1, 2, 5] {
                assert!(
                    open(reference.clone(), threads) == data,
                    "len {len}, open with {threads}"
                );
            }
        }
    }
}

#[test]
fn progress_counts_every_byte_once() {
    let data = common::bytes(5 * stream::CHUNK + 123, 5);
    for threads in [1, 4] {
        let mut seen = 0u64;
        let key = FileKey::new(Box::new([3; 16]));
        format::seal_with(
            &key,
            &[],
            [0; 16],
            &data[..],
            &mut std::io::sink(),
            false,
            StreamOptions { threads },
            &mut |n| seen += n,
        )
        .unwrap();
        assert_eq!(seen, data.len() as u64, "threads {threads}");
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
    let chunk = stream::CHUNK;
    let enc = stream::ENC_CHUNK;
    let data = common::bytes(70 * chunk - 9, 7);
    let sealed = seal(&data, 1, false);
    // Where the chunks start (a read error in the header's first kilobyte
    // fails before the payload, and is not the point here).
    let start = sealed.len() - (69 * enc + chunk - 9 + stream::TAG);
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
            let key = FileKey::new(Box::new([3; 16]));
            let input = format::read_header(FailingReader {
                data: sealed.clone(),
                at: 0,
                fail_at,
            })
            .unwrap();
            let mut out = Vec::new();
            let err = stream::open_payload(
                &key,
                input.payload,
                &mut out,
                StreamOptions { threads },
                &mut |_| {},
            )
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
