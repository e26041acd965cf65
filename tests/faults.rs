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

/// A folder holding `key.txt` (the identity), `plain.bin` (`plain`) and
/// `sealed.age` (`plain` sealed to it); HOME points there too.
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
        std::fs::write(dir.path().join("plain.bin"), &plain).unwrap();
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

/// Runs `lockbox ARGS 2>stderr.txt | head -c 10` in `env`'s folder: the
/// exit status of lockbox, and its stderr.
fn into_head(env: &Env, args: &str) -> (i32, Vec<u8>) {
    let bin = assert_cmd::cargo::cargo_bin("lockbox");
    let script = format!(
        "'{}' {args} 2>stderr.txt | head -c 10 >/dev/null; echo ${{PIPESTATUS[0]}}",
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
    (status, std::fs::read(env.path("stderr.txt")).unwrap())
}

#[test]
fn open_into_a_reader_that_stops_early_ends_quietly_with_141() {
    // Large enough that the pipe fills long before the end.
    let env = Env::new(4 << 20, 2);
    let (status, stderr) = into_head(&env, "open -q -i key.txt sealed.age");
    // The status of a pipe writer killed by SIGPIPE, as age: not success,
    // and no error line (issue 13).
    assert_eq!(status, 141, "{}", String::from_utf8_lossy(&stderr));
    assert!(stderr.is_empty(), "{}", String::from_utf8_lossy(&stderr));
}

#[test]
fn sealing_into_a_closed_pipe_stays_an_error() {
    let env = Env::new(4 << 20, 2);
    let (status, stderr) = into_head(&env, "seal -q -i key.txt plain.bin");
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
    common::assert_success(&out);
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
    common::assert_success(&out);
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

/// Runs lockbox in the env's folder under `umask`, through `sh` (setting
/// the umask in-process needs `unsafe`).
fn under_umask(env: &Env, umask: &str, args: &[&str]) -> std::process::Output {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(assert_cmd::cargo::cargo_bin("lockbox"))
        .args(args)
        .current_dir(env.dir.path())
        .env("HOME", env.dir.path())
        .env("XDG_CONFIG_HOME", env.dir.path().join(".config"))
        .env_remove("LOCKBOX_IDENTITY")
        .env_remove("LOCKBOX_PASSPHRASE")
        .output()
        .unwrap();
    assert_clean_stderr(&out.stderr);
    assert!(
        out.status.success(),
        "umask {umask} lockbox {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().mode() & 0o777
}

#[test]
fn outputs_follow_the_umask() {
    // Issue 10: sealed outputs were always 0644. A new sealed file gets
    // 0666 minus the umask, a replaced one keeps its mode; plaintext is
    // 0600 minus the umask, whatever it replaces.
    let env = Env::new(1000, 13);
    std::fs::write(env.path("plain.txt"), b"plain").unwrap();
    let seal = ["seal", "-q", "-i", "key.txt", "-o"];
    for (umask, want) in [
        ("077", 0o600),
        ("022", 0o644),
        ("002", 0o664),
        ("027", 0o640),
    ] {
        let name = format!("new-{umask}.age");
        under_umask(&env, umask, &[&seal[..], &[&name, "plain.txt"]].concat());
        assert_eq!(mode(&env.path(&name)), want, "seal under umask {umask}");
    }
    // A sealed file replacing a 0600 one stays 0600 under umask 022, and
    // one replacing a 0640 file stays 0640 under 077.
    for (umask, existing) in [("022", 0o600), ("077", 0o640)] {
        let out = env.path("replaced.age");
        std::fs::write(&out, b"older").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(existing)).unwrap();
        under_umask(
            &env,
            umask,
            &[&seal[..], &["replaced.age", "plain.txt"]].concat(),
        );
        assert_eq!(mode(&out), existing, "replacing {existing:o} under {umask}");
        assert_ne!(std::fs::read(&out).unwrap(), b"older");
    }
    // Contact files hold public keys: 0644 minus the umask (the kernel
    // applies it when tempfile creates them with 0644).
    let recipient = "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef";
    for (umask, want) in [("022", 0o644), ("077", 0o600), ("027", 0o640)] {
        let name = format!("friend{umask}");
        under_umask(&env, umask, &["contact", "add", "-q", &name, recipient]);
        let file = env.dir.path().join(".config/lockbox/contacts").join(&name);
        assert_eq!(mode(&file), want, "contact add under umask {umask}");
    }
    // Plaintext: 0600 at most, less when the umask says so.
    let open = ["open", "-q", "-i", "key.txt", "-o"];
    for (umask, want) in [
        ("022", 0o600),
        ("077", 0o600),
        ("000", 0o600),
        ("277", 0o400),
    ] {
        let name = format!("plain-{umask}");
        under_umask(&env, umask, &[&open[..], &[&name, "sealed.age"]].concat());
        assert_eq!(mode(&env.path(&name)), want, "open under umask {umask}");
        assert_eq!(std::fs::read(env.path(&name)).unwrap(), env.plain);
    }
    // Replacing a file others can read does not widen the plaintext.
    std::fs::write(env.path("wide"), b"older").unwrap();
    std::fs::set_permissions(env.path("wide"), std::fs::Permissions::from_mode(0o644)).unwrap();
    under_umask(&env, "022", &[&open[..], &["wide", "sealed.age"]].concat());
    assert_eq!(mode(&env.path("wide")), 0o600);
    assert!(env.temporaries().is_empty());
}

#[test]
fn output_symlink_replaces_the_file_it_points_to() {
    // Issue 10: `-o LINK` replaced the link with a regular file.
    let env = Env::new(70_000, 14);
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("real.txt");
    std::fs::write(&target, b"older").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::symlink(&target, env.path("link")).unwrap();
    // A link to the link, relative.
    std::os::unix::fs::symlink("link", env.path("link2")).unwrap();
    for link in ["link", "link2"] {
        let out = env
            .open()
            .args(["-o", link, "sealed.age"])
            .output()
            .unwrap();
        assert_clean_stderr(&out.stderr);
        assert!(out.status.success(), "{link}");
        assert!(std::fs::symlink_metadata(env.path(link))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), env.plain, "{link}");
        assert_eq!(mode(&target), 0o600);
        std::fs::write(&target, b"older").unwrap();
    }
    // Sealing through the link: the target is replaced, keeping its mode.
    std::fs::write(env.path("plain.txt"), b"plain").unwrap();
    let out = common::lockbox(env.dir.path())
        .current_dir(env.dir.path())
        .args(["seal", "-i", "key.txt", "-o", "link", "plain.txt"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", assert_clean_stderr(&out.stderr));
    assert!(std::fs::read(&target)
        .unwrap()
        .starts_with(b"age-encryption.org/v1\n"));
    assert_eq!(mode(&target), 0o600);
    assert!(std::fs::symlink_metadata(env.path("link"))
        .unwrap()
        .file_type()
        .is_symlink());
    // The temporary went to the target's folder and is gone.
    assert!(env.temporaries().is_empty());
    assert!(temporaries(elsewhere.path()).is_empty());

    // A link to nothing, and a loop of links: errors naming the link, and
    // nothing created.
    std::os::unix::fs::symlink(elsewhere.path().join("missing"), env.path("dangling")).unwrap();
    std::os::unix::fs::symlink("loop-b", env.path("loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", env.path("loop-b")).unwrap();
    for (link, why) in [
        ("dangling", "does not exist"),
        ("loop-a", "cannot be followed"),
    ] {
        let out = env
            .open()
            .args(["-o", link, "sealed.age"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{link}");
        let err = assert_clean_stderr(&out.stderr);
        assert!(
            err.starts_with(&format!(
                "lockbox: error: output '{link}' is a symbolic link"
            )) && err.contains(why),
            "{err}"
        );
    }
    assert!(!elsewhere.path().join("missing").exists());
    assert!(env.temporaries().is_empty());
}

#[test]
fn output_that_the_command_reads_is_refused() {
    // Issue 10: `open -i K -o K` replaced the identity with plaintext.
    let env = Env::new(1000, 15);
    let key = std::fs::read(env.path("key.txt")).unwrap();
    std::fs::write(env.path("plain.txt"), b"plain").unwrap();
    std::fs::write(env.path("pw.txt"), b"pass\n").unwrap();
    std::os::unix::fs::symlink("key.txt", env.path("key-link")).unwrap();
    std::fs::hard_link(env.path("key.txt"), env.path("key-hard")).unwrap();
    let recipient = String::from_utf8(
        common::lockbox(env.dir.path())
            .args(["keygen", "-y"])
            .arg(env.path("key.txt"))
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    std::fs::write(env.path("recipients.txt"), &recipient).unwrap();
    // The default identity, used when no -i is given.
    let config = env.path(".config/lockbox");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("identity.txt"), &key).unwrap();

    let cases: [(&[&str], &str); 8] = [
        (
            &["open", "-i", "key.txt", "-o", "key.txt", "sealed.age"],
            "identity file 'key.txt'",
        ),
        (
            &["open", "-i", "key.txt", "-o", "./key.txt", "sealed.age"],
            "identity file",
        ),
        (
            &["open", "-i", "key.txt", "-o", "key-link", "sealed.age"],
            "identity file",
        ),
        (
            &["open", "-i", "key.txt", "-o", "key-hard", "sealed.age"],
            "identity file",
        ),
        (
            &["open", "-o", ".config/lockbox/identity.txt", "sealed.age"],
            "identity file",
        ),
        (
            &[
                "open",
                "-i",
                "key.txt",
                "--passphrase-file",
                "pw.txt",
                "-o",
                "pw.txt",
                "sealed.age",
            ],
            "passphrase file 'pw.txt'",
        ),
        (
            &["seal", "-i", "key.txt", "-o", "key-link", "plain.txt"],
            "identity file 'key.txt'",
        ),
        (
            &[
                "seal",
                "-R",
                "recipients.txt",
                "-o",
                "recipients.txt",
                "plain.txt",
            ],
            "recipients file 'recipients.txt'",
        ),
    ];
    for (args, what) in cases {
        let out = common::lockbox(env.dir.path())
            .current_dir(env.dir.path())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = assert_clean_stderr(&out.stderr);
        assert!(
            err.starts_with("lockbox: error: the output '")
                && err.contains(&format!("is the same file as the {what}"))
                && err.contains("lockbox: hint: write to another file with -o/--output"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(std::fs::read(env.path("key.txt")).unwrap(), key);
    assert_eq!(std::fs::read(config.join("identity.txt")).unwrap(), key);
    assert_eq!(std::fs::read(env.path("pw.txt")).unwrap(), b"pass\n");
    assert_eq!(
        std::fs::read(env.path("recipients.txt")).unwrap(),
        recipient.as_bytes()
    );
    assert!(std::fs::symlink_metadata(env.path("key-link"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(env.temporaries().is_empty());
}

/// Runs `lockbox ARGS` (in `env`'s folder) with a full disk: a private
/// mount namespace (`unshare -rm`, no root needed) where `full/` is a
/// 64 KiB tmpfs limited to `inodes` inodes. Returns lockbox's exit status,
/// its stderr, and what `full/` held afterwards.
fn on_a_full_disk(env: &Env, inodes: u32, args: &str) -> Option<(i32, Vec<u8>, String)> {
    let unshare = common::peer("unshare")?;
    std::fs::create_dir(env.path("full")).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("lockbox");
    let script = format!(
        "mount -t tmpfs -o size=64k,nr_inodes={inodes} none full && touch full/taken && \
         '{}' {args} 2>stderr.txt; echo $?; ls -A full",
        bin.display()
    );
    let out = Command::new(unshare)
        .args(["-rm", "sh", "-c", &script])
        .current_dir(env.dir.path())
        .env("HOME", env.dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let (status, listing) = stdout
        .split_once('\n')
        .expect("the status, then the listing");
    let status = status
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("{stdout}{}", String::from_utf8_lossy(&out.stderr)));
    let stderr = std::fs::read(env.path("stderr.txt")).unwrap();
    Some((status, stderr, listing.to_owned()))
}

#[test]
fn a_full_disk_names_the_output_not_the_temporary() {
    // No room for the data (1 MiB into 64 KiB), then no inode for the
    // temporary itself.
    for inodes in [100, 2] {
        let env = Env::new(1 << 20, 5);
        let Some((status, stderr, listing)) = on_a_full_disk(
            &env,
            inodes,
            "open -q -i key.txt -o full/out.txt sealed.age",
        ) else {
            return;
        };
        let err = assert_clean_stderr(&stderr);
        assert_eq!(status, 1, "{err}");
        assert!(err.contains("output 'full/out.txt'"), "{err}");
        assert!(err.contains("No space left on device"), "{err}");
        assert!(
            !err.contains("lockbox-tmp") && !err.contains("at path"),
            "{err}"
        );
        // Nothing left behind but what was there.
        assert_eq!(listing.trim(), "taken", "{err}");
    }
}
