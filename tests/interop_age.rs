//! Interop with Go age (`age`, `age-keygen` from Debian's `age` package),
//! through the real binaries: files sealed by one tool open with the other,
//! byte for byte, and identity files made by either tool work in both.
//!
//! Every test needs the peers; without them it returns early with a notice,
//! or fails when `LOCKBOX_REQUIRE_PEERS=1` (CI). The armor rule of Go age
//! 1.3 (which files are armor, how much whitespace may come first) is
//! checked here too: through lockbox always, through Go age where Debian's
//! 1.1.1 already agrees.

mod common;

use common::run_peer as run;
use common::{assert_same, path_str as s};
use common::{bytes, lockbox, peer};
use std::path::{Path, PathBuf};

/// Payload sizes: empty, one byte, exactly one 64 KiB chunk, one byte into
/// the second chunk, and about 5 MiB (80 full chunks and a short last one).
const SIZES: [usize; 5] = [0, 1, 65536, 65537, 5 * 1024 * 1024 + 3];

/// Above this size a multi-recipient file is opened by lockbox with one
/// identity only (the last stanza's), to keep debug-build runtime down.
const SMALL: usize = 1 << 20;

const BINARY_MAGIC: &[u8] = b"age-encryption.org/v1\n";

/// The Go age programs, or None (with a notice) when they are missing.
struct Age {
    age: PathBuf,
    keygen: PathBuf,
}

fn go_age() -> Option<Age> {
    Some(Age {
        age: peer("age")?,
        keygen: peer("age-keygen")?,
    })
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// Trimmed UTF-8 of a program's stdout.
fn line(out: Vec<u8>) -> String {
    String::from_utf8(out)
        .expect("UTF-8 output")
        .trim()
        .to_string()
}

/// A new identity made by `age-keygen -o`; returns (path, recipient).
fn age_identity(age: &Age, dir: &Path, name: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    run(&age.keygen, &["-o", s(&path)]);
    let recipient = line(run(&age.keygen, &["-y", s(&path)]));
    assert!(recipient.starts_with("age1"), "age-keygen -y: {recipient}");
    (path, recipient)
}

/// `lockbox open -i identity -o OUT sealed`; returns the plaintext.
fn lockbox_open(home: &Path, identity: &Path, sealed: &Path) -> Vec<u8> {
    let out = home.join("lockbox-opened");
    let _ = std::fs::remove_file(&out);
    lockbox(home)
        .args(["open", "-i", s(identity), "-o", s(&out), s(sealed)])
        .assert()
        .success();
    read(&out)
}

/// `age -d -i identity sealed`; returns the plaintext from its stdout (with
/// `-o`, Go age creates the file only on the first write, so an empty
/// plaintext would leave no file).
fn age_open(age: &Age, identity: &Path, sealed: &Path) -> Vec<u8> {
    run(&age.age, &["-d", "-i", s(identity), s(sealed)])
}

/// `lockbox seal ARGS -o HOME/NAME INPUT`, then `age -d -i KEY`: age gets
/// the plaintext back.
fn lockbox_seals_age_opens_file(
    (age, home, key): (&Age, &Path, &Path),
    args: &[&str],
    (input, data): (&Path, &[u8]),
    name: &str,
    what: &str,
) {
    let sealed = home.join(name);
    let mut all = vec!["seal"];
    all.extend(args);
    all.extend(["-o", s(&sealed), s(input)]);
    lockbox(home).args(&all).assert().success();
    assert_same(&age_open(age, key, &sealed), data, what);
}

/// Writes the plaintext of `len` bytes to a file; returns (path, bytes).
fn plaintext(dir: &Path, len: usize) -> (PathBuf, Vec<u8>) {
    let data = bytes(len, len as u64 + 1);
    let path = dir.join(format!("plain-{len}"));
    std::fs::write(&path, &data).unwrap();
    (path, data)
}

/// lockbox seals to `n` lockbox-made recipients (with `-r`), age opens with
/// each identity.
fn lockbox_seals_age_opens(n: usize, armor: bool) {
    let Some(age) = go_age() else { return };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let ids: Vec<_> = (0..n)
        .map(|i| lockbox_identity(home, &format!("id{i}.txt")))
        .collect();
    for len in SIZES {
        let what = format!("lockbox seal ({n} recipients, armor {armor}) {len} bytes -> age -d");
        let (input, data) = plaintext(home, len);
        let sealed = home.join(format!("sealed-{len}"));
        let mut cmd = lockbox(home);
        cmd.arg("seal");
        for (_, r) in &ids {
            cmd.args(["-r", r]);
        }
        if armor {
            cmd.arg("-a");
        }
        cmd.args(["-o", s(&sealed), s(&input)]).assert().success();
        assert_form(&read(&sealed), armor, n, &what);
        for (i, (key, _)) in ids.iter().enumerate() {
            let opened = age_open(&age, key, &sealed);
            assert_same(&opened, &data, &format!("{what} with identity {i}"));
        }
    }
}

/// age seals to `n` age-made recipients with the given recipient flags,
/// lockbox opens (with every identity for small files, with the last one for
/// the large file).
fn age_seals_lockbox_opens(n: usize, armor: bool, use_recipients_file: bool) {
    let Some(age) = go_age() else { return };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let ids: Vec<_> = (0..n)
        .map(|i| age_identity(&age, home, &format!("id{i}.txt")))
        .collect();
    let rfile = home.join("recipients.txt");
    let listed: String = ids.iter().map(|(_, r)| format!("{r}\n")).collect();
    std::fs::write(&rfile, listed).unwrap();
    for len in SIZES {
        let what = format!(
            "age ({n} recipients, armor {armor}, -R {use_recipients_file}) {len} bytes -> lockbox open"
        );
        let (input, data) = plaintext(home, len);
        let sealed = home.join(format!("sealed-{len}"));
        let mut args: Vec<String> = Vec::new();
        if use_recipients_file {
            args.extend(["-R".into(), s(&rfile).into()]);
        } else {
            for (_, r) in &ids {
                args.extend(["-r".into(), r.clone()]);
            }
        }
        if armor {
            args.push("-a".into());
        }
        args.extend(["-o".into(), s(&sealed).into(), s(&input).into()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&age.age, &args);
        assert_form(&read(&sealed), armor, n, &what);
        let which: Vec<usize> = if len <= SMALL {
            (0..n).collect()
        } else {
            vec![n - 1]
        };
        for i in which {
            let opened = lockbox_open(home, &ids[i].0, &sealed);
            assert_same(&opened, &data, &format!("{what} with identity {i}"));
        }
    }
}

#[test]
fn lockbox_seals_age_opens_one_recipient_binary() {
    lockbox_seals_age_opens(1, false);
}

#[test]
fn lockbox_seals_age_opens_one_recipient_armored() {
    lockbox_seals_age_opens(1, true);
}

#[test]
fn lockbox_seals_age_opens_three_recipients_binary() {
    lockbox_seals_age_opens(3, false);
}

#[test]
fn lockbox_seals_age_opens_three_recipients_armored() {
    lockbox_seals_age_opens(3, true);
}

#[test]
fn age_seals_lockbox_opens_one_recipient_binary() {
    age_seals_lockbox_opens(1, false, false);
}

#[test]
fn age_seals_lockbox_opens_one_recipient_armored() {
    age_seals_lockbox_opens(1, true, false);
}

#[test]
fn age_seals_lockbox_opens_three_recipients_file_binary() {
    age_seals_lockbox_opens(3, false, true);
}

#[test]
fn age_seals_lockbox_opens_three_recipients_armored() {
    age_seals_lockbox_opens(3, true, false);
}

#[test]
fn age_keygen_identity_works_in_lockbox() {
    let Some(age) = go_age() else { return };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (key, recipient) = age_identity(&age, home, "age-key.txt");

    // keygen -y gives the same recipient as age-keygen -y.
    let out = lockbox(home)
        .args(["keygen", "-y", s(&key)])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        line(out),
        recipient,
        "lockbox keygen -y on an age-keygen key"
    );

    // age seals to it, lockbox opens with it.
    let (input, data) = plaintext(home, 1000);
    let sealed = home.join("by-age.age");
    run(&age.age, &["-r", &recipient, "-o", s(&sealed), s(&input)]);
    assert_same(
        &lockbox_open(home, &key, &sealed),
        &data,
        "age -r -> lockbox open",
    );

    // lockbox seals to it (by recipient and by -i), age opens with it.
    lockbox_seals_age_opens_file(
        (&age, home, &key),
        &["-r", &recipient],
        (&input, &data),
        "by-lockbox.age",
        "lockbox seal -r -> age -d",
    );
    lockbox_seals_age_opens_file(
        (&age, home, &key),
        &["-i", s(&key)],
        (&input, &data),
        "by-lockbox-i.age",
        "lockbox seal -i -> age -d",
    );
}

#[test]
fn lockbox_keygen_identity_works_in_age() {
    let Some(age) = go_age() else { return };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (key, printed) = lockbox_identity(home, "lockbox-key.txt");

    // age-keygen -y and lockbox keygen -y agree with what keygen printed and
    // with the file's `# public key:` comment.
    let by_age = line(run(&age.keygen, &["-y", s(&key)]));
    assert_eq!(by_age, printed, "age-keygen -y on a lockbox key");
    let by_lockbox = lockbox(home)
        .args(["keygen", "-y", s(&key)])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(line(by_lockbox), printed, "lockbox keygen -y");
    let text = String::from_utf8(read(&key)).unwrap();
    assert!(
        text.lines()
            .any(|l| l == format!("# public key: {printed}")),
        "identity file lacks the public key comment:\n{text}"
    );

    // age seals to it, lockbox opens; lockbox seals, age opens with it.
    let (input, data) = plaintext(home, 70_000);
    let sealed = home.join("by-age.age");
    run(&age.age, &["-r", &printed, "-o", s(&sealed), s(&input)]);
    assert_same(
        &lockbox_open(home, &key, &sealed),
        &data,
        "age -r -> lockbox open",
    );
    lockbox_seals_age_opens_file(
        (&age, home, &key),
        &["-i", s(&key)],
        (&input, &data),
        "by-lockbox.age",
        "lockbox seal -i -> age -d",
    );
}

#[test]
fn recipients_file_with_comments_and_blank_lines() {
    let Some(age) = go_age() else { return };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (k1, r1) = age_identity(&age, home, "a.txt");
    let (k2, r2) = lockbox_identity(home, "b.txt");
    let rfile = home.join("team.txt");
    std::fs::write(
        &rfile,
        format!(
            "# the team\n\n# alice (age-keygen)\n{r1}\n\n\n# bob (lockbox keygen)\n{r2}\n# end\n"
        ),
    )
    .unwrap();
    let (input, data) = plaintext(home, 65537);

    let by_age = home.join("by-age.age");
    run(&age.age, &["-R", s(&rfile), "-o", s(&by_age), s(&input)]);
    let by_lockbox = home.join("by-lockbox.age");
    lockbox(home)
        .args(["seal", "-R", s(&rfile), "-o", s(&by_lockbox), s(&input)])
        .assert()
        .success();

    for (sealed, who) in [(&by_age, "age -R"), (&by_lockbox, "lockbox seal -R")] {
        assert_form(&read(sealed), false, 2, who);
        for key in [&k1, &k2] {
            let what = format!("{who} -> {}", key.display());
            assert_same(
                &lockbox_open(home, key, sealed),
                &data,
                &format!("{what} (lockbox)"),
            );
            assert_same(
                &age_open(&age, key, sealed),
                &data,
                &format!("{what} (age)"),
            );
        }
    }
}

#[test]
fn age_file_for_someone_else_exits_3() {
    let Some(age) = go_age() else { return };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (_, recipient) = age_identity(&age, home, "them.txt");
    let (mine, _) = age_identity(&age, home, "me.txt");
    let (input, _) = plaintext(home, 10);
    let sealed = home.join("theirs.age");
    run(
        &age.age,
        &["-a", "-r", &recipient, "-o", s(&sealed), s(&input)],
    );
    let out = home.join("out");
    lockbox(home)
        .args(["open", "-i", s(&mine), "-o", s(&out), s(&sealed)])
        .assert()
        .code(3)
        .stderr(predicates::str::starts_with("lockbox: error:"));
    assert!(!out.exists(), "a failed open left {}", out.display());
}

/// Wraps to an X25519 recipient, with an extra stanza of an unknown type
/// in front: `-> -----BEGIN AGE ENCRYPTED FILE-----`.
struct BeginStanza(age::x25519::Recipient);

impl age::Recipient for BeginStanza {
    fn wrap_file_key(
        &self,
        file_key: &age_core::format::FileKey,
    ) -> Result<
        (
            Vec<age_core::format::Stanza>,
            std::collections::HashSet<String>,
        ),
        age::EncryptError,
    > {
        let (wrapped, labels) = self.0.wrap_file_key(file_key)?;
        let mut stanzas = vec![age_core::format::Stanza {
            tag: "-----BEGIN".into(),
            args: vec!["AGE".into(), "ENCRYPTED".into(), "FILE-----".into()],
            body: Vec::new(),
        }];
        stanzas.extend(wrapped);
        Ok((stanzas, labels))
    }
}

/// A binary file whose first stanza line is `-> -----BEGIN AGE ENCRYPTED
/// FILE-----` (a stanza of an unknown type, which identities skip), sealed
/// to `recipient`: the begin line is in the first kilobyte, but the file
/// starts with the version line and is no armor.
fn binary_with_begin_stanza(recipient: &str, plain: &[u8]) -> Vec<u8> {
    let recipient = lockbox::Recipient::from_age(BeginStanza(recipient.parse().unwrap()));
    let mut options = lockbox::Options::default();
    options.threads = 1;
    let mut sealed = Vec::new();
    lockbox::seal(&[recipient], plain, &mut sealed, &options).unwrap();
    sealed
}

#[test]
fn a_binary_file_with_the_begin_line_in_a_stanza_is_not_armor() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (key, recipient) = lockbox_identity(home, "id.txt");
    let (_, data) = plaintext(home, 70_000);
    let sealed_bytes = binary_with_begin_stanza(&recipient, &data);
    let begin_stanza = b"\n-> -----BEGIN AGE ENCRYPTED FILE-----\n";
    let at = sealed_bytes
        .windows(begin_stanza.len())
        .position(|w| w == begin_stanza)
        .expect("the stanza line");
    assert!(sealed_bytes.starts_with(BINARY_MAGIC) && at < 1024);
    let sealed = home.join("begin-stanza.age");
    std::fs::write(&sealed, &sealed_bytes).unwrap();

    assert_same(
        &lockbox_open(home, &key, &sealed),
        &data,
        "lockbox open of a binary file with a begin-line stanza",
    );
    let json = lockbox(home)
        .args(["inspect", "--json", s(&sealed)])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json = String::from_utf8(json).unwrap();
    assert!(json.contains("\"armored\": false,"), "{json}");
    assert!(
        json.contains("\"stanzas\": [\"-----BEGIN\", \"X25519\"],"),
        "{json}"
    );

    // Go age opens it too.
    let Some(age) = go_age() else { return };
    assert_same(
        &age_open(&age, &key, &sealed),
        &data,
        "age -d of a binary file with a begin-line stanza",
    );
}

#[test]
fn whitespace_before_the_armor_is_go_age_1_3s() {
    // Go age 1.3 takes an input for armor when at most 1024 bytes of
    // whitespace come before the begin line (it peeks 1024 + 34 bytes), and
    // its armor reader skips whole whitespace lines of any length within
    // that. (Debian's 1.1.1 takes no whitespace at all: lockbox alone here.)
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (key, recipient) = lockbox_identity(home, "id.txt");
    let (input, data) = plaintext(home, 1000);
    let armored = home.join("armored.age");
    lockbox(home)
        .args(["seal", "-a", "-r", &recipient, "-o", s(&armored), s(&input)])
        .assert()
        .success();
    let armored = read(&armored);
    let cases = [
        // One whitespace line wider than an armor line.
        (" ".repeat(200) + "\n", true),
        ("\t \r\n".repeat(10) + &" ".repeat(500) + "\r\n", true),
        // Exactly 1024 bytes, line ends included.
        (" ".repeat(1023) + "\n", true),
        ("\r\n".repeat(512), true),
        // Unicode whitespace (no-break space), as Go's bytes.TrimSpace.
        ("\u{a0}\n".repeat(3), true),
        // One byte too many.
        (" ".repeat(1024) + "\n", false),
        ("\r\n".repeat(512) + "\n", false),
        // Far too many.
        (" ".repeat(5000) + "\n", false),
    ];
    for (space, opens) in cases {
        let what = format!("{} bytes of whitespace before the armor", space.len());
        let file = home.join("spaced.age");
        let mut bytes = space.as_bytes().to_vec();
        bytes.extend_from_slice(&armored);
        std::fs::write(&file, bytes).unwrap();
        let out = home.join("out");
        let _ = std::fs::remove_file(&out);
        let run = lockbox(home)
            .args(["open", "-i", s(&key), "-o", s(&out), s(&file)])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        if opens {
            assert!(run.status.success(), "{what}: {stderr}");
            assert_same(&read(&out), &data, &what);
        } else {
            assert_eq!(run.status.code(), Some(4), "{what}: {stderr}");
            assert_eq!(
                stderr.lines().next().unwrap_or(""),
                format!(
                    "lockbox: error: failed to open '{}': invalid armor: more than 1024 bytes of whitespace before the armor",
                    file.display()
                ),
                "{what}"
            );
            assert!(!out.exists(), "{what}: a failed open left its output");
        }
    }
}

/// Checks the sealed file's outer form: armored or binary, and (binary only)
/// the number of X25519 stanzas.
fn assert_form(sealed: &[u8], armor: bool, x25519_stanzas: usize, what: &str) {
    if let Some(types) = common::assert_form(sealed, armor, what) {
        let n = types.iter().filter(|t| *t == "X25519").count();
        assert_eq!(n, x25519_stanzas, "{what}: X25519 stanza count");
    }
}

/// A new identity made by `lockbox keygen -o`; returns (path, recipient as
/// printed on stdout).
fn lockbox_identity(home: &Path, name: &str) -> (PathBuf, String) {
    let (path, recipient) = common::keypair(home, name, false);
    assert!(recipient.starts_with("age1"), "lockbox keygen: {recipient}");
    (path, recipient)
}
