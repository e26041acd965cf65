//! Issue 13: `lockbox open` and `inspect` read a saved mail, its armored
//! block quoted in a reply or not, with text and a signature around it;
//! and refuse, naming the lines, what is not one clear block.

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::lockbox;

const MESSAGE: &str = "Alice's address: 12 rue des Lilas, Paris\n";

struct Env {
    home: tempfile::TempDir,
    dir: tempfile::TempDir,
    key: PathBuf,
    recipient: String,
}

impl Env {
    fn new() -> Env {
        let home = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("bob.key");
        let out = lockbox(home.path())
            .args(["keygen", "-q", "-o"])
            .arg(&key)
            .output()
            .unwrap();
        assert!(out.status.success());
        let recipient = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        Env {
            home,
            dir,
            key,
            recipient,
        }
    }

    /// `plain` sealed to bob, armored: the block lines, without line ends.
    fn block(&self, plain: &str) -> Vec<String> {
        let out = lockbox(self.home.path())
            .args(["seal", "-a", "-r", &self.recipient])
            .write_stdin(plain)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// `lockbox open -i bob.key ARGS...` in the folder of the mails.
    fn open(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = lockbox(self.home.path());
        cmd.current_dir(self.dir.path())
            .args(["open", "-i"])
            .arg(&self.key)
            .args(args);
        cmd
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).unwrap();
    }
}

/// The block's lines, each with `prefix` before and `suffix` after it.
fn quote(block: &[String], prefix: &str, suffix: &str) -> String {
    block
        .iter()
        .map(|l| format!("{prefix}{l}{suffix}"))
        .collect()
}

/// Mails as people save them, each with its block in its own way.
fn mails(block: &[String]) -> Vec<(&'static str, String)> {
    vec![
        (
            "a reply quoting the block, CRLF and trailing spaces",
            format!(
                "On Mon, 1 Jun 2026 at 09:12, Alice <alice@example.com> wrote:\r\n\
                 > Hi Bob,\r\n\
                 >\r\n\
                 > here is my address, sealed to your key:\r\n\
                 > \r\n\
                 {}\
                 > \r\n\
                 > Alice\r\n\
                 > -- \r\n\
                 > Alice Liddell\r\n\
                 \r\n\
                 Thanks, got it.\r\n\
                 \r\n\
                 -- \r\n\
                 Bob\r\n",
                quote(block, "> ", "  \r\n")
            ),
        ),
        (
            "quoted twice, '> > '",
            format!(
                "Bob <bob@example.com> wrote:\n\
                 > Alice wrote:\n\
                 {}\
                 > \n\
                 > Did this reach you?\n\
                 \n\
                 Yes.\n",
                quote(block, "> > ", "\n")
            ),
        ),
        (
            "quoted twice, '>> '",
            format!(
                "> On Monday Alice wrote:\n\
                 {}\
                 >>\n\
                 >> Alice\n\
                 >\n\
                 > forwarded to you, Bob\n",
                quote(block, ">> ", " \n")
            ),
        ),
        (
            "a saved message with headers and a signature",
            format!(
                "From: Alice <alice@example.com>\n\
                 To: Bob <bob@example.com>\n\
                 Subject: my address\n\
                 Date: Mon, 1 Jun 2026 09:12:00 +0200\n\
                 Content-Type: text/plain; charset=utf-8\n\
                 \n\
                 Hi Bob,\n\
                 \n\
                 here is my address, sealed to your key:\n\
                 \n\
                 {}\
                 \n\
                 -- \n\
                 Alice\n",
                quote(block, "", "   \n")
            ),
        ),
        (
            "the block alone, then a signature",
            format!("{}\n-- \nAlice\n", quote(block, "", "\n")),
        ),
    ]
}

#[test]
fn saved_mails_open() {
    let env = Env::new();
    // A long message too: a block of about 2,800 lines, several chunks.
    let long: String = (0..3000)
        .map(|i| format!("line {i} of a long letter\n"))
        .collect();
    for plain in [MESSAGE.to_owned(), long] {
        let block = env.block(&plain);
        for (what, mail) in mails(&block) {
            env.write("mail.txt", &mail);
            for args in [&["mail.txt"][..], &["-"][..]] {
                let mut cmd = env.open(args);
                if args == ["-"] {
                    cmd.write_stdin(mail.clone());
                }
                let out = cmd.output().unwrap();
                assert_eq!(
                    out.status.code(),
                    Some(0),
                    "{what}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                assert!(out.stdout == plain.as_bytes(), "{what}: wrong plaintext");
                assert!(out.stderr.is_empty(), "{what}");
            }
            let out = env.open(&["-o", "plain.txt", "mail.txt"]).output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{what}");
            let written = std::fs::read(env.dir.path().join("plain.txt")).unwrap();
            assert!(written == plain.as_bytes(), "{what}: wrong file");
        }
    }
}

#[test]
fn inspect_reads_a_mail() {
    let env = Env::new();
    let block = env.block(MESSAGE);
    let (_, mail) = &mails(&block)[0];
    env.write("mail.txt", mail);
    let out = lockbox(env.home.path())
        .current_dir(env.dir.path())
        .args(["inspect", "mail.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("'mail.txt': an age file (age-encryption.org/v1), ASCII-armored\n"),
        "{text}"
    );
    assert!(text.contains("\nsealed to:     X25519 (1)\n"), "{text}");
    assert!(
        text.contains(&format!(
            "\nplaintext:     {} bytes, if it opens\n",
            MESSAGE.len()
        )),
        "{text}"
    );
    let out = lockbox(env.home.path())
        .current_dir(env.dir.path())
        .args(["inspect", "--json", "-"])
        .write_stdin(mail.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json = String::from_utf8(out.stdout).unwrap();
    assert!(json.contains("\"armored\": true,"), "{json}");
    assert!(
        json.contains(&format!("\"plaintext_size\": {},", MESSAGE.len())),
        "{json}"
    );
}

/// Runs open (with -o) and inspect on `mail`: both refuse it with exit 4
/// and exactly `message` after "invalid armor: ", and no file is left.
fn refused(env: &Env, mail: &str, message: &str) {
    refused_as(env, mail, &format!("invalid armor: {message}"));
}

/// As [`refused`], with the whole message after the file's name.
fn refused_as(env: &Env, mail: &str, message: &str) {
    env.write("mail.txt", mail);
    let out = env.open(&["-o", "plain.txt", "mail.txt"]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("lockbox: error: failed to open 'mail.txt': {message}\n")
    );
    assert_eq!(out.status.code(), Some(4), "{message}");
    let left: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("plain.txt"))
        .collect();
    assert!(left.is_empty(), "{message}: left {left:?}");
    let out = lockbox(env.home.path())
        .current_dir(env.dir.path())
        .args(["inspect", "mail.txt"])
        .output()
        .unwrap();
    // inspect says where it was: in the header or reading the payload.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("lockbox: error: failed to inspect 'mail.txt': ")
            && stderr.ends_with(&format!(": {message}\n"))
            && stderr.lines().count() == 1,
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(4), "{message}");
    assert!(out.stdout.is_empty());
}

#[test]
fn two_blocks_in_a_mail_are_refused_naming_both_lines() {
    let env = Env::new();
    let block = env.block(MESSAGE);
    let other = env.block("a second message\n");
    let n = block.len();
    // Someone's block added after the quoted one, as a reply could.
    let mail = format!(
        "Alice wrote:\n{}\nand mine:\n\n{}",
        quote(&block, "> ", "\n"),
        quote(&other, "", "\n")
    );
    refused(
        &env,
        &mail,
        &format!(
            "two armored blocks in the input, begun on lines 2 and {}: save each on its own to open it",
            n + 5
        ),
    );
    // Before the first one, too: the one found first is not taken.
    let mail = format!("{}\n{}", quote(&other, "", "\n"), quote(&block, "", "\n"));
    refused(
        &env,
        &mail,
        &format!(
            "two armored blocks in the input, begun on lines 1 and {}: save each on its own to open it",
            other.len() + 2
        ),
    );
    // A begin line inside a block, before its end line.
    let mail = format!(
        "Hi\n\n{}{}",
        quote(&other[..2], "", "\n"),
        quote(&block, "", "\n")
    );
    refused(
        &env,
        &mail,
        "a second begin line (line 5) comes before the end line of the block begun on line 3",
    );
}

#[test]
fn broken_blocks_in_mails_are_refused_naming_the_line() {
    let env = Env::new();
    let block = env.block(&"a longer message, so that the block has lines\n".repeat(4));
    let n = block.len();
    assert!(n >= 6);

    // Quoting that changes inside the block.
    let mut lines: Vec<String> = block.iter().map(|l| format!("> {l}\n")).collect();
    for (quote, why) in [
        (
            ">",
            "line 4 is quoted with '>' but the begin line of its block (line 2) is quoted with '> '",
        ),
        (
            "",
            "line 4 is not quoted but the begin line of its block (line 2) is quoted with '> '",
        ),
    ] {
        lines[2] = format!("{quote}{}\n", block[2]);
        refused(&env, &format!("Alice wrote:\n{}", lines.concat()), why);
    }

    // A begin line and no end line: the mail was cut.
    let mail = format!("Hi Bob,\n\n{}", quote(&block[..3], "", "\n"));
    refused(&env, &mail, "the block begun on line 3 has no end line");
    let mail = format!("Hi Bob,\n\n{}\n-- \nAlice\n", quote(&block[..3], "", "\n"));
    refused(
        &env,
        &mail,
        "the block begun on line 3 has an empty line (line 6) before its end line",
    );

    // Text run into the block, before or after it.
    let mail = format!("Here it is:\n{}", quote(&block, "", "\n"));
    refused(
        &env,
        &mail,
        "the begin line (line 2) follows text on line 1: in a text, an armored block starts after an empty line",
    );
    let mail = format!("Hi\n\n{}-- \nAlice\n", quote(&block, "", "\n"));
    refused(
        &env,
        &mail,
        &format!(
            "text on line {} follows the end line (line {}): in a text, an armored block ends before an empty line",
            n + 3,
            n + 2
        ),
    );

    // A mail program rewrapped the block: decoded as strictly as ever.
    let joined: String = block[1..n - 1].concat();
    let mut rewrapped = vec![block[0].clone()];
    rewrapped.extend(
        joined
            .as_bytes()
            .chunks(72)
            .map(|c| String::from_utf8(c.to_vec()).unwrap()),
    );
    rewrapped.push(block[n - 1].clone());
    let mail = format!("Hi\n\n{}", quote(&rewrapped, "> ", "\n"));
    refused(&env, &mail, "an armor line is longer than 64 columns");

    // No block at all: not an age file, as before.
    refused_as(
        &env,
        "Hi Bob,\n\nI forgot to attach it.\n",
        "invalid header: the input is not an age file (no 'age-encryption.org/v1' line, \
         and no '-----BEGIN AGE ENCRYPTED FILE-----' line in its text)",
    );
}

/// A hostile mail: a million lines and a 100 MB line before the block, fed
/// through a pipe. It opens in linear time with memory bounded well below
/// the input's size (the data segment is capped at 64 MiB).
#[test]
fn a_hostile_prelude_is_read_in_bounded_memory() {
    let env = Env::new();
    let block = env.block(MESSAGE);
    let bin = assert_cmd::cargo::cargo_bin("lockbox");
    let mut child = Command::new("sh")
        .args([
            "-c",
            "ulimit -d 65536 && exec \"$0\" open -i \"$1\"",
            bin.to_str().unwrap(),
            env.key.to_str().unwrap(),
        ])
        .env("HOME", env.home.path())
        .env("XDG_CONFIG_HOME", env.home.path().join(".config"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let tail = format!("\n\n{}\n-- \nMallory\n", quote(&block, "> ", "\n"));
    let writer = std::thread::spawn(move || {
        let mut lines = Vec::with_capacity(1 << 20);
        for i in 0..1_000_000 {
            writeln!(lines, "> line {i} before the block").unwrap();
            if lines.len() > (1 << 20) {
                stdin.write_all(&lines)?;
                lines.clear();
            }
        }
        stdin.write_all(&lines)?;
        let piece = vec![b'x'; 1 << 20];
        for _ in 0..100 {
            stdin.write_all(&piece)?;
        }
        stdin.write_all(tail.as_bytes())
    });
    let out = child.wait_with_output().unwrap();
    let written = writer.join().unwrap();
    common::assert_success(&out);
    written.unwrap();
    assert_eq!(out.stdout, MESSAGE.as_bytes());
}
