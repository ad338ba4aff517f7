//! Reading an import's CSV: the header's columns in any order and case, every line parsed to a grant or
//! to the problems that name its line and column, line numbers right in files with `\r\n` line ends.

use crate::error::AppError;
use chrono::{DateTime, Utc};
use openapi::FieldError;

use openapi::import::{EXPORT_HEADER, ImportResult, MAX_IMPORT_LINES};
use openapi::instant::Instant as RequestInstant;
use openapi::terms::{GrantRole, GrantTerms, Window};
use std::collections::HashSet;
use uuid::Uuid;

/// Most problems one refusal lists; the count of the rest is told.
const MAX_REPORTED: usize = 1_000;

pub(super) enum Who {
    Name(String),
    Id(i32),
}

pub(super) enum Which {
    /// The name folded as companies are matched, and as the line spells it (for messages).
    Name {
        key: String,
        text: String,
    },
    Id(Uuid),
}

pub(super) struct Line {
    pub number: u64,
    pub user: Who,
    pub company: Which,
    pub terms: GrantTerms,
}

/// Where each column is in the file.
struct Columns {
    user: (usize, bool),
    company: (usize, bool),
    role: Option<usize>,
    valid_from: Option<usize>,
    valid_until: Option<usize>,
    include_branches: Option<usize>,
}

/// The problems found so far, each with its line: a line's format is checked before any name is
/// looked up, so they are put in line order before they are told.
pub(super) struct Problems(pub Vec<(u64, FieldError)>);

impl Problems {
    pub(super) fn add(&mut self, line: u64, column: &str, message: impl Into<String>) {
        self.0.push((
            line,
            FieldError {
                field: format!("line {line}, column {column}"),
                message: message.into(),
            },
        ));
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many lines of the file (the header not counted) have a problem.
    pub(super) fn lines(&self) -> u64 {
        let lines: HashSet<u64> = self
            .0
            .iter()
            .map(|(line, _)| *line)
            .filter(|line| *line > 1)
            .collect();
        lines.len() as u64
    }

    /// The refusal: every problem in line order (the first [`MAX_REPORTED`] listed) and, when the file
    /// could be read through, the report of what the other lines would do.
    pub(super) fn refusal(mut self, report: Option<ImportResult>) -> AppError {
        let total = self.0.len();
        self.0.sort_by_key(|(line, _)| *line);
        let mut errors: Vec<FieldError> = self.0.into_iter().map(|(_, error)| error).collect();
        errors.truncate(MAX_REPORTED);
        let more = total.saturating_sub(MAX_REPORTED);
        let first = errors.first().map_or_else(String::new, |first| {
            format!("; the first: {}: {}", first.field, first.message)
        });
        let detail = format!(
            "{total} problem{} in the file, nothing was imported{first}{}",
            if total == 1 { "" } else { "s" },
            if more > 0 {
                format!(" ({more} more not listed)")
            } else {
                String::new()
            }
        );
        match report {
            Some(report) => AppError::ImportRefused {
                detail,
                errors,
                report: Box::new(report),
            },
            None => AppError::Validation { detail, errors },
        }
    }
}

fn columns(header: &csv::StringRecord, problems: &mut Problems) -> Option<Columns> {
    // Spreadsheets capitalise headers (`Username`): a column is known by its name in any case.
    let find = |name: &str| {
        header
            .iter()
            .position(|column| column.trim().eq_ignore_ascii_case(name))
    };
    for column in header.iter() {
        let known = [
            "username",
            "user_id",
            "company",
            "company_id",
            "role",
            "valid_from",
            "valid_until",
            "include_branches",
        ];
        if !known
            .iter()
            .any(|name| column.trim().eq_ignore_ascii_case(name))
        {
            problems.add(
                1,
                column,
                format!("unknown column; the columns are {}", known.join(", ")),
            );
        }
    }
    let either =
        |by_name: &str, by_id: &str, problems: &mut Problems| match (find(by_name), find(by_id)) {
            (Some(at), None) => Some((at, true)),
            (None, Some(at)) => Some((at, false)),
            _ => {
                problems.add(
                    1,
                    by_name,
                    format!("the header needs exactly one of {by_name} or {by_id}"),
                );
                None
            }
        };
    let user = either("username", "user_id", problems);
    let company = either("company", "company_id", problems);
    Some(Columns {
        user: user?,
        company: company?,
        role: find("role"),
        valid_from: find("valid_from"),
        valid_until: find("valid_until"),
        include_branches: find("include_branches"),
    })
}

fn instant(text: &str) -> Result<Option<DateTime<Utc>>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    // The same form as an instant in a JSON body, and the same reason when it is not.
    RequestInstant::parse(text)
        .map(|at| Some(at.into_inner()))
        .map_err(|error| error.0)
}

fn parse_line(
    number: u64,
    record: &csv::StringRecord,
    columns: &Columns,
    problems: &mut Problems,
) -> Option<Line> {
    let cell = |at: Option<usize>| at.and_then(|at| record.get(at)).unwrap_or("").trim();
    let before = problems.0.len();
    let user_text = cell(Some(columns.user.0));
    let user = match columns.user.1 {
        true if !user_text.is_empty() => Some(Who::Name(user_text.to_lowercase())),
        false => user_text.parse().ok().map(Who::Id),
        true => None,
    };
    if user.is_none() {
        let (column, wanted) = if columns.user.1 {
            ("username", "a username")
        } else {
            ("user_id", "a user id (a whole number)")
        };
        problems.add(number, column, format!("{user_text:?} is not {wanted}"));
    }
    let company_text = cell(Some(columns.company.0));
    let company = match columns.company.1 {
        true if !company_text.is_empty() => Some(Which::Name {
            key: names::fold(company_text),
            text: company_text.to_owned(),
        }),
        false => Uuid::try_parse(company_text).ok().map(Which::Id),
        true => None,
    };
    if company.is_none() {
        let (column, wanted) = if columns.company.1 {
            ("company", "a company name")
        } else {
            ("company_id", "a company id (a UUID)")
        };
        problems.add(number, column, format!("{company_text:?} is not {wanted}"));
    }
    let role = match cell(columns.role) {
        "" => None,
        text => match text.parse::<GrantRole>() {
            Ok(role) => Some(role),
            Err(error) => {
                problems.add(number, "role", error.0);
                None
            }
        },
    };
    let mut when = |column: &str, at: Option<usize>| match instant(cell(at)) {
        Ok(at) => at,
        Err(message) => {
            problems.add(number, column, message);
            None
        }
    };
    let (valid_from, valid_until) = (
        when("valid_from", columns.valid_from),
        when("valid_until", columns.valid_until),
    );
    let include_branches = match cell(columns.include_branches).to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "0" => false,
        "true" | "yes" | "1" => true,
        other => {
            problems.add(
                number,
                "include_branches",
                format!("{other:?} is not true or false"),
            );
            false
        }
    };
    let window = Window::unchecked(valid_from, valid_until);
    if let Err(error) = window.check() {
        problems.add(number, "valid_until", error.0);
    }
    if problems.0.len() > before {
        return None;
    }
    Some(Line {
        number,
        user: user?,
        company: company?,
        terms: GrantTerms {
            role,
            window,
            include_branches,
        },
    })
}

/// The lines of a file that parsed, and how many lines it has.
pub(super) struct Parsed {
    pub lines: Vec<Line>,
    /// Lines after the header, those with problems included.
    pub records: u64,
    /// Whether the header could be read and the file was read to its end, so that a report of what
    /// its other lines would do is a report of the whole file.
    pub whole: bool,
}

pub(super) fn parse(text: &str, problems: &mut Problems) -> Parsed {
    let unreadable = Parsed {
        lines: Vec::new(),
        records: 0,
        whole: false,
    };
    // Spreadsheets save UTF-8 with a byte order mark, which would otherwise start the first column's name.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        problems.add(
            1,
            "header",
            format!(
                "the file is empty; its first line is the header, with the columns {}",
                EXPORT_HEADER.join(",")
            ),
        );
        return unreadable;
    }
    // Shorter lines are read (the columns left out are empty); longer ones are refused below.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = match reader.headers() {
        Ok(header) => header.clone(),
        Err(error) => {
            problems.add(1, "header", format!("the header cannot be read: {error}"));
            return unreadable;
        }
    };
    let Some(columns) = columns(&header, problems) else {
        return unreadable;
    };
    let mut lines = Vec::new();
    let mut records = 0;
    let mut numbering = LineNumbers::new(text);
    for (at, record) in reader.records().enumerate() {
        let number = at as u64 + 2;
        if at >= MAX_IMPORT_LINES {
            problems.add(
                number,
                "file",
                format!("at most {MAX_IMPORT_LINES} lines per import; split the file"),
            );
            return Parsed {
                lines,
                records,
                whole: false,
            };
        }
        records += 1;
        match record {
            Ok(record) => {
                let number = record
                    .position()
                    .map_or(number, |position| numbering.line_at(position.byte()));
                if record.len() > header.len() {
                    problems.add(
                        number,
                        "line",
                        format!(
                            "{} fields, the header has {}; quote a value that holds a comma",
                            record.len(),
                            header.len()
                        ),
                    );
                    continue;
                }
                if let Some(line) = parse_line(number, &record, &columns, problems) {
                    lines.push(line);
                }
            }
            Err(error) => problems.add(number, "line", format!("not a CSV line: {error}")),
        }
    }
    Parsed {
        lines,
        records,
        whole: true,
    }
}

/// Line numbers from byte offsets, counted forward as the records come: `csv`'s own count of lines is
/// one short in a file with `\r\n` line ends.
struct LineNumbers<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineNumbers<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The line of the record `csv` says starts at `offset`; offsets come in increasing order. After a
    /// `\r\n`, `csv` places the next record at the `\n`, which belongs to the line before.
    fn line_at(&mut self, offset: u64) -> u64 {
        let mut offset = (offset as usize).min(self.text.len()).max(self.offset);
        while matches!(self.text.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        self.line += self.text[self.offset..offset]
            .iter()
            .filter(|byte| **byte == b'\n')
            .count() as u64;
        self.offset = offset;
        self.line
    }
}
