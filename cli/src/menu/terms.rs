//! Asking for the terms of new grants: a role of their own, a window, their branches. One question
//! comes first, so the seed's quick path stays a single Enter.

use super::lists::capitalise;
use super::{Menu, Step};
use crate::opts::instant;
use crate::outln;
use crate::output::when;
use chrono::{DateTime, Utc};
use openapi::terms::{GrantRole, GrantTerms, Window};

impl Menu {
    /// `follows` says whose role a grant without one follows ("sarah's role, hr_manager"); branches are
    /// asked about only when `with_branches` (some chosen company has branches).
    pub(super) fn ask_terms(&mut self, follows: &str, with_branches: bool) -> Step<GrantTerms> {
        let question = if with_branches {
            "Give them a role, a window or their branches?"
        } else {
            "Give them a role or a window of their own?"
        };
        if !self.input.confirm(question, false)? {
            return Ok(GrantTerms::default());
        }
        let role = self.ask_role(follows)?;
        let valid_from = self.ask_instant(
            "Valid from (Enter: at once; a date such as 2027-01-01, or 2027-01-01T09:00:00Z): ",
        )?;
        let valid_until = loop {
            let until = self.ask_instant("Valid until, exclusive (Enter: no end; same forms): ")?;
            match (valid_from, until) {
                (Some(from), Some(end)) if Window::new(valid_from, until).is_err() => outln!(
                    "The end ({} UTC) must be later than the start ({} UTC).",
                    when(&end),
                    when(&from)
                ),
                _ => break until,
            }
        };
        let include_branches = with_branches
            && self
                .input
                .confirm("Include their branches, now and later?", false)?;
        Ok(GrantTerms {
            role,
            window: Window::unchecked(valid_from, valid_until),
            include_branches,
        })
    }

    fn ask_role(&mut self, follows: &str) -> Step<Option<GrantRole>> {
        let names: Vec<&str> = GrantRole::ALL.iter().map(|role| role.as_str()).collect();
        let prompt = format!("Role there (Enter: {follows}; or {}): ", names.join(", "));
        loop {
            let answer = self.input.ask(&prompt)?;
            let answer = answer.trim().to_ascii_lowercase();
            if answer.is_empty() {
                return Ok(None);
            }
            match answer.parse::<GrantRole>() {
                Ok(role) => return Ok(Some(role)),
                Err(_) if answer == "super_admin" => outln!(
                    "super_admin is a user's role everywhere, never granted company by company; pick one of {}.",
                    names.join(", ")
                ),
                Err(_) => outln!(
                    "{answer:?} is not a role; pick one of {}.",
                    names.join(", ")
                ),
            }
        }
    }

    fn ask_instant(&mut self, prompt: &str) -> Step<Option<DateTime<Utc>>> {
        loop {
            let answer = self.input.ask(prompt)?;
            let answer = answer.trim();
            if answer.is_empty() {
                return Ok(None);
            }
            match instant(answer) {
                Ok(at) => return Ok(Some(at)),
                Err(why) => outln!("{}.", capitalise(&why)),
            }
        }
    }
}

/// The terms in words, for the line that says what is about to happen: "" for none, else
/// " as employee, from 2027-01-01 00:00, until …, with their branches".
pub(super) fn described(terms: &GrantTerms) -> String {
    let mut parts = Vec::new();
    if let Some(role) = terms.role {
        parts.push(format!("as {role}"));
    }
    if let Some(from) = &terms.window.valid_from {
        parts.push(format!("from {} UTC", when(from)));
    }
    if let Some(until) = &terms.window.valid_until {
        parts.push(format!("until {} UTC", when(until)));
    }
    if terms.include_branches {
        parts.push("with their branches".to_owned());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" {}", parts.join(", "))
    }
}
