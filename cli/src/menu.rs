//! `company-access menu`: the seed's interactive script, as a client of the running service.
//!
//! Input is read line by line from stdin (no raw mode), so the menu works the same typed at a
//! terminal, driven through a pseudo-terminal, or fed from a pipe.

use crate::client::{Api, CliError};
use crate::opts::ServerOpts;
use crate::output::{Align, Table, and_list, plural};
use crate::print;
use crate::progress::Spinner;
use crate::{errln, lookup, outln, select};
use clap::Args;
use openapi::access::{BulkGrantRequest, UserCompanies, UserCompany};
use openapi::companies::{AccessSource, Company};
use openapi::users::User;
use std::collections::HashSet;
use std::io::{BufRead, IsTerminal, StdinLock};
use std::process::ExitCode;
use uuid::Uuid;

const OPTIONS: [&str; 7] = [
    "View all users",
    "View all companies",
    "View companies for a user",
    "Add company to user",
    "Remove company from user",
    "Bulk add (all to all)",
    "Summary statistics",
];

#[derive(Debug, Args)]
pub struct MenuArgs {
    #[command(flatten)]
    pub server: ServerOpts,
    /// Rows per page in lists.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=500))]
    pub page_size: u64,
}

/// Why an option stopped early.
enum Flow {
    /// End of input: leave the menu.
    Quit,
    /// The server said no or could not be reached; tell the person and show the menu again.
    Api(CliError),
}

impl From<CliError> for Flow {
    fn from(err: CliError) -> Self {
        Flow::Api(err)
    }
}

type Step<T = ()> = Result<T, Flow>;

/// The outcome of picking from a list.
enum Pick<T> {
    Chosen(T),
    Cancelled,
    Empty,
}

pub fn menu(args: MenuArgs) -> ExitCode {
    // Without a handler Ctrl-C kills the process mid-line and leaves the prompt dangling.
    let _ = ctrlc::set_handler(|| {
        crate::output::out("\n");
        errln!("Interrupted.");
        std::process::exit(130);
    });
    let api = match Api::connect(&args.server.url) {
        Ok(api) => api,
        Err(err) => return print::report(&err, false),
    };
    // One request up front, so a server that is down or a wrong key is one sentence, not a menu
    // whose every option fails.
    let who = match api.whoami() {
        Ok(who) => who,
        Err(err) => return print::report(&err, false),
    };
    let acting_for = who
        .username
        .as_deref()
        .map(|user| format!(", acting for {user}"))
        .unwrap_or_default();
    outln!(
        "Company Access at {} (key {:?}, scope {}{acting_for})",
        api.base_url(),
        who.name,
        who.scope
    );
    let mut menu = Menu {
        api,
        input: Input::new(),
        page_size: args.page_size,
    };
    match menu.run() {
        Ok(()) | Err(Flow::Quit) => {
            outln!("Bye.");
            ExitCode::SUCCESS
        }
        Err(Flow::Api(err)) => print::report(&err, false),
    }
}

struct Input {
    stdin: StdinLock<'static>,
    /// Piped input is not echoed by a terminal; repeating it keeps the transcript readable.
    echo: bool,
}

impl Input {
    fn new() -> Self {
        let stdin = std::io::stdin();
        let echo = !stdin.is_terminal();
        Input {
            stdin: stdin.lock(),
            echo,
        }
    }

    /// One line, without its line ending; end of input is `Flow::Quit`.
    fn ask(&mut self, prompt: &str) -> Step<String> {
        crate::output::out(prompt);
        let mut buf = Vec::new();
        loop {
            match self.stdin.read_until(b'\n', &mut buf) {
                Ok(0) => {
                    outln!();
                    return Err(Flow::Quit);
                }
                Ok(_) => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    outln!();
                    return Err(Flow::Quit);
                }
            }
        }
        let line = String::from_utf8_lossy(&buf)
            .trim_end_matches(['\n', '\r'])
            .to_owned();
        if self.echo {
            outln!("{line}");
        }
        Ok(line)
    }

    /// y/yes or n/no; Enter takes the default shown as a capital letter.
    fn confirm(&mut self, question: &str, default: bool) -> Step<bool> {
        let hint = if default { "[Y/n]" } else { "[y/N]" };
        loop {
            let answer = self.ask(&format!("{question} {hint}: "))?;
            match answer.trim().to_ascii_lowercase().as_str() {
                "" => return Ok(default),
                "y" | "yes" => return Ok(true),
                "n" | "no" => return Ok(false),
                _ => outln!("Please answer y or n."),
            }
        }
    }
}

struct Menu {
    api: Api,
    input: Input,
    page_size: u64,
}

impl Menu {
    fn run(&mut self) -> Step {
        loop {
            outln!();
            outln!("Menu:");
            for (i, option) in OPTIONS.iter().enumerate() {
                outln!("  {}. {option}", i + 1);
            }
            outln!("  q. Quit");
            let choice = loop {
                let answer = self.input.ask("Select an option (1-7, q to quit): ")?;
                match answer.trim().to_ascii_lowercase().as_str() {
                    "q" | "quit" | "exit" => return Ok(()),
                    other => match select::number(other, OPTIONS.len()) {
                        Ok(n) => break n,
                        Err(_) => outln!(
                            "Please enter a number from 1 to {}, or q to quit.",
                            OPTIONS.len()
                        ),
                    },
                }
            };
            outln!();
            outln!("{}. {}", choice, OPTIONS[choice - 1]);
            let step = match choice {
                1 => self.view_users(),
                2 => self.view_companies(),
                3 => self.view_user_companies(),
                4 => self.add_companies(),
                5 => self.remove_companies(),
                6 => self.bulk_add(),
                _ => self.statistics(),
            };
            match step {
                Ok(()) => {}
                Err(Flow::Quit) => return Err(Flow::Quit),
                Err(Flow::Api(err)) => outln!("✗ {}", err.message),
            }
        }
    }

    // ------------------------------------------------------------ lists

    /// Shows users page by page (server-side, so thousands stay quick); with `pick`, returns the
    /// one whose number is typed.
    fn users(&mut self, search: &str, pick: bool) -> Step<Pick<User>> {
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
    fn pick_user(&mut self) -> Step<Option<User>> {
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

    /// The user picked and what the user has now: the first step of options 3, 4 and 5.
    fn pick_user_companies(&mut self) -> Step<Option<(User, UserCompanies)>> {
        let Some(user) = self.pick_user()? else {
            return Ok(None);
        };
        let companies = self.api.user_companies(user.id)?;
        Ok(Some((user, companies)))
    }

    /// Shows an in-memory list page by page and reads a selection of several (`1, 2`, `1-3`,
    /// `all`, names). Names in `held` are answered with "already has access".
    fn pick_many(
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

    // ------------------------------------------------------------ options

    fn view_users(&mut self) -> Step {
        if let Pick::Empty = self.users("", false)? {
            outln!("No users found");
        }
        Ok(())
    }

    fn view_companies(&mut self) -> Step {
        let size = self.page_size;
        let mut offset = 0;
        loop {
            let page = lookup::companies_page(&self.api, None, size, offset)?;
            if page.total == 0 {
                outln!("No companies found");
                return Ok(());
            }
            print::companies_table(&page.items).print();
            let pages = page.total.div_ceil(size);
            if pages <= 1 {
                outln!("{}", plural(page.total as i64, "company", "companies"));
                return Ok(());
            }
            let current = offset / size + 1;
            outln!(
                "Page {current} of {pages} ({})",
                plural(page.total as i64, "company", "companies")
            );
            loop {
                let answer = self
                    .input
                    .ask("n next page, p previous, Enter to return: ")?;
                match answer.trim().to_ascii_lowercase().as_str() {
                    "n" if current < pages => {
                        offset += size;
                        break;
                    }
                    "p" if current > 1 => {
                        offset -= size;
                        break;
                    }
                    "n" => outln!("This is the last page."),
                    "p" => outln!("This is the first page."),
                    "" | "q" => return Ok(()),
                    _ => outln!("Type n or p to turn the page, or press Enter to return."),
                }
            }
        }
    }

    fn view_user_companies(&mut self) -> Step {
        if let Some((_, companies)) = self.pick_user_companies()? {
            print::print_user_companies(&companies);
        }
        Ok(())
    }

    fn add_companies(&mut self) -> Step {
        let Some((user, current)) = self.pick_user_companies()? else {
            return Ok(());
        };
        let name = user.username.to_string();
        if current.all_companies {
            outln!("{name} is a super admin and already has access to every company.");
            return Ok(());
        }
        let all = lookup::all_companies(&self.api)?;
        if all.is_empty() {
            outln!("No companies found");
            return Ok(());
        }
        let held_ids: HashSet<_> = current.items.iter().map(|c| c.company_id).collect();
        let held = print::company_names(&current.items);
        let candidates: Vec<Company> = all
            .into_iter()
            .filter(|c| !held_ids.contains(&c.id))
            .collect();
        if candidates.is_empty() {
            outln!("{name} already has access to every company.");
            return Ok(());
        }
        if held.is_empty() {
            outln!("{name} has no companies yet. Companies to add:");
        } else {
            outln!(
                "{name} has {}. Companies {name} does not have yet:",
                and_list(&held)
            );
        }
        let names: Vec<String> = candidates.iter().map(|c| c.name.to_string()).collect();
        let table = |shown: &[usize]| company_pick_table(&candidates, shown);
        let Some(chosen) = self.pick_many(table, &names, &held, &name)? else {
            return Ok(());
        };
        let chosen: Vec<&Company> = chosen.iter().map(|&i| &candidates[i]).collect();
        let chosen_names: Vec<String> = chosen.iter().map(|c| c.name.to_string()).collect();
        outln!("Adding {} to {name}…", and_list(&chosen_names));
        let ids: Vec<Uuid> = chosen.iter().map(|c| c.id).collect();
        let result = self.api.grant_companies(user.id, &ids)?;
        print::print_granted(&result, chosen.iter().copied(), &name, "✓ Done! ");
        Ok(())
    }

    fn remove_companies(&mut self) -> Step {
        let Some((user, current)) = self.pick_user_companies()? else {
            return Ok(());
        };
        let name = user.username.to_string();
        let grants: Vec<_> = current
            .items
            .iter()
            .filter(|c| c.source == AccessSource::Grant)
            .cloned()
            .collect();
        if grants.is_empty() {
            if current.all_companies {
                outln!(
                    "{name} is a super admin: access to every company comes with the role, and there are no grants to remove."
                );
            } else {
                outln!("{name} has no companies to remove.");
            }
            return Ok(());
        }
        outln!("{name} has access to:");
        let names = print::company_names(&grants);
        let table = |shown: &[usize]| grant_pick_table(&grants, shown);
        let Some(chosen) = self.pick_many(table, &names, &[], &name)? else {
            return Ok(());
        };
        let chosen: Vec<_> = chosen.iter().map(|&i| &grants[i]).collect();
        let chosen_names = print::company_names(chosen.iter().copied());
        outln!("This removes {} from {name}.", and_list(&chosen_names));
        if !self.input.confirm("Remove?", false)? {
            outln!("Nothing changed.");
            return Ok(());
        }
        let mut removed = Vec::new();
        let mut missing = Vec::new();
        for company in chosen {
            match self.api.revoke_company(user.id, company.company_id) {
                Ok(()) => removed.push(company.company_name.to_string()),
                Err(err) if err.code() == Some(openapi::ProblemCode::AccessNotFound.as_str()) => {
                    missing.push(company.company_name.to_string());
                }
                Err(err) => return Err(err.into()),
            }
        }
        if !removed.is_empty() {
            outln!("✓ Done! Removed {} from {name}.", and_list(&removed));
        }
        if !missing.is_empty() {
            outln!("{name} no longer had access to {}.", and_list(&missing));
        }
        if current.all_companies {
            outln!("{name} still has access to every company as a super admin.");
        }
        Ok(())
    }

    fn bulk_add(&mut self) -> Step {
        let preview = self.api.bulk_grant(&BulkGrantRequest {
            dry_run: true,
            ..BulkGrantRequest::default()
        })?;
        if preview.users == 0 {
            outln!("No users found");
            return Ok(());
        }
        if preview.companies == 0 {
            outln!("No companies found");
            return Ok(());
        }
        outln!(
            "This gives every user access to every company: {} × {} = {}.",
            plural(preview.users as i64, "user", "users"),
            plural(preview.companies as i64, "company", "companies"),
            plural(preview.pairs as i64, "pair", "pairs")
        );
        outln!(
            "{} will be added; {} already there.",
            preview.added,
            if preview.already_present == 1 {
                "1 is".to_owned()
            } else {
                format!("{} are", preview.already_present)
            }
        );
        if preview.added == 0 {
            outln!("Nothing to do: every user already has every company.");
            return Ok(());
        }
        if !self.input.confirm("Proceed?", false)? {
            outln!("Nothing changed.");
            return Ok(());
        }
        let message = format!("Adding {} relationships…", preview.added);
        if !crate::output::stderr_is_terminal() {
            outln!("{message}");
        }
        let result = Spinner::run(message, || {
            self.api.bulk_grant(&BulkGrantRequest::default())
        })?;
        outln!(
            "✓ Done! Added {} relationships; {} were already there.",
            result.added,
            result.already_present
        );
        Ok(())
    }

    fn statistics(&mut self) -> Step {
        let stats = self.api.stats()?;
        print::print_stats(&stats);
        Ok(())
    }
}

/// `#  USERNAME  FULL NAME  ROLE  COMPANIES  ID`: the number first, then the name people look for.
fn user_pick_table(users: &[User], offset: u64) -> Table {
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

fn company_pick_table(companies: &[Company], shown: &[usize]) -> Table {
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

fn grant_pick_table(grants: &[UserCompany], shown: &[usize]) -> Table {
    let mut table =
        Table::new(&["#", "COMPANY", "DEFAULT", "GRANTED AT", "ID"]).align(0, Align::Right);
    for &i in shown {
        let grant = &grants[i];
        table.row(vec![
            (i + 1).to_string(),
            grant.company_name.to_string(),
            if grant.is_default { "yes" } else { "" }.to_owned(),
            grant
                .granted_at
                .as_ref()
                .map(crate::output::when)
                .unwrap_or_default(),
            grant.company_id.to_string(),
        ]);
    }
    table
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
