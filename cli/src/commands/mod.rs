//! The scripting subcommands (`users`, `companies`, `access`, `stats`, `audit`, `changes`, `keys`): one
//! request or a few, a table for people or JSON with `--json`, and an exit code scripts can test.
//! This module holds what they share: the options, running one command, paging.

mod access;
mod audit;
mod changes;
mod companies;
mod keys;
mod stats;
mod users;

pub use access::{Access, access};
pub use audit::{AuditArgs, audit};
pub use changes::{ChangesArgs, changes};
pub use companies::{Companies, companies};
pub use keys::{Keys, keys};
pub use stats::{StatsArgs, stats};
pub use users::{Users, users};

use crate::client::{Api, CliError, Result};
use crate::opts::ServerOpts;
use crate::output::{plural, print_json};
use crate::print::report;
use crate::{lookup, outln};
use clap::Args;
use serde::Serialize;
use std::process::ExitCode;

/// Shown under `--help` of every client command.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  failure: server unreachable, API key refused or too weak, server error
  2  usage error: bad arguments or a value the server refused
  3  not found: no such user, company, key or grant
  4  conflict: already exists, or the user already has access
  5  denied: `access check` answered that the user may not act in the company

Environment:
  COMPANY_ACCESS_URL      server to talk to (default http://127.0.0.1:8080)
  COMPANY_ACCESS_TOKEN    API key; when unset and the server is on this machine,
                          the master key in $COMPANY_ACCESS_DATA_DIR/master-key
                          (default data/master-key) is used
  COMPANY_ACCESS_DATA_DIR the server's data directory (default data)";

/// Where the server is and how to print.
#[derive(Debug, Clone, Args)]
pub struct ClientOpts {
    #[command(flatten)]
    pub server: ServerOpts,
    /// Print JSON instead of tables; errors then go to stderr as JSON too.
    #[arg(long, global = true)]
    pub json: bool,
    /// How fresh checks and reads must be: `minimize-latency`, `at-least <revision>` or `full`.
    /// Default: at least what this command has already written or seen.
    #[arg(
        long,
        global = true,
        env = "COMPANY_ACCESS_CONSISTENCY",
        value_name = "MODE"
    )]
    pub consistency: Option<String>,
}

/// Runs one client command and turns its outcome into an exit code.
pub fn run(opts: &ClientOpts, command: impl FnOnce(&Api, bool) -> Result<()>) -> ExitCode {
    let outcome = Api::connect(&opts.server.url)
        .map(|api| api.with_consistency(opts.consistency.clone()))
        .and_then(|api| command(&api, opts.json));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => report(&err, opts.json),
    }
}

/// `value` as JSON for scripts, else what `human` prints for people.
fn print_either<T: Serialize + ?Sized>(json: bool, value: &T, human: impl FnOnce()) {
    if json {
        print_json(value);
    } else {
        human();
    }
}

/// What `delete` and `revoke` print under `--json`: the record as it was, under `key`.
fn removed<T: Serialize>(key: &str, value: &T) -> serde_json::Value {
    serde_json::json!({ key: value })
}

/// A typed value's parse error as a usage error. Callers trim what was typed first: the API refuses white
/// space at either end of a name rather than trimming it.
fn parse_value<T, E: std::fmt::Display>(parsed: std::result::Result<T, E>) -> Result<T> {
    parsed.map_err(|e| CliError::usage(e.to_string()))
}

fn showing(what: (&str, &str), shown: usize, offset: u64, total: u64) {
    if shown as u64 == total && offset == 0 {
        outln!("{}", plural(total as i64, what.0, what.1));
    } else if shown == 0 {
        outln!("No {} at offset {offset} (total {total}).", what.1);
    } else {
        outln!(
            "Showing {}-{} of {} {} (use --offset {} for more).",
            offset + 1,
            offset + shown as u64,
            total,
            what.1,
            offset + shown as u64
        );
    }
}

/// Fetches one page when `limit` is given, else every page from `offset` on.
/// Returns (items, total, limit used).
fn fetch_pages<T>(
    limit: Option<u64>,
    offset: u64,
    mut fetch: impl FnMut(u64, u64) -> Result<(Vec<T>, u64)>,
) -> Result<(Vec<T>, u64, u64)> {
    if let Some(limit) = limit {
        let (items, total) = fetch(limit, offset)?;
        return Ok((items, total, limit));
    }
    let mut all = Vec::new();
    loop {
        let (items, total) = fetch(lookup::MAX_PAGE, offset + all.len() as u64)?;
        let got = items.len();
        all.extend(items);
        if got == 0 || offset + all.len() as u64 >= total {
            let count = all.len() as u64;
            return Ok((all, total, count));
        }
    }
}

fn usage(err: impl std::fmt::Display) -> CliError {
    CliError::usage(err.to_string())
}
