//! The lists the options pick from: users page by page from the server, and companies or grants from
//! a list already read.

use super::{Menu, Pick, Step};
use crate::lookup;
use crate::output::{Align, Table, plural, when};
use crate::print;
use crate::{outln, select};
use openapi::access::{UserCompanies, UserCompany};
use openapi::companies::Company;
use openapi::users::User;

impl Menu {
    /// Shows users page by page (server-side, so thousands stay quick); with `pick`, returns the
    /// one whose number is typed.
    pub(super) fn users(&mut self, search: &str, pick: bool) -> Step<Pick<User>> {
        let size = self.page_size;
        let mut offset = 0;
        loop {
            let page = lookup::users_page(&self.api, Some(search), size, offset)?;
            if page.total == 0 {
                return Ok(Pick::Empty);
            }
            if page.items.is_empty() && offset > 0 {
                offset = 0;
                continue;
            }
            let pages = page.total.div_ceil(size);
            let current = offset / size + 1;
            if pick {
                user_pick_table(&page.items, offset).print();
            } else {
                print::users_table(&page.items).print();
            }
            if pages > 1 {
                outln!(
                    "Page {current} of {pages} ({})",
                    plural(page.total as i64, "user", "users")
                );
            } else if !pick {
                outln!("{}", plural(page.total as i64, "user", "users"));
                return Ok(Pick::Cancelled);
            }
            let prompt = match (pick, pages > 1) {
                (true, true) => format!(
                    "Select user (1-{}; n next page, p previous, q cancel): ",
                    page.total
                ),
                (true, false) => format!("Select user (1-{}; q cancel): ", page.total),
                (false, _) => "n next page, p previous, Enter to return: ".to_owned(),
            };
            loop {
                let answer = self.input.ask(&prompt)?;
                let answer = answer.trim().to_ascii_lowercase();
                match answer.as_str() {
                    "n" if pages > 1 => {
                        if current < pages {
                            offset += size;
                            break;
                        }
                        outln!("This is the last page.");
                    }
                    "p" if pages > 1 => {
                        if current > 1 {
                            offset -= size;
                            break;
                        }
                        outln!("This is the first page.");
                    }
                    "q" => return Ok(Pick::Cancelled),
                    "" if !pick => return Ok(Pick::Cancelled),
                    _ if pick
                        && let Some(user) = page
                            .items
                            .iter()
                            .find(|u| u.username.as_str().eq_ignore_ascii_case(&answer)) =>
                    {
                        return Ok(Pick::Chosen(user.clone()));
                    }
                    _ if pick => match select::number(&answer, page.total as usize) {
                        Ok(n) => {
                            let index = n as u64 - 1;
                            if (offset..offset + page.items.len() as u64).contains(&index) {
                                let chosen = page.items[(index - offset) as usize].clone();
                                return Ok(Pick::Chosen(chosen));
                            }
                            let one = lookup::users_page(&self.api, Some(search), 1, index)?;
                            match one.items.into_iter().next() {
                                Some(user) => return Ok(Pick::Chosen(user)),
                                None => outln!("That user is gone; try again."),
                            }
                        }
                        Err(why) => outln!("{}", capitalise(&why)),
                    },
                    _ => outln!("Type n or p to turn the page, or press Enter to return."),
                }
            }
        }
    }

    /// Search, then pick one user.
    pub(super) fn pick_user(&mut self) -> Step<Option<User>> {
        loop {
            let search = self
                .input
                .ask("Search users (part of name, Enter for all): ")?;
            let search = search.trim().to_owned();
            match self.users(&search, true)? {
                Pick::Chosen(user) => return Ok(Some(user)),
                Pick::Cancelled => return Ok(None),
                Pick::Empty if search.is_empty() => {
                    outln!("No users found");
                    return Ok(None);
                }
                Pick::Empty => outln!("No users found matching {search:?}; try another search."),
            }
        }
    }

    /// The user picked and what the user has now (with `include_expired`, grants whose window has
    /// ended too): the first step of options 3, 4 and 5.
    pub(super) fn pick_user_companies(
        &mut self,
        include_expired: bool,
    ) -> Step<Option<(User, UserCompanies)>> {
        let Some(user) = self.pick_user()? else {
            return Ok(None);
        };
        let companies = self.api.user_companies_with(user.id, include_expired)?;
        Ok(Some((user, companies)))
    }

    /// Shows an in-memory list page by page and reads a selection of several (`1, 2`, `1-3`,
    /// `all`, names). Names in `held` are answered with "already has access".
    pub(super) fn pick_many(
        &mut self,
        table: impl Fn(&[usize]) -> Table,
        names: &[String],
        held: &[String],
        user: &str,
    ) -> Step<Option<Vec<usize>>> {
        let size = self.page_size as usize;
        let pages = names.len().div_ceil(size).max(1);
        let mut current = 1;
        let mut show = true;
        loop {
            if show {
                let first = (current - 1) * size;
                let shown: Vec<usize> = (first..names.len().min(first + size)).collect();
                table(&shown).print();
                if pages > 1 {
                    outln!("Page {current} of {pages}");
                }
                show = false;
            }
            let prompt = if pages > 1 {
                "Select companies (e.g. 1, 2 or 1-3 or all; n/p pages, q cancel): "
            } else {
                "Select companies (e.g. 1, 2 or 1-3 or all; q cancel): "
            };
            let answer = self.input.ask(prompt)?;
            let trimmed = answer.trim();
            match trimmed.to_ascii_lowercase().as_str() {
                "q" => return Ok(None),
                "n" if pages > 1 => {
                    if current < pages {
                        current += 1;
                        show = true;
                    } else {
                        outln!("This is the last page.");
                    }
                    continue;
                }
                "p" if pages > 1 => {
                    if current > 1 {
                        current -= 1;
                        show = true;
                    } else {
                        outln!("This is the first page.");
                    }
                    continue;
                }
                _ => {}
            }
            // The seed's "UNIQUE constraint failed": say so instead of a bare "not in the list".
            let mut rest = Vec::new();
            for part in trimmed.split(',') {
                match held.iter().find(|h| select::same_name(h, part)) {
                    Some(name) => outln!("{user} already has access to {name}."),
                    None => rest.push(part),
                }
            }
            if rest.len() < trimmed.split(',').count() && rest.iter().all(|p| p.trim().is_empty()) {
                continue;
            }
            match select::parse(&rest.join(","), names) {
                Ok(chosen) => return Ok(Some(chosen)),
                Err(why) => outln!("{}", capitalise(&why)),
            }
        }
    }
}

/// `#  USERNAME  FULL NAME  ROLE  COMPANIES  ID`: the number first, then the name people look for.
pub(super) fn user_pick_table(users: &[User], offset: u64) -> Table {
    let mut table = Table::new(&["#", "USERNAME", "FULL NAME", "ROLE", "COMPANIES", "ID"])
        .align(0, Align::Right)
        .align(4, Align::Right)
        .align(5, Align::Right);
    for (i, user) in users.iter().enumerate() {
        table.row(vec![
            (offset + i as u64 + 1).to_string(),
            user.username.to_string(),
            user.full_name.clone(),
            user.role.to_string(),
            user.company_count.to_string(),
            user.id.to_string(),
        ]);
    }
    table
}

pub(super) fn company_pick_table(companies: &[Company], shown: &[usize]) -> Table {
    let mut table = Table::new(&["#", "COMPANY", "USERS", "ID"])
        .align(0, Align::Right)
        .align(2, Align::Right);
    for &i in shown {
        let company = &companies[i];
        table.row(vec![
            (i + 1).to_string(),
            company.name.to_string(),
            company.user_count.to_string(),
            company.id.to_string(),
        ]);
    }
    table
}

pub(super) fn grant_pick_table(grants: &[UserCompany], shown: &[usize]) -> Table {
    let mut table = Table::new(&[
        "#",
        "COMPANY",
        "DEFAULT",
        "ROLE",
        "STATE",
        "UNTIL",
        "BRANCHES",
        "GRANTED AT",
        "ID",
    ])
    .align(0, Align::Right);
    for &i in shown {
        let grant = &grants[i];
        table.row(vec![
            (i + 1).to_string(),
            grant.company_name.to_string(),
            yes_or_blank(grant.is_default),
            grant.role.to_string(),
            grant.state.to_string(),
            grant.valid_until.as_ref().map(when).unwrap_or_default(),
            yes_or_blank(grant.include_branches),
            grant.granted_at.as_ref().map(when).unwrap_or_default(),
            grant.company_id.to_string(),
        ]);
    }
    table
}

fn yes_or_blank(flag: bool) -> String {
    if flag { "yes" } else { "" }.to_owned()
}

pub(super) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
