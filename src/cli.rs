//! The command-line interface: clap types only, no behaviour.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueHint};

const AFTER_HELP: &str = "\
Examples:
  lockbox keygen                                  new identity in ~/.config/lockbox/identity.txt
  lockbox seal -r age1... -o report.pdf.age report.pdf
  echo hello | lockbox seal -r age1... -a          armored message on stdout
  lockbox open -o report.pdf report.pdf.age        with the default identity
  lockbox seal -p -o secrets.tar.age secrets.tar   with a passphrase
  lockbox contact add bob age1...                  name bob's key; prints its fingerprint
  lockbox seal -r bob -o doc.age doc.pdf           seal to the contact bob
  lockbox inspect doc.age                          what a sealed file says about itself";

const LONG_ABOUT: &str = "\
lockbox seals files and messages to a recipient's public key, so that any untrusted \
channel (email, chat, a shared drive, a pipe) can carry them and only the holder of the \
matching identity (private key) can open them.

lockbox reads and writes the age v1 file format (age-encryption.org/v1) byte for byte: \
files sealed by lockbox open with age, rage and typage, and the other way round.

Recipients are X25519 keys (age1...), post-quantum hybrid keys (age1pq1...), SSH public keys \
(ssh-ed25519, ssh-rsa) and age plugins (age1NAME1...). Identities are age identity files, \
SSH private keys and plugin identities. A passphrase can replace keys altogether. A key \
that cannot be anyone's (a point of small order, which would let anyone open the file, or an \
RSA key with exponent 1) is refused wherever it comes from.

Recipients and identities: a recipient (public key) is what you give to people who send you \
files; an identity (private key) stays with you and opens them. 'lockbox keygen' makes an \
identity, by default in $XDG_CONFIG_HOME/lockbox/identity.txt (~/.config/lockbox/identity.txt), \
and prints its recipient. With --protect the identity file is itself sealed with a passphrase, \
in the age format, so age and rage open it too.

Post-quantum keys: 'lockbox keygen --pq' makes a hybrid ML-KEM-768 + X25519 identity \
(AGE-SECRET-KEY-PQ-1...) whose recipient starts with age1pq1. Files sealed to it stay safe \
if quantum computers later break X25519 ('harvest now, decrypt later'). A file is sealed to \
post-quantum recipients only or to classic ones only: mixing them is refused, since the classic \
one would be the weak link. Go age 1.3 and typage open these files.

Contacts: 'lockbox contact add NAME RECIPIENT...' gives recipients a name, and \
'lockbox seal -r NAME' (or -r @NAME) seals to them. A contact is a plain recipients file in \
$XDG_CONFIG_HOME/lockbox/contacts/, which 'age -R' reads too.

Fingerprints: every recipient has a short fingerprint (5 groups of 4 hex digits, from SHA-256 \
of the recipient; see lockbox-contact(1)) to compare over the phone or in person, so a swapped \
key is caught. keygen prints the new key's fingerprint; 'contact show' prints a contact's, and \
'contact verify' records that you compared them. Sealing to a contact never verified warns once \
on stderr; to a contact whose key changed since you verified it, loudly, even with -q.

Output: stdout carries data only; messages, warnings and progress go to stderr, and \
-q/--quiet silences warnings, notes and progress. Nothing is coloured except clap's help, \
which honours NO_COLOR.";

/// A long help text, then the exit statuses (from [`crate::error::Exit`]).
fn with_exit_statuses(text: &str) -> String {
    format!("{text}\n\n{}", crate::error::exit_status_line())
}

/// Seal files and messages to a recipient's public key (age v1 format).
#[derive(Debug, Parser)]
#[command(
    name = "lockbox",
    version,
    about,
    long_about = with_exit_statuses(LONG_ABOUT),
    after_help = AFTER_HELP,
    propagate_version = true,
    disable_help_subcommand = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate a new identity and print its recipient
    #[command(after_help = KEYGEN_EXAMPLES, long_about = KEYGEN_LONG)]
    Keygen(KeygenArgs),
    /// Seal a file or message to recipients or with a passphrase
    #[command(after_help = SEAL_EXAMPLES, long_about = SEAL_LONG)]
    Seal(SealArgs),
    /// Open a sealed file with an identity or a passphrase
    #[command(after_help = OPEN_EXAMPLES, long_about = with_exit_statuses(OPEN_LONG))]
    Open(OpenArgs),
    /// Show what a sealed file says about itself, without opening it
    #[command(after_help = INSPECT_EXAMPLES, long_about = INSPECT_LONG)]
    Inspect(InspectArgs),
    /// Keep named recipients (contacts) and their fingerprints
    #[command(after_help = CONTACT_EXAMPLES, long_about = CONTACT_LONG)]
    Contact(ContactArgs),
}

const KEYGEN_LONG: &str = "\
Generate a new identity (private key) and print its recipient (public key) on stdout.

Without -o/--output the identity is written to the default identity file, \
$LOCKBOX_IDENTITY if set, else $XDG_CONFIG_HOME/lockbox/identity.txt \
(~/.config/lockbox/identity.txt), creating its folder with mode 0700. \
Identity files are created with mode 0600 and never overwritten. \
'-o -' writes the identity to stdout instead, and the recipient to stderr \
('lockbox: recipient: age1...', before the fingerprint line).

The new key's fingerprint is printed on stderr (see lockbox-contact(1)): read it to the \
people who add you as a contact, so they can check they got your key.

With --protect the identity file is sealed with a passphrase (asked twice on the terminal, or \
from --passphrase-file or $LOCKBOX_PASSPHRASE): an armored age file with one scrypt stanza \
(work factor 2^18). lockbox open, seal -i and keygen -y ask for the passphrase when they read \
it, and so do 'age -d -i FILE', rage and typage.

With --pq the identity is a post-quantum hybrid key (ML-KEM-768 with X25519, the age \
type mlkem768x25519): use it for files that must stay confidential for years, since files \
sealed today to a classic key can be stored now and opened once quantum computers break \
X25519 (\"harvest now, decrypt later\"). The identity is AGE-SECRET-KEY-PQ-1... (77 \
characters); the recipient age1pq1... is 1959 characters long, so share it as a file \
(-R) rather than by hand, and compare its fingerprint. Files sealed to it open with \
lockbox, Go age 1.3 or later and typage 0.3 or later (not rage 0.12 or Go age 1.1). \
Post-quantum and classic recipients can't be mixed in one file.

With -y/--to-recipients, read an identity file (or stdin) and print the recipient of \
each identity in it on stdout, and its fingerprint on stderr (-q/--quiet leaves it \
out); a protected identity file asks for its passphrase. Without FILE and with stdin a \
terminal, -y reads the default identity file and says so on stderr.";

const KEYGEN_EXAMPLES: &str = "\
Examples:
  lockbox keygen                          write ~/.config/lockbox/identity.txt
  lockbox keygen -o alice.key             write alice.key (mode 0600)
  lockbox keygen --pq -o alice-pq.key     post-quantum hybrid identity
  lockbox keygen -y alice.key             print the recipient of alice.key
  lockbox keygen -y                       print your own recipient (the default identity)
  lockbox keygen --protect -o alice.age   identity sealed with a passphrase";

const SEAL_LONG: &str = "\
Seal INPUT (a file, or stdin when absent or '-') to one or more recipients and write the \
sealed file to OUT (stdout when absent or '-').

Recipients come from -r/--recipient (repeatable), -R/--recipients-file (a file of \
recipients, one per line, '#' comments and blank lines allowed, '-' for stdin), and \
-i/--identity (seal to that identity's own recipient). A -r value that is not a recipient \
but is a contact name seals to that contact's recipients (see lockbox-contact(1)); write \
-r @NAME when the name could be read as a recipient. An unknown name is an error that lists \
close names. Sealing to a contact whose fingerprints were never verified prints one warning \
naming the contact; -q/--quiet silences it. Sealing to a contact whose key changed since you \
verified it prints a louder warning with both fingerprints, which -q/--quiet does not \
silence (the file is still sealed, to the new key). With -p/--passphrase the file is \
sealed with a passphrase instead (scrypt, work factor 2^18), which cannot be combined \
with recipients.

Binary output is refused when the output is a terminal, stdout or a terminal named by -o \
(/dev/tty, /dev/stdout): use -a/--armor, or '-o -' to force it. \
With -o FILE the output is written to a temporary file in the same folder and renamed over \
FILE only when sealing succeeded. A new FILE gets mode 0666 minus the umask, as any Unix tool \
creates files (0644 under the usual umask 022, 0600 under 077; the umask is read from \
/proc/self/status, and taken to be 022 where that can't be read); a FILE that is replaced \
keeps its mode. When FILE is a symbolic link, the file it points to is replaced, in that file's \
folder, and the link is kept; a link that points to nothing, or a loop of links, is an error. \
FILE can't be the input, a recipients, identity or passphrase file of the same command, \
whatever the spelling (the same file through a link counts). Standard input serves one \
purpose at most: INPUT absent or '-', -R - and -i - exclude each other.

A message typed on the terminal (stdin is a terminal) is sealed when the input ends \
(Ctrl-D): nothing is written while you type, then the whole output at once (at most \
16 MiB).

-s/--sign proves to each recipient who sealed the file (a lockbox-sender stanza, \
lockbox-sender/v1): it signs with the default identity ($LOCKBOX_IDENTITY, else \
$XDG_CONFIG_HOME/lockbox/identity.txt), or with the first X25519 or post-quantum identity in \
--sign-with FILE (a protected file asks for its passphrase). Only the recipients can see who \
sealed the file, and they can't prove it to anyone else (deniable). X25519 (age1...) and \
post-quantum (age1pq1...) recipients can verify the seal; SSH and plugin recipients open the \
file but can't, and one warning names them. --sign is refused (exit 2) with -p/--passphrase \
and when no recipient can verify. The file stays an ordinary age file: age, rage and typage \
open it and ignore the seal. The seal covers the whole payload, so a signed file is written \
in one pass to -o FILE or to a stdout that is a regular file ('> doc.age'; the header last), \
and through an unlinked temporary file (mode 0600, ciphertext only, in $TMPDIR, else /tmp: \
as large as the sealed file) to a pipe, with '>> FILE', or with -a/--armor.";

const SEAL_EXAMPLES: &str = "\
Examples:
  lockbox seal -r age1... -o doc.age doc.pdf                 to one recipient
  lockbox seal -r bob -r @carol -o doc.age doc.pdf           to two contacts
  lockbox seal -R friends.txt -a < notes.txt > notes.age     armored, to everyone in friends.txt
  tar cz photos | lockbox seal -i ~/.config/lockbox/identity.txt > photos.tgz.age   to yourself
  lockbox seal -p -o secrets.age secrets.txt                 with a passphrase (asked twice)
  lockbox seal --sign -r bob -o doc.age doc.pdf              signed: bob can check you sealed it";

const OPEN_LONG: &str = "\
Open INPUT (a sealed file, or stdin when absent or '-') and write the plaintext to OUT \
(stdout when absent or '-'). Armored input is detected automatically, as Go age does: it \
starts with '-----BEGIN AGE ENCRYPTED FILE-----' after at most 1 KiB of whitespace.

A saved mail or other text opens too: lockbox finds the armored block in it, as GnuPG does \
for its blocks, from the first '-----BEGIN AGE ENCRYPTED FILE-----' line to its \
'-----END AGE ENCRYPTED FILE-----' line. Lines quoted with '>' (any depth: '> ', '> > ', \
'>> ', the same on every line of the block) are unquoted, and whitespace at the end of \
lines is dropped; the block itself is decoded as strictly as a file (canonical base64, \
64 columns). The block stands apart from the text: the line before it and the line after \
it are empty, quoted to another depth (as the 'wrote:' line of a reply), or absent; so \
armor may also be followed by a signature after an empty line. Two blocks in one input \
are an error naming both lines: save each on its own. A text without a block is not an \
age file (exit 4).

When stdin is a terminal, a paste is read up to its end line and opened then: no Ctrl-D is \
needed (at most 16 MiB). What the paste holds after the end line (a signature, the rest of a \
mail) is discarded, so that the shell does not run it as commands.

Identities come from -i/--identity (repeatable); without it, the default identity file \
($LOCKBOX_IDENTITY, else $XDG_CONFIG_HOME/lockbox/identity.txt) is used. A file sealed \
with a passphrase asks for it on the terminal, or takes it from --passphrase-file or \
$LOCKBOX_PASSPHRASE (at most 64 KiB: a longer passphrase is refused, never cut). An SSH private \
key protected with a passphrase is asked for it ('Passphrase for SSH key FILE:', or the same \
--passphrase-file and $LOCKBOX_PASSPHRASE) only when the file has a stanza for that key, as \
the stanza's tag tells; a key the file is not for is never asked.

scrypt, which turns a passphrase into a key, needs 1 KiB x 2^N of memory at work factor N \
(4 GiB at 22). A passphrase-sealed file or protected identity file whose work factor is above \
--max-work-factor (default 22) is refused before the passphrase is asked, and so is one whose \
scrypt memory is more than this machine has available (MemAvailable in /proc/meminfo), \
whatever the limit.

With -o FILE the plaintext goes to a temporary file in the same folder, flushed to disk and \
renamed over FILE only when the whole file has authenticated: a failed open leaves nothing \
behind. The plaintext file gets mode 0600 minus the umask, never more, even when it replaces \
a file that others could read. When FILE is a symbolic link, the file it points to is \
replaced, in that file's folder, and the link is kept; a link that points to nothing, or a \
loop of links, is an error. FILE can't be the input, an identity file (the default one \
included) or the passphrase file, whatever the spelling: 'open -i K -o K' is refused before \
anything is written. Of INPUT (absent or '-'), -i - and --passphrase-file -, only one can read standard input. \
On stdout, each 64 KiB chunk is written only after it has authenticated (the same chunks \
whatever -j/--threads), and the exit status is non-zero if anything later fails. Plaintext bound for a terminal (stdout, or a \
terminal named by -o such as /dev/tty) is held until it has all authenticated, and refused \
if it holds control characters.

A file with a sender seal (sealed with 'lockbox seal --sign') is verified before a byte is \
released, to stdout or to -o, and stderr says who sealed it: 'lockbox: sealed by alice \
(verified contact)', '(contact, fingerprints never compared)', or 'sealed by age1... \
(fingerprint XXXX ...; not one of your contacts)'. A sender whose key is the X25519 half of \
a contact's post-quantum recipient is that contact. -q/--quiet silences the line; an unsigned \
file says nothing. A seal that does not verify is exit 4 with nothing released: the file was \
altered by someone who could open it, or forwarded. To -o the plaintext goes to the temporary \
file, renamed only once verified; to stdout the ciphertext is spooled to an unlinked temporary \
file (mode 0600, in $TMPDIR, else /tmp: as large as the file) and decrypted from there once \
verified: no plaintext is written to disk. \
Opened with only SSH or plugin identities, a seal can't be verified: a note says so and the \
file counts as unsigned (with --from, exit 5 saying so).

--from WHO (repeatable; a contact name, @NAME, age1... or age1pq1...) requires a verified \
seal by one of them: an unsigned file, or one sealed by someone else, is exit 5 with nothing \
released, and the message says who sealed it or that nobody did.";

const OPEN_EXAMPLES: &str = "\
Examples:
  lockbox open -o doc.pdf doc.age          with the default identity
  lockbox open -i alice.key < msg.age      plaintext on stdout
  lockbox open mail.txt                    the block in a mail you saved
  lockbox open                             paste the block; it opens at its end line
  lockbox open --passphrase-file pw.txt -o secrets.txt secrets.age   passphrase from a file, for scripts
  lockbox open --from alice -o doc.pdf doc.age   only if alice sealed it (else exit 5)";

const INSPECT_LONG: &str = "\
Show what a sealed file (INPUT, or stdin when absent or '-') says about itself, without \
opening it and needing no identity: whether it is armored, the recipient stanza types and \
how many of each, whether it is post-quantum, whether it has a sender seal ('sealed by \
someone (only recipients can see who)' or 'not signed'), the header and payload sizes, and \
the plaintext size they imply. The sender stanza is not a recipient: it is not counted among \
the stanzas nor in the post-quantum rule. It reads what 'lockbox open' reads: binary or armored files, and the armored \
block in a saved mail or other text (see lockbox-open(1)); the armor overhead of a block in \
a text counts the text around it.

A file is post-quantum when every stanza is of a post-quantum type (mlkem768x25519, \
mlkem768p256tag) or is a passphrase (scrypt, symmetric and so not exposed to quantum \
computers), as Go age's age-inspect decides.

With --json, one JSON object on stdout. Its fields are stable: \
armored (boolean), stanzas (the stanza types, in file order), \
postquantum (\"yes\", \"no\" or \"unknown\": \"no\" when any stanza is of a classic type, \
\"yes\" when all are post-quantum, \"unknown\" otherwise, for example plugin stanzas), \
sender_sealed (boolean: whether the file has a lockbox-sender seal), \
header_size (bytes of the binary header, MAC line included), \
payload_size (bytes after the header: the 16-byte nonce and the sealed chunks), \
plaintext_size (the plaintext size that payload_size implies: payload_size minus the nonce \
minus 16 bytes per 64 KiB chunk; null when payload_size is impossible for an age file, \
with the reason in note). \
For scripts written for Go age 1.3's age-inspect --json, the object also carries that tool's \
fields with the same names and meanings: version, armor, stanza_types, and sizes (header, \
armor, overhead, min_payload, max_payload, min_padding, max_padding; min_payload and \
max_payload equal plaintext_size, the paddings are 0). The payload is never decrypted: sizes assume \
the file opens.

Can I open this? inspect says which of your identities open the file: the default identity \
file ($LOCKBOX_IDENTITY, else $XDG_CONFIG_HOME/lockbox/identity.txt) when it exists, and \
those given with -i/--identity. Each identity is listed with its fingerprint and one of: \
'opens' (an X25519, post-quantum or unencrypted SSH identity unwraps a stanza and the header \
MAC checks out), 'does not open', 'unwraps a stanza, but the header MAC is wrong (tampered)', \
'needs its passphrase' (a protected identity file, or an encrypted SSH key whose tag \
matches a stanza: inspect never asks for a passphrase), 'may open (plugin, not run)' (a \
plugin identity and a stanza of a plugin's type: inspect never runs a plugin, so a hardware \
key is not touched) and 'not tried (too many identities and stanzas)' (at most 10000 \
unwraps are tried in all, whatever the header). A default identity file that can't be read \
is 'could not be read' with the reason (one given with -i is an error). A file sealed with a passphrase says so \
instead. For each SSH stanza, inspect names the contacts and ~/.ssh/*.pub keys whose tag it \
carries (the first 4 bytes of SHA-256 of the SSH public key, base64, the stanza's first \
argument). Nothing secret is printed. In JSON: passphrase (boolean), identities (an array \
of objects: file, recipient and fingerprint, or null when they can't be had without a \
passphrase or a plugin; plugin, the plugin's name or null; result, the words above; \
error, why the file could not be read, or null), and \
ssh_stanzas (an array of objects: type, tag, and keys, the names that match).

Exit status: 0 success, whether or not an identity opens the file; 1 the input or an \
identity file could not be read; 4 the input is not an age file, or \
its header or armor is malformed.";

const INSPECT_EXAMPLES: &str = "\
Examples:
  lockbox inspect doc.age                   what doc.age was sealed to, and its sizes
  lockbox inspect mail.txt                  the same for the block in a saved mail
  lockbox inspect -i work.key doc.age       can the default identity or work.key open it?
  lockbox inspect --json doc.age | jq .postquantum   for scripts
  curl -s https://example.com/f.age | lockbox inspect   from stdin";

const CONTACT_LONG: &str = "\
Contacts are named recipients: 'lockbox seal -r NAME' seals to everyone in the contact NAME. \
A contact is a plain age recipients file, $XDG_CONFIG_HOME/lockbox/contacts/NAME \
(~/.config/lockbox/contacts/NAME): one recipient per line with '#' comments, readable by \
'age -R' and by 'lockbox seal -R'. There is no database and nothing hidden: edit or copy the \
files freely.

Names use letters, digits, '.', '_', '-', '+' and '@', at most 64 characters, and don't \
start with '.' or '@': an email address will do ('contact add alice@example.com age1...', \
'seal -r alice@example.com'; a recipient never holds an '@', so this can't be misread). \
When a name could also be read as a recipient, write it '@NAME' ('seal -r @NAME').

Fingerprints: every recipient has a short fingerprint that two people can compare over the \
phone or in person, to be sure a key was not swapped on the way. It is the SHA-256 hash of \
the recipient string exactly as 'contact show' prints it (UTF-8, no line ending; SSH keys \
without their comment), and its first 10 bytes are written as 5 groups of 4 lower-case hex \
digits separated by spaces, for example '3f2a 9c01 77be 0d4e 5a61'. \
Post-quantum recipients get the same short form. 'lockbox keygen' prints the fingerprint of \
a new key; 'contact add' and 'contact show' print those of a contact.

After comparing, record it with 'contact add --verified' or 'contact verify NAME' (which shows \
the fingerprints and asks y/N on a terminal, or compares --fingerprint): a comment \
line '# verified: FINGERPRINT TIME' in the contact file. Sealing to a contact that was never \
verified prints one warning on stderr (-q/--quiet silences it).

Changed keys: 'contact add' refuses an existing name (status 2); 'contact replace NAME \
RECIPIENT...' gives it new keys and writes a dated '# replaced:' history line. A contact \
whose key changed since you verified it (replaced, or the file edited by hand or by someone \
else) is the swapped-key attack fingerprints exist for: 'seal -r NAME', 'contact show' and \
'contact list' say so loudly on stderr, 'the key of contact NAME changed since you verified \
it on TIME: verified OLD, now NEW', and -q/--quiet does not silence it. seal still seals \
(to the new key): stop it (Ctrl-C) or delete the output if you did not expect the change. \
Verify the new fingerprints to end the warning.";

const CONTACT_EXAMPLES: &str = "\
Examples:
  lockbox contact add bob age1...            add bob, print his fingerprint
  lockbox contact add --verified bob age1...   after comparing the fingerprint with bob
  lockbox contact add team --from team.txt   everyone in a recipients file
  lockbox contact list                       names, recipients and verified state
  lockbox contact list --names               names only, one per line
  lockbox contact show bob                   recipients and fingerprints
  lockbox contact verify bob                 compare the fingerprints (y/N), record it
  lockbox contact replace bob age1...        bob has a new key (verify it again)
  lockbox contact add alice@example.com age1...   an email address as the name
  lockbox seal -r bob -o doc.age doc.pdf     seal to a contact
  age -R ~/.config/lockbox/contacts/bob doc.pdf > doc.age   the same with age";

/// Arguments of `lockbox inspect`.
#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// Print one JSON object (stable fields, see the man page)
    #[arg(long)]
    pub json: bool,

    /// The sealed file, or a saved mail holding an armored block, to inspect (stdin when absent or '-')
    #[arg(value_name = "INPUT", value_hint = ValueHint::FilePath)]
    pub input: Option<PathBuf>,

    /// Also say whether the identities in FILE open it, besides the default identity file; repeatable
    #[arg(short, long = "identity", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub identities: Vec<PathBuf>,

    /// Print no notes on stderr
    #[arg(short, long)]
    pub quiet: bool,
}

/// Arguments of `lockbox contact`.
#[derive(Debug, Args)]
pub(crate) struct ContactArgs {
    #[command(subcommand)]
    pub command: ContactCommand,

    /// Print no notes or warnings on stderr (a key changed since verified is still reported)
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// The `lockbox contact` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum ContactCommand {
    /// Add a contact: a name for one or more recipients
    #[command(after_help = CONTACT_ADD_EXAMPLES)]
    Add(ContactAddArgs),
    /// List the contacts
    List(ContactListArgs),
    /// Give an existing contact new recipients, keeping a dated history line
    #[command(after_help = CONTACT_REPLACE_EXAMPLES, long_about = CONTACT_REPLACE_LONG)]
    Replace(ContactReplaceArgs),
    /// Show a contact's recipients and their fingerprints
    Show(ContactNameArgs),
    /// Compare a contact's fingerprints and record it
    #[command(after_help = CONTACT_VERIFY_EXAMPLES, long_about = CONTACT_VERIFY_LONG)]
    Verify(ContactVerifyArgs),
    /// Remove a contact
    Remove(ContactNameArgs),
}

const CONTACT_REPLACE_LONG: &str = "\
Give the existing contact NAME new recipients (all of them: the old ones are dropped). \
The contact file keeps its other lines, gets a history line \
'# replaced: TIME: was FINGERPRINTS, now FINGERPRINTS', and keeps the '# verified:' lines of \
the old keys, so a contact that was verified reads as changed since verified ('contact show', \
'contact list', and a warning from 'seal -r NAME' that -q/--quiet does not silence) until \
you compare the new fingerprints with the person and run 'contact verify NAME'.";

const CONTACT_REPLACE_EXAMPLES: &str = "\
Examples:
  lockbox contact replace bob age1...          bob has a new key
  lockbox contact verify bob                   then compare its fingerprint with bob";

const CONTACT_VERIFY_LONG: &str = "\
Compare the fingerprints of the contact NAME with the ones the person reads to you, and \
record it: a '# verified: FINGERPRINT TIME' line in the contact file for each recipient.

On a terminal (standard input is one), the contact and its fingerprints are shown and you \
are asked to confirm ('y' or 'yes'; anything else, or Enter alone, is no and exits with \
status 1). With --fingerprint the fingerprint you were given is compared instead, case, \
spaces and dashes ignored (give it once per recipient of a contact with several); a \
fingerprint that matches no recipient is an error (status 1) and nothing is recorded; one \
that is not 20 hex digits is a usage error (status 2). Without a terminal and without \
--fingerprint, verify is a usage error (status 2): nothing is recorded unseen.";

const CONTACT_VERIFY_EXAMPLES: &str = "\
Examples:
  lockbox contact verify bob                                    show, then ask y/N
  lockbox contact verify bob --fingerprint '8063 cc03 4d1e 92aa 0b7f'   as bob read it out";

const CONTACT_ADD_EXAMPLES: &str = "\
Examples:
  lockbox contact add bob age1...                   add bob
  lockbox contact add --verified bob age1...        fingerprint compared with bob
  lockbox contact add team --from team.txt          from a recipients file
  ssh-add -L | lockbox contact add laptop --from -   from stdin";

/// Arguments of `lockbox contact add`.
#[derive(Debug, Args)]
pub(crate) struct ContactAddArgs {
    /// The contact's name (letters, digits, '.', '_', '-', '+', '@': an email address will do)
    #[arg(value_name = "NAME")]
    pub name: String,

    /// The contact's recipients (age1..., age1pq1..., ssh-ed25519 ..., ssh-rsa ...)
    #[arg(value_name = "RECIPIENT")]
    pub recipients: Vec<String>,

    /// Read the recipients from a recipients FILE ('-' for stdin)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub from: Option<PathBuf>,

    /// Record that you compared the fingerprints with the contact
    #[arg(long)]
    pub verified: bool,
}

/// Arguments of `lockbox contact replace`.
#[derive(Debug, Args)]
pub(crate) struct ContactReplaceArgs {
    /// The contact's name
    #[arg(value_name = "NAME")]
    pub name: String,

    /// The contact's new recipients (age1..., age1pq1..., ssh-ed25519 ..., ssh-rsa ...)
    #[arg(value_name = "RECIPIENT")]
    pub recipients: Vec<String>,

    /// Read the new recipients from a recipients FILE ('-' for stdin)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub from: Option<PathBuf>,
}

/// Arguments of `lockbox contact verify`.
#[derive(Debug, Args)]
pub(crate) struct ContactVerifyArgs {
    /// The contact's name
    #[arg(value_name = "NAME")]
    pub name: String,

    /// The fingerprint the person gave you, compared instead of asking (repeatable)
    #[arg(long, value_name = "FINGERPRINT")]
    pub fingerprint: Vec<String>,
}

/// Arguments of `lockbox contact list`.
#[derive(Debug, Args)]
pub(crate) struct ContactListArgs {
    /// Print the names only, one per line (for scripts and shell completion)
    #[arg(long)]
    pub names: bool,
}

/// A contact name argument.
#[derive(Debug, Args)]
pub(crate) struct ContactNameArgs {
    /// The contact's name
    #[arg(value_name = "NAME")]
    pub name: String,
}

/// Arguments of `lockbox keygen`.
#[derive(Debug, Args)]
pub(crate) struct KeygenArgs {
    /// Write the identity to FILE ('-' for stdout) instead of the default identity file
    #[arg(short, long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub output: Option<PathBuf>,

    /// Generate a post-quantum hybrid identity (ML-KEM-768 + X25519)
    #[arg(long, conflicts_with = "to_recipients")]
    pub pq: bool,

    /// Print the recipients of the identities in FILE (stdin when absent or '-'; the default identity file when stdin is a terminal)
    #[arg(short = 'y', long = "to-recipients")]
    pub to_recipients: bool,

    /// The identity file to read with -y/--to-recipients (stdin when absent or '-')
    #[arg(value_name = "FILE", requires = "to_recipients", value_hint = ValueHint::FilePath)]
    pub input: Option<PathBuf>,

    /// Protect the identity file with a passphrase (an armored, scrypt-sealed age file)
    #[arg(long, conflicts_with = "to_recipients")]
    pub protect: bool,

    /// Passphrase options, for --protect and for -y on a protected identity file
    #[command(flatten)]
    pub passphrase: PassphraseArgs,

    /// Print no notes on stderr (the recipient still goes to stdout)
    #[arg(short, long)]
    pub quiet: bool,
}

/// Where a non-interactive passphrase comes from.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct PassphraseArgs {
    /// Read the passphrase from the first line of FILE ('-' for stdin), at most 64 KiB (for scripts; or set LOCKBOX_PASSPHRASE)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub passphrase_file: Option<PathBuf>,
}

/// How the work runs and how much it says.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct RunArgs {
    /// Worker threads for sealing and opening (default: the cores available)
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,

    /// Print no warnings and no progress bar (except the warning of a contact whose key changed)
    #[arg(short, long)]
    pub quiet: bool,
}

/// Arguments of `lockbox seal`.
#[derive(Debug, Args)]
pub(crate) struct SealArgs {
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

    /// Sign as the sender with the default identity ($LOCKBOX_IDENTITY, else the default identity file): each recipient can check who sealed the file
    #[arg(short, long)]
    pub sign: bool,

    /// Sign with the first X25519 or post-quantum identity in FILE (implies --sign)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub sign_with: Option<PathBuf>,

    /// Write the sealed file to OUT ('-' for stdout); a new file gets mode 0666 minus the umask
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
pub(crate) struct OpenArgs {
    /// Open with the identity in FILE; repeatable (default: the default identity file)
    #[arg(short, long = "identity", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub identities: Vec<PathBuf>,

    #[command(flatten)]
    pub passphrase_source: PassphraseArgs,

    /// Highest scrypt work factor accepted for passphrase-sealed files and protected identity files (log2 of scrypt's N)
    #[arg(long, value_name = "LOG2N", default_value_t = crate::passphrase::DEFAULT_MAX_WORK_FACTOR, value_parser = clap::value_parser!(u8).range(1..=40))]
    pub max_work_factor: u8,

    /// Write the plaintext to OUT ('-' for stdout), with mode 0600 minus the umask
    #[arg(short, long, value_name = "OUT", value_hint = ValueHint::FilePath)]
    pub output: Option<PathBuf>,

    /// Require a verified sender seal by WHO (a contact name, @NAME, age1... or age1pq1...); repeatable: any of them
    #[arg(long = "from", value_name = "WHO")]
    pub from: Vec<String>,

    /// The sealed file, or a saved mail holding an armored block, to open (stdin when absent or '-')
    #[arg(value_name = "INPUT", value_hint = ValueHint::FilePath)]
    pub input: Option<PathBuf>,

    #[command(flatten)]
    pub run: RunArgs,
}
