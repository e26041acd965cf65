//! The C2SP CCTV age vectors (tests/data/age-vectors), through the library
//! and through the binary: every vector must give its expected class, and a
//! payload failure must release exactly the plaintext its hash allows.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use lockbox::{Error, Identity, Options, Part};
use sha2::{Digest, Sha256};

struct Vector {
    name: String,
    expect: String,
    payload: Option<String>,
    identities: Vec<String>,
    passphrases: Vec<String>,
    /// The file key, hex, when the vector gives it.
    file_key: Option<String>,
    file: Vec<u8>,
}

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/age-vectors")
}

fn load_vectors() -> Vec<Vector> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(vectors_dir())
        .expect("the vectors are in tests/data/age-vectors")
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".md") || name.starts_with("UPSTREAM") {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let split = data
            .windows(2)
            .position(|w| w == b"\n\n")
            .expect("a vector has a header and a body");
        let head = std::str::from_utf8(&data[..split]).unwrap();
        let mut body = data[split + 2..].to_vec();
        let mut v = Vector {
            name,
            expect: String::new(),
            payload: None,
            identities: Vec::new(),
            passphrases: Vec::new(),
            file_key: None,
            file: Vec::new(),
        };
        let mut compressed = false;
        for line in head.lines() {
            let (k, val) = line.split_once(": ").expect("key: value");
            match k {
                "expect" => v.expect = val.to_owned(),
                "payload" => v.payload = Some(val.to_owned()),
                "identity" => v.identities.push(val.to_owned()),
                "passphrase" => v.passphrases.push(val.to_owned()),
                "file key" => v.file_key = Some(val.to_owned()),
                "compressed" => compressed = val == "zlib",
                _ => {}
            }
        }
        if compressed {
            let mut inflated = Vec::new();
            flate2::read::ZlibDecoder::new(&body[..])
                .read_to_end(&mut inflated)
                .unwrap();
            body = inflated;
        }
        v.file = body;
        out.push(v);
    }
    out
}

/// What lockbox must never print for this vector, lower-cased: the file
/// key in hex and in base64, the identities' Bech32 data and the
/// passphrases.
fn secrets_of(v: &Vector) -> Vec<String> {
    use base64::prelude::{Engine, BASE64_STANDARD_NO_PAD};
    let mut out = Vec::new();
    if let Some(k) = &v.file_key {
        out.push(k.to_lowercase());
        out.push(
            BASE64_STANDARD_NO_PAD
                .encode(hex::decode(k).unwrap())
                .to_lowercase(),
        );
    }
    for i in &v.identities {
        let lower = i.to_lowercase();
        out.push(lower[lower.rfind('1').unwrap() + 1..].to_owned());
    }
    out.extend(v.passphrases.iter().map(|p| p.to_lowercase()));
    out
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn class_of(err: &Error) -> &'static str {
    match err {
        Error::Armor(_) => "armor failure",
        Error::Header(_)
        | Error::WorkFactor(_)
        | Error::Memory { .. }
        | Error::Truncated(Part::Header, _) => "header failure",
        Error::Hmac => "HMAC failure",
        Error::Payload(_) | Error::Truncated(Part::Payload, _) => "payload failure",
        Error::NoMatch(_) => "no match",
        _ => "other",
    }
}

/// A writer that records what was released, shareable with the test.
#[derive(Default)]
struct Released(Vec<u8>);

impl std::io::Write for Released {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Opens a vector through the library's front door: its identities, and
/// its passphrase (with the default work factor limit).
fn open_with_library(v: &Vector, threads: usize) -> (Result<(), Error>, Vec<u8>) {
    let mut ids: Vec<Identity> = v.identities.iter().map(|i| i.parse().unwrap()).collect();
    ids.extend(
        v.passphrases
            .iter()
            .map(|p| Identity::passphrase(p.clone().into())),
    );
    let mut options = Options::default();
    options.threads = threads;
    let mut out = Released::default();
    let r = lockbox::open(&ids, &v.file[..], &mut out, &options).map(|_unsigned| ());
    (r, out.0)
}

fn check_released(v: &Vector, released: &[u8], how: &str) -> Result<(), String> {
    match (&v.payload, v.expect.as_str()) {
        (Some(hash), "success" | "payload failure") => {
            let got = sha256_hex(released);
            if &got != hash {
                return Err(format!(
                    "{}: {how}: released {} bytes with hash {got}, expected {hash}",
                    v.name,
                    released.len()
                ));
            }
        }
        _ => {
            if !released.is_empty() {
                return Err(format!(
                    "{}: {how}: released {} bytes where none was allowed",
                    v.name,
                    released.len()
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn every_vector_through_the_library() {
    let vectors = load_vectors();
    assert_eq!(vectors.len(), 143, "all 143 CCTV vectors are present");
    let mut failures = Vec::new();
    for v in &vectors {
        for threads in [1, 4] {
            let (result, released) = open_with_library(v, threads);
            let class = match &result {
                Ok(()) => "success",
                Err(e) => class_of(e),
            };
            if class != v.expect {
                failures.push(format!(
                    "{} (threads {threads}): expected {}, got {class}: {:?}",
                    v.name,
                    v.expect,
                    result.err().map(|e| format!("{e:#}"))
                ));
                continue;
            }
            if let Err(m) = check_released(v, &released, &format!("library, threads {threads}")) {
                failures.push(m);
            }
        }
    }
    report("library", vectors.len(), &failures);
}

/// Says how many vectors ran, straight to stderr past the test harness's
/// capture (so that every `cargo test` run shows it), then fails on any
/// failure. (`eprintln!` would be captured: hence `writeln!` to stderr.)
#[allow(clippy::explicit_write)]
fn report(how: &str, ran: usize, failures: &[String]) {
    writeln!(
        std::io::stderr(),
        "CCTV vectors, {how}: ran {ran} vectors, {} failures",
        failures.len()
    )
    .unwrap();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn expected_exit(expect: &str) -> i32 {
    match expect {
        "success" => 0,
        "no match" => 3,
        _ => 4,
    }
}

#[test]
fn every_vector_through_the_binary() {
    let vectors = load_vectors();
    assert_eq!(vectors.len(), 143, "all 143 CCTV vectors are present");
    let home = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for v in &vectors {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("file.age");
        std::fs::write(&input, &v.file).unwrap();
        let mut args: Vec<String> = vec!["open".into()];
        if !v.identities.is_empty() {
            let ids = dir.path().join("identities.txt");
            std::fs::write(&ids, v.identities.join("\n") + "\n").unwrap();
            args.push("-i".into());
            args.push(ids.display().to_string());
        }
        if let Some(p) = v.passphrases.first() {
            let pf = dir.path().join("passphrase.txt");
            std::fs::write(&pf, format!("{p}\n")).unwrap();
            args.push("--passphrase-file".into());
            args.push(pf.display().to_string());
        }

        // To stdout: the exit status and exactly the allowed plaintext.
        let out = common::lockbox(home.path())
            .args(&args)
            .arg(&input)
            .output()
            .unwrap();
        let code = out.status.code().unwrap_or(-1);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if code != expected_exit(&v.expect) {
            failures.push(format!(
                "{}: expected {} (exit {}), got exit {code}: {}",
                v.name,
                v.expect,
                expected_exit(&v.expect),
                stderr.trim()
            ));
            continue;
        }
        if let Err(m) = check_released(v, &out.stdout, "binary stdout") {
            failures.push(m);
        }
        let said = stderr.to_lowercase();
        if let Some(p) = secrets_of(v).iter().find(|p| said.contains(p.as_str())) {
            failures.push(format!(
                "{}: stderr carries a secret ({p}): {stderr}",
                v.name
            ));
        }
        if code != 0 {
            let lines: Vec<&str> = stderr.lines().collect();
            if !lines
                .first()
                .is_some_and(|l| l.starts_with("lockbox: error: "))
                || lines.iter().any(|l| !l.starts_with("lockbox: "))
                || stderr.contains("panicked")
            {
                failures.push(format!(
                    "{}: stderr is not in the error format: {stderr}",
                    v.name
                ));
            }
        }

        // To a file: on failure, no file and no temporary is left behind.
        let target = dir.path().join("plain.out");
        let out = common::lockbox(home.path())
            .args(&args)
            .arg("-o")
            .arg(&target)
            .arg(&input)
            .output()
            .unwrap();
        let code = out.status.code().unwrap_or(-1);
        if code != expected_exit(&v.expect) {
            failures.push(format!("{}: with -o: exit {code}", v.name));
        }
        if code == 0 {
            let written = std::fs::read(&target).unwrap();
            if let Err(m) = check_released(v, &written, "binary -o") {
                failures.push(m);
            }
        } else {
            let left: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains("plain.out"))
                .collect();
            if !left.is_empty() {
                failures.push(format!(
                    "{}: failed open left files behind: {left:?}",
                    v.name
                ));
            }
        }
    }
    report("binary", vectors.len(), &failures);
}
