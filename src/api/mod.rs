//! The front door: seal and open streams with recipients, identities and
//! options, and a typed error. No command line, terminal, environment or
//! file system here.

mod key;

use std::io::{Read, Seek, Write};

pub use crate::format::{FormatError as Error, Part};
pub use key::{Identity, Recipient};

use crate::format::sender::X25519Key;
use crate::format::{self, SealOptions, Sealer, StreamOptions};

/// Who sealed a file, as [`open`] found it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Sender {
    /// No sender seal (or none that the identities given can verify).
    Unsigned,
    /// Sealed by the holder of this X25519 key, verified: its `age1...`
    /// recipient. For a post-quantum sender, the `age1...` form of the
    /// X25519 half of its `age1pq1...` recipient.
    SealedBy(String),
}

/// How to seal and open.
///
/// ```
/// let mut options = lockbox::Options::default();
/// options.armor = true;
/// options.threads = 1;
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Options {
    /// Threads for the payload's cryptography; 1 does everything on the
    /// calling thread. The sealed bytes are the same whatever the count.
    /// Default: the cores available.
    pub threads: usize,
    /// Seal with ASCII armor (PEM text) instead of binary. Opening detects
    /// armor by itself. Default: `false`.
    pub armor: bool,
    /// The highest scrypt work factor (log2 of N) a passphrase-sealed file
    /// may ask for when opening, so a hostile file cannot demand hours of
    /// work. Default: 22, as age.
    pub max_work_factor: u8,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            threads: StreamOptions::default().threads,
            armor: false,
            max_work_factor: crate::keys::DEFAULT_MAX_WORK_FACTOR,
        }
    }
}

impl Options {
    fn stream(&self) -> StreamOptions {
        StreamOptions {
            threads: self.threads.max(1),
        }
    }
}

/// Seals streams to a set of recipients.
///
/// The file key is wrapped once, when the `Encryptor` is made: that is
/// when incompatible recipients are refused, before any output.
pub struct Encryptor {
    sealer: Sealer,
    options: Options,
    /// The sender's key and the verifiers' keys, when signing.
    sender: Option<X25519Key>,
    /// The keys of the recipients that can verify a sender seal, in order.
    verifiers: Vec<[u8; 32]>,
}

impl Encryptor {
    /// Wraps a new file key to `recipients`.
    pub fn new(recipients: &[Recipient], options: &Options) -> Result<Self, Error> {
        let refs: Vec<&dyn age::Recipient> = recipients.iter().map(Recipient::as_age).collect();
        Ok(Self {
            sealer: Sealer::new(&refs)?,
            options: options.clone(),
            sender: None,
            verifiers: recipients
                .iter()
                .filter_map(Recipient::sender_key)
                .collect(),
        })
    }

    /// Signs as `sender` ("sealed by", lockbox-sender/v1): each X25519 and
    /// post-quantum recipient can check that `sender` sealed the file;
    /// nobody else can tell who did. `sender` must be an X25519 or
    /// post-quantum identity, and some recipient must be able to verify.
    ///
    /// ```
    /// use lockbox::{Encryptor, Identity, Options, Sender};
    ///
    /// let (alice, bob) = (Identity::generate(), Identity::generate());
    /// let mut sealed = Vec::new();
    /// Encryptor::new(&[bob.to_recipient()?], &Options::default())?
    ///     .sign(&alice)?
    ///     .seal(&b"hi"[..], &mut sealed)?;
    ///
    /// let mut plain = Vec::new();
    /// let sender = lockbox::open(&[bob], &sealed[..], &mut plain, &Options::default())?;
    /// assert_eq!(sender, Sender::SealedBy(alice.to_recipient()?.to_string()));
    /// # Ok::<(), lockbox::Error>(())
    /// ```
    pub fn sign(mut self, sender: &Identity) -> Result<Self, Error> {
        let key = sender.sender_key().ok_or_else(|| {
            Error::InvalidIdentity(
                "only X25519 and post-quantum identities can sign as a sender".into(),
            )
        })?;
        if self.verifiers.is_empty() {
            return Err(format::sender_error(
                crate::format::sender::SenderError::NoVerifier,
            ));
        }
        self.sender = Some(key);
        Ok(self)
    }

    /// Seals all of `input` into `output`. An `Encryptor` seals one
    /// stream: a file key and nonce are never used twice.
    ///
    /// A signed file's header comes first but covers the whole payload, so
    /// it is made in memory, then written: use [`Self::seal_spooled`] (or
    /// [`Self::seal_seekable`]) for large inputs.
    pub fn seal<R: Read + Send, W: Write + Send>(self, input: R, output: W) -> Result<(), Error> {
        self.seal_spooled(input, output, std::io::Cursor::new(Vec::new()))
    }

    /// As [`Self::seal`], but a signed file is made in `spool` (ciphertext
    /// only; an unlinked temporary file keeps memory bounded whatever the
    /// input's size), then copied to `output`. An unsigned file goes
    /// straight to `output` and leaves `spool` untouched.
    pub fn seal_spooled<R: Read + Send, W: Write + Send, S: Read + Write + Seek + Send>(
        self,
        input: R,
        mut output: W,
        mut spool: S,
    ) -> Result<(), Error> {
        let opts = SealOptions {
            armor: self.options.armor,
            stream: self.options.stream(),
        };
        match &self.sender {
            Some(key) => {
                spool.rewind()?;
                self.sealer.seal_signed(
                    key,
                    &self.verifiers,
                    input,
                    &mut spool,
                    opts.stream,
                    &mut |_| {},
                )?;
                format::copy_sealed(&mut spool, &mut output, opts.armor)?;
            }
            None => self.sealer.seal(input, &mut output, opts, &mut |_| {})?,
        }
        output.flush()?;
        Ok(())
    }

    /// Seals all of `input` into the seekable `output` (a file), binary:
    /// as [`Self::seal`], but a signed file is written in one pass, the
    /// header last, without holding it in memory.
    pub fn seal_seekable<R: Read + Send, W: Write + Seek + Send>(
        self,
        input: R,
        mut output: W,
    ) -> Result<(), Error> {
        let stream = self.options.stream();
        match &self.sender {
            Some(key) => self.sealer.seal_signed(
                key,
                &self.verifiers,
                input,
                &mut output,
                stream,
                &mut |_| {},
            )?,
            None => {
                let opts = SealOptions {
                    armor: false,
                    stream,
                };
                self.sealer.seal(input, &mut output, opts, &mut |_| {})?
            }
        }
        output.flush()?;
        Ok(())
    }
}

/// Opens a sealed stream whose header has been read.
///
/// Reading the header first tells what the file needs (a passphrase, or
/// which recipient types) before asking for it.
pub struct Decryptor<'a> {
    sealed: format::SealedInput<'a>,
    options: Options,
}

impl<'a> Decryptor<'a> {
    /// Reads the header of `input`, binary or armored.
    pub fn new<R: Read + Send + 'a>(input: R, options: &Options) -> Result<Self, Error> {
        let sealed = format::read_header(input)?;
        format::is_passphrase_sealed(&sealed.header)?;
        Ok(Self {
            sealed,
            options: options.clone(),
        })
    }

    /// Whether the file is sealed with a passphrase.
    pub fn is_passphrase(&self) -> bool {
        format::is_passphrase_sealed(&self.sealed.header).unwrap_or(false)
    }

    /// Whether the input is ASCII-armored.
    pub fn is_armored(&self) -> bool {
        self.sealed.armored
    }

    /// The stanza types of the header (`X25519`, `mlkem768x25519`,
    /// `scrypt`, ...), in file order.
    pub fn stanza_types(&self) -> Vec<String> {
        self.sealed.header.stanza_types()
    }

    /// Opens the file with the first of `identities` that matches, writing
    /// the plaintext to `output`, and says who sealed it.
    ///
    /// An unsigned file: each 64 KiB chunk is written only after it
    /// authenticated; on an error, what was written is a prefix of the
    /// plaintext and must not be trusted as the whole. A file with a sender
    /// seal: nothing is written unless the seal verifies
    /// ([`Error::SenderSeal`]); its ciphertext is held in memory meanwhile
    /// (see [`Self::open_spooled`] to bound memory, or to refuse a sender
    /// before anything is written). If no identity given has an X25519 key
    /// (SSH, custom), the seal can't be verified and the file counts as
    /// [`Sender::Unsigned`].
    pub fn open<W: Write + Send>(
        self,
        identities: &[Identity],
        output: W,
    ) -> Result<Sender, Error> {
        let opened = self.open_spooled(identities, std::io::Cursor::new(Vec::new()))?;
        let sender = opened.sender().clone();
        opened.write_to(output)?;
        Ok(sender)
    }

    /// Unwraps the file key with the first of `identities` that matches and
    /// checks who sealed the file, releasing nothing yet: the caller looks
    /// at [`Opened::sender`] and then writes the plaintext with
    /// [`Opened::write_to`], or drops it (`lockbox open --from`).
    ///
    /// A signed file's ciphertext is hashed while it is copied to `spool`
    /// (an unlinked temporary file keeps memory bounded whatever the
    /// file's size; no plaintext goes there), and the seal is checked
    /// before this returns; `write_to` then decrypts from the spool,
    /// checking every chunk. An unsigned file is not spooled: `write_to`
    /// reads it from the input.
    ///
    /// ```
    /// use lockbox::{Encryptor, Identity, Options, Sender};
    ///
    /// let (alice, bob) = (Identity::generate(), Identity::generate());
    /// let mut sealed = Vec::new();
    /// Encryptor::new(&[bob.to_recipient()?], &Options::default())?
    ///     .sign(&alice)?
    ///     .seal(&b"hi"[..], &mut sealed)?;
    ///
    /// let opened = lockbox::Decryptor::new(&sealed[..], &Options::default())?
    ///     .open_spooled(&[bob], std::io::Cursor::new(Vec::new()))?;
    /// // Only Alice's files are wanted: check before a byte is written.
    /// assert_eq!(opened.sender(), &Sender::SealedBy(alice.to_recipient()?.to_string()));
    /// let mut plain = Vec::new();
    /// opened.write_to(&mut plain)?;
    /// assert_eq!(plain, b"hi");
    /// # Ok::<(), lockbox::Error>(())
    /// ```
    pub fn open_spooled<S: Read + Write + Seek + Send + 'a>(
        self,
        identities: &[Identity],
        mut spool: S,
    ) -> Result<Opened<'a>, Error> {
        let ids: Vec<Box<dyn age::Identity + '_>> = identities
            .iter()
            .map(|i| i.to_age(self.options.max_work_factor))
            .collect();
        let refs: Vec<&dyn age::Identity> = ids.iter().map(|b| b.as_ref()).collect();
        let key = format::unwrap_file_key(&self.sealed.header, &refs)?;
        let stream = self.options.stream();
        let keys: Vec<X25519Key> = identities.iter().filter_map(Identity::sender_key).collect();
        let mut sealed = self.sealed;
        let sender = match format::sender_seal(&sealed.header, &key)? {
            Some(seal) if !keys.is_empty() => {
                spool.rewind()?;
                let payload = std::mem::replace(&mut sealed.payload, Box::new(std::io::empty()));
                let (a, len) =
                    format::verify_spooled(&key, payload, &mut spool, &seal, &keys, stream)?;
                sealed.payload = Box::new(std::io::BufReader::new(spool.take(len)));
                Sender::SealedBy(crate::keys::sender::x25519_recipient_string(&a))
            }
            _ => Sender::Unsigned,
        };
        Ok(Opened {
            sender,
            key,
            sealed,
            stream,
        })
    }
}

/// A sealed file whose file key is unwrapped and whose sender seal (if
/// any) is verified, its plaintext not yet released: from
/// [`Decryptor::open_spooled`].
pub struct Opened<'a> {
    sender: Sender,
    key: age_core::format::FileKey,
    sealed: format::SealedInput<'a>,
    stream: StreamOptions,
}

impl Opened<'_> {
    /// Who sealed the file (verified), or [`Sender::Unsigned`].
    pub fn sender(&self) -> &Sender {
        &self.sender
    }

    /// Decrypts the payload to `output`, each 64 KiB chunk written only
    /// after it authenticated; on an error, what was written is a prefix
    /// of the plaintext and must not be trusted as the whole.
    pub fn write_to<W: Write + Send>(self, mut output: W) -> Result<(), Error> {
        format::open_payload(
            &self.key,
            self.sealed,
            &mut output,
            self.stream,
            &mut |_| {},
        )?;
        output.flush()?;
        Ok(())
    }
}

/// Seals `input` to `recipients`, writing the sealed file to `output`.
///
/// ```
/// # fn main() -> Result<(), lockbox::Error> {
/// use lockbox::{Options, Recipient};
///
/// let bob: Recipient = "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef".parse()?;
/// let mut options = Options::default();
/// options.armor = true;
/// let mut sealed = Vec::new();
/// lockbox::seal(&[bob], &b"meet at noon"[..], &mut sealed, &options)?;
/// assert!(sealed.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----\n"));
/// # Ok(())
/// # }
/// ```
pub fn seal<R: Read + Send, W: Write + Send>(
    recipients: &[Recipient],
    input: R,
    output: W,
    options: &Options,
) -> Result<(), Error> {
    Encryptor::new(recipients, options)?.seal(input, output)
}

/// Opens the sealed `input` with the first of `identities` that matches,
/// writing the plaintext to `output` (see [`Decryptor::open`]).
///
/// ```
/// use lockbox::{Error, Identity, Options};
///
/// let alice = Identity::generate();
/// let mut sealed = Vec::new();
/// lockbox::seal(&[alice.to_recipient()?], &b"hi"[..], &mut sealed, &Options::default())?;
///
/// let mut plain = Vec::new();
/// lockbox::open(&[alice], &sealed[..], &mut plain, &Options::default())?;
/// assert_eq!(plain, b"hi");
///
/// // Not for Bob:
/// let bob = Identity::generate();
/// let r = lockbox::open(&[bob], &sealed[..], &mut Vec::new(), &Options::default());
/// assert!(matches!(r, Err(Error::NoMatch(_))));
/// # Ok::<(), lockbox::Error>(())
/// ```
pub fn open<R: Read + Send, W: Write + Send>(
    identities: &[Identity],
    input: R,
    output: W,
    options: &Options,
) -> Result<Sender, Error> {
    Decryptor::new(input, options)?.open(identities, output)
}
