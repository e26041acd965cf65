
use builtin;
use str;

set edit:completion:arg-completer[lockbox] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'lockbox'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'lockbox'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand keygen 'Generate a new identity and print its recipient'
            cand seal 'Seal a file or message to recipients or with a passphrase'
            cand open 'Open a sealed file with an identity or a passphrase'
            cand inspect 'Show what a sealed file says about itself, without opening it'
            cand contact 'Keep named recipients (contacts) and their fingerprints'
        }
        &'lockbox;keygen'= {
            cand -o 'Write the identity to FILE (''-'' for stdout) instead of the default identity file'
            cand --output 'Write the identity to FILE (''-'' for stdout) instead of the default identity file'
            cand --passphrase-file 'Read the passphrase from the first line of FILE (''-'' for stdin), at most 64 KiB (for scripts; or set LOCKBOX_PASSPHRASE)'
            cand --pq 'Generate a post-quantum hybrid identity (ML-KEM-768 + X25519)'
            cand -y 'Print the recipients of the identities in FILE (stdin when absent or ''-''; the default identity file when stdin is a terminal)'
            cand --to-recipients 'Print the recipients of the identities in FILE (stdin when absent or ''-''; the default identity file when stdin is a terminal)'
            cand --protect 'Protect the identity file with a passphrase (an armored, scrypt-sealed age file)'
            cand -q 'Print no notes on stderr (the recipient still goes to stdout)'
            cand --quiet 'Print no notes on stderr (the recipient still goes to stdout)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'lockbox;seal'= {
            cand -r 'Seal to RECIPIENT (age1..., age1pq1..., ssh-ed25519 ..., ssh-rsa ..., age1NAME1...); repeatable'
            cand --recipient 'Seal to RECIPIENT (age1..., age1pq1..., ssh-ed25519 ..., ssh-rsa ..., age1NAME1...); repeatable'
            cand -R 'Seal to the recipients listed in FILE (''-'' for stdin); repeatable'
            cand --recipients-file 'Seal to the recipients listed in FILE (''-'' for stdin); repeatable'
            cand -i 'Seal to the recipient of the identity in FILE; repeatable'
            cand --identity 'Seal to the recipient of the identity in FILE; repeatable'
            cand --passphrase-file 'Read the passphrase from the first line of FILE (''-'' for stdin), at most 64 KiB (for scripts; or set LOCKBOX_PASSPHRASE)'
            cand --sign-with 'Sign with the first X25519 or post-quantum identity in FILE (implies --sign)'
            cand -o 'Write the sealed file to OUT (''-'' for stdout); a new file gets mode 0666 minus the umask'
            cand --output 'Write the sealed file to OUT (''-'' for stdout); a new file gets mode 0666 minus the umask'
            cand -j 'Worker threads for sealing and opening (default: the cores available)'
            cand --threads 'Worker threads for sealing and opening (default: the cores available)'
            cand -p 'Seal with a passphrase instead of recipients'
            cand --passphrase 'Seal with a passphrase instead of recipients'
            cand -a 'Write ASCII armor (PEM) instead of binary'
            cand --armor 'Write ASCII armor (PEM) instead of binary'
            cand -s 'Sign as the sender with the default identity ($LOCKBOX_IDENTITY, else the default identity file): each recipient can check who sealed the file'
            cand --sign 'Sign as the sender with the default identity ($LOCKBOX_IDENTITY, else the default identity file): each recipient can check who sealed the file'
            cand -q 'Print no warnings and no progress bar (except the warning of a contact whose key changed)'
            cand --quiet 'Print no warnings and no progress bar (except the warning of a contact whose key changed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'lockbox;open'= {
            cand -i 'Open with the identity in FILE; repeatable (default: the default identity file)'
            cand --identity 'Open with the identity in FILE; repeatable (default: the default identity file)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE (''-'' for stdin), at most 64 KiB (for scripts; or set LOCKBOX_PASSPHRASE)'
            cand --max-work-factor 'Highest scrypt work factor accepted for passphrase-sealed files and protected identity files (log2 of scrypt''s N)'
            cand -o 'Write the plaintext to OUT (''-'' for stdout), with mode 0600 minus the umask'
            cand --output 'Write the plaintext to OUT (''-'' for stdout), with mode 0600 minus the umask'
            cand --from 'Require a verified sender seal by WHO (a contact name, @NAME, age1... or age1pq1...); repeatable: any of them'
            cand -j 'Worker threads for sealing and opening (default: the cores available)'
            cand --threads 'Worker threads for sealing and opening (default: the cores available)'
            cand -q 'Print no warnings and no progress bar (except the warning of a contact whose key changed)'
            cand --quiet 'Print no warnings and no progress bar (except the warning of a contact whose key changed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'lockbox;inspect'= {
            cand -i 'Also say whether the identities in FILE open it, besides the default identity file; repeatable'
            cand --identity 'Also say whether the identities in FILE open it, besides the default identity file; repeatable'
            cand --json 'Print one JSON object (stable fields, see the man page)'
            cand -q 'Print no notes on stderr'
            cand --quiet 'Print no notes on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'lockbox;contact'= {
            cand -q 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
            cand --quiet 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand add 'Add a contact: a name for one or more recipients'
            cand list 'List the contacts'
            cand replace 'Give an existing contact new recipients, keeping a dated history line'
            cand show 'Show a contact''s recipients and their fingerprints'
            cand verify 'Compare a contact''s fingerprints and record it'
            cand remove 'Remove a contact'
        }
        &'lockbox;contact;add'= {
            cand --from 'Read the recipients from a recipients FILE (''-'' for stdin)'
            cand --verified 'Record that you compared the fingerprints with the contact'
            cand -q 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
            cand --quiet 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'lockbox;contact;list'= {
            cand --names 'Print the names only, one per line (for scripts and shell completion)'
            cand -q 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
            cand --quiet 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'lockbox;contact;replace'= {
            cand --from 'Read the new recipients from a recipients FILE (''-'' for stdin)'
            cand -q 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
            cand --quiet 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'lockbox;contact;show'= {
            cand -q 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
            cand --quiet 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'lockbox;contact;verify'= {
            cand --fingerprint 'The fingerprint the person gave you, compared instead of asking (repeatable)'
            cand -q 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
            cand --quiet 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'lockbox;contact;remove'= {
            cand -q 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
            cand --quiet 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
    ]
    $completions[$command]
}
