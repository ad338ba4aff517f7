//! `company-access changes`: the changes committed after a revision and the grants that expired since,
//! oldest first; `--follow` keeps printing them as they happen, resuming from the last one it printed.

use super::{ClientOpts, run};
use crate::client::{Api, Result};
use crate::outln;
use crate::output::print_json;
use chrono::{DateTime, Utc};
use clap::Args;
use openapi::audit::ExpiredGrant;
use openapi::changes::{ChangeEvent, ChangePage, MAX_CHANGES_PER_PAGE};
use serde::Serialize;
use std::process::ExitCode;

/// How long one long poll of `--follow` waits before asking again.
const FOLLOW_WAIT_SECS: u64 = 30;

#[derive(Debug, Args)]
pub struct ChangesArgs {
    #[command(flatten)]
    pub opts: ClientOpts,
    /// Only changes after this revision (a write's `Company-Access-Revision`, or the last one printed),
    /// and expiries since it was committed.
    #[arg(long, value_name = "REVISION")]
    pub after: Option<String>,
    /// Keep waiting for new changes and print each as it is committed (Ctrl-C stops).
    #[arg(long)]
    pub follow: bool,
}

/// One JSON object per line, for `jq` and other line readers.
fn print_line(value: &impl Serialize) {
    match serde_json::to_string(value) {
        Ok(line) => outln!("{line}"),
        Err(_) => print_json(value),
    }
}

fn print_change(change: &ChangeEvent, json: bool) {
    if json {
        print_line(change);
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

/// An expiry has no revision and no actor: the clock ended the grant's window.
#[derive(Serialize)]
struct ExpiryLine<'a> {
    action: &'static str,
    #[serde(flatten)]
    grant: &'a ExpiredGrant,
}

fn print_expiry(grant: &ExpiredGrant, json: bool) {
    if json {
        print_line(&ExpiryLine {
            action: "access.expire",
            grant,
        });
        return;
    }
    outln!(
        "{:>8}  {}  {:<16}  access.expire user {} ({}) company {} ({})",
        "-",
        grant.expired_at.format("%Y-%m-%d %H:%M:%S"),
        "(window ended)",
        grant.user_id,
        grant.username,
        grant.company_id,
        grant.company_name
    );
}

/// The page's changes and expiries in the order they happened.
fn print_page(page: &ChangePage, json: bool) {
    let mut changes = page.items.iter().peekable();
    let mut expiries = page.expired.iter().peekable();
    loop {
        match (changes.peek(), expiries.peek()) {
            (Some(change), Some(grant)) if grant.expired_at < change.entry.at => {
                print_expiry(grant, json);
                expiries.next();
            }
            (Some(change), _) => {
                print_change(change, json);
                changes.next();
            }
            (None, Some(grant)) => {
                print_expiry(grant, json);
                expiries.next();
            }
            (None, None) => return,
        }
    }
}

fn follow(api: &Api, json: bool, mut after: Option<String>, keep_waiting: bool) -> Result<()> {
    let mut expired_after: Option<DateTime<Utc>> = None;
    loop {
        let wait = if keep_waiting { FOLLOW_WAIT_SECS } else { 0 };
        let page = api.changes(after.as_deref(), expired_after, MAX_CHANGES_PER_PAGE, wait)?;
        print_page(&page, json);
        after = Some(page.next);
        expired_after = Some(page.expired_next);
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
