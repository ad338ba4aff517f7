//! `company-access audit`: the audit trail, newest first.

use super::{ClientOpts, run, showing};
use crate::lookup;
use crate::outln;
use crate::output::{Align, Table, print_json};
use clap::Args;
use openapi::audit::AuditQuery;
use std::process::ExitCode;
use uuid::Uuid;

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub opts: ClientOpts,
    /// Only changes to this user (id or username).
    #[arg(long)]
    pub user: Option<String>,
    /// Only changes to this company (id or name).
    #[arg(long)]
    pub company: Option<String>,
    /// Exact action (access.grant) or a prefix ending in '.' (access.).
    #[arg(long)]
    pub action: Option<String>,
    /// Only changes made with this API key name (master for the master key).
    #[arg(long)]
    pub actor: Option<String>,
    /// Only entries at or after this instant (RFC 3339, e.g. 2026-11-24T00:00:00Z).
    #[arg(long, value_name = "TIME")]
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only entries before this instant (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    /// Entries per page (1 to 500).
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=500))]
    pub limit: u64,
    /// Entries to skip (newest first).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub offset: u64,
}

pub fn audit(args: AuditArgs) -> ExitCode {
    run(&args.opts, |api, json| {
        let user_id = match &args.user {
            Some(user) => Some(match user.trim().parse::<i32>() {
                Ok(id) => id,
                Err(_) => lookup::user(api, user)?.id,
            }),
            None => None,
        };
        let company_id = match &args.company {
            Some(company) => Some(match Uuid::parse_str(company.trim()) {
                Ok(id) => id,
                Err(_) => lookup::company(api, company)?.id,
            }),
            None => None,
        };
        let page = api.audit(&AuditQuery {
            user_id,
            company_id,
            action: args.action.clone(),
            actor: args.actor.clone(),
            since: args.since,
            until: args.until,
            limit: Some(args.limit),
            offset: Some(args.offset),
        })?;
        if json {
            print_json(&page);
            return Ok(());
        }
        if page.items.is_empty() {
            outln!("No audit entries found");
            return Ok(());
        }
        let mut table = Table::new(&["ID", "AT", "ACTOR", "ACTION", "USER", "COMPANY"])
            .align(0, Align::Right)
            .align(4, Align::Right);
        for entry in &page.items {
            table.row(vec![
                entry.id.to_string(),
                entry.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                entry.actor.clone(),
                entry.action.to_string(),
                entry.user_id.map(|id| id.to_string()).unwrap_or_default(),
                entry
                    .company_id
                    .map(|id| id.to_string())
                    .unwrap_or_default(),
            ]);
        }
        table.print();
        showing(
            ("entry", "entries"),
            page.items.len(),
            page.offset,
            page.total,
        );
        Ok(())
    })
}
