//! The command-line interface: clap types only, no behaviour.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueHint};

const AFTER_HELP: &str = "\
Examples:
  lockbox keygen                                  new identity in ~/.config/lockbox/identity.txt
  lockbox seal -r age1... -o report.pdf.age report.pdf
  echo hello | lockbox seal -r age1... -a          armored message on stdout
  lockbox open -o report.pdf report.pdf.age        with the default identity
  lockbox seal -p -o secrets.tar.age secrets.tar   with a passphrase";

const LONG_ABOUT: &str = "\
lockbox seals files and messages to a recipient's public key, so that any untrusted \
channel (email, chat, a shared drive, a pipe) can carry them and only the holder of the \
matching identity (private key) can open them.

lockbox reads and writes the age v1 file format (age-encryption.org/v1) byte for byte: \
files sealed by lockbox open with age, rage and typage, and the other way round.

Recipients are X25519 keys (age1...), post-quantum hybrid keys (age1pq1...), SSH public keys \
(ssh-ed25519, ssh-rsa) and age plugins (age1NAME1...). Identities are age identity files, \
SSH private keys and plugin identities. A passphrase can replace keys altogether.";

/// Seal files and messages to a recipient's public key (age v1 format).
#[derive(Debug, Parser)]
#[command(
    name = "lockbox",
    version,
    about,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    propagate_version = true,
    disable_help_subcommand = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a new identity and print its recipient
    #[command(after_help = KEYGEN_EXAMPLES, long_about = KEYGEN_LONG)]
    Keygen(KeygenArgs),
    /// Seal a file or message to recipients or with a passphrase
    #[command(after_help = SEAL_EXAMPLES, long_about = SEAL_LONG)]
    Seal(SealArgs),
    /// Open a sealed file with an identity or a passphrase
    #[command(after_help = OPEN_EXAMPLES, long_about = OPEN_LONG)]
    Open(OpenArgs),
}

const KEYGEN_LONG: &str = "\
Generate a new identity (private key) and print its recipient (public key) on stdout.

Without -o/--output the identity is written to the default identity file, \
$LOCKBOX_IDENTITY if set, else $XDG_CONFIG_HOME/lockbox/identity.txt \
(~/.config/lockbox/identity.txt), creating its folder with mode 0700. \
Identity files are created with mode 0600 and never overwritten. \
'-o -' writes the identity to stdout instead.

With -y/--to-recipients, read an identity file (or stdin) and print the recipient of \
each identity in it.";

const KEYGEN_EXAMPLES: &str = "\
Examples:
  lockbox keygen                          write ~/.config/lockbox/identity.txt
  lockbox keygen -o alice.key             write alice.key (mode 0600)
  lockbox keygen --pq -o alice-pq.key     post-quantum hybrid identity
  lockbox keygen -y alice.key             print the recipient of alice.key";

const SEAL_LONG: &str = "\
Seal INPUT (a file, or stdin when absent or '-') to one or more recipients and write the \
sealed file to OUT (stdout when absent or '-').

Recipients come from -r/--recipient (repeatable), -R/--recipients-file (a file of \
recipients, one per line, '#' comments and blank lines allowed, '-' for stdin), and \
-i/--identity (seal to that identity's own recipient). With -p/--passphrase the file is \
sealed with a passphrase instead (scrypt, work factor 2^18), which cannot be combined \
with recipients.

Binary output is refused when stdout is a terminal: use -a/--armor, or '-o -' to force it. \
With -o FILE the output is written to a temporary file in the same folder and renamed over \
FILE only when sealing succeeded.";

const SEAL_EXAMPLES: &str = "\
Examples:
  lockbox seal -r age1... -o doc.age doc.pdf                 to one recipient
  lockbox seal -R friends.txt -a < notes.txt > notes.age     armored, to everyone in friends.txt
  tar cz photos | lockbox seal -i ~/.config/lockbox/identity.txt > photos.tgz.age   to yourself
  lockbox seal -p -o secrets.age secrets.txt                 with a passphrase (asked twice)";

const OPEN_LONG: &str = "\
Open INPUT (a sealed file, or stdin when absent or '-') and write the plaintext to OUT \
(stdout when absent or '-'). Armored input is detected automatically.

Identities come from -i/--identity (repeatable); without it, the default identity file \
($LOCKBOX_IDENTITY, else $XDG_CONFIG_HOME/lockbox/identity.txt) is used. A file sealed \
with a passphrase asks for it on the terminal, or takes it from --passphrase-file or \
$LOCKBOX_PASSPHRASE.

With -o FILE the plaintext goes to a temporary file in the same folder, flushed to disk and \
renamed over FILE only when the whole file has authenticated: a failed open leaves nothing \
behind. On stdout, each 64 KiB chunk is written only after it has authenticated, and the exit \
status is non-zero if anything later fails.

Exit status: 0 success; 1 other failure; 2 usage error; 3 no identity matched (the file is \
not addressed to you); 4 the input is not a valid sealed file, or was altered or truncated.";

const OPEN_EXAMPLES: &str = "\
Examples:
  lockbox open -o doc.pdf doc.age          with the default identity
  lockbox open -i alice.key < msg.age      plaintext on stdout
  lockbox open --passphrase-file pw.txt -o secrets.txt secrets.age   passphrase from a file, for scripts";

/// Arguments of `lockbox keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Write the identity to FILE ('-' for stdout) instead of the default identity file
    #[arg(short, long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub output: Option<PathBuf>,

    /// Generate a post-quantum hybrid identity (ML-KEM-768 + X25519)
    #[arg(long, conflicts_with = "to_recipients")]
    pub pq: bool,

    /// Print the recipients of the identities in FILE (stdin when absent or '-')
    #[arg(short = 'y', long = "to-recipients")]
    pub to_recipients: bool,

    /// The identity file to read with -y/--to-recipients (stdin when absent or '-')
    #[arg(value_name = "FILE", requires = "to_recipients", value_hint = ValueHint::FilePath)]
    pub input: Option<PathBuf>,

    /// Passphrase options, for -y on a passphrase-protected identity file
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

/// Where a non-interactive passphrase comes from.
#[derive(Debug, Args, Clone, Default)]
pub struct PassphraseArgs {
    /// Read the passphrase from the first line of FILE (for scripts; or set LOCKBOX_PASSPHRASE)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub passphrase_file: Option<PathBuf>,
}

/// How the work runs and how much it says.
#[derive(Debug, Args, Clone, Default)]
pub struct RunArgs {
    /// Worker threads for sealing and opening (default: the cores available)
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,

    /// Print no warnings and no progress bar
    #[arg(short, long)]
    pub quiet: bool,
}

/// Arguments of `lockbox seal`.
#[derive(Debug, Args)]
pub struct SealArgs {
    /// Seal to RECIPIENT (age1..., age1pq1..., ssh-ed25519 ..., ssh-rsa ..., age1NAME1...); repeatable
    #[arg(short, long = "recipient", value_name = "RECIPIENT")]
    pub recipients: Vec<String>,

    /// Seal to the recipients listed in FILE ('-' for stdin); repeatable
    #[arg(short = 'R', long = "recipients-file", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub recipients_files: Vec<PathBuf>,

    /// Seal to the recipient of the identity in FILE; repeatable
    #[arg(short, long = "identity", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub identities: Vec<PathBuf>,

    /// Seal with a passphrase instead of recipients
    #[arg(short, long)]
    pub passphrase: bool,

    #[command(flatten)]
    pub passphrase_source: PassphraseArgs,

    /// Write ASCII armor (PEM) instead of binary
    #[arg(short, long)]
    pub armor: bool,

    /// Write the sealed file to OUT ('-' for stdout)
    #[arg(short, long, value_name = "OUT", value_hint = ValueHint::FilePath)]
    pub output: Option<PathBuf>,

    /// The file to seal (stdin when absent or '-')
    #[arg(value_name = "INPUT", value_hint = ValueHint::FilePath)]
    pub input: Option<PathBuf>,

    #[command(flatten)]
    pub run: RunArgs,
}

/// Arguments of `lockbox open`.
#[derive(Debug, Args)]
pub struct OpenArgs {
    /// Open with the identity in FILE; repeatable (default: the default identity file)
    #[arg(short, long = "identity", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub identities: Vec<PathBuf>,

    #[command(flatten)]
    pub passphrase_source: PassphraseArgs,

    /// Highest scrypt work factor accepted for passphrase-sealed files (log2 of scrypt's N)
    #[arg(long, value_name = "LOG2N", default_value_t = 22, value_parser = clap::value_parser!(u8).range(1..=40))]
    pub max_work_factor: u8,

    /// Write the plaintext to OUT ('-' for stdout)
    #[arg(short, long, value_name = "OUT", value_hint = ValueHint::FilePath)]
    pub output: Option<PathBuf>,

    /// The sealed file to open (stdin when absent or '-')
    #[arg(value_name = "INPUT", value_hint = ValueHint::FilePath)]
    pub input: Option<PathBuf>,

    #[command(flatten)]
    pub run: RunArgs,
}
