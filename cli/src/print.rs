//! What people read, shared by the scripting commands and the menu: tables of users, companies
//! and grants, the statistics, and a failed command's one sentence.

use crate::client::{CliError, Kind};
use crate::outln;
use crate::output::{Align, Table, and_list, plural, when, yes_no};
use openapi::access::{GrantManyResult, UserCompanies, UserCompany};
use openapi::companies::{AccessSource, Company};
use openapi::stats::Stats;
use openapi::terms::GrantState;
use openapi::users::User;
use std::process::ExitCode;

pub fn report(err: &CliError, json: bool) -> ExitCode {
    if err.kind == Kind::Denied {
        // Not an error: the decision is already on stdout.
    } else if json {
        crate::errln!("{}", err.to_json());
    } else {
        crate::errln!("error: {}", err.message);
    }
    err.exit_code()
}

/// Prints `label  value` lines for one record.
pub fn print_fields(fields: &[(&str, String)]) {
    let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in fields {
        outln!("{key:<width$}  {value}");
    }
}

/// The first columns of every table of people.
pub const PERSON_COLUMNS: [&str; 5] = ["ID", "USERNAME", "FULL NAME", "ROLE", "ACTIVE"];

pub fn users_table(users: &[User]) -> Table {
    let mut table = Table::new(&[&PERSON_COLUMNS[..], &["HOME COMPANY", "COMPANIES"]].concat())
        .align(0, Align::Right)
        .align(6, Align::Right);
    for user in users {
        table.row(vec![
            user.id.to_string(),
            user.username.to_string(),
            user.full_name.clone(),
            user.role.to_string(),
            yes_no(user.is_active),
            user.home_company_name
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            user.company_count.to_string(),
        ]);
    }
    table
}

pub fn companies_table(companies: &[Company]) -> Table {
    let mut table = Table::new(&["ID", "NAME", "USERS", "CREATED"]).align(2, Align::Right);
    for company in companies {
        table.row(vec![
            company.id.to_string(),
            company.name.to_string(),
            company.user_count.to_string(),
            when(&company.created_at),
        ]);
    }
    table
}

/// The user's companies as people read them; shared with the menu's option 3.
pub fn print_user_companies(companies: &UserCompanies) {
    let user = &companies.user;
    let (expired, giving): (Vec<&UserCompany>, Vec<&UserCompany>) = companies
        .items
        .iter()
        .partition(|grant| grant.state == GrantState::Expired);
    let names = company_names(giving.iter().copied());
    if giving.is_empty() {
        outln!("{} has no companies yet.", user.username);
    } else {
        outln!(
            "{} has access to {}: {}",
            user.username,
            plural(names.len() as i64, "company", "companies"),
            and_list(&first_names(&names, 10))
        );
    }
    if !expired.is_empty() {
        outln!(
            "{} listed below {} expired and no longer {} access.",
            plural(expired.len() as i64, "grant", "grants"),
            if expired.len() == 1 { "has" } else { "have" },
            if expired.len() == 1 { "gives" } else { "give" }
        );
    }
    if companies.all_companies {
        outln!(
            "{} is a super admin and may act in every company, including ones created later.",
            user.username
        );
    }
    if !user.is_active {
        outln!(
            "{} is inactive: every access check refuses them.",
            user.username
        );
    }
    if !companies.items.is_empty() {
        user_companies_table(&companies.items).print();
    }
}

/// What a grant of several companies did: what was added, and what `user` already had. `done`
/// opens the first sentence (the menu's check mark).
pub fn print_granted<'a>(
    result: &GrantManyResult,
    asked: impl IntoIterator<Item = &'a Company>,
    user: &str,
    done: &str,
) {
    let added = company_names(&result.added);
    let present: Vec<String> = asked
        .into_iter()
        .filter(|c| result.already_present.contains(&c.id))
        .map(|c| c.name.to_string())
        .collect();
    if !added.is_empty() {
        outln!("{done}Added {} to {user}.", and_list(&added));
    }
    if !present.is_empty() {
        outln!("{user} already has access to {}.", and_list(&present));
    }
}

pub fn company_names<'a>(items: impl IntoIterator<Item = &'a UserCompany>) -> Vec<String> {
    items
        .into_iter()
        .map(|c| c.company_name.to_string())
        .collect()
}

pub fn user_companies_table(items: &[UserCompany]) -> Table {
    let mut table = Table::new(&[
        "#",
        "COMPANY",
        "DEFAULT",
        "SOURCE",
        "ROLE",
        "STATE",
        "UNTIL",
        "BRANCHES",
        "GRANTED AT",
        "GRANTED BY",
        "ID",
    ])
    .align(0, Align::Right);
    for (i, company) in items.iter().enumerate() {
        table.row(vec![
            (i + 1).to_string(),
            company.company_name.to_string(),
            if company.is_default { "yes" } else { "" }.to_owned(),
            source(company.source),
            company.role.to_string(),
            company.state.to_string(),
            company.valid_until.as_ref().map(when).unwrap_or_default(),
            if company.include_branches { "yes" } else { "" }.to_owned(),
            company.granted_at.as_ref().map(when).unwrap_or_default(),
            company.granted_by.clone().unwrap_or_default(),
            company.company_id.to_string(),
        ]);
    }
    table
}

/// The first `max` names and how many more, so a super admin's thousands of companies stay one line.
fn first_names(names: &[String], max: usize) -> Vec<String> {
    if names.len() <= max {
        return names.to_vec();
    }
    let mut shown = names[..max].to_vec();
    shown.push(format!("{} more", names.len() - max));
    shown
}

pub fn source(source: AccessSource) -> String {
    match source {
        AccessSource::Grant => "grant",
        AccessSource::SuperAdmin => "super_admin",
        AccessSource::Branch => "branch",
    }
    .to_owned()
}

/// The seed's "Summary statistics"; shared with the menu's option 7.
pub fn print_stats(stats: &Stats) {
    outln!("Summary statistics");
    print_fields(&[
        ("  Users", stats.users.to_string()),
        ("  Active users", stats.active_users.to_string()),
        ("  Super admins", stats.super_admins.to_string()),
        ("  Companies", stats.companies.to_string()),
        (
            "  User-company relationships",
            stats.relationships.to_string(),
        ),
        ("    of them expired", stats.expired_grants.to_string()),
        ("    of them scheduled", stats.scheduled_grants.to_string()),
        ("    including branches", stats.branch_grants.to_string()),
        ("  Branch companies", stats.branch_companies.to_string()),
        (
            "  Users with multiple companies",
            stats.users_with_multiple_companies.to_string(),
        ),
        (
            "  Users without companies (super admins apart)",
            stats.users_without_companies.to_string(),
        ),
        (
            "  Companies without users",
            stats.companies_without_users.to_string(),
        ),
        (
            "  Average companies per user",
            format!("{:.2}", stats.average_companies_per_user),
        ),
    ]);
    if !stats.busiest_companies.is_empty() {
        outln!();
        outln!("Busiest companies");
        let mut table = Table::new(&["COMPANY", "USERS"]).align(1, Align::Right);
        for load in &stats.busiest_companies {
            table.row(vec![load.name.to_string(), load.users.to_string()]);
        }
        table.print();
    }
    if !stats.companies_per_user.is_empty() {
        outln!();
        outln!("Companies per user");
        let mut table = Table::new(&["COMPANIES", "USERS"])
            .align(0, Align::Right)
            .align(1, Align::Right);
        for row in &stats.companies_per_user {
            table.row(vec![row.companies.to_string(), row.users.to_string()]);
        }
        table.print();
    }
}
