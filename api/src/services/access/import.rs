//! CSV in and out. An import is all or nothing: every line is parsed and resolved first, and one bad
//! line (its number, its column, why) refuses the whole file; a dry run reports what each line would
//! do. Lines are grants as they should be: a new pair is added, a pair whose terms differ is changed,
//! and nothing is ever removed, so importing an export changes nothing.

use crate::caller::Caller;
use crate::changes::Changes;
use crate::db::audit::Change;
use crate::db::import::{
    StoredGrant, companies_by_key, export_page, grants_of, upsert_grants, users_by_name,
};
use crate::db::lookups::{existing_companies, existing_users};
use crate::db::store::Store;
use crate::error::AppError;
use crate::services::dedup_in_order;
use crate::services::delegation;
use chrono::{DateTime, SecondsFormat, Utc};
use openapi::FieldError;
use openapi::audit::AuditAction;
use openapi::import::{EXPORT_HEADER, ImportAction, ImportLine, ImportResult, MAX_IMPORT_LINES};
use openapi::instant::Instant as RequestInstant;
use openapi::terms::{GrantRole, GrantTerms, Window};
use sea_orm::ConnectionTrait;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Most problems one refusal lists; the count of the rest is told.
const MAX_REPORTED: usize = 1_000;

enum Who {
    Name(String),
    Id(i32),
}

enum Which {
    /// The name folded as companies are matched, and as the line spells it (for messages).
    Name {
        key: String,
        text: String,
    },
    Id(Uuid),
}

struct Line {
    number: u64,
    user: Who,
    company: Which,
    terms: GrantTerms,
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
struct Problems(Vec<(u64, FieldError)>);

impl Problems {
    fn add(&mut self, line: u64, column: &str, message: impl Into<String>) {
        self.0.push((
            line,
            FieldError {
                field: format!("line {line}, column {column}"),
                message: message.into(),
            },
        ));
    }

    fn refuse(mut self) -> Result<(), AppError> {
        if self.0.is_empty() {
            return Ok(());
        }
        let total = self.0.len();
        self.0.sort_by_key(|(line, _)| *line);
        let mut errors: Vec<FieldError> = self.0.into_iter().map(|(_, error)| error).collect();
        errors.truncate(MAX_REPORTED);
        let more = total.saturating_sub(MAX_REPORTED);
        let first = &errors[0];
        Err(AppError::Validation {
            detail: format!(
                "{total} problem{} in the file, nothing was imported; the first: {}: {}{}",
                if total == 1 { "" } else { "s" },
                first.field,
                first.message,
                if more > 0 {
                    format!(" ({more} more not listed)")
                } else {
                    String::new()
                }
            ),
            errors,
        })
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

fn parse(text: &str, problems: &mut Problems) -> Vec<Line> {
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
        return Vec::new();
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
            return Vec::new();
        }
    };
    let Some(columns) = columns(&header, problems) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    let mut numbering = LineNumbers::new(text);
    for (at, record) in reader.records().enumerate() {
        let number = at as u64 + 2;
        if at >= MAX_IMPORT_LINES {
            problems.add(
                number,
                "file",
                format!("at most {MAX_IMPORT_LINES} lines per import; split the file"),
            );
            break;
        }
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
    lines
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

/// Users and companies as ids, every name and id checked; the problems name the lines.
async fn resolve(
    db: &impl ConnectionTrait,
    lines: &[Line],
    problems: &mut Problems,
) -> Result<Vec<(u64, i32, Uuid, GrantTerms)>, AppError> {
    let user_names: Vec<String> = lines
        .iter()
        .filter_map(|line| match &line.user {
            Who::Name(name) => Some(name.clone()),
            Who::Id(_) => None,
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let user_ids: Vec<i32> = dedup_in_order(
        &lines
            .iter()
            .filter_map(|line| match line.user {
                Who::Id(id) => Some(id),
                Who::Name(_) => None,
            })
            .collect::<Vec<_>>(),
    );
    let company_keys: Vec<String> = lines
        .iter()
        .filter_map(|line| match &line.company {
            Which::Name { key, .. } => Some(key.clone()),
            Which::Id(_) => None,
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let company_ids: Vec<Uuid> = dedup_in_order(
        &lines
            .iter()
            .filter_map(|line| match line.company {
                Which::Id(id) => Some(id),
                Which::Name { .. } => None,
            })
            .collect::<Vec<_>>(),
    );
    let by_name = users_by_name(db, &user_names).await?;
    let known_users = existing_users(db, &user_ids).await?;
    let by_key = companies_by_key(db, &company_keys).await?;
    let known_companies = existing_companies(db, &company_ids).await?;
    let mut seen: HashMap<(i32, Uuid), u64> = HashMap::new();
    let mut resolved = Vec::with_capacity(lines.len());
    for line in lines {
        let user = match &line.user {
            Who::Name(name) => by_name.get(name).copied().ok_or(("username", name.clone())),
            Who::Id(id) => Some(*id)
                .filter(|id| known_users.contains(id))
                .ok_or(("user_id", id.to_string())),
        };
        let company = match &line.company {
            Which::Name { key, text } => by_key.get(key).copied().ok_or(("company", text.clone())),
            Which::Id(id) => Some(*id)
                .filter(|id| known_companies.contains(id))
                .ok_or(("company_id", id.to_string())),
        };
        match (user, company) {
            (Ok(user), Ok(company)) => match seen.insert((user, company), line.number) {
                Some(first) => problems.add(
                    line.number,
                    "line",
                    format!("names the same user and company as line {first}"),
                ),
                None => resolved.push((line.number, user, company, line.terms)),
            },
            (user, company) => {
                if let Err((column, text)) = user {
                    problems.add(line.number, column, format!("no user {text:?}"));
                }
                if let Err((column, text)) = company {
                    problems.add(line.number, column, format!("no company {text:?}"));
                }
            }
        }
    }
    Ok(resolved)
}

fn same(stored: &StoredGrant, terms: &GrantTerms) -> bool {
    stored.role.as_deref() == terms.role.map(GrantRole::as_str)
        && stored.valid_from == terms.window.valid_from
        && stored.valid_until == terms.window.valid_until
        && stored.include_branches == terms.include_branches
}

/// Imports the CSV `text`: all or nothing, or (`dry_run`) only what it would do.
pub async fn import(
    store: &Store,
    caller: &Caller,
    text: &str,
    dry_run: bool,
) -> Result<ImportResult, AppError> {
    let actor = caller.actor();
    let delegate = delegation::of(&store.db, caller).await?;
    let mut problems = Problems(Vec::new());
    // Each phase's time goes to the log, for an operator asking where a large import spends it.
    let started = Instant::now();
    let lines = parse(text, &mut problems);
    let count = lines.len() as u64;
    let parsed = started.elapsed();
    // Lines that parsed are resolved too, so one refusal names every problem of the file.
    let mut work = store.begin(actor).await?;
    let resolved = resolve(work.db(), &lines, &mut problems).await?;
    let resolved_at = started.elapsed();
    problems_if_any(&mut problems)?;
    if let Some(delegate) = &delegate {
        let wanted = resolved
            .iter()
            .map(|(_, _, company, terms)| (*company, terms.include_branches));
        delegate.require(work.db(), wanted).await?;
    }
    let pairs: Vec<(i32, Uuid)> = resolved
        .iter()
        .map(|(_, user, company, _)| (*user, *company))
        .collect();
    let stored = grants_of(work.db(), &pairs).await?;
    let probed = started.elapsed();
    let mut items = Vec::new();
    let mut writes = Vec::new();
    for (number, user, company, terms) in resolved {
        let action = match stored.get(&(user, company)) {
            None => ImportAction::Add,
            Some(grant) if !same(grant, &terms) => ImportAction::Change,
            Some(_) => continue,
        };
        items.push(ImportLine {
            line: number,
            user_id: user,
            company_id: company,
            action,
        });
        writes.push((user, company, terms));
    }
    let added = items
        .iter()
        .filter(|item| item.action == ImportAction::Add)
        .count() as u64;
    let result = ImportResult {
        lines: count,
        added,
        changed: items.len() as u64 - added,
        unchanged: count - items.len() as u64,
        dry_run,
        items,
    };
    let phases = |written: Duration| {
        tracing::info!(
            lines = count,
            parse_ms = parsed.as_millis() as u64,
            resolve_ms = (resolved_at - parsed).as_millis() as u64,
            probe_ms = (probed - resolved_at).as_millis() as u64,
            write_ms = written.as_millis() as u64,
            dry_run,
            "import phases"
        );
    };
    if dry_run || writes.is_empty() {
        phases(Duration::ZERO);
        return Ok(result);
    }
    let writing = Instant::now();
    upsert_grants(work.db(), actor.name, &writes).await?;
    work.record(
        Change::new(AuditAction::AccessImport).after(serde_json::json!({
            "lines": result.lines,
            "added": result.added,
            "changed": result.changed,
            "unchanged": result.unchanged,
        })),
    );
    // `touch` merges, which sorts and drops repeats.
    work.touch(Changes::users(writes.iter().map(|(user, _, _)| *user)));
    work.commit().await?;
    phases(writing.elapsed());
    Ok(result)
}

fn problems_if_any(problems: &mut Problems) -> Result<(), AppError> {
    std::mem::replace(problems, Problems(Vec::new())).refuse()
}

/// Rows read per statement of an export.
const EXPORT_PAGE: u64 = 5_000;

/// Every grant as CSV, in the columns an import reads ([`EXPORT_HEADER`]).
pub async fn export(db: &impl ConnectionTrait) -> Result<String, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |error: csv::Error| AppError::Internal(format!("writing the export: {error}"));
    writer.write_record(EXPORT_HEADER).map_err(failed)?;
    let instant = |at: Option<DateTime<Utc>>| {
        at.map(|at| at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
            .unwrap_or_default()
    };
    let mut after = None;
    loop {
        let page = export_page(db, after, EXPORT_PAGE).await?;
        let Some((user, company, _)) = page.last() else {
            break;
        };
        after = Some((*user, *company));
        for (_, _, row) in page {
            writer
                .write_record([
                    row.username,
                    row.company,
                    row.role.unwrap_or_default(),
                    instant(row.valid_from),
                    instant(row.valid_until),
                    row.include_branches.to_string(),
                ])
                .map_err(failed)?;
        }
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| AppError::Internal(format!("writing the export: {error}")))?;
    String::from_utf8(bytes).map_err(|error| AppError::Internal(format!("the export: {error}")))
}
