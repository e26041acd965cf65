# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_lockbox_global_optspecs
    string join \n h/help V/version
end

function __fish_lockbox_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_lockbox_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_lockbox_using_subcommand
    set -l cmd (__fish_lockbox_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c lockbox -n "__fish_lockbox_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockbox -n "__fish_lockbox_needs_command" -s V -l version -d 'Print version'
complete -c lockbox -n "__fish_lockbox_needs_command" -f -a "keygen" -d 'Generate a new identity and print its recipient'
complete -c lockbox -n "__fish_lockbox_needs_command" -f -a "seal" -d 'Seal a file or message to recipients or with a passphrase'
complete -c lockbox -n "__fish_lockbox_needs_command" -f -a "open" -d 'Open a sealed file with an identity or a passphrase'
complete -c lockbox -n "__fish_lockbox_needs_command" -f -a "inspect" -d 'Show what a sealed file says about itself, without opening it'
complete -c lockbox -n "__fish_lockbox_needs_command" -f -a "contact" -d 'Keep named recipients (contacts) and their fingerprints'
complete -c lockbox -n "__fish_lockbox_using_subcommand keygen" -s o -l output -d 'Write the identity to FILE (\'-\' for stdout) instead of the default identity file' -r -F
complete -c lockbox -n "__fish_lockbox_using_subcommand keygen" -l passphrase-file -d 'Read the passphrase from the first line of FILE (\'-\' for stdin), at most 64 KiB (for scripts; or set LOCKBOX_PASSPHRASE)' -r -F
complete -c lockbox -n "__fish_lockbox_using_subcommand keygen" -l pq -d 'Generate a post-quantum hybrid identity (ML-KEM-768 + X25519)'
complete -c lockbox -n "__fish_lockbox_using_subcommand keygen" -s y -l to-recipients -d 'Print the recipients of the identities in FILE (stdin when absent or \'-\'; the default identity file when stdin is a terminal)'
complete -c lockbox -n "__fish_lockbox_using_subcommand keygen" -l protect -d 'Protect the identity file with a passphrase (an armored, scrypt-sealed age file)'
complete -c lockbox -n "__fish_lockbox_using_subcommand keygen" -s q -l quiet -d 'Print no notes on stderr (the recipient still goes to stdout)'
complete -c lockbox -n "__fish_lockbox_using_subcommand keygen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockbox -n "__fish_lockbox_using_subcommand keygen" -s V -l version -d 'Print version'
complete -c lockbox -n "__fish_lockbox_using_subcommand seal" -s r -l recipient -d 'Seal to RECIPIENT (age1..., age1pq1..., ssh-ed25519 ..., ssh-rsa ..., age1NAME1...); repeatable' -r -f -a "(command lockbox contact list --names 2>/dev/null)"
complete -c lockbox -n "__fish_lockbox_using_subcommand seal" -s R -l recipients-file -d 'Seal to the recipients listed in FILE (\'-\' for stdin); repeatable' -r -F
complete -c lockbox -n "__fish_lockbox_using_subcommand seal" -s i -l identity -d 'Seal to the recipient of the identity in FILE; repeatable' -r -F
complete -c lockbox -n "__fish_lockbox_using_subcommand seal" -l passphrase-file -d 'Read the passphrase from the first line of FILE (\'-\' for stdin), at most 64 KiB (for scripts; or set LOCKBOX_PASSPHRASE)' -r -F
complete -c lockbox -n "__fish_lockbox_using_subcommand seal" -l sign-with -d 'Sign with the first X25519 or post-quantum identity in FILE (implies --sign)' -r -F
complete -c lockbox -n "__fish_lockbox_using_subcommand seal" -s o -l output -d 'Write the sealed file to OUT (\'-\' for stdout); a new file gets mode 0666 minus the umask' -r -F
complete -c lockbox -n "__fish_lockbox_using_subcommand seal" -s j -l threads -d 'Worker threads for sealing and opening (default: the cores available)' -r
complete -c lockbox -n "__fish_lockbox_using_subcommand seal" -s p -l passphrase -d 'Seal with a passphrase instead of recipients'
complete -c lockbox -n "__fish_lockbox_using_subcommand seal" -s a -l armor -d 'Write ASCII armor (PEM) instead of binary'
complete -c lockbox -n "__fish_lockbox_using_subcommand seal" -s s -l sign -d 'Sign as the sender with the default identity ($LOCKBOX_IDENTITY, else the default identity file): each recipient can check who sealed the file'
complete -c lockbox -n "__fish_lockbox_using_subcommand seal" -s q -l quiet -d 'Print no warnings and no progress bar (except the warning of a contact whose key changed)'
complete -c lockbox -n "__fish_lockbox_using_subcommand seal" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockbox -n "__fish_lockbox_using_subcommand seal" -s V -l version -d 'Print version'
complete -c lockbox -n "__fish_lockbox_using_subcommand open" -s i -l identity -d 'Open with the identity in FILE; repeatable (default: the default identity file)' -r -F
complete -c lockbox -n "__fish_lockbox_using_subcommand open" -l passphrase-file -d 'Read the passphrase from the first line of FILE (\'-\' for stdin), at most 64 KiB (for scripts; or set LOCKBOX_PASSPHRASE)' -r -F
complete -c lockbox -n "__fish_lockbox_using_subcommand open" -l max-work-factor -d 'Highest scrypt work factor accepted for passphrase-sealed files and protected identity files (log2 of scrypt\'s N)' -r
complete -c lockbox -n "__fish_lockbox_using_subcommand open" -s o -l output -d 'Write the plaintext to OUT (\'-\' for stdout), with mode 0600 minus the umask' -r -F
complete -c lockbox -n "__fish_lockbox_using_subcommand open" -l from -d 'Require a verified sender seal by WHO (a contact name, @NAME, age1... or age1pq1...); repeatable: any of them' -r -f -a "(command lockbox contact list --names 2>/dev/null)"
complete -c lockbox -n "__fish_lockbox_using_subcommand open" -s j -l threads -d 'Worker threads for sealing and opening (default: the cores available)' -r
complete -c lockbox -n "__fish_lockbox_using_subcommand open" -s q -l quiet -d 'Print no warnings and no progress bar (except the warning of a contact whose key changed)'
complete -c lockbox -n "__fish_lockbox_using_subcommand open" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockbox -n "__fish_lockbox_using_subcommand open" -s V -l version -d 'Print version'
complete -c lockbox -n "__fish_lockbox_using_subcommand inspect" -s i -l identity -d 'Also say whether the identities in FILE open it, besides the default identity file; repeatable' -r -F
complete -c lockbox -n "__fish_lockbox_using_subcommand inspect" -l json -d 'Print one JSON object (stable fields, see the man page)'
complete -c lockbox -n "__fish_lockbox_using_subcommand inspect" -s q -l quiet -d 'Print no notes on stderr'
complete -c lockbox -n "__fish_lockbox_using_subcommand inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockbox -n "__fish_lockbox_using_subcommand inspect" -s V -l version -d 'Print version'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and not __fish_seen_subcommand_from add list replace show verify remove" -s q -l quiet -d 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and not __fish_seen_subcommand_from add list replace show verify remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and not __fish_seen_subcommand_from add list replace show verify remove" -s V -l version -d 'Print version'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and not __fish_seen_subcommand_from add list replace show verify remove" -f -a "add" -d 'Add a contact: a name for one or more recipients'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and not __fish_seen_subcommand_from add list replace show verify remove" -f -a "list" -d 'List the contacts'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and not __fish_seen_subcommand_from add list replace show verify remove" -f -a "replace" -d 'Give an existing contact new recipients, keeping a dated history line'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and not __fish_seen_subcommand_from add list replace show verify remove" -f -a "show" -d 'Show a contact\'s recipients and their fingerprints'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and not __fish_seen_subcommand_from add list replace show verify remove" -f -a "verify" -d 'Compare a contact\'s fingerprints and record it'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and not __fish_seen_subcommand_from add list replace show verify remove" -f -a "remove" -d 'Remove a contact'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from add" -l from -d 'Read the recipients from a recipients FILE (\'-\' for stdin)' -r -F
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from add" -l verified -d 'Record that you compared the fingerprints with the contact'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from list" -l names -d 'Print the names only, one per line (for scripts and shell completion)'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from replace" -l from -d 'Read the new recipients from a recipients FILE (\'-\' for stdin)' -r -F
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from replace" -s q -l quiet -d 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from replace" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from replace" -s V -l version -d 'Print version'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from verify" -l fingerprint -d 'The fingerprint the person gave you, compared instead of asking (repeatable)' -r
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print no notes or warnings on stderr (a key changed since verified is still reported)'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
# Contact names, from 'lockbox contact list --names' (added by lockbox's generator).
complete -c lockbox -n "__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from show verify remove replace" -f -a "(command lockbox contact list --names 2>/dev/null)"
