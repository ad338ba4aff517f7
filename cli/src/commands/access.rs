//! `company-access access`: which companies a user may act in: list, add, set (a grant's default, role
//! and window), remove, check, bulk-add, bulk-remove, populate.

mod bulk;
mod import;

use super::{ClientOpts, run};
use crate::client::{Api, CliError, Kind, Result};
use crate::opts::instant;
use crate::output::{Align, Table, and_list, plural, print_json, when, yes_no};
use crate::print::{PERSON_COLUMNS, print_granted, print_user_companies, source};
use crate::progress::Spinner;
use crate::{lookup, outln};
use bulk::{BulkAdd, BulkRemove, bulk_add, bulk_remove};
use chrono::{DateTime, Utc};
use clap::{ArgGroup, Args, Subcommand};
use import::access_import;
use openapi::ProblemCode;
use openapi::access::{GrantManyResult, UpdateGrant};
use openapi::companies::{CompanyMembers, ListMembersQuery};
use openapi::terms::{GrantRole, GrantTerms, RoleSet, Window};
use serde::Serialize;
use std::process::ExitCode;
use uuid::Uuid;

#[derive(Debug, Args)]
pub struct Access {
    #[command(flatten)]
    pub opts: ClientOpts,
    #[command(subcommand)]
    pub command: AccessCommand,
}

#[derive(Debug, Subcommand)]
pub enum AccessCommand {
    /// List the companies of a user (--user) or the users of a company (--company).
    List(AccessList),
    /// Give a user access to companies.
    ///
    /// With one --company, a company the user already has is a conflict (exit 4). With several,
    /// those already present are reported and left as they were; an unknown company changes nothing.
    /// --role, --valid-from and --valid-until give every new grant a role of its own and a window.
    Add(AccessAdd),
    /// Change one grant: its role (--role; `user` follows the user's role), its window (--valid-from,
    /// --valid-until; `none` opens that end) or whether it is the default (--default true|false).
    Set(AccessSet),
    /// Take companies away from a user.
    ///
    /// With one --company, a company the user does not have is not found (exit 3). With several,
    /// those not present are reported and skipped.
    Remove(AccessChange),
    /// May this user act in this company? Exit 0 when allowed, 5 when not.
    Check(AccessCheck),
    /// Give every listed user every listed company (no --user: all users; no --company: all companies).
    BulkAdd(BulkAdd),
    /// Take every listed company from every listed user, all or nothing.
    ///
    /// Both --user and --company are required: no list ever means everyone. Pairs without a grant are
    /// counted, not refused; access through the super admin role or a parent's grant that includes
    /// branches stays. Every grant removed is listed; with --dry-run, every grant that would be.
    BulkRemove(BulkRemove),
    /// Import grants from a CSV file, all or nothing (columns: username or user_id, company or
    /// company_id, and optionally role, valid_from, valid_until, include_branches).
    ///
    /// A bad line refuses the whole file, each problem named by line and column (exit 2). With
    /// --dry-run nothing is written and every line that would add or change a grant is listed. A file
    /// of more lines than one request takes (100,000) is sent in parts: every part is checked first, so
    /// a bad line anywhere writes nothing; then each part is imported in turn, all or nothing.
    Import {
        /// The CSV file (`-`: standard input).
        file: std::path::PathBuf,
        /// Report what would change without changing anything.
        #[arg(long)]
        dry_run: bool,
        /// Grant lines per request, 1 to 100,000 (default 100,000).
        #[arg(long, value_name = "N")]
        lines_per_request: Option<usize>,
    },
    /// Write every grant as CSV (the columns `access import` reads) to standard output or --output.
    Export {
        /// The file to write; standard output when absent.
        #[arg(long, short = 'o')]
        output: Option<std::path::PathBuf>,
    },
    /// Grant employees their home company and super admins every company (the initial setup step).
    Populate {
        /// Count what would change without changing anything.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("whose").required(true).args(["user", "company"])))]
pub struct AccessList {
    /// User id or username (digits only: an id).
    #[arg(long)]
    pub user: Option<String>,
    /// Company id (UUID) or name.
    #[arg(long)]
    pub company: Option<String>,
    /// With --user: also list grants whose window has ended.
    #[arg(long)]
    pub include_expired: bool,
}

#[derive(Debug, Args)]
pub struct AccessChange {
    /// User id or username (digits only: an id).
    #[arg(long)]
    pub user: String,
    /// Company id (UUID) or name; repeat for several.
    #[arg(long = "company", required = true, value_name = "COMPANY")]
    pub companies: Vec<String>,
}

#[derive(Debug, Args)]
pub struct AccessAdd {
    #[command(flatten)]
    pub change: AccessChange,
    #[command(flatten)]
    pub terms: TermsArgs,
}

/// The terms of new grants, as `access add` and `access bulk` take them.
#[derive(Debug, Args)]
pub struct TermsArgs {
    /// The role the grants give there (admin, hr_manager, finance_manager, employee); none: the
    /// user's own role.
    #[arg(long)]
    pub role: Option<GrantRole>,
    /// From when the grants give access: RFC 3339 (2027-01-01T09:00:00Z) or a date (midnight UTC).
    #[arg(long, value_parser = instant)]
    pub valid_from: Option<DateTime<Utc>>,
    /// Until when the grants give access (exclusive), in the same forms.
    #[arg(long, value_parser = instant)]
    pub valid_until: Option<DateTime<Utc>>,
    /// The grants reach every branch of their companies too.
    #[arg(long)]
    pub include_branches: bool,
}

impl TermsArgs {
    /// The terms as given; their window's order is checked by whoever sends them.
    fn unchecked(&self) -> GrantTerms {
        GrantTerms {
            role: self.role,
            window: Window::unchecked(self.valid_from, self.valid_until),
            include_branches: self.include_branches,
        }
    }
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("what").required(true).multiple(true)
    .args(["role", "valid_from", "valid_until", "default", "include_branches"])))]
pub struct AccessSet {
    /// User id or username (digits only: an id).
    #[arg(long)]
    pub user: String,
    /// Company id (UUID) or name.
    #[arg(long)]
    pub company: String,
    /// The role the grant gives, or `user` to follow the user's own role.
    #[arg(long, value_parser = role_or_user)]
    pub role: Option<RoleChange>,
    /// From when the grant gives access (RFC 3339 or a date), or `none`: at once.
    #[arg(long, value_parser = instant_or_none)]
    pub valid_from: Option<InstantChange>,
    /// Until when the grant gives access (exclusive), or `none`: no end.
    #[arg(long, value_parser = instant_or_none)]
    pub valid_until: Option<InstantChange>,
    /// Whether the company is the user's default.
    #[arg(long)]
    pub default: Option<bool>,
    /// Whether the grant reaches every branch of the company too.
    #[arg(long)]
    pub include_branches: Option<bool>,
}

/// `--role` of `access set`: a role, or none of its own.
#[derive(Debug, Clone, Copy)]
pub struct RoleChange(Option<GrantRole>);

/// `--valid-from`/`--valid-until` of `access set`: an instant, or an open end.
#[derive(Debug, Clone, Copy)]
pub struct InstantChange(Option<DateTime<Utc>>);

/// An instant as a person types one: RFC 3339, or a date meaning its midnight UTC.
fn instant_or_none(text: &str) -> std::result::Result<InstantChange, String> {
    if text == "none" {
        return Ok(InstantChange(None));
    }
    instant(text).map(|at| InstantChange(Some(at)))
}

fn role_or_user(text: &str) -> std::result::Result<RoleChange, String> {
    if text == "user" {
        return Ok(RoleChange(None));
    }
    text.parse::<GrantRole>()
        .map(|role| RoleChange(Some(role)))
        .map_err(|error| format!("{error}, or user"))
}

#[derive(Debug, Args)]
pub struct AccessCheck {
    /// User id or username (digits only: an id).
    #[arg(long)]
    pub user: String,
    /// Company id (UUID) or name.
    #[arg(long)]
    pub company: String,
    /// Allowed only in one of these roles, joined by commas (hr_manager,admin); none: any role.
    #[arg(long)]
    pub role: Option<RoleSet>,
}

/// What `access remove` did.
#[derive(Debug, Serialize)]
pub struct RemoveResult {
    pub user_id: i32,
    pub removed: Vec<Uuid>,
    /// Companies the user did not have.
    pub not_present: Vec<Uuid>,
}

pub fn access(args: Access) -> ExitCode {
    run(&args.opts, |api, json| match args.command {
        AccessCommand::List(list) => match (list.user, list.company) {
            (Some(user), _) => {
                let user = lookup::user(api, &user)?;
                let companies = api.user_companies_with(user.id, list.include_expired)?;
                if json {
                    print_json(&companies);
                } else {
                    print_user_companies(&companies);
                }
                Ok(())
            }
            (None, Some(company)) => company_members(api, json, &company),
            (None, None) => Err(CliError::usage("Give --user or --company.")),
        },
        AccessCommand::Add(add) => access_add(api, json, &add),
        AccessCommand::Set(set) => access_set(api, json, &set),
        AccessCommand::Remove(change) => access_remove(api, json, &change),
        AccessCommand::Check(check) => access_check(api, json, &check),
        AccessCommand::BulkAdd(bulk) => bulk_add(api, json, &bulk),
        AccessCommand::BulkRemove(bulk) => bulk_remove(api, json, &bulk),
        AccessCommand::Import {
            file,
            dry_run,
            lines_per_request,
        } => access_import(api, json, &file, dry_run, lines_per_request),
        AccessCommand::Export { output } => {
            let csv = Spinner::run("Exporting…", || api.export_csv())?;
            match output {
                Some(path) => std::fs::write(&path, csv).map_err(|error| {
                    CliError::usage(format!("Cannot write {}: {error}.", path.display()))
                })?,
                None => print!("{csv}"),
            }
            Ok(())
        }
        AccessCommand::Populate { dry_run } => {
            let result = Spinner::run("Populating access…", || api.populate(dry_run))?;
            if json {
                print_json(&result);
            } else {
                let verb = if result.dry_run { "Would add" } else { "Added" };
                outln!(
                    "{verb} {} and {}; {} set as default.",
                    plural(
                        result.home_company_grants as i64,
                        "home company grant",
                        "home company grants"
                    ),
                    plural(
                        result.super_admin_grants as i64,
                        "super admin grant",
                        "super admin grants"
                    ),
                    plural(result.defaults_set as i64, "home company", "home companies")
                );
            }
            Ok(())
        }
    })
}

fn company_members(api: &Api, json: bool, spec: &str) -> Result<()> {
    let company = lookup::company(api, spec)?;
    let mut first: Option<CompanyMembers> = None;
    loop {
        let offset = first.as_ref().map_or(0, |m| m.items.len() as u64);
        let page = api.company_members(
            company.id,
            &ListMembersQuery {
                limit: Some(lookup::MAX_PAGE),
                offset: Some(offset),
                ..ListMembersQuery::default()
            },
        )?;
        let got = page.items.len();
        let members = match first.take() {
            None => page,
            Some(mut members) => {
                members.items.extend(page.items);
                members.total = page.total;
                members
            }
        };
        let done = got == 0 || members.items.len() as u64 >= members.total;
        first = Some(members);
        if done {
            break;
        }
    }
    let Some(mut members) = first else {
        return Ok(());
    };
    members.limit = members.items.len() as u64;
    members.offset = 0;
    if json {
        print_json(&members);
        return Ok(());
    }
    if members.items.is_empty() {
        outln!("Nobody has access to {}.", members.company.name);
        return Ok(());
    }
    outln!(
        "{} may be acted in by {}:",
        members.company.name,
        plural(members.items.len() as i64, "user", "users")
    );
    let mut table = Table::new(
        &[
            &PERSON_COLUMNS[..],
            &["ROLE HERE", "STATE", "SOURCE", "DEFAULT", "GRANTED AT"],
        ]
        .concat(),
    )
    .align(0, Align::Right);
    for m in &members.items {
        table.row(vec![
            m.user_id.to_string(),
            m.username.to_string(),
            m.full_name.clone(),
            m.role.to_string(),
            yes_no(m.is_active),
            m.role_here.to_string(),
            m.state.to_string(),
            source(m.source),
            if m.is_default { "yes" } else { "" }.to_owned(),
            m.granted_at.as_ref().map(when).unwrap_or_default(),
        ]);
    }
    table.print();
    Ok(())
}

fn access_add(api: &Api, json: bool, add: &AccessAdd) -> Result<()> {
    let change = &add.change;
    let terms = add.terms.unchecked();
    terms
        .window
        .check()
        .map_err(|error| CliError::usage(format!("{error}.")))?;
    let user = lookup::user(api, &change.user)?;
    let companies = lookup::companies(api, &change.companies)?;
    let result = match companies.as_slice() {
        [company] => match api.grant_company_with(user.id, company.id, &terms) {
            Ok(granted) => GrantManyResult {
                added: vec![granted],
                already_present: vec![],
            },
            Err(err) if err.code() == Some(ProblemCode::AlreadyHasAccess.as_str()) => {
                return Err(CliError {
                    message: format!("{} already has access to {}.", user.username, company.name),
                    ..err
                });
            }
            Err(err) => return Err(err),
        },
        many => {
            let ids: Vec<Uuid> = many.iter().map(|c| c.id).collect();
            api.grant_companies_with(user.id, &ids, &terms)?
        }
    };
    if json {
        print_json(&result);
        return Ok(());
    }
    print_granted(&result, &companies, user.username.as_str(), "");
    Ok(())
}

fn access_set(api: &Api, json: bool, set: &AccessSet) -> Result<()> {
    let user = lookup::user(api, &set.user)?;
    let company = lookup::company(api, &set.company)?;
    let update = UpdateGrant {
        is_default: set.default,
        role: set.role.map(|RoleChange(role)| role),
        valid_from: set.valid_from.map(|InstantChange(at)| at),
        valid_until: set.valid_until.map(|InstantChange(at)| at),
        include_branches: set.include_branches,
    };
    let grant = match api.update_grant(user.id, company.id, &update) {
        Err(err) if err.code() == Some(ProblemCode::AccessNotFound.as_str()) => {
            return Err(CliError {
                message: format!(
                    "{} does not have access to {}.",
                    user.username, company.name
                ),
                ..err
            });
        }
        other => other?,
    };
    if json {
        print_json(&grant);
        return Ok(());
    }
    outln!(
        "{} holds {} as {} ({}{}).",
        user.username,
        company.name,
        grant.role,
        grant.state,
        window_words(grant.valid_from, grant.valid_until)
    );
    Ok(())
}

/// ", from … until …" for a window's ends that are set.
pub fn window_words(from: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>) -> String {
    let mut words = String::new();
    if let Some(from) = from {
        words.push_str(&format!(", from {}", when(&from)));
    }
    if let Some(until) = until {
        words.push_str(&format!(", until {}", when(&until)));
    }
    words
}

fn access_remove(api: &Api, json: bool, change: &AccessChange) -> Result<()> {
    let user = lookup::user(api, &change.user)?;
    let companies = lookup::companies(api, &change.companies)?;
    let mut result = RemoveResult {
        user_id: user.id,
        removed: vec![],
        not_present: vec![],
    };
    for company in &companies {
        match api.revoke_company(user.id, company.id) {
            Ok(()) => result.removed.push(company.id),
            Err(err) if err.code() == Some(ProblemCode::AccessNotFound.as_str()) => {
                if companies.len() == 1 {
                    return Err(CliError {
                        message: format!(
                            "{} does not have access to {}.",
                            user.username, company.name
                        ),
                        ..err
                    });
                }
                result.not_present.push(company.id);
            }
            Err(err) => return Err(err),
        }
    }
    if json {
        print_json(&result);
        return Ok(());
    }
    let names = |ids: &[Uuid]| -> Vec<String> {
        companies
            .iter()
            .filter(|c| ids.contains(&c.id))
            .map(|c| c.name.to_string())
            .collect()
    };
    if !result.removed.is_empty() {
        outln!(
            "Removed {} from {}.",
            and_list(&names(&result.removed)),
            user.username
        );
    }
    if !result.not_present.is_empty() {
        outln!(
            "{} did not have access to {}.",
            user.username,
            and_list(&names(&result.not_present))
        );
    }
    Ok(())
}

fn access_check(api: &Api, json: bool, check: &AccessCheck) -> Result<()> {
    // Ids go straight to the check so a key with only the `check` scope can use this command;
    // names need a lookup, which needs `read`.
    let (user_id, user_label) = match check.user.trim().parse::<i32>() {
        Ok(id) => (id, format!("User {id}")),
        Err(_) => {
            let user = lookup::user(api, &check.user)?;
            (user.id, user.username.to_string())
        }
    };
    let (company_id, company_label) = match Uuid::parse_str(check.company.trim()) {
        Ok(id) => (id, format!("company {id}")),
        Err(_) => {
            let company = lookup::company(api, &check.company)?;
            (company.id, company.name.to_string())
        }
    };
    let decision = api.check_role(user_id, company_id, check.role)?;
    if json {
        print_json(&decision);
    }
    use openapi::access::DecisionReason as R;
    let sentence = match decision.reason {
        R::Grant => format!("{user_label} may act in {company_label} (granted)."),
        R::SuperAdmin => format!("{user_label} may act in {company_label} (super admin)."),
        R::NoGrant => format!("{user_label} may not act in {company_label} (no grant)."),
        R::NotYetValid => {
            format!("{user_label} may not act in {company_label} yet (the grant starts later).")
        }
        R::Expired => {
            format!("{user_label} may not act in {company_label} (the grant has expired).")
        }
        R::RoleNotHeld => format!(
            "{user_label} may not act in {company_label} as {} (holds {} there).",
            check
                .role
                .map(String::from)
                .unwrap_or_default()
                .replace(',', " or "),
            decision
                .role
                .map(|role| role.to_string())
                .unwrap_or_default()
        ),
        R::UserInactive => {
            format!("{user_label} may not act in {company_label} (the user is inactive).")
        }
        R::UnknownUser => {
            return Err(CliError::not_found(format!(
                "User not found: {user_label} does not exist."
            )));
        }
        R::UnknownCompany => {
            return Err(CliError::not_found(format!(
                "Company not found: {company_label} does not exist."
            )));
        }
    };
    if !json {
        outln!("{sentence}");
    }
    if decision.allowed {
        Ok(())
    } else {
        // The decision printed above is the answer; the exit code carries the "no".
        Err(CliError::new(Kind::Denied, sentence))
    }
}
