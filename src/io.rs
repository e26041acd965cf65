//! Input and output: stdin and stdout, atomic output files, terminals, and
//! cleanup of temporary files on signals.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;

use crate::error::Error;

/// Temporary files to remove if a signal ends the process.
static TEMP_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes registered temporary files on SIGINT, SIGTERM and SIGHUP, then
/// exits with 128 + the signal number, as a shell would report. Installed
/// with the first temporary file, so runs without one pay nothing.
fn install_signal_cleanup() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::Builder::new()
        .name("lockbox-signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                let files = TEMP_FILES.lock().unwrap_or_else(|e| e.into_inner());
                for f in files.iter() {
                    let _ = std::fs::remove_file(f);
                }
                std::process::exit(128 + sig);
            }
        })
        .ok();
}

fn ensure_signal_cleanup() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(install_signal_cleanup);
}

fn register_temp(path: &Path) {
    TEMP_FILES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(path.to_owned());
}

fn unregister_temp(path: &Path) {
    TEMP_FILES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|p| p != path);
}

/// Whether a path argument means stdin or stdout.
pub fn is_std(path: Option<&Path>) -> bool {
    path.is_none_or(|p| p == Path::new("-"))
}

/// A name for messages: the path in quotes, or "standard input".
pub fn input_name(path: Option<&Path>) -> String {
    match path {
        Some(p) if !is_std(Some(p)) => format!("'{}'", p.display()),
        _ => "standard input".into(),
    }
}

/// Opens the input: a file, or stdin when absent or `-`.
pub fn open_input(path: Option<&Path>) -> anyhow::Result<Box<dyn Read + Send>> {
    match path {
        Some(p) if !is_std(Some(p)) => {
            let f =
                File::open(p).with_context(|| format!("failed to open input '{}'", p.display()))?;
            if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
                return Err(Error::failure(format!(
                    "input '{}' is a folder, not a file",
                    p.display()
                ))
                .into());
            }
            Ok(Box::new(f))
        }
        _ => Ok(Box::new(stdin_file()?)),
    }
}

/// Whether the input is stdin and a terminal: typed or pasted by a person,
/// so small, and over at Ctrl-D (or, for armor, at its end line).
pub fn input_is_terminal(path: Option<&Path>) -> bool {
    is_std(path) && io::stdin().is_terminal()
}

/// Discards what reached the terminal on stdin but was not read, waiting
/// briefly for the rest of a long paste. After a paste of armor is read to
/// its end line, the rest of the paste (a signature, or the lines a hostile
/// mail puts there) must not reach the shell as commands once lockbox
/// exits (issue 13).
pub fn discard_terminal_input() {
    use rustix::event::{poll, PollFd, PollFlags};
    use rustix::termios::{tcflush, QueueSelector};
    let stdin = io::stdin();
    let wait = rustix::event::Timespec {
        tv_sec: 0,
        tv_nsec: 100_000_000,
    };
    // At most about 2 s: a paste arrives in bursts, not forever.
    for _ in 0..20 {
        if tcflush(&stdin, QueueSelector::IFlush).is_err() {
            return;
        }
        let mut fds = [PollFd::new(&stdin, PollFlags::IN)];
        match poll(&mut fds, Some(&wait)) {
            Ok(n) if n > 0 => continue,
            _ => return,
        }
    }
}

/// Most bytes held in memory for a terminal: plaintext bound for one, or
/// what is sealed from one.
pub const TERMINAL_LIMIT: usize = 16 * 1024 * 1024;

/// Output held back in memory, up to [`TERMINAL_LIMIT`]: for a terminal,
/// which gets it whole or not at all.
#[derive(Default)]
pub struct Held {
    /// What was written.
    pub data: Vec<u8>,
    /// Whether a write went past the limit (and failed).
    pub overflow: bool,
}

impl Write for Held {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.data.len() + buf.len() > TERMINAL_LIMIT {
            self.overflow = true;
            return Err(io::Error::other("too large to hold for a terminal"));
        }
        self.data.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Stdin as an unbuffered file, so large reads go straight to the kernel.
fn stdin_file() -> io::Result<File> {
    Ok(File::from(io::stdin().as_fd().try_clone_to_owned()?))
}

/// Stdout as an unbuffered file: std's stdout is line-buffered.
fn stdout_file() -> io::Result<File> {
    Ok(File::from(io::stdout().as_fd().try_clone_to_owned()?))
}

/// Refuses input and output naming the same file, before anything is written.
pub fn check_not_same(input: Option<&Path>, output: Option<&Path>) -> anyhow::Result<()> {
    let (Some(i), Some(o)) = (input, output) else {
        return Ok(());
    };
    if is_std(Some(i)) || is_std(Some(o)) {
        return Ok(());
    }
    if let (Ok(a), Ok(b)) = (std::fs::metadata(i), std::fs::metadata(o)) {
        if a.dev() == b.dev() && a.ino() == b.ino() {
            return Err(Error::usage(format!(
                "input and output are the same file '{}'",
                o.display()
            ))
            .hint("write to another file with -o/--output, then rename it")
            .into());
        }
    }
    Ok(())
}

/// Where output goes.
pub struct Output {
    kind: OutputKind,
    /// The `-o` path, for messages.
    path: Option<PathBuf>,
}

enum OutputKind {
    /// Stdout, unbuffered.
    Stdout(File),
    /// A temporary file renamed over `target` on commit.
    Atomic {
        temp: tempfile::NamedTempFile,
        target: PathBuf,
        mode: u32,
    },
    /// A device, FIFO or other special file, written in place.
    InPlace(File),
    /// Committed: nothing left to do.
    Done,
}

impl Output {
    /// Opens the output. A regular file (or a new path) gets a temporary
    /// file in the same folder, created exclusively with mode 0600; a
    /// special file is written in place. `mode` is the final mode of a new
    /// file.
    pub fn create(path: Option<&Path>, mode: u32) -> anyhow::Result<Output> {
        let p = match path {
            Some(p) if !is_std(Some(p)) => p,
            _ => {
                return Ok(Output {
                    kind: OutputKind::Stdout(stdout_file()?),
                    path: None,
                })
            }
        };
        let ctx = || format!("failed to write output '{}'", p.display());
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                return Err(Error::failure(format!(
                    "output '{}' is a folder, not a file",
                    p.display()
                ))
                .into())
            }
            Ok(m) if !m.is_file() => {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(p)
                    .with_context(ctx)?;
                return Ok(Output {
                    kind: OutputKind::InPlace(f),
                    path: Some(p.to_owned()),
                });
            }
            Ok(m) => {
                // An existing file: refuse early if it cannot be replaced.
                if m.permissions().readonly() {
                    return Err(
                        Error::failure(format!("output '{}' is read-only", p.display()))
                            .hint("choose another -o/--output, or change the file's permissions")
                            .into(),
                    );
                }
            }
            Err(_) => {}
        }
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        // Said plainly here: tempfile's own error would name the
        // temporary's random path, which means nothing to the user.
        if !dir.is_dir() {
            return Err(Error::failure(format!(
                "failed to write output '{}': the folder '{}' does not exist",
                p.display(),
                dir.display()
            ))
            .hint("create the folder first, or choose another -o/--output")
            .into());
        }
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        ensure_signal_cleanup();
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".lockbox-tmp")
            .permissions(std::fs::Permissions::from_mode(0o600))
            .tempfile_in(&dir)
            .with_context(ctx)?;
        register_temp(temp.path());
        Ok(Output {
            kind: OutputKind::Atomic {
                temp,
                target: p.to_owned(),
                mode,
            },
            path: Some(p.to_owned()),
        })
    }

    /// Whether the output is a terminal.
    pub fn is_terminal(&self) -> bool {
        match &self.kind {
            OutputKind::Stdout(f) | OutputKind::InPlace(f) => f.is_terminal(),
            OutputKind::Atomic { .. } | OutputKind::Done => false,
        }
    }

    /// Whether the output is stdout.
    pub fn is_stdout(&self) -> bool {
        matches!(self.kind, OutputKind::Stdout(_))
    }

    /// Finishes the output: flushes it, and for a file, syncs it to disk
    /// and renames it over the target.
    pub fn commit(mut self) -> anyhow::Result<()> {
        let name = self.name();
        match std::mem::replace(&mut self.kind, OutputKind::Done) {
            OutputKind::Done => Ok(()),
            OutputKind::Stdout(mut f) | OutputKind::InPlace(mut f) => {
                f.flush().with_context(|| format!("failed to write {name}"))
            }
            OutputKind::Atomic { temp, target, mode } => {
                let ctx = || format!("failed to write output '{}'", target.display());
                temp.as_file().sync_all().with_context(ctx)?;
                temp.as_file()
                    .set_permissions(std::fs::Permissions::from_mode(mode))
                    .with_context(ctx)?;
                let temp_path = temp.path().to_owned();
                temp.persist(&target)
                    .map_err(|e| e.error)
                    .with_context(ctx)?;
                unregister_temp(&temp_path);
                if let Some(dir) = target.parent() {
                    let dir = if dir.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        dir
                    };
                    if let Ok(d) = File::open(dir) {
                        let _ = d.sync_all();
                    }
                }
                Ok(())
            }
        }
    }

    /// The output's name for messages.
    pub fn name(&self) -> String {
        match &self.path {
            Some(p) => format!("output '{}'", p.display()),
            None => "standard output".into(),
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let OutputKind::Atomic { temp, .. } = &self.kind {
            // NamedTempFile removes the file itself; forget it for signals.
            unregister_temp(temp.path());
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.kind {
            OutputKind::Stdout(f) | OutputKind::InPlace(f) => f.write(buf),
            OutputKind::Atomic { temp, .. } => temp.write(buf),
            OutputKind::Done => Err(io::Error::other("the output is already committed")),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.kind {
            OutputKind::Stdout(f) | OutputKind::InPlace(f) => f.write_all(buf),
            OutputKind::Atomic { temp, .. } => temp.write_all(buf),
            OutputKind::Done => Err(io::Error::other("the output is already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.kind {
            OutputKind::Stdout(f) | OutputKind::InPlace(f) => f.flush(),
            OutputKind::Atomic { temp, .. } => temp.flush(),
            OutputKind::Done => Err(io::Error::other("the output is already committed")),
        }
    }
}

/// Whether stderr is a terminal (for progress bars and prompts).
pub fn stderr_is_terminal() -> bool {
    io::stderr().is_terminal()
}

/// Whether `data` is safe to print on a terminal: no control characters
/// other than tab, newline and carriage return.
pub fn printable(data: &[u8]) -> bool {
    !data
        .iter()
        .any(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f)
}

/// Writes a new file exclusively with mode 0600: never overwrites.
pub fn create_secret_file(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                anyhow::Error::new(
                    Error::failure(format!("'{}' already exists", path.display()))
                        .hint("lockbox never overwrites an identity file; choose another -o/--output, or remove the file first"),
                )
            } else {
                anyhow::Error::new(e)
                    .context(format!("failed to create identity file '{}'", path.display()))
            }
        })?;
    f.write_all(contents)
        .and_then(|_| f.sync_all())
        .with_context(|| format!("failed to write identity file '{}'", path.display()))?;
    Ok(())
}
