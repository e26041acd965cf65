//! Engine throughput through the front door: seal and open, binary and
//! armored, at 1 MiB, 64 MiB and 1 GiB, with 1 thread and with every core.
//! In memory, so the figures are the engine's, not the disk's.
//!
//! Sealing wraps the file key (one X25519 operation) outside the timed part;
//! opening unwraps it inside (about 50 µs, a few per cent at 1 MiB, nothing
//! from 64 MiB up).
//!
//! `cargo bench --bench engine`; `LOCKBOX_BENCH_MAX_MIB=64` skips 1 GiB.

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
        group.finish();
    }
}

criterion_group!(benches, engine);
criterion_main!(benches);
