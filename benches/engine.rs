//! Engine throughput: seal and open, binary and armored, at 1 MiB, 64 MiB
//! and 1 GiB, with 1 thread and with every core. In memory, so the figures
//! are the engine's, not the disk's.
//!
//! `cargo bench --bench engine`; `LOCKBOX_BENCH_MAX_MIB=64` skips 1 GiB.

use std::io::{self, Cursor};

use age_core::format::{FileKey, Stanza};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use lockbox::format::{self, stream, StreamOptions};

fn sealed(data: &[u8], armored: bool, key: &FileKey) -> Vec<u8> {
    let stanzas = vec![Stanza {
        tag: "bench".into(),
        args: vec![],
        body: vec![0; 32],
    }];
    let mut out = Vec::with_capacity(data.len() + data.len() / 2 + 1024);
    format::seal_with(
        key,
        &stanzas,
        [7; 16],
        data,
        &mut out,
        armored,
        StreamOptions { threads: 2 },
        &mut |_| {},
    )
    .unwrap();
    out
}

fn engine(c: &mut Criterion) {
    let max_mib: usize = std::env::var("LOCKBOX_BENCH_MAX_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let all = std::thread::available_parallelism().map_or(1, |n| n.get());
    let key = FileKey::new(Box::new([42; 16]));
    let stanzas = vec![Stanza {
        tag: "bench".into(),
        args: vec![],
        body: vec![0; 32],
    }];
    for mib in [1usize, 64, 1024].into_iter().filter(|&m| m <= max_mib) {
        let data: Vec<u8> = (0..mib << 20).map(|i| (i * 31 % 251) as u8).collect();
        let mut group = c.benchmark_group(format!("{mib}MiB"));
        group.throughput(Throughput::Bytes(data.len() as u64));
        if mib >= 64 {
            group.sample_size(10);
        }
        for armored in [false, true] {
            let kind = if armored { "armored" } else { "binary" };
            // Leaked so the reader can be 'static without a copy per iteration.
            let sealed_data: &'static [u8] =
                Box::leak(sealed(&data, armored, &key).into_boxed_slice());
            for threads in [1, all] {
                let opts = StreamOptions { threads };
                group.bench_function(BenchmarkId::new(format!("seal-{kind}"), threads), |b| {
                    b.iter(|| {
                        format::seal_with(
                            &key,
                            &stanzas,
                            [7; 16],
                            &data[..],
                            &mut io::sink(),
                            armored,
                            opts,
                            &mut |_| {},
                        )
                        .unwrap()
                    })
                });
                group.bench_function(BenchmarkId::new(format!("open-{kind}"), threads), |b| {
                    b.iter(|| {
                        let input = format::read_header(Cursor::new(sealed_data)).unwrap();
                        stream::open_payload(
                            &key,
                            input.payload,
                            &mut io::sink(),
                            opts,
                            &mut |_| {},
                        )
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
