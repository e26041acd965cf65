
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'lockbox' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'lockbox'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'lockbox' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Generate a new identity and print its recipient')
            [CompletionResult]::new('seal', 'seal', [CompletionResultType]::ParameterValue, 'Seal a file or message to recipients or with a passphrase')
            [CompletionResult]::new('open', 'open', [CompletionResultType]::ParameterValue, 'Open a sealed file with an identity or a passphrase')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show what a sealed file says about itself, without opening it')
            [CompletionResult]::new('contact', 'contact', [CompletionResultType]::ParameterValue, 'Keep named recipients (contacts) and their fingerprints')
            break
        }
        'lockbox;keygen' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the identity to FILE (''-'' for stdout) instead of the default identity file')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the identity to FILE (''-'' for stdout) instead of the default identity file')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE (''-'' for stdin), at most 64 KiB (for scripts; or set LOCKBOX_PASSPHRASE)')
            [CompletionResult]::new('--pq', '--pq', [CompletionResultType]::ParameterName, 'Generate a post-quantum hybrid identity (ML-KEM-768 + X25519)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Print the recipients of the identities in FILE (stdin when absent or ''-''; the default identity file when stdin is a terminal)')
            [CompletionResult]::new('--to-recipients', '--to-recipients', [CompletionResultType]::ParameterName, 'Print the recipients of the identities in FILE (stdin when absent or ''-''; the default identity file when stdin is a terminal)')
            [CompletionResult]::new('--protect', '--protect', [CompletionResultType]::ParameterName, 'Protect the identity file with a passphrase (an armored, scrypt-sealed age file)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no notes on stderr (the recipient still goes to stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no notes on stderr (the recipient still goes to stdout)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'lockbox;seal' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Seal to RECIPIENT (age1..., age1pq1..., ssh-ed25519 ..., ssh-rsa ..., age1NAME1...); repeatable')
            [CompletionResult]::new('--recipient', '--recipient', [CompletionResultType]::ParameterName, 'Seal to RECIPIENT (age1..., age1pq1..., ssh-ed25519 ..., ssh-rsa ..., age1NAME1...); repeatable')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Seal to the recipients listed in FILE (''-'' for stdin); repeatable')
            [CompletionResult]::new('--recipients-file', '--recipients-file', [CompletionResultType]::ParameterName, 'Seal to the recipients listed in FILE (''-'' for stdin); repeatable')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Seal to the recipient of the identity in FILE; repeatable')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Seal to the recipient of the identity in FILE; repeatable')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE (''-'' for stdin), at most 64 KiB (for scripts; or set LOCKBOX_PASSPHRASE)')
            [CompletionResult]::new('--sign-with', '--sign-with', [CompletionResultType]::ParameterName, 'Sign with the first X25519 or post-quantum identity in FILE (implies --sign)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the sealed file to OUT (''-'' for stdout); a new file gets mode 0666 minus the umask')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the sealed file to OUT (''-'' for stdout); a new file gets mode 0666 minus the umask')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads for sealing and opening (default: the cores available)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for sealing and opening (default: the cores available)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Seal with a passphrase instead of recipients')
            [CompletionResult]::new('--passphrase', '--passphrase', [CompletionResultType]::ParameterName, 'Seal with a passphrase instead of recipients')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Write ASCII armor (PEM) instead of binary')
            [CompletionResult]::new('--armor', '--armor', [CompletionResultType]::ParameterName, 'Write ASCII armor (PEM) instead of binary')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Sign as the sender with the default identity ($LOCKBOX_IDENTITY, else the default identity file): each recipient can check who sealed the file')
            [CompletionResult]::new('--sign', '--sign', [CompletionResultType]::ParameterName, 'Sign as the sender with the default identity ($LOCKBOX_IDENTITY, else the default identity file): each recipient can check who sealed the file')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress bar (except the warning of a contact whose key changed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress bar (except the warning of a contact whose key changed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'lockbox;open' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Open with the identity in FILE; repeatable (default: the default identity file)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Open with the identity in FILE; repeatable (default: the default identity file)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE (''-'' for stdin), at most 64 KiB (for scripts; or set LOCKBOX_PASSPHRASE)')
            [CompletionResult]::new('--max-work-factor', '--max-work-factor', [CompletionResultType]::ParameterName, 'Highest scrypt work factor accepted for passphrase-sealed files and protected identity files (log2 of scrypt''s N)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the plaintext to OUT (''-'' for stdout), with mode 0600 minus the umask')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the plaintext to OUT (''-'' for stdout), with mode 0600 minus the umask')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Require a verified sender seal by WHO (a contact name, @NAME, age1... or age1pq1...); repeatable: any of them')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads for sealing and opening (default: the cores available)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for sealing and opening (default: the cores available)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress bar (except the warning of a contact whose key changed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress bar (except the warning of a contact whose key changed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'lockbox;inspect' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Also say whether the identities in FILE open it, besides the default identity file; repeatable')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Also say whether the identities in FILE open it, besides the default identity file; repeatable')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object (stable fields, see the man page)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no notes on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'lockbox;contact' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr (a key changed since verified is still reported)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr (a key changed since verified is still reported)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a contact: a name for one or more recipients')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the contacts')
            [CompletionResult]::new('replace', 'replace', [CompletionResultType]::ParameterValue, 'Give an existing contact new recipients, keeping a dated history line')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a contact''s recipients and their fingerprints')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Compare a contact''s fingerprints and record it')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a contact')
            break
        }
        'lockbox;contact;add' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Read the recipients from a recipients FILE (''-'' for stdin)')
            [CompletionResult]::new('--verified', '--verified', [CompletionResultType]::ParameterName, 'Record that you compared the fingerprints with the contact')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr (a key changed since verified is still reported)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr (a key changed since verified is still reported)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'lockbox;contact;list' {
            [CompletionResult]::new('--names', '--names', [CompletionResultType]::ParameterName, 'Print the names only, one per line (for scripts and shell completion)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr (a key changed since verified is still reported)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr (a key changed since verified is still reported)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'lockbox;contact;replace' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Read the new recipients from a recipients FILE (''-'' for stdin)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr (a key changed since verified is still reported)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr (a key changed since verified is still reported)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'lockbox;contact;show' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr (a key changed since verified is still reported)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr (a key changed since verified is still reported)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'lockbox;contact;verify' {
            [CompletionResult]::new('--fingerprint', '--fingerprint', [CompletionResultType]::ParameterName, 'The fingerprint the person gave you, compared instead of asking (repeatable)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr (a key changed since verified is still reported)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr (a key changed since verified is still reported)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'lockbox;contact;remove' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr (a key changed since verified is still reported)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no notes or warnings on stderr (a key changed since verified is still reported)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
