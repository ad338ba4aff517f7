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
