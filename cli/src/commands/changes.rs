//! `company-access changes`: the changes committed after a revision, oldest first; `--follow` keeps
//! printing them as they are committed, resuming from the last one it printed.

use super::{ClientOpts, run};
use crate::client::{Api, Result};
use crate::outln;
use crate::output::print_json;
use clap::Args;
use openapi::changes::{ChangeEvent, MAX_CHANGES_PER_PAGE};
use std::process::ExitCode;

/// How long one long poll of `--follow` waits before asking again.
const FOLLOW_WAIT_SECS: u64 = 30;

#[derive(Debug, Args)]
pub struct ChangesArgs {
    #[command(flatten)]
    pub opts: ClientOpts,
    /// Only changes after this revision (a write's `Company-Access-Revision`, or the last one printed).
    #[arg(long, value_name = "REVISION")]
    pub after: Option<String>,
    /// Keep waiting for new changes and print each as it is committed (Ctrl-C stops).
    #[arg(long)]
    pub follow: bool,
}

fn print_change(change: &ChangeEvent, json: bool) {
    if json {
        // One JSON object per line, for `jq` and other line readers.
        match serde_json::to_string(change) {
            Ok(line) => outln!("{line}"),
            Err(_) => print_json(change),
        }
        return;
    }
    let entry = &change.entry;
    let user = entry
        .user_id
        .map(|id| format!(" user {id}"))
        .unwrap_or_default();
    let company = entry
        .company_id
        .map(|id| format!(" company {id}"))
        .unwrap_or_default();
    outln!(
        "{:>8}  {}  {:<16}  {}{user}{company}",
        change.revision,
        entry.at.format("%Y-%m-%d %H:%M:%S"),
        entry.actor,
        entry.action
    );
}

fn follow(api: &Api, json: bool, mut after: Option<String>, keep_waiting: bool) -> Result<()> {
    loop {
        let wait = if keep_waiting { FOLLOW_WAIT_SECS } else { 0 };
        let page = api.changes(after.as_deref(), MAX_CHANGES_PER_PAGE, wait)?;
        for change in &page.items {
            print_change(change, json);
        }
        after = Some(page.next);
        if !page.has_more && !keep_waiting {
            return Ok(());
        }
    }
}

pub fn changes(args: ChangesArgs) -> ExitCode {
    run(&args.opts, |api, json| {
        follow(api, json, args.after.clone(), args.follow)
    })
}
