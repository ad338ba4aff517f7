//! Progress for long single requests (bulk add, populate): the server does the work in one call,
//! so all there is to show is that it is still running and for how long.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::Duration;

/// A spinner on stderr, drawn only when stderr is a terminal so pipes and logs stay clean.
pub struct Spinner(Option<ProgressBar>);

impl Spinner {
    pub fn start(message: impl Into<String>) -> Self {
        if !crate::output::stderr_is_terminal() {
            return Spinner(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
            bar.set_style(style.tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ "));
        }
        bar.set_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(100));
        Spinner(Some(bar))
    }

    /// Runs `work` with the spinner turning, and clears it afterwards whatever the outcome.
    pub fn run<T>(message: impl Into<String>, work: impl FnOnce() -> T) -> T {
        let spinner = Spinner::start(message);
        let result = work();
        drop(spinner);
        result
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}

/// A reader that moves a bar on stderr as its bytes are read: the upload of a large file. Drawn only
/// when stderr is a terminal.
pub struct Uploading<R> {
    inner: R,
    bar: Option<ProgressBar>,
}

impl<R: std::io::Read> Uploading<R> {
    pub fn new(inner: R, total: u64, message: impl Into<String>) -> Self {
        let bar = crate::output::stderr_is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} [{elapsed}]")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(message.into());
            bar
        });
        Self { inner, bar }
    }

    /// The bar ends; a spinner can follow while the server works.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl<R: std::io::Read> std::io::Read for Uploading<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        if let Some(bar) = &self.bar {
            bar.inc(read as u64);
            if bar.position() >= bar.length().unwrap_or(0) {
                bar.set_message("Importing…");
            }
        }
        Ok(read)
    }
}

impl<R> Drop for Uploading<R> {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
