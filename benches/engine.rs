//! Engine throughput through the front door: seal and open, binary and
//! armored, at 1 MiB, 64 MiB and 1 GiB, with 1 thread and with every core.
//! In memory, so the figures are the engine's, not the disk's.
//!
//! Sealing wraps the file key (one X25519 operation) outside the timed part;
//! opening unwraps it inside (about 50 µs, a few per cent at 1 MiB, nothing
//! from 64 MiB up).
//!
//! Signed rows (issue 12) seal with `seal_seekable` into a buffer and open
//! with `open_spooled` through a buffer: the engine's cost of the sender
//! seal (SHA-256 of every chunk, and for opening a hash-only first pass),
//! without the disk's.
//!
//! `cargo bench --bench engine`; `LOCKBOX_BENCH_MAX_MIB=64` skips 1 GiB;
//! `cargo bench --bench engine -- 'binary|signed'` compares signed with
//! unsigned only.

use std::io;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use lockbox::{Decryptor, Encryptor, Identity, Options};

fn options(threads: usize, armor: bool) -> Options {
    let mut o = Options::default();
    o.threads = threads;
    o.armor = armor;
    o
}

fn engine(c: &mut Criterion) {
    let max_mib: usize = std::env::var("LOCKBOX_BENCH_MAX_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let all = std::thread::available_parallelism().map_or(1, |n| n.get());
    let identity = [Identity::generate()];
    let recipient = [identity[0].to_recipient().unwrap()];
    let sender = Identity::generate();
    for mib in [1usize, 64, 1024].into_iter().filter(|&m| m <= max_mib) {
        let data: Vec<u8> = (0..mib << 20).map(|i| (i * 31 % 251) as u8).collect();
        let mut group = c.benchmark_group(format!("{mib}MiB"));
        group.throughput(Throughput::Bytes(data.len() as u64));
        if mib >= 64 {
            group.sample_size(10);
        }
        for armor in [false, true] {
            let kind = if armor { "armored" } else { "binary" };
            let mut sealed = Vec::with_capacity(data.len() + data.len() / 2 + 1024);
            lockbox::seal(&recipient, &data[..], &mut sealed, &options(2, armor)).unwrap();
            for threads in [1, all] {
                let opts = options(threads, armor);
                group.bench_function(BenchmarkId::new(format!("seal-{kind}"), threads), |b| {
                    b.iter_batched(
                        || Encryptor::new(&recipient, &opts).unwrap(),
                        |e| e.seal(&data[..], io::sink()).unwrap(),
                        BatchSize::SmallInput,
                    )
                });
                group.bench_function(BenchmarkId::new(format!("open-{kind}"), threads), |b| {
                    b.iter(|| {
                        Decryptor::new(&sealed[..], &opts)
                            .unwrap()
                            .open(&identity, io::sink())
                            .unwrap()
                    })
                });
            }
        }
        // Signed, binary: sealed into and opened through fixed buffers, so
        // that no allocation is timed.
        let mut signed = Vec::new();
        Encryptor::new(&recipient, &options(2, false))
            .unwrap()
            .sign(&sender)
            .unwrap()
            .seal(&data[..], &mut signed)
            .unwrap();
        let mut out = vec![0u8; signed.len()];
        let mut spool = vec![0u8; signed.len()];
        for threads in [1, all] {
            let opts = options(threads, false);
            group.bench_function(BenchmarkId::new("seal-signed", threads), |b| {
                b.iter_batched(
                    || {
                        Encryptor::new(&recipient, &opts)
                            .unwrap()
                            .sign(&sender)
                            .unwrap()
                    },
                    |e| {
                        e.seal_seekable(&data[..], io::Cursor::new(&mut out[..]))
                            .unwrap()
                    },
                    BatchSize::SmallInput,
                )
            });
            group.bench_function(BenchmarkId::new("open-signed", threads), |b| {
                b.iter(|| {
                    let opened = Decryptor::new(&signed[..], &opts)
                        .unwrap()
                        .open_spooled(&identity, io::Cursor::new(&mut spool[..]))
                        .unwrap();
                    assert!(matches!(opened.sender(), lockbox::Sender::SealedBy(_)));
                    opened.write_to(io::sink()).unwrap()
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, engine);
criterion_main!(benches);
