//! Writing results: plain tables for people, JSON for scripts.
//!
//! Rust ignores SIGPIPE, so `println!` panics when the reader of a pipe goes away
//! (`company-access users list | head -1`); everything here treats a closed stdout as "done".

use serde::Serialize;
use std::io::{self, IsTerminal, Write};

/// Writes to stdout; a reader that went away ends the program quietly.
pub fn out(text: &str) {
    let mut stdout = io::stdout().lock();
    if let Err(err) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if err.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        std::process::exit(1);
    }
}

/// Writes to stderr; there is nobody left to tell if that fails.
pub fn err(text: &str) {
    let mut stderr = io::stderr().lock();
    let _ = stderr
        .write_all(text.as_bytes())
        .and_then(|()| stderr.flush());
}

#[macro_export]
macro_rules! outln {
    () => { $crate::output::out("\n") };
    ($($arg:tt)*) => { $crate::output::out(&format!("{}\n", format_args!($($arg)*))) };
}

#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => { $crate::output::err(&format!("{}\n", format_args!($($arg)*))) };
}

pub fn print_json<T: Serialize + ?Sized>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => out(&format!("{text}\n")),
        Err(e) => err(&format!("could not write JSON: {e}\n")),
    }
}

pub fn stderr_is_terminal() -> bool {
    io::stderr().is_terminal()
}

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A plain-text table: a header row, a rule, and rows, columns two spaces apart.
#[derive(Debug, Default)]
pub struct Table {
    headers: Vec<String>,
    aligns: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Self {
        Self {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            aligns: vec![Align::Left; headers.len()],
            rows: Vec::new(),
        }
    }

    pub fn align(mut self, column: usize, align: Align) -> Self {
        if let Some(slot) = self.aligns.get_mut(column) {
            *slot = align;
        }
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(width(cell));
            }
        }
        let mut text = String::new();
        let render_row = |cells: &[String], text: &mut String| {
            let mut line = String::new();
            for (i, w) in widths.iter().enumerate() {
                let cell = cells.get(i).map(String::as_str).unwrap_or("");
                let cell = cell.replace(['\n', '\r', '\t'], " ");
                let pad = w.saturating_sub(width(&cell));
                if i > 0 {
                    line.push_str("  ");
                }
                match self.aligns[i] {
                    Align::Left => {
                        line.push_str(&cell);
                        line.push_str(&" ".repeat(pad));
                    }
                    Align::Right => {
                        line.push_str(&" ".repeat(pad));
                        line.push_str(&cell);
                    }
                }
            }
            text.push_str(line.trim_end());
            text.push('\n');
        };
        render_row(&self.headers, &mut text);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        render_row(&rule, &mut text);
        for row in &self.rows {
            render_row(row, &mut text);
        }
        text
    }

    pub fn print(&self) {
        out(&self.render());
    }
}

fn width(text: &str) -> usize {
    text.chars().count()
}

pub fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

/// `2026-11-24 10:04` — minutes are enough to read a table by.
pub fn when(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

/// "1 company", "2 companies".
pub fn plural(count: impl Into<i64>, one: &str, many: &str) -> String {
    let count = count.into();
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

/// "NYC", "NYC and LA", "NYC, LA and Main Office".
pub fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_pad_columns_and_trim_line_ends() {
        let mut table = Table::new(&["#", "USERNAME"]).align(0, Align::Right);
        table.row(vec!["1".into(), "sarah".into()]);
        table.row(vec!["10".into(), "x".into()]);
        assert_eq!(
            table.render(),
            " #  USERNAME\n--  --------\n 1  sarah\n10  x\n"
        );
    }

    #[test]
    fn lists_read_like_sentences() {
        assert_eq!(and_list(&["NYC".into(), "LA".into()]), "NYC and LA");
        assert_eq!(
            and_list(&["A".into(), "B".into(), "C".into()]),
            "A, B and C"
        );
        assert_eq!(plural(1, "company", "companies"), "1 company");
        assert_eq!(plural(0, "company", "companies"), "0 companies");
    }
}
