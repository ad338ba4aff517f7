//! The scripting subcommands (`users`, `companies`, `access`, `stats`, `audit`, `keys`): one
//! request or a few, a table for people or JSON with `--json`, and an exit code scripts can test.

use crate::client::{Api, CliError, DEFAULT_URL, Kind, Result};
use crate::output::{Align, Table, and_list, plural, print_json, when, yes_no};
use crate::progress::Spinner;
use crate::{lookup, outln};
use clap::{ArgGroup, Args, Subcommand};
use openapi::access::{
    BulkGrantRequest, BulkGrantResult, GrantManyResult, UserCompanies, UserCompany,
};
use openapi::audit::AuditQuery;
use openapi::companies::{
    AccessSource, Company, CompanyMembers, CompanyPage, CreateCompany, ListCompaniesQuery,
    ListMembersQuery,
};
use openapi::keys::{ApiKey, CreateKey};
use openapi::stats::Stats;
use openapi::users::{CreateUser, ListUsersQuery, User, UserPage};
use openapi::{CompanyName, Email, FullName, KeyName, ProblemCode, Role, Scope, Username};
use serde::Serialize;
use std::process::ExitCode;
use uuid::Uuid;

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

/// Where the server is.
#[derive(Debug, Clone, Args)]
pub struct ServerOpts {
    /// URL of the Company Access server.
    #[arg(long, global = true, env = "COMPANY_ACCESS_URL", default_value = DEFAULT_URL, value_name = "URL")]
    pub url: String,
}

/// Where the server is and how to print.
#[derive(Debug, Clone, Args)]
pub struct ClientOpts {
    #[command(flatten)]
    pub server: ServerOpts,
    /// Print JSON instead of tables; errors then go to stderr as JSON too.
    #[arg(long, global = true)]
    pub json: bool,
}

/// Runs one client command and turns its outcome into an exit code.
pub fn run(opts: &ClientOpts, command: impl FnOnce(&Api, bool) -> Result<()>) -> ExitCode {
    let outcome = Api::connect(&opts.server.url).and_then(|api| command(&api, opts.json));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => report(&err, opts.json),
    }
}

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

fn parse_value<T, E: std::fmt::Display>(parsed: std::result::Result<T, E>) -> Result<T> {
    parsed.map_err(|e| CliError::usage(e.to_string()))
}

/// Prints `label  value` lines for one record.
fn print_fields(fields: &[(&str, String)]) {
    let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in fields {
        outln!("{key:<width$}  {value}");
    }
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

// ---------------------------------------------------------------- users

#[derive(Debug, Args)]
pub struct Users {
    #[command(flatten)]
    pub opts: ClientOpts,
    #[command(subcommand)]
    pub command: UsersCommand,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List users ordered by id: every user, or one page with --limit/--offset.
    List(UsersList),
    /// Show one user, given by id or username.
    Show {
        /// User id or username (digits only: an id).
        user: String,
    },
    /// Create a user.
    Create(UserCreate),
    /// Delete a user and the user's company grants.
    Delete {
        /// User id or username (digits only: an id).
        user: String,
    },
}

#[derive(Debug, Args)]
pub struct UsersList {
    /// Only users whose username or full name contains this (any letter case).
    #[arg(long, short = 'q', value_name = "TEXT")]
    pub search: Option<String>,
    /// Only users with this role: super_admin, admin, hr_manager, finance_manager, employee.
    #[arg(long)]
    pub role: Option<Role>,
    /// Only users granted at least this many companies (2 lists the multi-company users).
    #[arg(long, value_name = "N")]
    pub min_companies: Option<u32>,
    /// Page size (1 to 500); without it every matching user is listed.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=500))]
    pub limit: Option<u64>,
    /// Users to skip.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub offset: u64,
}

#[derive(Debug, Args)]
pub struct UserCreate {
    /// Login name: 3 to 64 letters, digits, '_', '.', '-' or '@'.
    pub username: String,
    #[arg(long, value_name = "NAME")]
    pub full_name: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    /// super_admin, admin, hr_manager, finance_manager or employee (default employee).
    #[arg(long)]
    pub role: Option<Role>,
    /// Create the user inactive (every access check refuses inactive users).
    #[arg(long)]
    pub inactive: bool,
    /// The employee profile's company (id or name); granted as the user's default company.
    #[arg(long, value_name = "COMPANY")]
    pub home_company: Option<String>,
}

pub fn users(args: Users) -> ExitCode {
    run(&args.opts, |api, json| match args.command {
        UsersCommand::List(list) => users_list(api, json, list),
        UsersCommand::Show { user } => {
            let user = lookup::user(api, &user)?;
            if json {
                print_json(&user);
            } else {
                print_user(&user);
            }
            Ok(())
        }
        UsersCommand::Create(create) => users_create(api, json, create),
        UsersCommand::Delete { user } => {
            let user = lookup::user(api, &user)?;
            api.delete_user(user.id)?;
            if json {
                print_json(&serde_json::json!({ "deleted": user }));
            } else {
                outln!(
                    "Deleted user {} ({}) and {}.",
                    user.id,
                    user.username,
                    plural(user.company_count, "company grant", "company grants")
                );
            }
            Ok(())
        }
    })
}

fn users_list(api: &Api, json: bool, list: UsersList) -> Result<()> {
    let page = fetch_pages(list.limit, list.offset, |limit, offset| {
        let page = api.list_users(&ListUsersQuery {
            q: list.search.clone(),
            role: list.role,
            min_companies: list.min_companies,
            limit: Some(limit),
            offset: Some(offset),
            ..ListUsersQuery::default()
        })?;
        Ok((page.items, page.total))
    })?;
    let page = UserPage {
        items: page.0,
        total: page.1,
        limit: page.2,
        offset: list.offset,
    };
    if json {
        print_json(&page);
        return Ok(());
    }
    if page.items.is_empty() && page.total == 0 {
        outln!("No users found");
        return Ok(());
    }
    users_table(&page.items).print();
    showing(("user", "users"), page.items.len(), page.offset, page.total);
    Ok(())
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

pub fn users_table(users: &[User]) -> Table {
    let mut table = Table::new(&[
        "ID",
        "USERNAME",
        "FULL NAME",
        "ROLE",
        "ACTIVE",
        "HOME COMPANY",
        "COMPANIES",
    ])
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

fn print_user(user: &User) {
    print_fields(&[
        ("ID", user.id.to_string()),
        ("Username", user.username.to_string()),
        ("Full name", user.full_name.clone()),
        ("Email", user.email.clone().unwrap_or_default()),
        ("Role", user.role.to_string()),
        ("Active", yes_no(user.is_active)),
        (
            "Home company",
            match (&user.home_company_name, user.home_company_id) {
                (Some(name), Some(id)) => format!("{name} ({id})"),
                _ => String::new(),
            },
        ),
        ("Companies", user.company_count.to_string()),
        ("Created", when(&user.created_at)),
        ("Modified", when(&user.modified_at)),
    ]);
}

fn users_create(api: &Api, json: bool, create: UserCreate) -> Result<()> {
    let home_company_id = match &create.home_company {
        Some(spec) => Some(lookup::company(api, spec)?.id),
        None => None,
    };
    let body = CreateUser {
        username: parse_value(Username::parse(create.username))?,
        full_name: create
            .full_name
            .map(FullName::parse)
            .transpose()
            .map_err(usage)?,
        email: create.email.map(Email::parse).transpose().map_err(usage)?,
        role: create.role,
        is_active: create.inactive.then_some(false),
        home_company_id,
    };
    let user = api.create_user(&body)?;
    if json {
        print_json(&user);
    } else {
        outln!("Created user {} ({}).", user.id, user.username);
        print_user(&user);
    }
    Ok(())
}

fn usage(err: impl std::fmt::Display) -> CliError {
    CliError::usage(err.to_string())
}

// ---------------------------------------------------------------- companies

#[derive(Debug, Args)]
pub struct Companies {
    #[command(flatten)]
    pub opts: ClientOpts,
    #[command(subcommand)]
    pub command: CompaniesCommand,
}

#[derive(Debug, Subcommand)]
pub enum CompaniesCommand {
    /// List companies in creation order: every company, or one page with --limit/--offset.
    List(CompaniesList),
    /// Show one company, given by id or name.
    Show {
        /// Company id (UUID) or name.
        company: String,
    },
    /// Create a company.
    Create {
        /// 1 to 200 characters, unique regardless of letter case.
        name: String,
    },
    /// Delete a company and every grant of it.
    Delete {
        /// Company id (UUID) or name.
        company: String,
    },
}

#[derive(Debug, Args)]
pub struct CompaniesList {
    /// Only companies whose name contains this (any letter case).
    #[arg(long, short = 'q', value_name = "TEXT")]
    pub search: Option<String>,
    /// Order: created (default) or name.
    #[arg(long, value_parser = ["created", "name"])]
    pub sort: Option<String>,
    /// Page size (1 to 500); without it every matching company is listed.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=500))]
    pub limit: Option<u64>,
    /// Companies to skip.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub offset: u64,
}

pub fn companies(args: Companies) -> ExitCode {
    run(&args.opts, |api, json| match args.command {
        CompaniesCommand::List(list) => companies_list(api, json, list),
        CompaniesCommand::Show { company } => {
            let company = lookup::company(api, &company)?;
            if json {
                print_json(&company);
            } else {
                print_company(&company);
            }
            Ok(())
        }
        CompaniesCommand::Create { name } => {
            let body = CreateCompany {
                name: parse_value(CompanyName::parse(name))?,
            };
            let company = api.create_company(&body)?;
            if json {
                print_json(&company);
            } else {
                outln!("Created company {} ({}).", company.name, company.id);
            }
            Ok(())
        }
        CompaniesCommand::Delete { company } => {
            let company = lookup::company(api, &company)?;
            api.delete_company(company.id)?;
            if json {
                print_json(&serde_json::json!({ "deleted": company }));
            } else {
                outln!(
                    "Deleted company {} ({}) and {}.",
                    company.name,
                    company.id,
                    plural(company.user_count, "grant", "grants")
                );
            }
            Ok(())
        }
    })
}

fn companies_list(api: &Api, json: bool, list: CompaniesList) -> Result<()> {
    let (items, total, limit) = fetch_pages(list.limit, list.offset, |limit, offset| {
        let page = api.list_companies(&ListCompaniesQuery {
            q: list.search.clone(),
            sort: list.sort.clone(),
            limit: Some(limit),
            offset: Some(offset),
            ..ListCompaniesQuery::default()
        })?;
        Ok((page.items, page.total))
    })?;
    let page = CompanyPage {
        items,
        total,
        limit,
        offset: list.offset,
    };
    if json {
        print_json(&page);
        return Ok(());
    }
    if page.items.is_empty() && page.total == 0 {
        outln!("No companies found");
        return Ok(());
    }
    companies_table(&page.items).print();
    showing(
        ("company", "companies"),
        page.items.len(),
        page.offset,
        page.total,
    );
    Ok(())
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

fn print_company(company: &Company) {
    print_fields(&[
        ("ID", company.id.to_string()),
        ("Name", company.name.to_string()),
        ("Users", company.user_count.to_string()),
        ("Created", when(&company.created_at)),
        ("Modified", when(&company.modified_at)),
    ]);
}

// ---------------------------------------------------------------- access

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
    Add(AccessChange),
    /// Take companies away from a user.
    ///
    /// With one --company, a company the user does not have is not found (exit 3). With several,
    /// those not present are reported and skipped.
    Remove(AccessChange),
    /// May this user act in this company? Exit 0 when allowed, 5 when not.
    Check(AccessCheck),
    /// Give every listed user every listed company (no --user: all users; no --company: all companies).
    BulkAdd(BulkAdd),
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
pub struct AccessCheck {
    /// User id or username (digits only: an id).
    #[arg(long)]
    pub user: String,
    /// Company id (UUID) or name.
    #[arg(long)]
    pub company: String,
}

#[derive(Debug, Args)]
pub struct BulkAdd {
    /// User id or username (digits only: an id); repeat for several. None: every user.
    #[arg(long = "user", value_name = "USER")]
    pub users: Vec<String>,
    /// Company id (UUID) or name; repeat for several. None: every company.
    #[arg(long = "company", value_name = "COMPANY")]
    pub companies: Vec<String>,
    /// Count what would change without changing anything.
    #[arg(long)]
    pub dry_run: bool,
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
                let companies = api.user_companies(user.id)?;
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
        AccessCommand::Add(change) => access_add(api, json, &change),
        AccessCommand::Remove(change) => access_remove(api, json, &change),
        AccessCommand::Check(check) => access_check(api, json, &check),
        AccessCommand::BulkAdd(bulk) => bulk_add(api, json, &bulk),
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

/// The user's companies as people read them; shared with the menu's option 3.
pub fn print_user_companies(companies: &UserCompanies) {
    let user = &companies.user;
    let names: Vec<String> = companies
        .items
        .iter()
        .map(|c| c.company_name.to_string())
        .collect();
    if companies.items.is_empty() {
        outln!("{} has no companies yet.", user.username);
    } else {
        outln!(
            "{} has access to {}: {}",
            user.username,
            plural(names.len() as i64, "company", "companies"),
            and_list(&first_names(&names, 10))
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

pub fn user_companies_table(items: &[UserCompany]) -> Table {
    let mut table = Table::new(&[
        "#",
        "COMPANY",
        "DEFAULT",
        "SOURCE",
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

fn source(source: AccessSource) -> String {
    match source {
        AccessSource::Grant => "grant",
        AccessSource::SuperAdmin => "super_admin",
    }
    .to_owned()
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
    let mut table = Table::new(&[
        "ID",
        "USERNAME",
        "FULL NAME",
        "ROLE",
        "ACTIVE",
        "SOURCE",
        "DEFAULT",
        "GRANTED AT",
    ])
    .align(0, Align::Right);
    for m in &members.items {
        table.row(vec![
            m.user_id.to_string(),
            m.username.to_string(),
            m.full_name.clone(),
            m.role.to_string(),
            yes_no(m.is_active),
            source(m.source),
            if m.is_default { "yes" } else { "" }.to_owned(),
            m.granted_at.as_ref().map(when).unwrap_or_default(),
        ]);
    }
    table.print();
    Ok(())
}

fn access_add(api: &Api, json: bool, change: &AccessChange) -> Result<()> {
    let user = lookup::user(api, &change.user)?;
    let companies = lookup::companies(api, &change.companies)?;
    let result = match companies.as_slice() {
        [company] => match api.grant_company(user.id, company.id) {
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
            api.grant_companies(user.id, &ids)?
        }
    };
    if json {
        print_json(&result);
        return Ok(());
    }
    let added: Vec<String> = result
        .added
        .iter()
        .map(|c| c.company_name.to_string())
        .collect();
    let present: Vec<String> = companies
        .iter()
        .filter(|c| result.already_present.contains(&c.id))
        .map(|c| c.name.to_string())
        .collect();
    if !added.is_empty() {
        outln!("Added {} to {}.", and_list(&added), user.username);
    }
    if !present.is_empty() {
        outln!(
            "{} already has access to {}.",
            user.username,
            and_list(&present)
        );
    }
    Ok(())
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
    let decision = api.check(user_id, company_id)?;
    if json {
        print_json(&decision);
    }
    use openapi::access::DecisionReason as R;
    let sentence = match decision.reason {
        R::Grant => format!("{user_label} may act in {company_label} (granted)."),
        R::SuperAdmin => format!("{user_label} may act in {company_label} (super admin)."),
        R::NoGrant => format!("{user_label} may not act in {company_label} (no grant)."),
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

fn bulk_add(api: &Api, json: bool, bulk: &BulkAdd) -> Result<()> {
    let users = lookup::users(api, &bulk.users)?;
    let companies = lookup::companies(api, &bulk.companies)?;
    let body = BulkGrantRequest {
        user_ids: (!users.is_empty()).then(|| users.iter().map(|u| u.id).collect()),
        company_ids: (!companies.is_empty()).then(|| companies.iter().map(|c| c.id).collect()),
        dry_run: bulk.dry_run,
    };
    let what = format!(
        "{} × {}",
        if users.is_empty() {
            "all users".to_owned()
        } else {
            plural(users.len() as i64, "user", "users")
        },
        if companies.is_empty() {
            "all companies".to_owned()
        } else {
            plural(companies.len() as i64, "company", "companies")
        }
    );
    let result = Spinner::run(format!("Granting {what}…"), || api.bulk_grant(&body))?;
    if json {
        print_json(&result);
    } else {
        print_bulk(&result);
    }
    Ok(())
}

/// One sentence for a bulk grant; shared with the menu's option 6.
pub fn print_bulk(result: &BulkGrantResult) {
    let verb = if result.dry_run {
        "would be added"
    } else {
        "added"
    };
    outln!(
        "{} × {} = {}: {} {verb}, {} already there.",
        plural(result.users as i64, "user", "users"),
        plural(result.companies as i64, "company", "companies"),
        plural(result.pairs as i64, "pair", "pairs"),
        result.added,
        result.already_present
    );
}

// ---------------------------------------------------------------- stats, audit

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub opts: ClientOpts,
}

pub fn stats(args: StatsArgs) -> ExitCode {
    run(&args.opts, |api, json| {
        let stats = api.stats()?;
        if json {
            print_json(&stats);
        } else {
            print_stats(&stats);
        }
        Ok(())
    })
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
        (
            "  Users with multiple companies",
            stats.users_with_multiple_companies.to_string(),
        ),
        (
            "  Users without companies",
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

// ---------------------------------------------------------------- keys

#[derive(Debug, Args)]
pub struct Keys {
    #[command(flatten)]
    pub opts: ClientOpts,
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create an API key; its secret is printed once.
    Create {
        /// A name to recognise the key by in the audit trail.
        name: String,
        /// check (access checks only) < read < write < admin (manages keys).
        #[arg(long)]
        scope: Scope,
    },
    /// List API keys (never their secrets).
    List,
    /// Revoke an API key, given by id or name.
    Revoke {
        /// Key id (UUID) or name.
        key: String,
    },
}

pub fn keys(args: Keys) -> ExitCode {
    run(&args.opts, |api, json| match args.command {
        KeysCommand::Create { name, scope } => {
            let body = CreateKey {
                name: parse_value(KeyName::parse(name))?,
                scope,
            };
            let created = api.create_key(&body)?;
            if json {
                print_json(&created);
            } else {
                outln!(
                    "Created key {:?} with scope {}. Its secret is shown only this once:",
                    created.key.name.as_str(),
                    created.key.scope
                );
                outln!("{}", created.secret);
            }
            Ok(())
        }
        KeysCommand::List => {
            let keys = api.list_keys()?;
            if json {
                print_json(&keys);
                return Ok(());
            }
            if keys.is_empty() {
                outln!("No API keys found (the master key is not listed)");
                return Ok(());
            }
            let mut table = Table::new(&[
                "ID",
                "NAME",
                "SCOPE",
                "PREFIX",
                "CREATED",
                "CREATED BY",
                "REVOKED",
            ]);
            for key in &keys {
                table.row(vec![
                    key.id.to_string(),
                    key.name.to_string(),
                    key.scope.to_string(),
                    key.prefix.clone(),
                    when(&key.created_at),
                    key.created_by.clone(),
                    key.revoked_at.as_ref().map(when).unwrap_or_default(),
                ]);
            }
            table.print();
            Ok(())
        }
        KeysCommand::Revoke { key } => {
            let keys = api.list_keys()?;
            let wanted = key.trim();
            let found = match Uuid::parse_str(wanted) {
                Ok(id) => keys.into_iter().find(|k| k.id == id),
                Err(_) => {
                    let mut named: Vec<ApiKey> = keys
                        .into_iter()
                        .filter(|k| k.name.as_str() == wanted)
                        .collect();
                    // A name can be reused after a revoke; the live key is the one meant.
                    named.sort_by_key(|k| k.revoked_at.is_none());
                    named.pop()
                }
            };
            let Some(found) = found else {
                return Err(CliError::not_found(format!(
                    "Key not found: no API key {wanted:?}."
                )));
            };
            if let Some(at) = &found.revoked_at {
                if json {
                    print_json(&serde_json::json!({ "revoked": found }));
                } else {
                    outln!(
                        "Key {:?} ({}) was already revoked on {}.",
                        found.name.as_str(),
                        found.id,
                        when(at)
                    );
                }
                return Ok(());
            }
            api.revoke_key(found.id)?;
            if json {
                print_json(&serde_json::json!({ "revoked": found }));
            } else {
                outln!("Revoked key {:?} ({}).", found.name.as_str(), found.id);
            }
            Ok(())
        }
    })
}
