//! The STREAM payload: 64 KiB chunks sealed with ChaCha20-Poly1305, on
//! every core.
//!
//! Chunks are independent, so a batch of them is sealed or opened in
//! parallel while the previous batch is written and the next one read.
//! Buffers are allocated once per call and reused; nothing is allocated per
//! chunk. The output is byte-identical whatever the thread count.
//!
//! The payload AEAD is `ring`'s ChaCha20-Poly1305: measured here on 64 KiB
//! chunks in place, 1.9 GB/s per core against 1.1 GB/s for the
//! `chacha20poly1305` crate (see BENCHMARKS.md), and on two cores the
//! crate alone would cap sealing below the speed target. One backend only:
//! the conformance vectors judge it. The header and stanzas keep using the
//! RustCrypto crates through `age`.

use std::io::{self, Read, Write};

use age_core::format::FileKey;
use age_core::secrecy::ExposeSecret;
use hkdf::Hkdf;
use rayon::prelude::*;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use super::sender::{chunk_hash, Hash, PayloadDigest};
use super::{FormatError, Part};

/// Plaintext bytes per chunk.
pub const CHUNK: usize = 64 * 1024;
/// Poly1305 tag bytes per chunk.
pub const TAG: usize = 16;
/// Ciphertext bytes per full chunk.
pub const ENC_CHUNK: usize = CHUNK + TAG;
/// Bytes of the payload nonce that starts the payload.
pub const NONCE: usize = 16;
/// Chunks per batch and per thread: large enough that the threads rarely
/// wait for each other, small enough that memory stays at a few MiB. On two
/// cores, 1 GiB to /dev/null: 8 gave open 0.50 s, seal 0.47 s; 16 gave
/// 0.42 s and 0.42 s (peak RSS 17 and 11 MiB); 32 gave 0.41 s and 0.41 s
/// for 29 and 17 MiB.
const CHUNKS_PER_THREAD: usize = 16;
/// Most chunks in one batch whatever the core count, so memory stays bounded
/// on large machines: three batches in flight, 8 MiB each when sealing, 16
/// MiB each when opening (ciphertext and plaintext halves).
const MAX_BATCH_CHUNKS: usize = 128;

/// How the payload is processed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StreamOptions {
    /// Worker threads for the crypto; 1 means a plain sequential loop.
    pub threads: usize,
}

impl Default for StreamOptions {
    fn default() -> Self {
        Self {
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
        }
    }
}

impl StreamOptions {
    fn batch_chunks(&self) -> usize {
        (self.threads.max(1) * CHUNKS_PER_THREAD).min(MAX_BATCH_CHUNKS)
    }
}

/// Derives the payload cipher from the file key and the payload nonce.
/// (ring keeps the expanded key in its own memory and does not zeroize it;
/// our copy of the key bytes is zeroized.)
fn payload_cipher(file_key: &FileKey, nonce: &[u8; NONCE]) -> LessSafeKey {
    let mut key = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(nonce), file_key.expose_secret())
        .expand(b"payload", key.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    LessSafeKey::new(
        UnboundKey::new(&CHACHA20_POLY1305, key.as_ref())
            .expect("32 bytes is a ChaCha20-Poly1305 key"),
    )
}

/// The chunk nonce: 11-byte big-endian counter, then the last-chunk flag.
/// Each (key, nonce) pair is used for exactly one chunk.
fn chunk_nonce(counter: u64, last: bool) -> Nonce {
    let mut n = [0u8; 12];
    n[3..11].copy_from_slice(&counter.to_be_bytes());
    n[11] = last as u8;
    Nonce::assume_unique_for_key(n)
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full<R: Read + ?Sized>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// One batch of chunks in a buffer with a stride of `ENC_CHUNK`.
struct Batch {
    /// Sealing: plaintext at a stride of `ENC_CHUNK`, sealed in place.
    /// Opening: slots of `2 * ENC_CHUNK`, the ciphertext in the upper half;
    /// ring decrypts it into the lower half in the same pass. ring zeroes
    /// the output of a chunk that fails to authenticate, so the ciphertext
    /// stays intact for the second attempt the format needs (a full chunk
    /// may be a middle or the last chunk), at no cost of a copy.
    buf: Vec<u8>,
    /// Index of the batch's first chunk in the whole payload.
    first: u64,
    /// Length of each chunk in this batch (plaintext when sealing,
    /// ciphertext when opening); all but the last are full.
    lens: Vec<usize>,
    /// Whether the batch's last chunk is the payload's last.
    ends: bool,
    /// Opening: the input failed after the batch's chunks (an armor error,
    /// a read error). The chunks read whole before it are opened and
    /// released as any others; then this is the error.
    broken: Option<io::Error>,
    /// Whether `buf` is zeroized when the batch is dropped: the plaintext
    /// is a secret (see [`open_secret_payload`]).
    secret: bool,
    /// Sender seals (issue 12): whether the workers hash each ciphertext
    /// chunk beside its AEAD, and the hashes, one per chunk of `lens`.
    hash: bool,
    hashes: Vec<Hash>,
}

impl Batch {
    fn new(chunks: usize, opening: bool, secret: bool, hash: bool) -> Self {
        Self {
            buf: vec![0; chunks * ENC_CHUNK * if opening { 2 } else { 1 }],
            first: 0,
            lens: Vec::with_capacity(chunks),
            ends: false,
            broken: None,
            secret,
            hash,
            hashes: vec![[0; 32]; if hash { chunks } else { 0 }],
        }
    }

    /// Feeds the hashes of the first `count` chunks to `digest`, in order.
    fn push_hashes(&self, digest: &mut Option<PayloadDigest>, count: usize) {
        if let Some(d) = digest {
            for h in &self.hashes[..count] {
                d.push(h);
            }
        }
    }

    /// Whether no batch comes after this one.
    fn is_final(&self) -> bool {
        self.ends || self.broken.is_some()
    }

    /// Chunks a sealing batch holds.
    fn capacity(&self) -> usize {
        self.buf.len() / ENC_CHUNK
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        if self.secret {
            // The whole buffer, not `len`: a batch holds plaintext beyond
            // the chunks of its last fill, from the fills before.
            self.buf.as_mut_slice().zeroize();
            #[cfg(test)]
            tests::record_dropped_secret(&self.buf);
        }
    }
}

/// Where the payload reader is: reading plaintext for sealing needs one byte
/// of look-ahead to know whether a full chunk is the last one.
struct Source<R> {
    input: R,
    carry: Option<u8>,
    next_chunk: u64,
    done: bool,
}

impl<R: Read> Source<R> {
    fn new(input: R) -> Self {
        Self {
            input,
            carry: None,
            next_chunk: 0,
            done: false,
        }
    }

    /// Fills `batch` with plaintext chunks.
    fn read_plain(&mut self, batch: &mut Batch) -> io::Result<()> {
        batch.lens.clear();
        batch.first = self.next_chunk;
        batch.ends = false;
        if self.done {
            batch.ends = true;
            return Ok(());
        }
        for i in 0..batch.capacity() {
            let slot = &mut batch.buf[i * ENC_CHUNK..i * ENC_CHUNK + CHUNK];
            let mut n = 0;
            if let Some(b) = self.carry.take() {
                slot[0] = b;
                n = 1;
            }
            n += read_full(&mut self.input, &mut slot[n..])?;
            if n == 0 && !(i == 0 && self.next_chunk == 0) {
                // The previous chunk was full and is the last one.
                break;
            }
            batch.lens.push(n);
            self.next_chunk += 1;
            if n < CHUNK {
                break;
            }
        }
        let full = batch.lens.len() == batch.capacity() && batch.lens.last() == Some(&CHUNK);
        if full {
            let mut one = [0u8; 1];
            if read_full(&mut self.input, &mut one)? == 1 {
                self.carry = Some(one[0]);
                return Ok(());
            }
        }
        batch.ends = true;
        self.done = true;
        Ok(())
    }

    /// Fills `batch` with ciphertext chunks. A read error ends the batch
    /// where it struck, in `batch.broken`: the chunks read whole before it
    /// stay, a partial one is dropped, and nothing more is read. So what is
    /// released before a read error is the same whatever the batch size,
    /// and so whatever the thread count.
    fn read_sealed(&mut self, batch: &mut Batch) {
        batch.lens.clear();
        batch.first = self.next_chunk;
        batch.ends = false;
        batch.broken = None;
        if self.done {
            batch.ends = true;
            return;
        }
        let slots = batch.buf.len() / (2 * ENC_CHUNK);
        for i in 0..slots {
            let at = (2 * i + 1) * ENC_CHUNK;
            let slot = &mut batch.buf[at..at + ENC_CHUNK];
            let mut n = 0;
            if let Some(b) = self.carry.take() {
                slot[0] = b;
                n = 1;
            }
            match read_full(&mut self.input, &mut slot[n..]) {
                Ok(k) => n += k,
                Err(e) => {
                    self.fail(batch, e);
                    return;
                }
            }
            if n == 0 {
                break;
            }
            batch.lens.push(n);
            if n < ENC_CHUNK {
                break;
            }
        }
        self.next_chunk += batch.lens.len() as u64;
        let full = batch.lens.len() == slots && batch.lens.last() == Some(&ENC_CHUNK);
        if full {
            let mut one = [0u8; 1];
            match read_full(&mut self.input, &mut one) {
                Ok(1) => {
                    self.carry = Some(one[0]);
                    return;
                }
                Ok(_) => {}
                Err(e) => {
                    self.fail(batch, e);
                    return;
                }
            }
        }
        batch.ends = true;
        self.done = true;
    }

    /// Ends `batch` with the read error `e`; nothing more is read.
    fn fail(&mut self, batch: &mut Batch, e: io::Error) {
        self.next_chunk = batch.first + batch.lens.len() as u64;
        self.carry = None;
        self.done = true;
        batch.broken = Some(e);
    }
}

/// Seals the chunks of `batch` in place, appending each chunk's tag.
fn seal_batch(cipher: &LessSafeKey, batch: &mut Batch, parallel: bool) {
    let count = batch.lens.len();
    let first = batch.first;
    let ends = batch.ends;
    let lens = &batch.lens;
    let hash = batch.hash;
    let work = |(i, slot): (usize, &mut [u8])| -> Hash {
        let len = lens[i];
        let last = ends && i + 1 == count;
        let (data, rest) = slot.split_at_mut(len);
        let tag = cipher
            .seal_in_place_separate_tag(chunk_nonce(first + i as u64, last), Aad::empty(), data)
            .expect("a 64 KiB chunk is within ChaCha20-Poly1305 limits");
        rest[..TAG].copy_from_slice(tag.as_ref());
        if hash {
            // The sealed chunk, tag included, while it is in cache.
            chunk_hash(&slot[..len + TAG])
        } else {
            [0; 32]
        }
    };
    let area = &mut batch.buf[..count * ENC_CHUNK];
    let hashes = &mut batch.hashes;
    if parallel {
        // One job per chunk: the thread doing I/O steals chunks as soon as
        // it is free, instead of finding the work split in two big halves.
        let done: Vec<Hash> = area
            .par_chunks_mut(ENC_CHUNK)
            .with_max_len(1)
            .enumerate()
            .map(work)
            .collect();
        if hash {
            hashes[..count].copy_from_slice(&done);
        }
    } else {
        for (i, slot) in area.chunks_mut(ENC_CHUNK).enumerate() {
            let h = work((i, slot));
            if hash {
                hashes[i] = h;
            }
        }
    }
}

/// Opens the chunks of `batch` in place. Returns how many chunks, from the
/// start, authenticated, and the error that stopped the batch, if any.
fn open_batch(
    cipher: &LessSafeKey,
    batch: &mut Batch,
    parallel: bool,
) -> (usize, Option<FormatError>) {
    let count = batch.lens.len();
    let first = batch.first;
    let ends = batch.ends;
    // After a read error the last chunk read may be a middle or the last
    // one: it is released if it opens as either.
    let broken = batch.broken.is_some();
    if count == 0 {
        return if first == 0 && !broken {
            (
                0,
                Some(FormatError::Truncated(
                    Part::Payload,
                    "the payload has no chunks".into(),
                )),
            )
        } else {
            (0, None)
        };
    }
    let lens = &batch.lens;
    let hash = batch.hash;
    // Each chunk opens to Ok(true) if it carries the last-chunk flag. As Go
    // age: a full chunk may be a middle chunk or the last one, and both are
    // tried (the likelier first: last only at the end of the input); a
    // short chunk can only be the last one.
    let work = |(i, slot): (usize, &mut [u8])| -> (Result<bool, FormatError>, Hash) {
        let len = lens[i];
        let h = if hash {
            // The ciphertext as in the file, tag included (ring leaves it
            // intact in the upper half of the slot).
            chunk_hash(&slot[ENC_CHUNK..ENC_CHUNK + len])
        } else {
            [0; 32]
        };
        (
            open_chunk(cipher, slot, len, first + i as u64, ends && i + 1 == count),
            h,
        )
    };
    let area = &mut batch.buf[..count * 2 * ENC_CHUNK];
    let results: Vec<(Result<bool, FormatError>, Hash)> = if parallel {
        area.par_chunks_mut(2 * ENC_CHUNK)
            .with_max_len(1)
            .enumerate()
            .map(work)
            .collect()
    } else {
        area.chunks_mut(2 * ENC_CHUNK)
            .enumerate()
            .map(work)
            .collect()
    };
    for (i, (r, h)) in results.into_iter().enumerate() {
        if hash {
            batch.hashes[i] = h;
        }
        let at_end = ends && i + 1 == count;
        let before_break = broken && i + 1 == count;
        match r {
            Err(e) => return (i, Some(e)),
            Ok(_) if before_break => {}
            // The last chunk is released, then the data after it refused.
            Ok(true) if !at_end => {
                return (
                    i + 1,
                    Some(FormatError::Payload(
                        "data after the last chunk: the file was altered".into(),
                    )),
                )
            }
            Ok(false) if at_end => {
                return (
                    i + 1,
                    Some(FormatError::Truncated(
                        Part::Payload,
                        "the file is truncated: it ends without its last chunk".into(),
                    )),
                )
            }
            Ok(_) => {}
        }
    }
    (count, None)
}

/// Opens one chunk of `len` ciphertext bytes, chunk `index` of the
/// payload, in its slot; `Ok(true)` if it carries the last-chunk flag.
fn open_chunk(
    cipher: &LessSafeKey,
    slot: &mut [u8],
    len: usize,
    index: u64,
    at_end: bool,
) -> Result<bool, FormatError> {
    if len < TAG {
        return Err(chunk_error(index, len));
    }
    if len < ENC_CHUNK && len == TAG && index != 0 {
        return Err(FormatError::Payload(
            "the last chunk is empty, which only an empty file may have".into(),
        ));
    }
    let flags: &[bool] = if len < ENC_CHUNK {
        &[true]
    } else if at_end {
        &[true, false]
    } else {
        &[false, true]
    };
    for &last in flags {
        // Ciphertext at [ENC_CHUNK..], plaintext written to [0..].
        let in_out = &mut slot[..ENC_CHUNK + len];
        if cipher
            .open_within(chunk_nonce(index, last), Aad::empty(), in_out, ENC_CHUNK..)
            .is_ok()
        {
            return Ok(last);
        }
    }
    Err(chunk_error(index, len))
}

/// Describes why chunk `index` of ciphertext length `len` failed.
fn chunk_error(index: u64, len: usize) -> FormatError {
    if len < TAG {
        FormatError::Truncated(Part::Payload, "the last chunk is truncated".into())
    } else {
        FormatError::Payload(format!(
            "chunk {index} does not authenticate: the file was altered or truncated"
        ))
    }
}

/// Writes the sealed chunks of `batch`: they are contiguous in the buffer.
fn write_sealed<W: Write + ?Sized>(out: &mut W, batch: &Batch) -> io::Result<usize> {
    let count = batch.lens.len();
    if count == 0 {
        return Ok(0);
    }
    let end = (count - 1) * ENC_CHUNK + batch.lens[count - 1] + TAG;
    out.write_all(&batch.buf[..end])?;
    Ok(end)
}

/// Writes the plaintext of the first `count` opened chunks of `batch`.
fn write_opened<W: Write + ?Sized>(out: &mut W, batch: &Batch, count: usize) -> io::Result<usize> {
    let mut total = 0;
    for (i, &len) in batch.lens.iter().take(count).enumerate() {
        let start = 2 * i * ENC_CHUNK;
        out.write_all(&batch.buf[start..start + len - TAG])?;
        total += len - TAG;
    }
    Ok(total)
}

fn thread_pool(threads: usize) -> io::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("lockbox-{i}"))
        .build()
        .map_err(io::Error::other)
}

/// Seals `input` as a STREAM payload (nonce, then chunks) to `output`.
///
/// `progress` is called with the plaintext bytes done after each batch.
pub(crate) fn seal_payload<R: Read + Send, W: Write + Send>(
    file_key: &FileKey,
    nonce: [u8; NONCE],
    input: R,
    output: &mut W,
    opts: StreamOptions,
    progress: &mut (dyn FnMut(u64) + Send),
) -> io::Result<()> {
    seal(file_key, nonce, input, output, opts, progress, &mut None)
}

/// Seals as [`seal_payload`] does, and returns the payload digest PD of
/// the sealed payload (SENDER-AUTH.md): the workers hash each sealed
/// chunk beside its AEAD.
pub(crate) fn seal_payload_hashed<R: Read + Send, W: Write + Send>(
    file_key: &FileKey,
    nonce: [u8; NONCE],
    input: R,
    output: &mut W,
    opts: StreamOptions,
    progress: &mut (dyn FnMut(u64) + Send),
) -> io::Result<Hash> {
    let mut digest = Some(PayloadDigest::new(&nonce));
    seal(file_key, nonce, input, output, opts, progress, &mut digest)?;
    Ok(digest.expect("the digest is kept").finish())
}

fn seal<R: Read + Send, W: Write + Send>(
    file_key: &FileKey,
    nonce: [u8; NONCE],
    input: R,
    output: &mut W,
    opts: StreamOptions,
    progress: &mut (dyn FnMut(u64) + Send),
    digest: &mut Option<PayloadDigest>,
) -> io::Result<()> {
    let hash = digest.is_some();
    let cipher = payload_cipher(file_key, &nonce);
    output.write_all(&nonce)?;
    let mut src = Source::new(input);
    let batch_chunks = opts.batch_chunks();
    let mut cur = Batch::new(batch_chunks, false, false, hash);
    src.read_plain(&mut cur)?;
    // An input that fits in one batch is done on this thread: starting a
    // pool costs more than it saves there (criterion, 1 MiB in memory: 1.60
    // GiB/s on one thread, 0.78 GiB/s starting two).
    if opts.threads <= 1 || cur.ends {
        // Sequential: one buffer, no threads.
        loop {
            let parallel = false;
            seal_batch(&cipher, &mut cur, parallel);
            write_sealed(output, &cur)?;
            cur.push_hashes(digest, cur.lens.len());
            progress(cur.lens.iter().map(|&l| l as u64).sum());
            if cur.ends {
                return Ok(());
            }
            src.read_plain(&mut cur)?;
        }
    }
    let pool = thread_pool(opts.threads)?;
    pool.install(|| {
        let mut next = Batch::new(batch_chunks, false, false, hash);
        let mut done = Batch::new(batch_chunks, false, false, hash);
        let mut have_done = false;
        loop {
            // Seal `cur` on every core while this thread writes the batch
            // before it and reads the batch after it.
            let ends = cur.ends;
            let (_, io_result) = rayon::join(
                || seal_batch(&cipher, &mut cur, true),
                || -> io::Result<()> {
                    if have_done {
                        write_sealed(output, &done)?;
                        done.push_hashes(digest, done.lens.len());
                        progress(done.lens.iter().map(|&l| l as u64).sum());
                    }
                    if !ends {
                        src.read_plain(&mut next)?;
                    }
                    Ok(())
                },
            );
            io_result?;
            if ends {
                write_sealed(output, &cur)?;
                cur.push_hashes(digest, cur.lens.len());
                progress(cur.lens.iter().map(|&l| l as u64).sum());
                return Ok(());
            }
            // done <- cur <- next <- (old done, reused)
            std::mem::swap(&mut done, &mut cur);
            std::mem::swap(&mut cur, &mut next);
            have_done = true;
        }
    })
}

/// Opens a STREAM payload from `input`, writing each chunk's plaintext to
/// `output` only after it authenticated.
///
/// Errors are `io::Error`s; payload failures carry a [`FormatError`]
/// (see [`super::format_error_of`]; `FormatError::from` takes it out).
pub(crate) fn open_payload<R: Read + Send, W: Write + Send>(
    file_key: &FileKey,
    input: R,
    output: &mut W,
    opts: StreamOptions,
    progress: &mut (dyn FnMut(u64) + Send),
) -> io::Result<()> {
    open(file_key, input, output, opts, progress, false, None)
}

/// Opens as [`open_payload`] does, and returns the payload digest PD
/// (SENDER-AUTH.md) of the ciphertext: the workers hash each chunk beside
/// its AEAD. The plaintext goes to `output` as it authenticates: the
/// caller holds it back (a temporary file, a sink) until the sender seal
/// is verified.
pub(crate) fn open_payload_hashed<R: Read + Send, W: Write + Send>(
    file_key: &FileKey,
    input: R,
    output: &mut W,
    opts: StreamOptions,
    progress: &mut (dyn FnMut(u64) + Send),
) -> io::Result<Hash> {
    let mut digest = None;
    open(
        file_key,
        input,
        output,
        opts,
        progress,
        false,
        Some(&mut digest),
    )?;
    Ok(digest.expect("a payload that opened has a nonce").finish())
}

/// Opens a STREAM payload whose plaintext is a secret (a protected identity
/// file), as [`open_payload`] does, and zeroizes every buffer that held the
/// plaintext before it is freed (issue 10). `output` is the caller's to
/// keep secret. The payload path proper does not pay for this: zeroizing
/// its batches would only cost time for plaintext it writes out anyway.
pub(crate) fn open_secret_payload<R: Read + Send, W: Write + Send>(
    file_key: &FileKey,
    input: R,
    output: &mut W,
    opts: StreamOptions,
) -> io::Result<()> {
    open(file_key, input, output, opts, &mut |_| {}, true, None)
}

fn open<R: Read + Send, W: Write + Send>(
    file_key: &FileKey,
    mut input: R,
    output: &mut W,
    opts: StreamOptions,
    progress: &mut (dyn FnMut(u64) + Send),
    secret: bool,
    hashed: Option<&mut Option<PayloadDigest>>,
) -> io::Result<()> {
    let nonce = read_nonce(&mut input)?;
    let hash = hashed.is_some();
    let mut no_digest = None;
    let digest = match hashed {
        Some(d) => {
            *d = Some(PayloadDigest::new(&nonce));
            d
        }
        None => &mut no_digest,
    };
    let cipher = payload_cipher(file_key, &nonce);
    let mut src = Source::new(input);
    let batch_chunks = opts.batch_chunks();
    let mut cur = Batch::new(batch_chunks, true, secret, hash);
    src.read_sealed(&mut cur);
    let finish = |output: &mut W,
                  batch: &Batch,
                  ok: usize,
                  progress: &mut (dyn FnMut(u64) + Send),
                  digest: &mut Option<PayloadDigest>|
     -> io::Result<()> {
        let n = write_opened(output, batch, ok)?;
        batch.push_hashes(digest, ok);
        progress(n as u64);
        Ok(())
    };
    // An input that fits in one batch is done on this thread: starting a
    // pool costs more than it saves there (criterion, 1 MiB in memory: 1.60
    // GiB/s on one thread, 0.78 GiB/s starting two).
    if opts.threads <= 1 || cur.is_final() {
        loop {
            let (ok, err) = open_batch(&cipher, &mut cur, false);
            finish(output, &cur, ok, progress, digest)?;
            if let Some(e) = err {
                return Err(e.into());
            }
            if let Some(e) = cur.broken.take() {
                return Err(e);
            }
            if cur.ends {
                return Ok(());
            }
            src.read_sealed(&mut cur);
        }
    }
    let pool = thread_pool(opts.threads)?;
    pool.install(|| {
        let mut next = Batch::new(batch_chunks, true, secret, hash);
        let mut done = Batch::new(batch_chunks, true, secret, hash);
        let mut have_done = false;
        loop {
            let ends = cur.is_final();
            let ((ok, err), io_result) = rayon::join(
                || open_batch(&cipher, &mut cur, true),
                || -> io::Result<()> {
                    if have_done {
                        let count = done.lens.len();
                        finish(output, &done, count, progress, digest)?;
                    }
                    if !ends {
                        src.read_sealed(&mut next);
                    }
                    Ok(())
                },
            );
            io_result?;
            if let Some(e) = err {
                finish(output, &cur, ok, progress, digest)?;
                return Err(e.into());
            }
            if ends {
                let count = cur.lens.len();
                finish(output, &cur, count, progress, digest)?;
                return match cur.broken.take() {
                    Some(e) => Err(e),
                    None => Ok(()),
                };
            }
            std::mem::swap(&mut done, &mut cur);
            std::mem::swap(&mut cur, &mut next);
            have_done = true;
        }
    })
}

/// Reads the payload's 16-byte nonce; a missing or short one is a
/// truncated file.
fn read_nonce<R: Read>(input: &mut R) -> io::Result<[u8; NONCE]> {
    let mut nonce = [0u8; NONCE];
    if read_full(input, &mut nonce)? < NONCE {
        return Err(FormatError::Truncated(
            Part::Header,
            "the payload nonce is missing or short".into(),
        )
        .into());
    }
    Ok(nonce)
}

/// The payload digest PD (SENDER-AUTH.md) of the payload read from
/// `input`, copying every byte read to `copy`, without decrypting: the
/// first pass of opening a signed file to a stream (issue 12). The chunks
/// are hashed on the workers while the next batch is read and this one is
/// copied. Nothing here is authenticated: the sender's MAC over PD pins
/// the exact ciphertext, and the caller's second pass (`open_payload` over
/// `copy`) still checks every chunk's AEAD before it releases a byte.
/// Splitting at `ENC_CHUNK` gives the file's chunks whatever their
/// contents; a malformed payload only yields a PD that no MAC matches.
pub(crate) fn hash_payload<R: Read + Send, W: Write + Send>(
    mut input: R,
    copy: &mut W,
    opts: StreamOptions,
) -> io::Result<Hash> {
    let nonce = read_nonce(&mut input)?;
    copy.write_all(&nonce)?;
    let mut digest = PayloadDigest::new(&nonce);
    let size = opts.batch_chunks() * ENC_CHUNK;
    let mut cur = vec![0u8; size];
    let mut next = vec![0u8; size];
    let mut len = read_full(&mut input, &mut cur)?;
    let mut hashes: Vec<Hash> = Vec::with_capacity(opts.batch_chunks());
    let pool = if opts.threads > 1 && len == size {
        Some(thread_pool(opts.threads)?)
    } else {
        None
    };
    loop {
        let last = len < size;
        let data = &cur[..len];
        let (hashed, io_result) = match &pool {
            Some(pool) => pool.install(|| {
                rayon::join(
                    || {
                        data.par_chunks(ENC_CHUNK)
                            .map(chunk_hash)
                            .collect_into_vec(&mut hashes)
                    },
                    || -> io::Result<usize> {
                        copy.write_all(data)?;
                        if last {
                            Ok(0)
                        } else {
                            read_full(&mut input, &mut next)
                        }
                    },
                )
            }),
            None => {
                hashes.clear();
                hashes.extend(data.chunks(ENC_CHUNK).map(chunk_hash));
                let io_result = copy.write_all(data).and_then(|()| {
                    if last {
                        Ok(0)
                    } else {
                        read_full(&mut input, &mut next)
                    }
                });
                ((), io_result)
            }
        };
        let () = hashed;
        let next_len = io_result?;
        for h in &hashes {
            digest.push(h);
        }
        if last {
            return Ok(digest.finish());
        }
        std::mem::swap(&mut cur, &mut next);
        len = next_len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// For each secret batch dropped, whether its buffer was all zeros
    /// after its drop had run (only the test below opens secret payloads).
    static DROPPED_SECRETS: Mutex<Vec<bool>> = Mutex::new(Vec::new());

    pub(super) fn record_dropped_secret(buf: &[u8]) {
        let clean = buf.iter().all(|&b| b == 0);
        DROPPED_SECRETS.lock().unwrap().push(clean);
    }

    #[test]
    fn secret_payload_buffers_are_zeroized_before_they_are_freed() {
        let key = FileKey::new(Box::new([7; 16]));
        // 40 chunks and a bit, with no zero byte: a buffer left holding any
        // of it is not all zeros.
        let plain: Vec<u8> = (0..40 * CHUNK + 7).map(|i| (i % 251) as u8 + 1).collect();
        let one = StreamOptions { threads: 1 };
        let mut sealed = Vec::new();
        seal_payload(&key, [3; NONCE], &plain[..], &mut sealed, one, &mut |_| {}).unwrap();
        // One batch, refilled, on one thread; on two, three batches (being
        // read, opened, written) of 32 chunks each.
        for (threads, batches) in [(1, 1), (2, 3)] {
            DROPPED_SECRETS.lock().unwrap().clear();
            let mut out = Vec::new();
            open_secret_payload(&key, &sealed[..], &mut out, StreamOptions { threads }).unwrap();
            assert!(out == plain, "{threads} threads");
            let dropped = DROPPED_SECRETS.lock().unwrap().clone();
            assert_eq!(dropped, vec![true; batches], "{threads} threads");
        }
        // The payload path keeps its buffers as they are: none recorded.
        DROPPED_SECRETS.lock().unwrap().clear();
        let mut out = Vec::new();
        open_payload(&key, &sealed[..], &mut out, one, &mut |_| {}).unwrap();
        assert!(out == plain);
        assert!(DROPPED_SECRETS.lock().unwrap().is_empty());
    }
}
