//! `access bulk-add` and `access bulk-remove`: many users × many companies in one request, with a
//! dry run and one summary sentence.

use super::TermsArgs;
use crate::client::{Api, Result};
use crate::output::{Align, Table, plural, print_json};
use crate::progress::Spinner;
use crate::{lookup, outln};
use clap::Args;
use openapi::access::{BulkGrantRequest, BulkGrantResult, BulkRevokeRequest, BulkRevokeResult};
use openapi::companies::Company;
use openapi::users::User;

#[derive(Debug, Args)]
pub struct BulkAdd {
    /// User id or username (digits only: an id); repeat for several. None: every user.
    #[arg(long = "user", value_name = "USER")]
    pub users: Vec<String>,
    /// Company id (UUID) or name; repeat for several. None: every company.
    #[arg(long = "company", value_name = "COMPANY")]
    pub companies: Vec<String>,
    #[command(flatten)]
    pub terms: TermsArgs,
    /// Count what would change without changing anything.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct BulkRemove {
    /// User id or username (digits only: an id); repeat for several. At least one (unlike
    /// bulk-add, where none means every user).
    #[arg(long = "user", value_name = "USER", required = true)]
    pub users: Vec<String>,
    /// Company id (UUID) or name; repeat for several. At least one.
    #[arg(long = "company", value_name = "COMPANY", required = true)]
    pub companies: Vec<String>,
    /// List the grants that would be removed without removing anything.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn bulk_add(api: &Api, json: bool, bulk: &BulkAdd) -> Result<()> {
    let users = lookup::users(api, &bulk.users)?;
    let companies = lookup::companies(api, &bulk.companies)?;
    let body = BulkGrantRequest {
        user_ids: (!users.is_empty()).then(|| users.iter().map(|u| u.id).collect()),
        company_ids: (!companies.is_empty()).then(|| companies.iter().map(|c| c.id).collect()),
        dry_run: bulk.dry_run,
        ..BulkGrantRequest::with_terms(&bulk.terms.unchecked())
    };
    let what = named(&users, &companies);
    let result = Spinner::run(format!("Granting {what}…"), || api.bulk_grant(&body))?;
    if json {
        print_json(&result);
    } else {
        print_bulk(&result);
    }
    Ok(())
}

pub fn bulk_remove(api: &Api, json: bool, bulk: &BulkRemove) -> Result<()> {
    let users = lookup::users(api, &bulk.users)?;
    let companies = lookup::companies(api, &bulk.companies)?;
    let body = BulkRevokeRequest {
        user_ids: users.iter().map(|u| u.id).collect(),
        company_ids: companies.iter().map(|c| c.id).collect(),
        dry_run: bulk.dry_run,
    };
    let verb = if bulk.dry_run { "Checking" } else { "Removing" };
    let what = named(&users, &companies);
    let result = Spinner::run(format!("{verb} {what}…"), || api.bulk_revoke(&body))?;
    if json {
        print_json(&result);
    } else {
        print_revoked(&result, &users, &companies);
    }
    Ok(())
}

/// "2 users × all companies": what a bulk request names, for its spinner.
fn named(users: &[User], companies: &[Company]) -> String {
    let count = |len: usize, one: &str, many: &str| {
        if len == 0 {
            format!("all {many}")
        } else {
            plural(len as i64, one, many)
        }
    };
    format!(
        "{} × {}",
        count(users.len(), "user", "users"),
        count(companies.len(), "company", "companies")
    )
}

/// "2 users × 3 companies = 6 pairs": what a bulk answer counted.
fn pairs(users: u64, companies: u64, pairs: u64) -> String {
    format!(
        "{} × {} = {}",
        plural(users as i64, "user", "users"),
        plural(companies as i64, "company", "companies"),
        plural(pairs as i64, "pair", "pairs")
    )
}

/// One sentence for a bulk grant.
fn print_bulk(result: &BulkGrantResult) {
    let verb = if result.dry_run {
        "would be added"
    } else {
        "added"
    };
    outln!(
        "{}: {} {verb}, {} already there.",
        pairs(result.users, result.companies, result.pairs),
        result.added,
        result.already_present
    );
}

/// Every grant a bulk revocation removed (or would remove), by name, then one sentence.
fn print_revoked(result: &BulkRevokeResult, users: &[User], companies: &[Company]) {
    let mut table = Table::new(&["USER ID", "USERNAME", "COMPANY"]).align(0, Align::Right);
    for item in &result.items {
        let username = users.iter().find(|u| u.id == item.user_id);
        let company = companies.iter().find(|c| c.id == item.company_id);
        table.row(vec![
            item.user_id.to_string(),
            username.map(|u| u.username.to_string()).unwrap_or_default(),
            company.map_or_else(|| item.company_id.to_string(), |c| c.name.to_string()),
        ]);
    }
    if !result.items.is_empty() {
        table.print();
    }
    let (verb, after) = if result.dry_run {
        ("would be removed", "; nothing was removed (dry run)")
    } else {
        ("removed", "")
    };
    outln!(
        "{}: {} {verb}, {} not granted{after}.",
        pairs(result.users, result.companies, result.pairs),
        result.removed,
        result.not_granted
    );
}
