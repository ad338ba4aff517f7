//! Reading the person's answers: one line at a time, echoed when piped.

use super::{Flow, Step};
use crate::outln;
use std::io::{BufRead, IsTerminal, StdinLock};

pub(super) struct Input {
    stdin: StdinLock<'static>,
    /// Piped input is not echoed by a terminal; repeating it keeps the transcript readable.
    echo: bool,
}

impl Input {
    pub(super) fn new() -> Self {
        let stdin = std::io::stdin();
        let echo = !stdin.is_terminal();
        Input {
            stdin: stdin.lock(),
            echo,
        }
    }

    /// One line, without its line ending; end of input is `Flow::Quit`.
    pub(super) fn ask(&mut self, prompt: &str) -> Step<String> {
        crate::output::out(prompt);
        let mut buf = Vec::new();
        loop {
            match self.stdin.read_until(b'\n', &mut buf) {
                Ok(0) => {
                    outln!();
                    return Err(Flow::Quit);
                }
                Ok(_) => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    outln!();
                    return Err(Flow::Quit);
                }
            }
        }
        let line = String::from_utf8_lossy(&buf)
            .trim_end_matches(['\n', '\r'])
            .to_owned();
        if self.echo {
            outln!("{line}");
        }
        Ok(line)
    }

    /// y/yes or n/no; Enter takes the default shown as a capital letter.
    pub(super) fn confirm(&mut self, question: &str, default: bool) -> Step<bool> {
        let hint = if default { "[Y/n]" } else { "[y/N]" };
        loop {
            let answer = self.ask(&format!("{question} {hint}: "))?;
            match answer.trim().to_ascii_lowercase().as_str() {
                "" => return Ok(default),
                "y" | "yes" => return Ok(true),
                "n" | "no" => return Ok(false),
                _ => outln!("Please answer y or n."),
            }
        }
    }
}
