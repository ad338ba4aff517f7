//! CSV in and out. An import is all or nothing: every line is parsed and resolved first, and one bad
//! line (its number, its column, why) refuses the whole file; a dry run reports what each line would
//! do. Lines are grants as they should be: a new pair is added, a pair whose terms differ is changed,
//! and nothing is ever removed, so importing an export changes nothing.

use crate::caller::Caller;
use crate::changes::Changes;
use crate::db::audit::Change;
use crate::db::import::{
    Probed, StoredGrant, companies_by_key, export_page, probe, upsert_grants, users_by_name,
};
use crate::db::lookups::existing_companies;
use crate::db::store::Store;
use crate::error::AppError;
use crate::services::dedup_in_order;
use crate::services::delegation;
use chrono::{DateTime, SecondsFormat, Utc};
use openapi::audit::AuditAction;
use openapi::import::{EXPORT_HEADER, ImportAction, ImportLine, ImportResult, ImportTerms};
use openapi::terms::{GrantRole, GrantTerms};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};
use uuid::Uuid;

mod read;

use read::{Line, Problems, Which, Who, parse};

/// A line's user or company as an id, or the column and text of what the line names that is not there.
type Found<T> = Result<T, (&'static str, String)>;

/// The lines as ids, and what is stored for them.
struct Resolved {
    /// (line, user, company, terms) of every line whose user and company exist, each pair once.
    grants: Vec<(u64, i32, Uuid, GrantTerms)>,
    /// The grants stored for those pairs.
    stored: HashMap<(i32, Uuid), StoredGrant>,
    /// How long the names took to look up, before the probe (for the import's log line).
    names_took: Duration,
}

/// Users and companies as ids, every name and id checked, and the grants stored for the pairs; the
/// problems name the lines. Names and company ids are looked up first; then one probe checks the users
/// given by id and reads the stored grants of every pair together.
async fn resolve(
    db: &impl ConnectionTrait,
    lines: &[Line],
    problems: &mut Problems,
) -> Result<Resolved, AppError> {
    let started = Instant::now();
    let user_names: Vec<String> = lines
        .iter()
        .filter_map(|line| match &line.user {
            Who::Name(name) => Some(name.clone()),
            Who::Id(_) => None,
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
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
    let by_key = companies_by_key(db, &company_keys).await?;
    let known_companies = existing_companies(db, &company_ids).await?;
    // Each line's company, found once for the probe and for the problems.
    let companies: Vec<Found<Uuid>> = lines
        .iter()
        .map(|line| match &line.company {
            Which::Name { key, text } => by_key.get(key).copied().ok_or(("company", text.clone())),
            Which::Id(id) => Some(*id)
                .filter(|id| known_companies.contains(id))
                .ok_or(("company_id", id.to_string())),
        })
        .collect();
    // A user given by id is asked for even when the line's company is no company, so that the
    // refusal names both.
    let mut asked = HashSet::new();
    let pairs: Vec<(i32, Option<Uuid>)> = lines
        .iter()
        .zip(&companies)
        .filter_map(|(line, company)| {
            let company = company.as_ref().ok().copied();
            match &line.user {
                Who::Id(id) => Some((*id, company)),
                Who::Name(name) => Some((*by_name.get(name)?, Some(company?))),
            }
        })
        .filter(|pair| asked.insert(*pair))
        .collect();
    let names_took = started.elapsed();
    let Probed {
        missing_users,
        stored,
    } = probe(db, &pairs).await?;
    let mut seen: HashMap<(i32, Uuid), u64> = HashMap::new();
    let mut resolved = Vec::with_capacity(lines.len());
    for (line, company) in lines.iter().zip(companies) {
        let user: Found<i32> = match &line.user {
            Who::Name(name) => by_name.get(name).copied().ok_or(("username", name.clone())),
            Who::Id(id) => Some(*id)
                .filter(|id| !missing_users.contains(id))
                .ok_or(("user_id", id.to_string())),
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
    Ok(Resolved {
        grants: resolved,
        stored,
        names_took,
    })
}

fn stored_terms(stored: &StoredGrant) -> ImportTerms {
    ImportTerms {
        // A role the service no longer grants reads as none, which the line's role then replaces.
        role: stored.role.as_deref().and_then(|role| role.parse().ok()),
        valid_from: stored.valid_from,
        valid_until: stored.valid_until,
        include_branches: stored.include_branches,
    }
}

fn same(stored: &StoredGrant, terms: &GrantTerms) -> bool {
    stored.role.as_deref() == terms.role.map(GrantRole::as_str)
        && stored.valid_from == terms.window.valid_from
        && stored.valid_until == terms.window.valid_until
        && stored.include_branches == terms.include_branches
}

/// What an import line left in the audit trail: the grant's terms (as [`ImportTerms`] writes them),
/// and where they came from. Field by field, not `#[serde(flatten)]`, which goes through a map per row.
#[derive(Serialize)]
struct Imported {
    role: Option<GrantRole>,
    valid_from: Option<DateTime<Utc>>,
    valid_until: Option<DateTime<Utc>>,
    include_branches: bool,
    via: &'static str,
    line: u64,
}

impl Imported {
    fn new(terms: &ImportTerms, line: u64) -> Self {
        Self {
            role: terms.role,
            valid_from: terms.valid_from,
            valid_until: terms.valid_until,
            include_branches: terms.include_branches,
            via: "import",
            line,
        }
    }
}

/// Imports the CSV `text`: all or nothing, or (`dry_run`) only what it would do. A file with problems
/// is refused with every problem and, when it could be read through, what its other lines would do.
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
    let parsed = parse(text, &mut problems);
    let parse_ms = started.elapsed();
    if !parsed.whole {
        return Err(problems.refusal(None));
    }
    // Lines that parsed are resolved too, so one refusal names every problem of the file.
    let mut work = store.begin(actor).await?;
    let begun = started.elapsed();
    let Resolved {
        grants: resolved,
        stored,
        names_took,
    } = resolve(work.db(), &parsed.lines, &mut problems).await?;
    let resolved_at = begun + names_took;
    let probed_at = started.elapsed();
    if let Some(delegate) = &delegate {
        // A report tells grants as they are, so only of companies the key may see: beyond its reach,
        // a file with problems is refused with the problems alone, as before a report existed.
        let wanted = resolved
            .iter()
            .map(|(_, _, company, terms)| (*company, terms.include_branches));
        match delegate.require(work.db(), wanted).await {
            Ok(()) => {}
            Err(AppError::OutOfReach(_)) if !problems.is_empty() => {
                return Err(problems.refusal(None));
            }
            Err(error) => return Err(error),
        }
    }
    let mut items = Vec::new();
    let mut writes = Vec::new();
    for (number, user, company, terms) in resolved {
        let before = stored.get(&(user, company));
        let action = match before {
            None => ImportAction::Add,
            Some(grant) if !same(grant, &terms) => ImportAction::Change,
            Some(_) => continue,
        };
        items.push(ImportLine {
            line: number,
            user_id: user,
            company_id: company,
            action,
            before: before.map(stored_terms),
            after: ImportTerms::from(&terms),
        });
        writes.push((user, company, terms));
    }
    let added = items
        .iter()
        .filter(|item| item.action == ImportAction::Add)
        .count() as u64;
    let refused = problems.lines();
    let mut result = ImportResult {
        lines: parsed.records,
        added,
        changed: items.len() as u64 - added,
        unchanged: parsed.records.saturating_sub(refused + items.len() as u64),
        refused,
        dry_run,
        items,
    };
    let phases = |upserted: Duration, written: Duration| {
        tracing::info!(
            lines = parsed.records,
            parse_ms = parse_ms.as_millis() as u64,
            begin_ms = (begun - parse_ms).as_millis() as u64,
            resolve_ms = (resolved_at - begun).as_millis() as u64,
            probe_ms = (probed_at - resolved_at).as_millis() as u64,
            upsert_ms = upserted.as_millis() as u64,
            write_ms = written.as_millis() as u64,
            dry_run,
            "import phases"
        );
    };
    if !problems.is_empty() {
        phases(Duration::ZERO, Duration::ZERO);
        result.dry_run = true;
        return Err(problems.refusal(Some(result)));
    }
    if dry_run || writes.is_empty() {
        phases(Duration::ZERO, Duration::ZERO);
        return Ok(result);
    }
    let writing = Instant::now();
    upsert_grants(work.db(), actor.name, &writes).await?;
    let upserted = writing.elapsed();
    // A row per grant, so each user's and company's trail shows what the import gave them, and one
    // for the file as a whole.
    let audit = work.audit();
    for item in &result.items {
        let action = match item.action {
            ImportAction::Add => AuditAction::AccessGrant,
            ImportAction::Change => AuditAction::AccessUpdate,
        };
        audit.push_row(
            action,
            Some(item.user_id),
            Some(item.company_id),
            item.before.as_ref(),
            Some(&Imported::new(&item.after, item.line)),
        );
    }
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
    phases(upserted, writing.elapsed());
    Ok(result)
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
