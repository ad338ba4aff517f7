//! `access import`: a CSV file of grants, sent in one request, or in parts when it has more lines than
//! one request takes. A file in parts is checked whole first (every part as a dry run), so a bad line
//! anywhere writes nothing; then the parts are imported in order, each all or nothing.

use crate::client::{Api, CliError, Kind, Result};
use crate::outln;
use crate::output::print_json;
use crate::progress::Uploading;
use chrono::SecondsFormat;
use openapi::FieldError;
use openapi::import::{ImportAction, ImportLine, ImportResult, ImportTerms, MAX_IMPORT_LINES};
use openapi::terms::GrantRole;

/// One request's share of the file: the header, then whole lines of it.
struct Part {
    text: Vec<u8>,
    /// The file's line number of the part's first grant line.
    first_line: u64,
    /// The part's own line number of its first grant line (after the header).
    own_first_line: u64,
}

impl Part {
    /// The file's line number of what the server calls `line` of this part.
    fn file_line(&self, line: u64) -> u64 {
        line + self.first_line - self.own_first_line
    }

    /// A problem as the server named it in this part (`line 3, column role`), named in the file.
    fn renumber(&self, error: &FieldError) -> FieldError {
        let field = error
            .field
            .strip_prefix("line ")
            .and_then(|rest| {
                let (number, column) = match rest.split_once(',') {
                    Some((number, column)) => (number, format!(",{column}")),
                    None => (rest, String::new()),
                };
                let number: u64 = number.parse().ok()?;
                Some(format!("line {}{column}", self.file_line(number)))
            })
            .unwrap_or_else(|| error.field.clone());
        FieldError {
            field,
            message: error.message.clone(),
        }
    }
}

/// The file as parts of at most `per_part` grant lines, each behind the file's header; `None` when it
/// fits in one request (or cannot be read as CSV: the server then names the problem).
fn split(text: &[u8], per_part: usize) -> Option<Vec<Part>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text);
    reader.headers().ok()?;
    let mut starts = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let at = reader.position().byte() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(true) => starts.push(at),
            Ok(false) => break,
            Err(_) => return None,
        }
    }
    if starts.len() <= per_part {
        return None;
    }
    let header = &text[..starts[0]];
    let line_of = |at: usize| text[..at].iter().filter(|byte| **byte == b'\n').count() as u64 + 1;
    let own_first_line = line_of(starts[0]);
    let parts = starts
        .chunks(per_part)
        .enumerate()
        .map(|(at, chunk)| {
            let end = starts
                .get((at + 1) * per_part)
                .copied()
                .unwrap_or(text.len());
            let mut part = header.to_vec();
            part.extend_from_slice(&text[chunk[0]..end]);
            Part {
                text: part,
                first_line: line_of(chunk[0]),
                own_first_line,
            }
        })
        .collect();
    Some(parts)
}

fn send(api: &Api, text: &[u8], dry_run: bool, label: String) -> Result<ImportResult> {
    let mut upload = Uploading::new(text, text.len() as u64, label);
    let result = api.import_csv(&mut upload, dry_run);
    upload.finish();
    result
}

pub fn access_import(
    api: &Api,
    json: bool,
    file: &std::path::Path,
    dry_run: bool,
    per_part: Option<usize>,
) -> Result<()> {
    let text = if file.as_os_str() == "-" {
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut text)
            .map_err(|error| CliError::usage(format!("Cannot read standard input: {error}.")))?;
        text
    } else {
        std::fs::read(file)
            .map_err(|error| CliError::usage(format!("Cannot read {}: {error}.", file.display())))?
    };
    let verb = if dry_run { "Checking" } else { "Uploading" };
    let per_part = per_part
        .unwrap_or(MAX_IMPORT_LINES)
        .clamp(1, MAX_IMPORT_LINES);
    let result = match split(&text, per_part) {
        None => {
            send(api, &text, dry_run, format!("{verb} {}", file.display())).map_err(with_report)
        }
        Some(parts) => import_in_parts(api, file, &parts, per_part, dry_run),
    }?;
    if json {
        print_json(&result);
        return Ok(());
    }
    let (add, change) = if result.dry_run {
        ("would add", "would change")
    } else {
        ("added", "changed")
    };
    for item in &result.items {
        let what = match item.action {
            ImportAction::Add => add,
            ImportAction::Change => change,
        };
        outln!(
            "line {}: {what} user {} in company {}: {}",
            item.line,
            item.user_id,
            item.company_id,
            describe(item)
        );
    }
    outln!(
        "{} lines: {} {}, {} {}, {} unchanged{}.",
        result.lines,
        result.added,
        add,
        result.changed,
        change,
        result.unchanged,
        if result.dry_run {
            "; nothing was written (dry run)"
        } else {
            ""
        }
    );
    Ok(())
}

/// A refused file's message, with what its other lines would have done when the server said.
fn with_report(mut error: CliError) -> CliError {
    if let Some(report) = error
        .problem
        .as_ref()
        .and_then(|problem| problem.report.as_ref())
    {
        let others = report.lines.saturating_sub(report.refused);
        error.message.push_str(&format!(
            "\nThe other {} would add {}, change {} and leave {} unchanged; fix the lines above \
             and import the file again.",
            if others == 1 {
                "line".to_owned()
            } else {
                format!("{others} lines")
            },
            report.added,
            report.changed,
            report.unchanged
        ));
    }
    error
}

fn terms_text(terms: &ImportTerms) -> String {
    let mut parts = vec![match terms.role {
        Some(role) => format!("as {role}"),
        None => "in their own role".to_owned(),
    }];
    if let Some(at) = terms.valid_from {
        parts.push(format!(
            "from {}",
            at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
        ));
    }
    if let Some(at) = terms.valid_until {
        parts.push(format!(
            "until {}",
            at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
        ));
    }
    if terms.include_branches {
        parts.push("with its branches".to_owned());
    }
    parts.join(", ")
}

/// What a line adds, or what it changes in the grant as it is.
fn describe(item: &ImportLine) -> String {
    let Some(before) = &item.before else {
        return terms_text(&item.after);
    };
    let instant = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map_or("none".to_owned(), |at| {
            at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
        })
    };
    let role = |role: Option<GrantRole>| role.map_or("own".to_owned(), |r| r.to_string());
    let after = &item.after;
    let fields = [
        ("role", role(before.role), role(after.role)),
        (
            "valid_from",
            instant(before.valid_from),
            instant(after.valid_from),
        ),
        (
            "valid_until",
            instant(before.valid_until),
            instant(after.valid_until),
        ),
        (
            "include_branches",
            before.include_branches.to_string(),
            after.include_branches.to_string(),
        ),
    ];
    let changes: Vec<String> = fields
        .into_iter()
        .filter(|(_, was, will)| was != will)
        .map(|(name, was, will)| format!("{name}: {was} → {will}"))
        .collect();
    if changes.is_empty() {
        // A stored role the service no longer grants reads as none: the change is to the line's terms.
        return terms_text(after);
    }
    changes.join(", ")
}

/// Every part as a dry run first, all problems told by the file's line numbers; then, unless this is a
/// dry run, each part imported in order. One result for the whole file.
fn import_in_parts(
    api: &Api,
    file: &std::path::Path,
    parts: &[Part],
    per_part: usize,
    dry_run: bool,
) -> Result<ImportResult> {
    let count = parts.len();
    let mut checked = Vec::with_capacity(count);
    let mut problems: Vec<FieldError> = Vec::new();
    let mut refusal = None;
    // Every part's report, the refused parts' too, for what the file's other lines would do.
    let mut reports = true;
    for (at, part) in parts.iter().enumerate() {
        let label = format!("Checking {} (part {} of {count})", file.display(), at + 1);
        match send(api, &part.text, true, label) {
            Ok(result) => checked.push(result),
            Err(error) if error.kind == Kind::Usage && error.problem.is_some() => {
                if let Some(problem) = &error.problem {
                    problems.extend(problem.errors.iter().map(|error| part.renumber(error)));
                    match &problem.report {
                        Some(report) => checked.push((**report).clone()),
                        None => reports = false,
                    }
                }
                refusal.get_or_insert(error);
            }
            Err(error) => return Err(error),
        }
    }
    if let Some(mut refusal) = refusal {
        let mut message = format!(
            "{} problem{} in the file ({count} parts of at most {} lines, each checked), nothing was \
             imported",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            per_part
        );
        for problem in &problems {
            message.push_str(&format!("\n  {}: {}", problem.field, problem.message));
        }
        // The whole file's problems, by its own line numbers, in the body `--json` prints too.
        if let Some(problem) = refusal.problem.as_mut() {
            problem.detail = message.lines().next().unwrap_or_default().to_owned();
            problem.errors = problems;
            problem.report = reports.then(|| Box::new(combine(parts, checked, true)));
        }
        refusal.message = message;
        return Err(with_report(refusal));
    }
    if dry_run {
        return Ok(combine(parts, checked, true));
    }
    let mut done = Vec::with_capacity(count);
    for (at, part) in parts.iter().enumerate() {
        let label = format!("Uploading {} (part {} of {count})", file.display(), at + 1);
        match send(api, &part.text, false, label) {
            Ok(result) => done.push(result),
            Err(mut error) => {
                // The parts before were imported: say so, and where to start again.
                error.message = format!(
                    "Part {} of {count} (from line {}) was refused, and it and the parts after it \
                     were not imported; the parts before it were: {}",
                    at + 1,
                    part.first_line,
                    error.message
                );
                return Err(error);
            }
        }
    }
    Ok(combine(parts, done, false))
}

fn combine(parts: &[Part], results: Vec<ImportResult>, dry_run: bool) -> ImportResult {
    let mut whole = ImportResult {
        lines: 0,
        added: 0,
        changed: 0,
        unchanged: 0,
        refused: 0,
        dry_run,
        items: Vec::new(),
    };
    for (part, result) in parts.iter().zip(results) {
        whole.lines += result.lines;
        whole.added += result.added;
        whole.changed += result.changed;
        whole.unchanged += result.unchanged;
        whole.refused += result.refused;
        whole.items.extend(result.items.into_iter().map(|mut item| {
            item.line = part.file_line(item.line);
            item
        }));
    }
    whole
}
