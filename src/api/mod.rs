//! The front door: seal and open streams with recipients, identities and
//! options, and a typed error. No command line, terminal, environment or
//! file system here.

mod key;

use std::io::{Read, Write};

pub use crate::format::{FormatError as Error, Part};
pub use key::{Identity, Recipient};

use crate::format::{self, SealOptions, Sealer, StreamOptions};

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
}

impl Encryptor {
    /// Wraps a new file key to `recipients`.
    pub fn new(recipients: &[Recipient], options: &Options) -> Result<Self, Error> {
        let refs: Vec<&dyn age::Recipient> = recipients.iter().map(Recipient::as_age).collect();
        Ok(Self {
            sealer: Sealer::new(&refs)?,
            options: options.clone(),
        })
    }

    /// Seals all of `input` into `output`. An `Encryptor` seals one
    /// stream: a file key and nonce are never used twice.
    pub fn seal<R: Read + Send, W: Write + Send>(
        self,
        input: R,
        mut output: W,
    ) -> Result<(), Error> {
        let opts = SealOptions {
            armor: self.options.armor,
            stream: self.options.stream(),
        };
        self.sealer.seal(input, &mut output, opts, &mut |_| {})?;
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
    /// the plaintext to `output`. Each 64 KiB chunk is written only after
    /// it authenticated; on an error, what was written is a prefix of the
    /// plaintext and must not be trusted as the whole.
    pub fn open<W: Write + Send>(
        self,
        identities: &[Identity],
        mut output: W,
    ) -> Result<(), Error> {
        let ids: Vec<Box<dyn age::Identity + '_>> = identities
            .iter()
            .map(|i| i.to_age(self.options.max_work_factor))
            .collect();
        let refs: Vec<&dyn age::Identity> = ids.iter().map(|b| b.as_ref()).collect();
        let key = format::unwrap_file_key(&self.sealed.header, &refs)?;
        let stream = self.options.stream();
        format::open_payload(&key, self.sealed, &mut output, stream, &mut |_| {})?;
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
) -> Result<(), Error> {
    Decryptor::new(input, options)?.open(identities, output)
}
