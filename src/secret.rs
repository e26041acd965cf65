//! Secrets in memory: buffers that leave no unwiped copy behind, and the
//! unbuffered standard input they are read from.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;

use zeroize::Zeroizing;

/// Stdin as an unbuffered file, so large reads go straight to the kernel
/// (and secrets read from it pass through no buffer of std's).
pub(crate) fn stdin_file() -> io::Result<File> {
    Ok(File::from(io::stdin().as_fd().try_clone_to_owned()?))
}

/// Bytes a [`SecretBuffer`] grows by at least when it reads.
const SECRET_READ_STEP: usize = 8 * 1024;

/// A secret in memory (an identity file, a passphrase file, the plaintext
/// of a protected identity), zeroized when dropped. A growing `Vec` frees
/// its old copies without zeroizing them; this buffer grows by moving to a
/// larger one and zeroizing the old, so no copy of the secret is ever freed
/// unwiped (issue 10). Size it up front when the size is known.
#[derive(Default)]
pub(crate) struct SecretBuffer(Zeroizing<Vec<u8>>);

impl SecretBuffer {
    /// An empty buffer with room for `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> SecretBuffer {
        SecretBuffer(Zeroizing::new(Vec::with_capacity(capacity)))
    }

    /// Makes room for `more` bytes after the end.
    fn reserve(&mut self, more: usize) {
        let need = self.0.len().saturating_add(more);
        if need <= self.0.capacity() {
            return;
        }
        let mut bigger = Zeroizing::new(Vec::with_capacity(need.max(2 * self.0.capacity())));
        bigger.extend_from_slice(&self.0);
        // The old buffer is zeroized as it is dropped here.
        self.0 = bigger;
    }

    /// Reads `r` to its end, or until it holds more than `max` bytes (one
    /// more: the caller tells a secret that is too long by its length).
    pub(crate) fn read_from<R: Read + ?Sized>(&mut self, r: &mut R, max: usize) -> io::Result<()> {
        loop {
            let len = self.0.len();
            if len > max {
                return Ok(());
            }
            if len == self.0.capacity() {
                self.reserve(SECRET_READ_STEP.max(len));
            }
            let want = (self.0.capacity() - len).min(max + 1 - len);
            // Within the capacity: no reallocation.
            self.0.resize(len + want, 0);
            let got = loop {
                match r.read(&mut self.0[len..]) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    other => break other,
                }
            };
            match got {
                Ok(n) => self.0.truncate(len + n),
                Err(e) => {
                    self.0.truncate(len);
                    return Err(e);
                }
            }
            if self.0.len() == len {
                return Ok(());
            }
        }
    }

    /// The bytes, still zeroized when dropped.
    pub(crate) fn into_inner(self) -> Zeroizing<Vec<u8>> {
        self.0
    }
}

impl std::ops::Deref for SecretBuffer {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl Write for SecretBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.reserve(buf.len());
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_buffer_reads_to_the_end_or_one_byte_past_max() {
        let data: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
        let mut b = SecretBuffer::default();
        b.read_from(&mut &data[..], 200_000).unwrap();
        assert_eq!(&*b, &data[..]);
        let mut b = SecretBuffer::with_capacity(10);
        b.read_from(&mut &data[..], 50_000).unwrap();
        assert_eq!(&*b, &data[..50_001]);
        let mut b = SecretBuffer::default();
        b.read_from(&mut &data[..], 100_000).unwrap();
        assert_eq!(b.len(), 100_000);
    }

    #[test]
    fn a_secret_buffer_sized_up_front_never_moves() {
        let mut b = SecretBuffer::with_capacity(1000);
        let at = b.0.as_ptr();
        for _ in 0..10 {
            b.write_all(&[7; 100]).unwrap();
        }
        assert_eq!(b.0.as_ptr(), at);
        assert_eq!(b.len(), 1000);
        b.write_all(&[8]).unwrap();
        assert_eq!(b.len(), 1001);
        assert_eq!(b[1000], 8);
    }
}
