//! The scrypt work factor of a passphrase-sealed header, checked before a
//! passphrase is asked and before scrypt allocates anything: against the
//! accepted limit, and against the memory this machine has.
//!
//! scrypt takes its whole table in one infallible allocation inside the
//! `age` crate, so a work factor whose memory cannot be had used to abort
//! the process (issue 10: 2^40 asked for 1 PiB). Refusing it here, with the
//! header in hand, is the only place that can.

use super::{FormatError, Header};

/// The largest work factor whose memory [`memory_needed`] can state.
const MAX_STATED: u8 = 53;

/// Bytes of memory scrypt needs at work factor `log_n` with age's r = 8:
/// its table of 128 × r × 2^log_n bytes, that is 1 KiB × 2^log_n (its
/// scratch, 3 KiB, is left out). Saturates for work factors no machine has.
pub(crate) fn memory_needed(log_n: u8) -> u64 {
    if log_n > MAX_STATED {
        return u64::MAX;
    }
    1024 << log_n
}

/// The work factor of the header's scrypt stanza, read as the `age` crate
/// reads it (decimal, no leading zero, at most 255). `None` when there is
/// no scrypt stanza, or its argument is malformed: the `age` crate refuses
/// that stanza before it runs scrypt.
pub(crate) fn work_factor(header: &Header) -> Option<u8> {
    let stanza = header.stanzas.iter().find(|s| s.tag == "scrypt")?;
    let [_, log_n] = &stanza.args[..] else {
        return None;
    };
    if log_n.is_empty() || log_n.starts_with('0') || !log_n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    log_n.parse().ok()
}

/// Refuses a passphrase-sealed header whose work factor is above `limit`
/// (when given), or whose scrypt memory is more than this machine has
/// available. Headers without a scrypt stanza pass.
pub(crate) fn check_work(header: &Header, limit: Option<u8>) -> Result<(), FormatError> {
    let Some(log_n) = work_factor(header) else {
        return Ok(());
    };
    if limit.is_some_and(|limit| log_n > limit) {
        return Err(FormatError::WorkFactor(log_n));
    }
    let needed = memory_needed(log_n);
    let refuse = |available| {
        Err(FormatError::Memory {
            work_factor: log_n,
            needed,
            available,
        })
    };
    match memory_available() {
        Some(available) if needed > available => refuse(Some(available)),
        Some(_) => Ok(()),
        // Without /proc/meminfo, ask the allocator without touching the
        // memory: a reservation it cannot make is refused, not an abort.
        None => match usize::try_from(needed) {
            Ok(n) if Vec::<u8>::new().try_reserve_exact(n).is_ok() => Ok(()),
            _ => refuse(None),
        },
    }
}

/// The memory available to start a program without swapping, as the
/// kernel estimates it (`MemAvailable` in `/proc/meminfo`), in bytes.
fn memory_available() -> Option<u64> {
    parse_mem_available(&std::fs::read_to_string("/proc/meminfo").ok()?)
}

fn parse_mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))?;
    let kib = line.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()?;
    kib.checked_mul(1024)
}

/// `1 PiB`, `23.5 GiB`: a size in binary units, for messages.
pub(crate) fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut unit = 0;
    while unit + 1 < UNITS.len() && bytes >> (10 * (unit + 2)) > 0 {
        unit += 1;
    }
    let scale = 1u64 << (10 * (unit + 1));
    if bytes % scale == 0 {
        format!("{} {}", bytes / scale, UNITS[unit])
    } else {
        format!("{:.1} {}", bytes as f64 / scale as f64, UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrypt_memory_is_one_kib_per_unit_of_n() {
        assert_eq!(memory_needed(10), 1 << 20);
        assert_eq!(memory_needed(22), 4 << 30);
        assert_eq!(memory_needed(40), 1 << 50);
        assert_eq!(memory_needed(53), 1 << 63);
        assert_eq!(memory_needed(54), u64::MAX);
        assert_eq!(memory_needed(255), u64::MAX);
    }

    #[test]
    fn sizes_read_in_binary_units() {
        assert_eq!(human_size(memory_needed(30)), "1 TiB");
        assert_eq!(human_size(memory_needed(40)), "1 PiB");
        assert_eq!(human_size(memory_needed(22)), "4 GiB");
        assert_eq!(human_size(24_146_332 * 1024), "23.0 GiB");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(100), "100 bytes");
        assert_eq!(human_size(u64::MAX), "16.0 EiB");
    }

    #[test]
    fn mem_available_is_read_from_meminfo() {
        let meminfo = "MemTotal:       24731708 kB\nMemFree:         5781168 kB\nMemAvailable:   24146332 kB\n";
        assert_eq!(parse_mem_available(meminfo), Some(24_146_332 * 1024));
        assert_eq!(parse_mem_available("MemTotal: 1 kB\n"), None);
    }

    #[test]
    fn the_work_factor_is_read_as_age_reads_it() {
        let header = |arg: &str| {
            let text = format!(
                "age-encryption.org/v1\n-> scrypt AAAAAAAAAAAAAAAAAAAAAA {arg}\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
            );
            Header::read(&mut text.as_bytes()).unwrap()
        };
        assert_eq!(work_factor(&header("18")), Some(18));
        assert_eq!(work_factor(&header("40")), Some(40));
        assert_eq!(work_factor(&header("018")), None);
        assert_eq!(work_factor(&header("0")), None);
        assert_eq!(work_factor(&header("256")), None);
        assert_eq!(work_factor(&header("+1")), None);
        assert!(matches!(
            check_work(&header("12"), Some(11)),
            Err(FormatError::WorkFactor(12))
        ));
        assert!(matches!(check_work(&header("12"), Some(12)), Ok(())));
        // No machine has 1 PiB available: refused whatever the limit.
        assert!(matches!(
            check_work(&header("40"), Some(40)),
            Err(FormatError::Memory { work_factor: 40, needed, .. }) if needed == 1 << 50
        ));
    }
}
