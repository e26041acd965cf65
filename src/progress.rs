//! Progress bars on stderr for large inputs: the only user of indicatif.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Inputs smaller than this get no progress bar: they finish too soon.
const MIN_BYTES: u64 = 64 * 1024 * 1024;

/// A progress bar, or nothing when stderr is not a terminal, when quiet, or
/// when the input is small or of unknown size.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar for `total` bytes, shown only if `enabled` and worth it.
    pub(crate) fn new(total: Option<u64>, enabled: bool) -> Self {
        let bar = match total {
            Some(t) if enabled && t >= MIN_BYTES && crate::io::stderr_is_terminal() => {
                let bar =
                    ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr_with_hz(4));
                bar.set_style(
                    ProgressStyle::with_template(
                        "{bytes:>10}/{total_bytes} {wide_bar} {binary_bytes_per_sec:>12} {eta:>4} left",
                    )
                    .expect("the template is valid"),
                );
                bar.enable_steady_tick(Duration::from_millis(250));
                Some(bar)
            }
            _ => None,
        };
        Self { bar }
    }

    /// Records `n` more bytes done. Cheap: an atomic add.
    pub(crate) fn add(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }

    /// Removes the bar from the terminal.
    pub(crate) fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
