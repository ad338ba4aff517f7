//! Finding users and companies the way people name them: by id or by name.

use crate::client::{Api, CliError, Result};
use openapi::companies::{Company, CompanyPage, ListCompaniesQuery};
use openapi::users::{ListUsersQuery, User, UserPage};
use uuid::Uuid;

/// Largest page the API hands out.
pub const MAX_PAGE: u64 = 500;

/// A user given as an integer id or a username (`5`, `sarah`).
pub fn user(api: &Api, spec: &str) -> Result<User> {
    let spec = spec.trim();
    if let Ok(id) = spec.parse::<i32>() {
        return api
            .get_user(id)
            .map_err(|e| rename_not_found(e, format!("User {id} not found.")));
    }
    if spec.is_empty() {
        return Err(CliError::usage("A user must be given by id or username."));
    }
    let page = api.list_users(&ListUsersQuery {
        username: Some(spec.to_owned()),
        limit: Some(1),
        ..ListUsersQuery::default()
    })?;
    page.items
        .into_iter()
        .next()
        .ok_or_else(|| CliError::not_found(format!("User not found: no user named {spec:?}.")))
}

/// A company given as a UUID or a name (`NYC`, any letter case).
pub fn company(api: &Api, spec: &str) -> Result<Company> {
    let spec = spec.trim();
    if let Ok(id) = Uuid::parse_str(spec) {
        return api
            .get_company(id)
            .map_err(|e| rename_not_found(e, format!("Company {id} not found.")));
    }
    if spec.is_empty() {
        return Err(CliError::usage("A company must be given by id or name."));
    }
    let page = api.list_companies(&ListCompaniesQuery {
        name: Some(spec.to_owned()),
        limit: Some(1),
        ..ListCompaniesQuery::default()
    })?;
    page.items.into_iter().next().ok_or_else(|| {
        CliError::not_found(format!("Company not found: no company named {spec:?}."))
    })
}

/// Companies named on the command line, in order, each once.
pub fn companies(api: &Api, specs: &[String]) -> Result<Vec<Company>> {
    let mut found: Vec<Company> = Vec::with_capacity(specs.len());
    for spec in specs {
        let company = company(api, spec)?;
        if !found.iter().any(|c| c.id == company.id) {
            found.push(company);
        }
    }
    Ok(found)
}

/// Users named on the command line, in order, each once.
pub fn users(api: &Api, specs: &[String]) -> Result<Vec<User>> {
    let mut found: Vec<User> = Vec::with_capacity(specs.len());
    for spec in specs {
        let user = user(api, spec)?;
        if !found.iter().any(|u| u.id == user.id) {
            found.push(user);
        }
    }
    Ok(found)
}

/// One page of users, optionally matching part of a username or full name.
pub fn users_page(api: &Api, search: Option<&str>, limit: u64, offset: u64) -> Result<UserPage> {
    api.list_users(&ListUsersQuery {
        q: search_text(search),
        limit: Some(limit),
        offset: Some(offset),
        ..ListUsersQuery::default()
    })
}

/// One page of companies in the API's default order (creation order).
pub fn companies_page(
    api: &Api,
    search: Option<&str>,
    limit: u64,
    offset: u64,
) -> Result<CompanyPage> {
    api.list_companies(&ListCompaniesQuery {
        q: search_text(search),
        limit: Some(limit),
        offset: Some(offset),
        ..ListCompaniesQuery::default()
    })
}

/// Blank search text searches for nothing, so it is not sent.
fn search_text(search: Option<&str>) -> Option<String> {
    search
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Every company, in creation order.
pub fn all_companies(api: &Api) -> Result<Vec<Company>> {
    let mut all = Vec::new();
    loop {
        let page = companies_page(api, None, MAX_PAGE, all.len() as u64)?;
        let got = page.items.len();
        all.extend(page.items);
        if got == 0 || all.len() as u64 >= page.total {
            return Ok(all);
        }
    }
}

/// The server's "User not found" is true but says less than which one.
fn rename_not_found(err: CliError, message: String) -> CliError {
    if err.kind == crate::client::Kind::NotFound {
        CliError { message, ..err }
    } else {
        err
    }
}
