//! Faults in the middle of real work, through the binary (issue 5): a full
//! disk, a closed pipe, unreadable input, bad output paths, signals, two
//! writers racing for one output, and the temporary file's safety.

mod common;

use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::IDENTITY;

/// A folder holding `key.txt` (the identity) and `sealed.age` (`plain`
/// sealed to it); HOME points there too.
struct Env {
    dir: tempfile::TempDir,
    plain: Vec<u8>,
}

impl Env {
    fn new(len: usize, seed: u64) -> Env {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("key.txt"), format!("{IDENTITY}\n")).unwrap();
        let plain = common::bytes(len, seed);
        std::fs::write(dir.path().join("sealed.age"), common::sealed(&plain)).unwrap();
        Env { dir, plain }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `lockbox open -q -i key.txt` with the working folder set to the env.
    fn open(&self) -> assert_cmd::Command {
        let mut c = common::lockbox(self.dir.path());
        c.current_dir(self.dir.path())
            .args(["open", "-q", "-i"])
            .arg(self.path("key.txt"));
        c
    }

    /// The same as a plain `std::process::Command`, for spawning.
    fn open_std(&self) -> Command {
        let mut c = Command::new(assert_cmd::cargo::cargo_bin("lockbox"));
        c.env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join(".config"))
            .env_remove("LOCKBOX_IDENTITY")
            .env_remove("LOCKBOX_PASSPHRASE")
            .current_dir(self.dir.path())
            .args(["open", "-q", "-i"])
            .arg(self.path("key.txt"));
        c
    }

    /// Names in the folder that look like lockbox temporaries.
    fn temporaries(&self) -> Vec<PathBuf> {
        temporaries(self.dir.path())
    }
}

fn temporaries(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".lockbox-tmp"))
        .collect()
}

/// Every stderr line is a lockbox message: no panic, no backtrace.
fn assert_clean_stderr(stderr: &[u8]) -> String {
    let s = String::from_utf8_lossy(stderr).into_owned();
    assert!(
        s.lines().all(|l| l.starts_with("lockbox: ")),
        "stray stderr: {s}"
    );
    assert!(
        !s.contains("panicked") && !s.contains("RUST_BACKTRACE"),
        "{s}"
    );
    s
}

#[test]
fn armor_broken_mid_file_releases_the_same_bytes_whatever_the_threads() {
    // 5 MiB armored; one armor line about 3.3 MiB in is not base64. As for
    // a chunk that fails to authenticate: every chunk read whole before the
    // break is released if it authenticates, the partial one is not, and
    // the thread count (and so the batch size) changes nothing.
    let env = Env::new(5 << 20, 6);
    let mut armored = common::sealed_with(&env.plain, true);
    let begin = "-----BEGIN AGE ENCRYPTED FILE-----\n".len();
    let bad_line = 3_300_000 / 48;
    armored[begin + bad_line * 65 + 10] = b'*';
    std::fs::write(env.path("broken.age"), &armored).unwrap();
    // Binary bytes before the bad line, less header and nonce, in whole
    // sealed chunks.
    let payload = bad_line * 48 - header_len() - lockbox::layout::NONCE;
    let whole = payload / lockbox::layout::ENC_CHUNK;
    let expected = &env.plain[..whole * lockbox::layout::CHUNK];
    assert!(expected.len() > 3 << 20);
    let message = "lockbox: error: failed to open 'broken.age': invalid armor: an armor line is not canonical base64";
    for threads in ["1", "2", "4"] {
        let out = env
            .open()
            .args(["-j", threads, "broken.age"])
            .output()
            .unwrap();
        let err = assert_clean_stderr(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "-j {threads}: {err}");
        assert_eq!(err.lines().next(), Some(message), "-j {threads}");
        assert!(
            out.stdout == expected,
            "-j {threads}: released {} bytes to stdout, expected the first {}",
            out.stdout.len(),
            expected.len()
        );
        let out = env
            .open()
            .args(["-j", threads, "-o", "out", "broken.age"])
            .output()
            .unwrap();
        let err = assert_clean_stderr(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "-j {threads} -o: {err}");
        assert_eq!(err.lines().next(), Some(message), "-j {threads} -o");
        assert!(!env.path("out").exists(), "-j {threads}: left its output");
        assert!(
            env.temporaries().is_empty(),
            "-j {threads}: left a temporary"
        );
    }
}

/// The header length of the files [`seal`] makes, in binary form: one
/// X25519 stanza, so the same for every file whatever its key.
fn header_len() -> usize {
    let sealed = common::sealed(b"");
    let mac = sealed.windows(4).position(|w| w == b"\n---").unwrap();
    mac + 1 + sealed[mac + 1..].iter().position(|&b| b == b'\n').unwrap() + 1
}

#[test]
fn output_to_dev_full_is_a_no_space_error() {
    let env = Env::new(200 * 1024, 1);
    // With -o (a device is written in place, never replaced).
    let out = env
        .open()
        .args(["-o", "/dev/full", "sealed.age"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = assert_clean_stderr(&out.stderr);
    assert!(err.contains("no space"), "{err}");
    // As stdout.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = env
        .open_std()
        .arg("sealed.age")
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = assert_clean_stderr(&out.stderr);
    assert!(err.contains("no space"), "{err}");
    // Sealing too.
    let out = common::lockbox(env.dir.path())
        .args(["seal", "-i"])
        .arg(env.path("key.txt"))
        .args(["-o", "/dev/full"])
        .write_stdin(env.plain.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = assert_clean_stderr(&out.stderr);
    assert!(err.contains("no space"), "{err}");
}

#[test]
fn stdout_closed_early_is_an_error_without_garbage() {
    // Large enough that the pipe fills long before the end.
    let env = Env::new(4 << 20, 2);
    let bin = assert_cmd::cargo::cargo_bin("lockbox");
    let script = format!(
        "'{}' open -q -i key.txt sealed.age 2>stderr.txt | head -c 10 >/dev/null; echo ${{PIPESTATUS[0]}}",
        bin.display()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(env.dir.path())
        .env("HOME", env.dir.path())
        .output()
        .unwrap();
    let status: i32 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    let stderr = std::fs::read(env.path("stderr.txt")).unwrap();
    let err = assert_clean_stderr(&stderr);
    // Exit 1 with an error, not death by SIGPIPE (141) and not success.
    assert_eq!(status, 1, "{err}");
    assert!(err.contains("closed early"), "{err}");
    assert_eq!(
        err.lines().filter(|l| l.contains("error")).count(),
        1,
        "{err}"
    );
}

#[test]
fn unreadable_input_is_an_error() {
    // Tests run as root in CI, where chmod 000 does not stop reading: a
    // folder and a path under a regular file are unreadable for everyone.
    let env = Env::new(10, 3);
    std::fs::create_dir(env.path("folder")).unwrap();
    let out = env.open().arg("folder").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = assert_clean_stderr(&out.stderr);
    assert!(err.contains("'folder'") && err.contains("folder"), "{err}");

    let out = env.open().arg("sealed.age/x").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = assert_clean_stderr(&out.stderr);
    assert!(err.contains("failed to open input 'sealed.age/x'"), "{err}");

    // Where permissions do apply (not root), chmod 000 too.
    let locked = env.path("locked.age");
    std::fs::copy(env.path("sealed.age"), &locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&locked).is_err() {
        let out = env.open().arg("locked.age").output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = assert_clean_stderr(&out.stderr);
        assert!(err.contains("failed to open input 'locked.age'"), "{err}");
    }
}

#[test]
fn missing_output_folder_is_an_error() {
    let env = Env::new(1000, 4);
    let out = env
        .open()
        .args(["-o", "no/such/folder/out", "sealed.age"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = assert_clean_stderr(&out.stderr);
    assert!(err.contains("'no/such/folder/out'"), "{err}");
    assert!(err.contains("does not exist"), "{err}");
    // The temporary's random name is an internal detail.
    assert!(!err.contains("lockbox-tmp"), "{err}");
    assert!(!env.path("no").exists());
}

#[test]
fn read_only_output_is_refused_and_kept() {
    // src/io.rs refuses an existing read-only output explicitly, so this
    // holds for root too (who could otherwise replace it).
    let env = Env::new(1000, 5);
    let out_path = env.path("out");
    std::fs::write(&out_path, b"keep me").unwrap();
    std::fs::set_permissions(&out_path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = env
        .open()
        .args(["-o", "out", "sealed.age"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = assert_clean_stderr(&out.stderr);
    assert!(err.contains("output 'out' is read-only"), "{err}");
    assert_eq!(std::fs::read(&out_path).unwrap(), b"keep me");
    assert_eq!(std::fs::metadata(&out_path).unwrap().mode() & 0o777, 0o444);
    assert!(env.temporaries().is_empty());
}

/// Starts `open -j 1 -o out` reading a sealed file from a pipe, feeds it
/// part of the file, and waits until plaintext is in the temporary file.
/// Returns the child and the temporary's path.
fn slow_open(env: &Env) -> (Child, PathBuf) {
    let sealed = std::fs::read(env.path("sealed.age")).unwrap();
    let mut child = env
        .open_std()
        .args(["-j", "1", "-o", "out", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Half the file: several batches of chunks, far from the end.
    let half = sealed.len() / 2;
    let fed = child.stdin.as_mut().unwrap().write_all(&sealed[..half]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while fed.is_ok() && Instant::now() < deadline {
        let temps = env.temporaries();
        if let [t] = &temps[..] {
            if std::fs::metadata(t).map(|m| m.len() > 0).unwrap_or(false) {
                return (child, t.clone());
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    panic!(
        "no plaintext in a temporary after 30 s ({fed:?}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig}");
}

#[test]
fn temporary_is_0600_while_being_written() {
    let env = Env::new(4 << 20, 6);
    let (mut child, temp) = slow_open(&env);
    let meta = std::fs::symlink_metadata(&temp).unwrap();
    assert!(meta.file_type().is_file());
    assert_eq!(meta.mode() & 0o777, 0o600, "{}", temp.display());
    // Named after the output, in the output's folder.
    let name = temp.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with(".out."), "{name}");
    // Let it finish: the output appears with the full plaintext, mode 0600.
    let sealed = std::fs::read(env.path("sealed.age")).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&sealed[sealed.len() / 2..]).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(env.path("out")).unwrap(), env.plain);
    assert_eq!(
        std::fs::metadata(env.path("out")).unwrap().mode() & 0o777,
        0o600
    );
    assert!(env.temporaries().is_empty());
}

/// Signals `open -o out` in the middle; with `existing`, `out` holds an
/// older file first, which must survive untouched.
fn signal_mid_open_leaves_nothing(sig: &str, code: i32, existing: bool) {
    let env = Env::new(4 << 20, 7);
    if existing {
        std::fs::write(env.path("out"), b"older").unwrap();
    }
    let (mut child, _) = slow_open(&env);
    // Keep the input open: waiting would close it, and an input that ends
    // early is a truncated file (exit 4), racing with the signal.
    let stdin = child.stdin.take();
    signal(&child, sig);
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(out.status.code(), Some(code), "{sig}");
    assert_clean_stderr(&out.stderr);
    if existing {
        assert_eq!(std::fs::read(env.path("out")).unwrap(), b"older", "{sig}");
    } else {
        assert!(!env.path("out").exists(), "{sig} left the output");
    }
    assert_eq!(env.temporaries(), Vec::<PathBuf>::new(), "{sig}");
}

#[test]
fn sigint_mid_open_leaves_no_output_and_no_temporary() {
    signal_mid_open_leaves_nothing("-INT", 130, false);
}

#[test]
fn sigterm_mid_open_leaves_no_output_and_no_temporary() {
    signal_mid_open_leaves_nothing("-TERM", 143, false);
}

#[test]
fn sighup_mid_open_keeps_the_older_output() {
    signal_mid_open_leaves_nothing("-HUP", 129, true);
}

#[test]
fn a_failed_open_keeps_the_older_output() {
    let env = Env::new(300 * 1024, 12);
    let mut sealed = std::fs::read(env.path("sealed.age")).unwrap();
    let n = sealed.len();
    sealed[n - 100] ^= 1;
    std::fs::write(env.path("damaged.age"), &sealed).unwrap();
    std::fs::write(env.path("out"), b"older").unwrap();
    let out = env
        .open()
        .args(["-o", "out", "damaged.age"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert_clean_stderr(&out.stderr);
    assert_eq!(std::fs::read(env.path("out")).unwrap(), b"older");
    assert!(env.temporaries().is_empty());
}

#[test]
fn two_writers_to_one_output_leave_one_complete_file() {
    let env = Env::new(3 << 20, 8);
    let other = common::bytes(3 << 20, 9);
    std::fs::write(env.path("other.age"), common::sealed(&other)).unwrap();
    for round in 0..4 {
        let _ = std::fs::remove_file(env.path("out"));
        let spawn = |input: &str| {
            env.open_std()
                .args(["-o", "out", input])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn("sealed.age"), spawn("other.age"));
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert_clean_stderr(&a.stderr);
        assert_clean_stderr(&b.stderr);
        assert!(
            a.status.success() || b.status.success(),
            "round {round}: both failed"
        );
        let got = std::fs::read(env.path("out")).unwrap();
        assert!(
            got == env.plain || got == other,
            "round {round}: the output is a mixture ({} bytes)",
            got.len()
        );
        assert!(env.temporaries().is_empty(), "round {round}");
    }
}

#[test]
fn symlinks_planted_at_temporary_names_are_not_followed() {
    let env = Env::new(100 * 1024, 10);
    let victim = env.path("victim");
    std::fs::write(&victim, b"untouched").unwrap();
    let traps = tempfile::tempdir().unwrap();
    // Many names of the temporary's shape (`.out.XXXXXX.lockbox-tmp`),
    // half to an existing file, half dangling.
    let alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let rand = common::bytes(6 * 500, 11);
    let mut dangling = Vec::new();
    for (k, six) in rand.chunks(6).enumerate() {
        let name: String = six
            .iter()
            .map(|b| alphabet[*b as usize % alphabet.len()] as char)
            .collect();
        let link = env.path(&format!(".out.{name}.lockbox-tmp"));
        let target = if k % 2 == 0 {
            victim.clone()
        } else {
            let t = traps.path().join(format!("d{k}"));
            dangling.push(t.clone());
            t
        };
        let _ = std::os::unix::fs::symlink(&target, &link);
    }
    let planted = env.temporaries().len();
    let out = env
        .open()
        .args(["-o", "out", "sealed.age"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(env.path("out")).unwrap(), env.plain);
    assert_eq!(std::fs::read(&victim).unwrap(), b"untouched");
    assert!(
        dangling.iter().all(|d| !d.exists()),
        "a dangling link was followed"
    );
    // The planted links are still there, still links, and nothing else.
    let temps = env.temporaries();
    assert_eq!(temps.len(), planted);
    assert!(temps.iter().all(|t| std::fs::symlink_metadata(t)
        .unwrap()
        .file_type()
        .is_symlink()));
}
