//! `company-access users`: list, show, create and delete users.

use super::{ClientOpts, fetch_pages, parse_value, print_either, removed, run, showing, usage};
use crate::client::{Api, Result};
use crate::output::{plural, print_json, when, yes_no};
use crate::print::{print_fields, users_table};
use crate::{lookup, outln};
use clap::{Args, Subcommand};
use openapi::users::{CreateUser, ListUsersQuery, User, UserPage};
use openapi::{Email, FullName, Role, Username};
use std::process::ExitCode;

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
            print_either(json, &user, || print_user(&user));
            Ok(())
        }
        UsersCommand::Create(create) => users_create(api, json, create),
        UsersCommand::Delete { user } => {
            let user = lookup::user(api, &user)?;
            api.delete_user(user.id)?;
            print_either(json, &removed("deleted", &user), || {
                outln!(
                    "Deleted user {} ({}) and {}.",
                    user.id,
                    user.username,
                    plural(user.company_count, "company grant", "company grants")
                );
            });
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
        username: parse_value(Username::parse(create.username.trim()))?,
        full_name: create
            .full_name
            .map(|name| FullName::parse(name.trim()))
            .transpose()
            .map_err(usage)?,
        email: create
            .email
            .map(|email| Email::parse(email.trim()))
            .transpose()
            .map_err(usage)?,
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
