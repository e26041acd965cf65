//! Input and output: stdin and stdout, atomic output files, terminals, and
//! cleanup of temporary files on signals.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;

use crate::error::{file_error, quote, Error};

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
pub(crate) fn is_std(path: Option<&Path>) -> bool {
    path.is_none_or(|p| p == Path::new("-"))
}

/// A name for messages: the path in quotes, or "standard input".
pub(crate) fn input_name(path: Option<&Path>) -> String {
    match path {
        Some(p) if !is_std(Some(p)) => quote(p),
        _ => "standard input".into(),
    }
}

/// Opens the input: a file, or stdin when absent or `-`.
pub(crate) fn open_input(path: Option<&Path>) -> anyhow::Result<Box<dyn Read + Send>> {
    match path {
        Some(p) if !is_std(Some(p)) => {
            let f = File::open(p).map_err(|e| file_error("open input", p, e))?;
            if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
                return Err(
                    Error::failure(format!("input {} is a folder, not a file", quote(p))).into(),
                );
            }
            Ok(Box::new(f))
        }
        _ => Ok(Box::new(crate::secret::stdin_file()?)),
    }
}

/// Whether the input is stdin and a terminal: typed or pasted by a person,
/// so small, and over at Ctrl-D (or, for armor, at its end line).
pub(crate) fn input_is_terminal(path: Option<&Path>) -> bool {
    is_std(path) && io::stdin().is_terminal()
}

/// Discards what reached the terminal on stdin but was not read, waiting
/// briefly for the rest of a long paste. After a paste of armor is read to
/// its end line, the rest of the paste (a signature, or the lines a hostile
/// mail puts there) must not reach the shell as commands once lockbox
/// exits (issue 13).
pub(crate) fn discard_terminal_input() {
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
pub(crate) const TERMINAL_LIMIT: usize = 16 * 1024 * 1024;

/// Output held back in memory, up to [`TERMINAL_LIMIT`]: for a terminal,
/// which gets it whole or not at all.
#[derive(Default)]
pub(crate) struct Held {
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

/// Stdout as an unbuffered file: std's stdout is line-buffered.
fn stdout_file() -> io::Result<File> {
    Ok(File::from(io::stdout().as_fd().try_clone_to_owned()?))
}

/// Refuses an output that is one of the files the command reads (the
/// input, an identity, recipients or passphrase file), before anything is
/// written: `open -i K -o K` would replace the identity with plaintext
/// (issue 10). Files are compared by identity (device and inode, after
/// following symbolic links), not by spelling. `reads` pairs what each file
/// is ("input", "identity file", ...) with its path; `-` and paths that do
/// not exist are skipped.
pub(crate) fn check_output_not_read(
    output: Option<&Path>,
    reads: &[(&str, &Path)],
) -> anyhow::Result<()> {
    let Some(o) = output.filter(|o| !is_std(Some(o))) else {
        return Ok(());
    };
    let Ok(out) = std::fs::metadata(o) else {
        return Ok(());
    };
    for (what, path) in reads {
        if is_std(Some(path)) {
            continue;
        }
        if let Ok(m) = std::fs::metadata(path) {
            if m.dev() == out.dev() && m.ino() == out.ino() {
                return Err(Error::usage(format!(
                    "the output {} is the same file as the {what} {}",
                    quote(o),
                    quote(path)
                ))
                .hint("write to another file with -o/--output: lockbox never writes over a file it reads")
                .into());
            }
        }
    }
    Ok(())
}

/// Refuses standard input named for more than one purpose (issue 10): with
/// `seal -R -` and no INPUT, the recipients would eat stdin and an empty
/// message would be sealed. `uses` pairs each flag that reads a file with
/// the paths given to it (`-` is stdin); `input` is the INPUT argument,
/// stdin when absent or `-`. Checked before anything is read.
pub(crate) fn check_stdin_used_once(
    uses: &[(&str, &[PathBuf])],
    input: Option<&Path>,
) -> anyhow::Result<()> {
    let mut users: Vec<String> = Vec::new();
    for (flag, paths) in uses {
        let n = paths.iter().filter(|p| is_std(Some(p))).count();
        users.extend(std::iter::repeat_n(format!("{flag} -"), n));
    }
    if is_std(input) {
        users.push("the input (INPUT absent or '-')".into());
    }
    if users.len() < 2 {
        return Ok(());
    }
    let last = users.pop().unwrap_or_default();
    Err(Error::usage(format!(
        "standard input is used for more than one purpose: {} and {last}",
        users.join(", ")
    ))
    .hint("let at most one of them read standard input, and name the others by their paths")
    .into())
}

/// What an output file holds, which decides its mode (issue 10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Holds {
    /// A sealed file: mode 0666 minus the umask, as any Unix tool creates
    /// a file; an existing file being replaced keeps its mode.
    Sealed,
    /// Plaintext: mode 0600 minus the umask, whatever it replaces.
    Plaintext,
}

/// The process's umask, without `unsafe` (no safe std API sets or reads
/// it): Linux reports it in /proc/self/status; elsewhere, the common 022.
fn umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
        & 0o777
}

/// The mode of an output file: `holds` decides, `existing` is the mode of
/// the file it replaces, if any.
fn output_mode(holds: Holds, existing: Option<u32>) -> u32 {
    match (holds, existing) {
        (Holds::Sealed, Some(mode)) => mode & 0o777,
        (Holds::Sealed, None) => 0o666 & !umask(),
        (Holds::Plaintext, _) => 0o600 & !umask(),
    }
}

/// Where output goes.
pub(crate) struct Output {
    kind: OutputKind,
    /// The `-o` path, for messages.
    path: Option<PathBuf>,
    /// Early writeback of a file being written (see [`Writeback`]); set
    /// when the first byte goes to a file.
    wb: Option<WritebackState>,
}

/// How much of a file being written is handed to the kernel's writeback
/// at a time, and how far behind the end of what was written.
const WRITEBACK_STEP: u64 = 8 << 20;

/// Where a [`Writeback`] file is: its position, the end of what was
/// written, and where the writeback not yet started begins.
#[derive(Debug, Clone, Copy)]
struct WritebackState {
    pos: u64,
    end: u64,
    started: u64,
}

impl WritebackState {
    fn at(pos: u64) -> Self {
        WritebackState {
            pos,
            end: pos,
            started: pos,
        }
    }
}

/// A file being written, with early writeback: whenever what was written
/// runs [`WRITEBACK_STEP`] past the next range, the kernel is asked to
/// start writing that range to disk now (`posix_fadvise` DONTNEED, which
/// on Linux starts writeback of its dirty pages without waiting), instead
/// of all of it at the final `fsync`. The disk then works while the
/// engine seals or opens, and the `fsync` that ends an `-o` output has
/// little left to do (1 GiB: 0.55 s of `fsync` mostly overlapped, see
/// BENCHMARKS.md). Pages still dirty or under writeback are never dropped,
/// so nothing written can be lost; the advice is only a hint, and its
/// failure is ignored.
pub(crate) struct Writeback<'a> {
    file: &'a mut File,
    state: &'a mut WritebackState,
}

impl<'a> Writeback<'a> {
    /// `file` with the writeback `state` an [`Output`] keeps for it; the
    /// first use starts counting at the file's current position.
    fn of(file: &'a mut File, state: &'a mut Option<WritebackState>) -> io::Result<Self> {
        if state.is_none() {
            *state = Some(WritebackState::at(io::Seek::stream_position(file)?));
        }
        let state = state.as_mut().expect("set above");
        Ok(Writeback { file, state })
    }

    fn advise(&mut self) {
        let s = &mut *self.state;
        while s.end >= s.started + 2 * WRITEBACK_STEP {
            let _ = rustix::fs::fadvise(
                &*self.file,
                s.started,
                std::num::NonZeroU64::new(WRITEBACK_STEP),
                rustix::fs::Advice::DontNeed,
            );
            s.started += WRITEBACK_STEP;
        }
    }
}

impl Write for Writeback<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.state.pos += n as u64;
        self.state.end = self.state.end.max(self.state.pos);
        self.advise();
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl io::Seek for Writeback<'_> {
    fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
        let pos = self.file.seek(to)?;
        self.state.pos = pos;
        Ok(pos)
    }
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

/// An error of the tempfile crate without the temporary's random path,
/// which means nothing to the user: messages name the output instead
/// (issue 13). tempfile appends ` at path "..."` to the error's text and
/// keeps no way to reach the error inside; the file's own errors (through
/// `as_file_mut`) carry no path.
fn without_path(e: io::Error) -> io::Error {
    let text = e.to_string();
    match text.find(" at path \"") {
        Some(at) => io::Error::new(e.kind(), text[..at].to_owned()),
        None => e,
    }
}

/// Where an `-o` path that is a symbolic link points, so the file it names
/// is replaced and the link kept (issue 10); any other path as it is. A
/// link that points nowhere, or to itself in a loop, is an error naming it.
fn follow_output_link(p: &Path) -> anyhow::Result<PathBuf> {
    let is_link = std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(p.to_owned());
    }
    match std::fs::canonicalize(p) {
        Ok(target) => Ok(target),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let to = std::fs::read_link(p)
                .map(|t| format!(" to {}", quote(t)))
                .unwrap_or_default();
            Err(Error::failure(format!(
                "output {} is a symbolic link{to}, which does not exist",
                quote(p)
            ))
            .hint("create the file it points to, remove the link, or choose another -o/--output")
            .into())
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!(
            "output {} is a symbolic link that cannot be followed",
            quote(p)
        ))),
    }
}

impl Output {
    /// Opens the output. A regular file (or a new path) gets a temporary
    /// file in the same folder (the folder of the file a symbolic link
    /// points to), created exclusively with mode 0600 and given its final
    /// mode (see [`Holds`]) when committed; a special file is written in
    /// place.
    pub(crate) fn create(path: Option<&Path>, holds: Holds) -> anyhow::Result<Output> {
        let p = match path {
            Some(p) if !is_std(Some(p)) => p,
            _ => {
                return Ok(Output {
                    kind: OutputKind::Stdout(stdout_file()?),
                    path: None,
                    wb: None,
                })
            }
        };
        let ctx = || format!("failed to write output {}", quote(p));
        let mut existing = None;
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                return Err(
                    Error::failure(format!("output {} is a folder, not a file", quote(p))).into(),
                )
            }
            Ok(m) if !m.is_file() => {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(p)
                    .with_context(ctx)?;
                return Ok(Output {
                    kind: OutputKind::InPlace(f),
                    path: Some(p.to_owned()),
                    wb: None,
                });
            }
            Ok(m) => {
                // An existing file: refuse early if it cannot be replaced.
                if m.permissions().readonly() {
                    return Err(Error::failure(format!("output {} is read-only", quote(p)))
                        .hint("choose another -o/--output, or change the file's permissions")
                        .into());
                }
                existing = Some(m.mode());
            }
            Err(_) => {}
        }
        let target = follow_output_link(p)?;
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        // Said plainly here: tempfile's own error would name the
        // temporary's random path, which means nothing to the user.
        if !dir.is_dir() {
            return Err(Error::failure(format!(
                "failed to write output {}: the folder {} does not exist",
                quote(p),
                quote(&dir)
            ))
            .hint("create the folder first, or choose another -o/--output")
            .into());
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        ensure_signal_cleanup();
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".lockbox-tmp")
            .permissions(std::fs::Permissions::from_mode(0o600))
            .tempfile_in(&dir)
            .map_err(without_path)
            .with_context(ctx)?;
        register_temp(temp.path());
        Ok(Output {
            kind: OutputKind::Atomic {
                temp,
                target,
                mode: output_mode(holds, existing),
            },
            path: Some(p.to_owned()),
            wb: None,
        })
    }

    /// The temporary file behind an `-o` regular file, seekable, renamed
    /// over the target only on [`Self::commit`]; `None` for stdout and
    /// special files.
    pub(crate) fn temp_file(&mut self) -> Option<Writeback<'_>> {
        match &mut self.kind {
            OutputKind::Atomic { temp, .. } => Writeback::of(temp.as_file_mut(), &mut self.wb).ok(),
            _ => None,
        }
    }

    /// A seekable file to write a signed seal into in one pass, from its
    /// current position: the `-o` temporary, or standard output when it is
    /// a regular file opened without `O_APPEND` (`> file.age`; with
    /// `>>` every write goes to the end, so the header could not be put
    /// back in front of the payload). `None` otherwise: a pipe, a
    /// terminal, a device.
    pub(crate) fn seekable(&mut self) -> Option<Writeback<'_>> {
        match &mut self.kind {
            OutputKind::Atomic { temp, .. } => Writeback::of(temp.as_file_mut(), &mut self.wb).ok(),
            OutputKind::Stdout(f) => {
                let regular = f.metadata().is_ok_and(|m| m.is_file());
                let appends = rustix::fs::fcntl_getfl(&*f)
                    .map_or(true, |fl| fl.contains(rustix::fs::OFlags::APPEND));
                if !regular || appends {
                    return None;
                }
                Writeback::of(f, &mut self.wb).ok()
            }
            OutputKind::InPlace(_) | OutputKind::Done => None,
        }
    }

    /// Copies `spool`, from its current position to its end, to the
    /// output. Between two files (stdout included) the kernel copies
    /// (`copy_file_range`, `sendfile` or `splice`, through the standard
    /// library's `io::copy`), so a 1 GiB spool never passes through this
    /// process's memory.
    pub(crate) fn copy_from(&mut self, spool: &mut File) -> io::Result<u64> {
        match &mut self.kind {
            OutputKind::Stdout(f) | OutputKind::InPlace(f) => io::copy(spool, f),
            OutputKind::Atomic { temp, .. } => io::copy(spool, temp.as_file_mut()),
            OutputKind::Done => Err(io::Error::other("the output is already committed")),
        }
    }

    /// Whether the output is a terminal.
    pub(crate) fn is_terminal(&self) -> bool {
        match &self.kind {
            OutputKind::Stdout(f) | OutputKind::InPlace(f) => f.is_terminal(),
            OutputKind::Atomic { .. } | OutputKind::Done => false,
        }
    }

    /// Finishes the output: flushes it, and for a file, syncs it to disk
    /// and renames it over the target.
    pub(crate) fn commit(mut self) -> anyhow::Result<()> {
        let name = self.name();
        match std::mem::replace(&mut self.kind, OutputKind::Done) {
            OutputKind::Done => Ok(()),
            OutputKind::Stdout(mut f) | OutputKind::InPlace(mut f) => {
                f.flush().with_context(|| format!("failed to write {name}"))
            }
            OutputKind::Atomic { temp, target, mode } => {
                let ctx = || format!("failed to write {name}");
                temp.as_file().sync_all().with_context(ctx)?;
                temp.as_file()
                    .set_permissions(std::fs::Permissions::from_mode(mode))
                    .with_context(ctx)?;
                let temp_path = temp.path().to_owned();
                temp.persist(&target)
                    .map_err(|e| without_path(e.error))
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
    pub(crate) fn name(&self) -> String {
        match &self.path {
            Some(p) => format!("output {}", quote(p)),
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
            OutputKind::Atomic { temp, .. } => {
                Writeback::of(temp.as_file_mut(), &mut self.wb)?.write(buf)
            }
            OutputKind::Done => Err(io::Error::other("the output is already committed")),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.kind {
            OutputKind::Stdout(f) | OutputKind::InPlace(f) => f.write_all(buf),
            OutputKind::Atomic { temp, .. } => {
                Writeback::of(temp.as_file_mut(), &mut self.wb)?.write_all(buf)
            }
            OutputKind::Done => Err(io::Error::other("the output is already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.kind {
            OutputKind::Stdout(f) | OutputKind::InPlace(f) => f.flush(),
            OutputKind::Atomic { temp, .. } => temp.as_file_mut().flush(),
            OutputKind::Done => Err(io::Error::other("the output is already committed")),
        }
    }
}

/// An unlinked temporary file with mode 0600 (`tempfile::tempfile`): a
/// ciphertext spool, gone on every exit path since it has no name.
pub(crate) fn spool() -> anyhow::Result<File> {
    tempfile::tempfile().context("failed to create a temporary file")
}

/// Whether stderr is a terminal (for progress bars and prompts).
pub(crate) fn stderr_is_terminal() -> bool {
    io::stderr().is_terminal()
}

/// Whether `data` is safe to print on a terminal: no control characters
/// other than tab, newline and carriage return.
pub(crate) fn printable(data: &[u8]) -> bool {
    !data
        .iter()
        .any(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f)
}

/// Writes a new file exclusively with mode 0600: never overwrites.
pub(crate) fn create_secret_file(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                anyhow::Error::new(
                    Error::failure(format!("{} already exists", quote(path)))
                        .hint("lockbox never overwrites an identity file; choose another -o/--output, or remove the file first"),
                )
            } else {
                file_error("create identity file", path, e)
            }
        })?;
    f.write_all(contents)
        .and_then(|_| f.sync_all())
        .with_context(|| format!("failed to write identity file {}", quote(path)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Seek, SeekFrom};

    /// Early writeback hands every full 8 MiB range that is 8 MiB behind
    /// the end to the kernel, once each, and never changes a byte: the
    /// signed-seal pattern (payload after a hole, then the header written
    /// at the start) reads back exactly.
    #[test]
    fn writeback_advises_ranges_behind_the_end_and_keeps_every_byte() {
        let mut file = tempfile::tempfile().unwrap();
        let mut state = WritebackState::at(0);
        let block: Vec<u8> = (0..1 << 20).map(|i| (i * 7 % 251) as u8).collect();
        {
            let mut w = Writeback {
                file: &mut file,
                state: &mut state,
            };
            w.seek(SeekFrom::Start(100)).unwrap();
            for _ in 0..40 {
                w.write_all(&block).unwrap();
            }
            assert_eq!(w.state.end, 100 + 40 * (1 << 20));
            w.seek(SeekFrom::Start(0)).unwrap();
            w.write_all(&[b'H'; 100]).unwrap();
        }
        // 40 MiB + 100 written: ranges [0, 8) to [24, 32) MiB end at
        // least 8 MiB before the end; [32, 40) does not.
        assert_eq!(state.started, 4 * WRITEBACK_STEP);
        assert_eq!(state.pos, 100);
        let mut back = Vec::new();
        file.seek(SeekFrom::Start(0)).unwrap();
        file.read_to_end(&mut back).unwrap();
        assert_eq!(back.len(), 100 + 40 * (1 << 20));
        assert!(back[..100].iter().all(|&b| b == b'H'));
        for (i, chunk) in back[100..].chunks(1 << 20).enumerate() {
            assert!(chunk == &block[..], "MiB {i} changed");
        }
    }
}
