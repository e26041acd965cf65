//! Dynamic completion of contact names, added to clap's static completion
//! scripts: after `seal -r/--recipient`, after `open --from` and for
//! `contact show/verify/remove/replace NAME`, bash, zsh and fish call `lockbox contact list --names` (names only,
//! one per line, nothing on stderr). Everything else stays clap's own
//! completion, identity files after `-i` included. Elvish and PowerShell
//! keep clap's static scripts.

use clap_complete::Shell;

/// The command that prints the contact names; its errors are dropped so a
/// missing binary or folder completes nothing.
const NAMES: &str = "command lockbox contact list --names 2>/dev/null";

/// Where a contact name is completed: after an option of a subcommand, or
/// as the NAME of a `contact` subcommand.
enum Site {
    Option {
        subcommand: &'static str,
        short: Option<char>,
        long: &'static str,
    },
    ContactName {
        subcommand: &'static str,
    },
}

const SITES: [Site; 6] = [
    Site::Option {
        subcommand: "seal",
        short: Some('r'),
        long: "recipient",
    },
    Site::Option {
        subcommand: "open",
        short: None,
        long: "from",
    },
    Site::ContactName { subcommand: "show" },
    Site::ContactName {
        subcommand: "verify",
    },
    Site::ContactName {
        subcommand: "remove",
    },
    Site::ContactName {
        subcommand: "replace",
    },
];

/// Adds contact-name completion to clap's `script` for `shell`.
pub(super) fn extend(shell: Shell, script: String) -> String {
    match shell {
        Shell::Bash => bash(script),
        Shell::Zsh => zsh(script),
        Shell::Fish => fish(script),
        _ => script,
    }
}

/// Replaces `from` by `to` in `script`, exactly `count` times: a clap
/// update that changes its output fails the generator test, not the user.
fn replace(script: &str, from: &str, to: &str, count: usize) -> String {
    let found = script.matches(from).count();
    assert_eq!(
        found, count,
        "expected {count} of {from:?} in clap's script"
    );
    script.replace(from, to)
}

/// bash: a function in front of clap's `_lockbox` answers for the sites
/// and hands every other word to it.
fn bash(script: String) -> String {
    let patterns: Vec<String> = SITES
        .iter()
        .map(|s| match s {
            Site::Option {
                subcommand,
                short,
                long,
            } => match short {
                Some(short) => format!("{subcommand},-{short}|{subcommand},--{long}"),
                None => format!("{subcommand},--{long}"),
            },
            Site::ContactName { subcommand } => format!("contact,{subcommand}"),
        })
        .collect();
    let wrapper = format!(
        r#"
# Contact names, from 'lockbox contact list --names' (added to clap's
# completion by lockbox's generator, src/generate/dynamic.rs).
_lockbox_dynamic() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}"
    local prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    case "${{COMP_WORDS[1]}},${{prev}}" in
        {})
            local IFS=$'\n'
            COMPREPLY=($(compgen -W "$({NAMES})" -- "${{cur}}"))
            return 0
            ;;
    esac
    _lockbox "$@"
}}
"#,
        patterns.join("|")
    );
    let script = replace(
        &script,
        "complete -F _lockbox ",
        "complete -F _lockbox_dynamic ",
        2,
    );
    insert_before(&script, "\nif [[ \"${BASH_VERSINFO[0]}\" -eq 4", &wrapper)
}

/// zsh: the sites' actions become `_lockbox_contacts`, defined before
/// clap's script registers `_lockbox`.
fn zsh(script: String) -> String {
    let mut script = script;
    for site in &SITES {
        match site {
            Site::Option { short, long, .. } => {
                let flags = short.map(|c| format!("-{c}+[")).into_iter();
                for flag in flags.chain([format!("--{long}=[")]) {
                    let line_start = format!("'*{flag}");
                    let mut out = String::new();
                    let mut n = 0;
                    for line in script.split_inclusive('\n') {
                        if line.starts_with(&line_start) && line.contains(":_default' \\\n") {
                            out.push_str(
                                &line.replace(":_default' \\\n", ":_lockbox_contacts' \\\n"),
                            );
                            n += 1;
                        } else {
                            out.push_str(line);
                        }
                    }
                    assert_eq!(n, 1, "expected one {line_start} line in clap's zsh script");
                    script = out;
                }
            }
            Site::ContactName { .. } => {}
        }
    }
    let contact_names = SITES
        .iter()
        .filter(|s| matches!(s, Site::ContactName { .. }))
        .count();
    let script = replace(
        &script,
        "':name -- The contact'\\''s name:_default'",
        "':name -- The contact'\\''s name:_lockbox_contacts'",
        contact_names,
    );
    let function = format!(
        r#"# Contact names, from 'lockbox contact list --names' (added to clap's
# completion by lockbox's generator, src/generate/dynamic.rs).
(( $+functions[_lockbox_contacts] )) ||
_lockbox_contacts() {{
    local -a names
    names=(${{(f)"$({NAMES})"}})
    _describe -t contacts 'contact' names
}}

"#
    );
    insert_before(
        &script,
        "if [ \"$funcstack[1]\" = \"_lockbox\" ]; then",
        &function,
    )
}

/// fish: the option lines get the names as arguments, and the contact
/// subcommands a line of their own.
fn fish(script: String) -> String {
    let names = format!("-f -a \"({NAMES})\"");
    let mut script = script;
    let mut contact_subcommands = Vec::new();
    for site in &SITES {
        match site {
            Site::Option {
                subcommand,
                short,
                long,
            } => {
                let short = short.map(|c| format!("-s {c} ")).unwrap_or_default();
                let start = format!(
                    "complete -c lockbox -n \"__fish_lockbox_using_subcommand {subcommand}\" {short}-l {long} "
                );
                let mut out = String::new();
                let mut n = 0;
                for line in script.split_inclusive('\n') {
                    if line.starts_with(&start) && line.ends_with(" -r\n") {
                        out.push_str(line.trim_end_matches('\n'));
                        out.push_str(&format!(" {names}\n"));
                        n += 1;
                    } else {
                        out.push_str(line);
                    }
                }
                assert_eq!(n, 1, "expected one {start} line in clap's fish script");
                script = out;
            }
            Site::ContactName { subcommand } => contact_subcommands.push(*subcommand),
        }
    }
    format!(
        "{script}# Contact names, from 'lockbox contact list --names' (added by lockbox's generator).\n\
         complete -c lockbox -n \"__fish_lockbox_using_subcommand contact; and __fish_seen_subcommand_from {}\" {names}\n",
        contact_subcommands.join(" ")
    )
}

/// `script` with `text` inserted before `registration`, the line where
/// clap's script registers its completion function.
fn insert_before(script: &str, registration: &str, text: &str) -> String {
    let at = script
        .find(registration)
        .expect("clap's script ends with its registration");
    format!("{}{text}{}", &script[..at], &script[at..])
}
