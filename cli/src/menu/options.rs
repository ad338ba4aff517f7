//! The seven options, each a few calls of the server's API.

use super::lists::{company_pick_table, grant_pick_table};
use super::terms::described;
use super::{Menu, Pick, Step};
use crate::lookup;
use crate::outln;
use crate::output::{and_list, plural};
use crate::print;
use crate::progress::Spinner;
use openapi::access::BulkGrantRequest;
use openapi::companies::{AccessSource, Company};
use std::collections::HashSet;
use uuid::Uuid;

impl Menu {
    pub(super) fn view_users(&mut self) -> Step {
        if let Pick::Empty = self.users("", false)? {
            outln!("No users found");
        }
        Ok(())
    }

    pub(super) fn view_companies(&mut self) -> Step {
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

    pub(super) fn view_user_companies(&mut self) -> Step {
        // Expired grants too: the table's STATE says which, and the first line counts only the others.
        if let Some((_, companies)) = self.pick_user_companies(true)? {
            print::print_user_companies(&companies);
        }
        Ok(())
    }

    pub(super) fn add_companies(&mut self) -> Step {
        let Some((user, current)) = self.pick_user_companies(false)? else {
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
        let parents: HashSet<Uuid> = all.iter().filter_map(|c| c.parent_id).collect();
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
        let with_branches = chosen.iter().any(|c| parents.contains(&c.id));
        let terms = self.ask_terms(&format!("{name}'s role, {}", user.role), with_branches)?;
        let chosen_names: Vec<String> = chosen.iter().map(|c| c.name.to_string()).collect();
        outln!(
            "Adding {} to {name}{}…",
            and_list(&chosen_names),
            described(&terms)
        );
        let ids: Vec<Uuid> = chosen.iter().map(|c| c.id).collect();
        let result = self.api.grant_companies_with(user.id, &ids, &terms)?;
        print::print_granted(&result, chosen.iter().copied(), &name, "✓ Done! ");
        Ok(())
    }

    pub(super) fn remove_companies(&mut self) -> Step {
        // An expired grant gives nothing, but it is still a row to remove.
        let Some((user, current)) = self.pick_user_companies(true)? else {
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

    pub(super) fn bulk_add(&mut self) -> Step {
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
        // Branches are worth a question only where there are any.
        let with_branches = self
            .api
            .stats()
            .map_or(true, |stats| stats.branch_companies > 0);
        let terms = self.ask_terms("each user's own role", with_branches)?;
        if !self.input.confirm("Proceed?", false)? {
            outln!("Nothing changed.");
            return Ok(());
        }
        let message = format!(
            "Adding {} relationships{}…",
            preview.added,
            described(&terms)
        );
        if !crate::output::stderr_is_terminal() {
            outln!("{message}");
        }
        let request = BulkGrantRequest::with_terms(&terms);
        let result = Spinner::run(message, || self.api.bulk_grant(&request))?;
        outln!(
            "✓ Done! Added {} relationships; {} were already there.",
            result.added,
            result.already_present
        );
        Ok(())
    }

    pub(super) fn statistics(&mut self) -> Step {
        let stats = self.api.stats()?;
        print::print_stats(&stats);
        Ok(())
    }
}
