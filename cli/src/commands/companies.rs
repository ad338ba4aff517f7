//! `company-access companies`: list, show, create and delete companies.

use super::{ClientOpts, fetch_pages, parse_value, print_either, removed, run, showing};
use crate::client::{Api, Result};
use crate::output::{plural, print_json, when};
use crate::print::{companies_table, print_fields};
use crate::{lookup, outln};
use clap::{Args, Subcommand};
use openapi::CompanyName;
use openapi::companies::{
    Company, CompanyPage, CompanySort, CreateCompany, ListCompaniesQuery, UpdateCompany,
};
use openapi::users::SortOrder;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct Companies {
    #[command(flatten)]
    pub opts: ClientOpts,
    #[command(subcommand)]
    pub command: CompaniesCommand,
}

#[derive(Debug, Subcommand)]
pub enum CompaniesCommand {
    /// List companies in creation order (or --sort, --order): every company, or one page with
    /// --limit/--offset.
    List(CompaniesList),
    /// Show one company, given by id or name.
    Show {
        /// Company id (UUID) or name.
        company: String,
    },
    /// Create a company, at the top or (--parent) as a branch of another.
    Create {
        /// 1 to 200 characters, unique regardless of letter case.
        name: String,
        /// The company it is a branch of (id or name).
        #[arg(long)]
        parent: Option<String>,
    },
    /// Move a company, with its branches, under another (--parent) or to the top (--parent none).
    ///
    /// Grants that include branches follow the tree at once. A parent inside the company's own
    /// branches, or a tree deeper than 16 levels, is refused (exit 4).
    Move {
        /// Company id (UUID) or name.
        company: String,
        /// The new parent (id or name), or `none`.
        #[arg(long)]
        parent: String,
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
    #[arg(long, value_name = "ORDER", value_parser = parse_choice::<CompanySort>)]
    pub sort: Option<CompanySort>,
    /// Direction of --sort: asc (default: oldest or A first) or desc (newest or Z first).
    #[arg(long, value_name = "DIRECTION", value_parser = parse_choice::<SortOrder>)]
    pub order: Option<SortOrder>,
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
            print_either(json, &company, || print_company(&company));
            Ok(())
        }
        CompaniesCommand::Create { name, parent } => {
            let parent_id = match parent {
                Some(parent) => Some(lookup::company(api, &parent)?.id),
                None => None,
            };
            let body = CreateCompany {
                name: parse_value(CompanyName::parse(name.trim()))?,
                parent_id,
            };
            let company = api.create_company(&body)?;
            print_either(json, &company, || {
                outln!("Created company {} ({}).", company.name, company.id);
            });
            Ok(())
        }
        CompaniesCommand::Move { company, parent } => {
            let company = lookup::company(api, &company)?;
            let parent = match parent.as_str() {
                "none" => None,
                spec => Some(lookup::company(api, spec)?),
            };
            let body = UpdateCompany {
                parent_id: Some(parent.as_ref().map(|parent| parent.id)),
                ..UpdateCompany::default()
            };
            let moved = api.update_company(company.id, &body)?;
            print_either(json, &moved, || match &parent {
                Some(parent) => outln!("{} is now a branch of {}.", moved.name, parent.name),
                None => outln!("{} is now a top-level company.", moved.name),
            });
            Ok(())
        }
        CompaniesCommand::Delete { company } => {
            let company = lookup::company(api, &company)?;
            api.delete_company(company.id)?;
            print_either(json, &removed("deleted", &company), || {
                outln!(
                    "Deleted company {} ({}) and {}.",
                    company.name,
                    company.id,
                    plural(company.user_count, "grant", "grants")
                );
            });
            Ok(())
        }
    })
}

/// One of the values the API names for a query parameter, refused with the API's own sentence.
fn parse_choice<T>(text: &str) -> std::result::Result<T, String>
where
    T: std::str::FromStr<Err = openapi::domain::InvalidValue>,
{
    text.parse().map_err(|error: T::Err| error.to_string())
}

fn companies_list(api: &Api, json: bool, list: CompaniesList) -> Result<()> {
    let (items, total, limit) = fetch_pages(list.limit, list.offset, |limit, offset| {
        let page = api.list_companies(&ListCompaniesQuery {
            q: list.search.clone(),
            sort: list.sort,
            order: list.order,
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

fn print_company(company: &Company) {
    print_fields(&[
        ("ID", company.id.to_string()),
        ("Name", company.name.to_string()),
        ("Users", company.user_count.to_string()),
        (
            "Parent",
            company
                .parent_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
        ),
        ("Created", when(&company.created_at)),
        ("Modified", when(&company.modified_at)),
    ]);
}
