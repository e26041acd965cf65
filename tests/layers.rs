//! The layers only call downwards: each top-level module of `src/` may use
//! modules of its own rank or below, never above. The ranks, lowest first:
//!
//! 0. `format`: the engine (header, STREAM, armor): nothing of ours.
//! 1. `error`: the error type with exit statuses and hints, and the one
//!    place that maps the engine's errors to them; `secret`: buffers for
//!    secrets, and the unbuffered standard input.
//! 2. `config`: where the configuration folder and default identity are.
//! 3. `keys`: identities, recipients, key files, the post-quantum type,
//!    passphrase-protected identities, contacts.
//! 4. `api`: the library's front door.
//! 5. `io`, `progress`, `passphrase`: the command line's terminal, files
//!    and prompts.
//! 6. `cli`: the clap types.
//! 7. `commands`: one module per subcommand.
//! 8. `run`, `generate`, `fuzzing`, `lib`, `main`: the entry points (the
//!    command line, the generated man pages, the fuzz targets' hooks).
//!
//! Since the ranks are a strict order, the modules of different ranks can't
//! form an import cycle either. The check reads the sources as text: every
//! `crate::NAME` path outside comments, `use crate::{A, B}` groups included.
//! Unit tests (`#[cfg(test)] mod NAME { ... }` blocks, and files declared by
//! `#[cfg(test)] mod NAME;`) are left out: they may build their fixtures
//! with a higher layer, and are not part of what they test.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const RANKS: [(&str, u8); 16] = [
    ("format", 0),
    ("error", 1),
    ("secret", 1),
    ("config", 2),
    ("keys", 3),
    ("api", 4),
    ("io", 5),
    ("progress", 5),
    ("passphrase", 5),
    ("cli", 6),
    ("commands", 7),
    ("run", 8),
    ("generate", 8),
    ("fuzzing", 8),
    ("lib", 8),
    ("main", 8),
];

fn rank(module: &str) -> Option<u8> {
    RANKS.iter().find(|(m, _)| *m == module).map(|&(_, r)| r)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to: `src/keys/pq.rs` is in
/// `keys`, `src/io.rs` is `io`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// The top-level modules named by `crate::` paths in `code`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        // `lockbox_crate::x` or `mycrate::x` are not ours.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::{c, d}, e}`: the names at depth 1.
            let mut depth = 1;
            let mut name = String::new();
            let mut expect_name = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 1 => break,
                    '}' => depth -= 1,
                    ',' if depth == 1 => expect_name = true,
                    c if depth == 1 && expect_name && (c.is_alphanumeric() || c == '_') => {
                        name.push(c)
                    }
                    _ if !name.is_empty() => {
                        out.push(std::mem::take(&mut name));
                        expect_name = false;
                    }
                    _ => {}
                }
            }
            if !name.is_empty() {
                out.push(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

/// The code of a source file without its comment lines and without its
/// inline unit-test modules (`#[cfg(test)]` then `mod NAME {`, up to the
/// matching brace).
fn without_tests(text: &str) -> String {
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim();
        if t == "#[cfg(test)]" {
            let next = lines.peek().map(|l| l.trim()).unwrap_or("");
            if next.starts_with("mod ") && next.ends_with('{') {
                let mut depth = 0i32;
                for l in lines.by_ref() {
                    depth += l.matches('{').count() as i32 - l.matches('}').count() as i32;
                    if depth <= 0 {
                        break;
                    }
                }
                continue;
            }
        }
        if !t.starts_with("//") {
            out.push(line);
        }
    }
    out.join("\n")
}

/// The files declared as unit-test modules: `#[cfg(test)]` then
/// `mod NAME;` in `dir/mod.rs` or `dir.rs`'s folder means `dir/NAME.rs`.
fn test_only_files(files: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let dir = match file.file_name().and_then(|n| n.to_str()) {
            Some("mod.rs" | "lib.rs" | "main.rs") => file.parent().unwrap().to_owned(),
            _ => file.with_extension(""),
        };
        let mut lines = text.lines().map(str::trim).peekable();
        while let Some(line) = lines.next() {
            if line != "#[cfg(test)]" {
                continue;
            }
            let Some(name) = lines
                .peek()
                .and_then(|l| l.strip_prefix("mod "))
                .and_then(|l| l.strip_suffix(';'))
            else {
                continue;
            };
            out.push(dir.join(format!("{name}.rs")));
            out.push(dir.join(name).join("mod.rs"));
        }
    }
    out
}

/// Every use of a module of a higher rank, as "file: module (rank) uses
/// other (rank)".
fn upward_uses(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let test_files = test_only_files(&files);
    let mut found = Vec::new();
    for file in &files {
        let module = module_of(src, file);
        let mine = rank(&module)
            .unwrap_or_else(|| panic!("module '{module}' has no rank in tests/layers.rs"));
        if test_files.contains(file) {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        let code = without_tests(&text);
        let mut seen = BTreeMap::new();
        for used in crate_paths(&code) {
            let Some(theirs) = rank(&used) else {
                continue; // an item of lib.rs, such as a re-export
            };
            if theirs > mine {
                seen.insert(used, theirs);
            }
        }
        for (used, theirs) in seen {
            found.push(format!(
                "{}: {module} (rank {mine}) uses {used} (rank {theirs})",
                file.strip_prefix(src).unwrap().display()
            ));
        }
    }
    found
}

#[test]
fn modules_only_use_modules_below_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = upward_uses(&src);
    assert!(
        found.is_empty(),
        "imports that go up a layer:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_rank() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    for file in files {
        let module = module_of(&src, &file);
        assert!(rank(&module).is_some(), "'{module}' has no rank");
    }
}

#[test]
fn the_checker_sees_grouped_and_nested_imports() {
    assert_eq!(
        crate_paths("use crate::{format::{self, X}, keys};\nlet x = crate::io::f();"),
        ["format", "keys", "io"]
    );
    assert!(crate_paths("use other_crate::io;").is_empty());
    // A module that reaches up is found.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("format")).unwrap();
    std::fs::write(
        dir.path().join("format/bad.rs"),
        "use crate::commands::open;\n// crate::cli in a comment is fine\n\
         #[cfg(test)]\nmod tests {\n    use crate::keys;\n}\n\
         #[cfg(test)]\nmod fixtures;\n",
    )
    .unwrap();
    // A unit-test module, inline or in its own file, may reach up.
    std::fs::create_dir(dir.path().join("format/bad")).unwrap();
    std::fs::write(
        dir.path().join("format/bad/fixtures.rs"),
        "use crate::cli;\n",
    )
    .unwrap();
    assert_eq!(
        upward_uses(dir.path()),
        ["format/bad.rs: format (rank 0) uses commands (rank 7)"]
    );
}
