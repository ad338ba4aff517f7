//! The terms a grant may carry: the role it gives in its company and the window of time it holds in.

use crate::Role;
use crate::domain::InvalidValue;
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

string_enum! {
    /// The role a grant gives in its company: every role but `super_admin`, which is a user's role
    /// everywhere and is never granted company by company.
    pub enum GrantRole as "grant role" {
        Admin = "admin",
        HrManager = "hr_manager",
        FinanceManager = "finance_manager",
        Employee = "employee",
    }
}

impl From<GrantRole> for Role {
    fn from(role: GrantRole) -> Self {
        match role {
            GrantRole::Admin => Role::Admin,
            GrantRole::HrManager => Role::HrManager,
            GrantRole::FinanceManager => Role::FinanceManager,
            GrantRole::Employee => Role::Employee,
        }
    }
}

string_enum! {
    /// Where a grant stands at the instant of the answer.
    pub enum GrantState as "grant state" {
        /// Within its window (or without one): it gives access now.
        Active = "active",
        /// Its `valid_from` is still ahead.
        Scheduled = "scheduled",
        /// Its `valid_until` has passed.
        Expired = "expired",
    }
}

/// The `pattern` of a role list (`hr_manager,admin`): role names joined by commas.
pub const ROLE_LIST_PATTERN: &str = "^(super_admin|admin|hr_manager|finance_manager|employee)(,(super_admin|admin|hr_manager|finance_manager|employee))*$";

/// A set of roles, sent as their names joined by commas (`hr_manager,admin`); a check with one is
/// allowed only where the user holds one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoleSet(u8);

impl RoleSet {
    /// A role's place in [`Role::ALL`], which is its declaration order.
    const fn bit(role: Role) -> u8 {
        1 << (role as u8)
    }

    /// Every role: what a check without `role` asks for.
    pub fn any() -> Self {
        Self(
            Role::ALL
                .iter()
                .fold(0, |bits, role| bits | Self::bit(*role)),
        )
    }

    pub fn contains(self, role: Role) -> bool {
        self.0 & Self::bit(role) != 0
    }

    pub fn roles(self) -> impl Iterator<Item = Role> {
        Role::ALL
            .into_iter()
            .filter(move |role| self.contains(*role))
    }
}

impl FromIterator<Role> for RoleSet {
    fn from_iter<I: IntoIterator<Item = Role>>(roles: I) -> Self {
        Self(
            roles
                .into_iter()
                .fold(0, |bits, role| bits | Self::bit(role)),
        )
    }
}

impl std::str::FromStr for RoleSet {
    type Err = InvalidValue;
    fn from_str(text: &str) -> Result<Self, InvalidValue> {
        if text.is_empty() {
            return Err(InvalidValue(
                "role must name at least one role, several joined by commas (hr_manager,admin)"
                    .into(),
            ));
        }
        // Cut at the commas' byte offsets: `str::split` cost more than the names' own comparisons.
        let mut set = 0;
        let mut rest = text;
        loop {
            let comma = rest.bytes().position(|byte| byte == b',');
            let name = comma.map_or(rest, |at| &rest[..at]);
            set |= Self::bit(name.parse::<Role>()?);
            match comma {
                Some(at) => rest = &rest[at + 1..],
                None => return Ok(Self(set)),
            }
        }
    }
}

impl TryFrom<String> for RoleSet {
    type Error = InvalidValue;
    fn try_from(text: String) -> Result<Self, InvalidValue> {
        text.parse()
    }
}

impl From<RoleSet> for String {
    fn from(set: RoleSet) -> Self {
        set.roles().map(Role::as_str).collect::<Vec<_>>().join(",")
    }
}

/// The instants are kept to the microsecond: what the databases store, so a window reads back as sent.
pub fn to_stored_precision(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

/// When a grant gives access: from `valid_from` (inclusive) until `valid_until` (exclusive); an absent
/// end is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
}

impl Window {
    /// A window whose end is after its start; the message says what to fix.
    pub fn new(
        valid_from: Option<DateTime<Utc>>,
        valid_until: Option<DateTime<Utc>>,
    ) -> Result<Self, InvalidValue> {
        let window = Self::unchecked(valid_from, valid_until);
        window.check().map(|()| window)
    }

    /// The window as sent, kept to the microsecond, its order not yet checked: a grant checks it
    /// after finding the user and the companies, so that a grant to nobody is "User not found"
    /// whatever its window.
    pub fn unchecked(
        valid_from: Option<DateTime<Utc>>,
        valid_until: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            valid_from: valid_from.map(to_stored_precision),
            valid_until: valid_until.map(to_stored_precision),
        }
    }

    /// Whether the end comes after the start (when both are set).
    pub fn check(&self) -> Result<(), InvalidValue> {
        match (self.valid_from, self.valid_until) {
            (Some(from), Some(until)) if until <= from => Err(InvalidValue(format!(
                "valid_until ({}) must be later than valid_from ({})",
                until.to_rfc3339(),
                from.to_rfc3339()
            ))),
            _ => Ok(()),
        }
    }

    pub fn state_at(&self, now: DateTime<Utc>) -> GrantState {
        match (self.valid_from, self.valid_until) {
            (Some(from), _) if now < from => GrantState::Scheduled,
            (_, Some(until)) if now >= until => GrantState::Expired,
            _ => GrantState::Active,
        }
    }
}

/// What a new grant carries besides its company: a role of its own (`None`: the user's), a window, and
/// whether it reaches the company's branches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GrantTerms {
    pub role: Option<GrantRole>,
    pub window: Window,
    /// The grant reaches every branch of its company too.
    pub include_branches: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_lists_parse_and_print_back() {
        let set: RoleSet = "hr_manager,admin".parse().unwrap_or_default();
        assert!(set.contains(Role::Admin) && set.contains(Role::HrManager));
        assert!(!set.contains(Role::Employee));
        assert_eq!(String::from(set), "admin,hr_manager");
        assert!(RoleSet::any().roles().count() == Role::ALL.len());
        assert!("".parse::<RoleSet>().is_err());
        assert!("admin,".parse::<RoleSet>().is_err());
        assert!(",admin".parse::<RoleSet>().is_err());
        assert!("admin,,hr_manager".parse::<RoleSet>().is_err());
        for role in Role::ALL {
            let alone: RoleSet = role.as_str().parse().unwrap_or_default();
            assert_eq!(alone.roles().collect::<Vec<_>>(), vec![role]);
        }
        let message = "admin,boss".parse::<RoleSet>().err().map(|e| e.0);
        assert!(message.is_some_and(|m| m.contains("boss") && m.contains("hr_manager")));
    }

    #[test]
    fn the_pattern_names_every_role() {
        for role in Role::ALL {
            assert!(ROLE_LIST_PATTERN.contains(role.as_str()));
        }
    }

    #[test]
    fn a_window_starts_inclusive_and_ends_exclusive() {
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .ok()
        };
        let window =
            Window::new(at("2026-01-01T00:00:00Z"), at("2026-02-01T00:00:00Z")).unwrap_or_default();
        let state = |s: &str| at(s).map(|t| window.state_at(t));
        assert_eq!(
            state("2025-12-31T23:59:59.999999Z"),
            Some(GrantState::Scheduled)
        );
        assert_eq!(state("2026-01-01T00:00:00Z"), Some(GrantState::Active));
        assert_eq!(
            state("2026-01-31T23:59:59.999999Z"),
            Some(GrantState::Active)
        );
        assert_eq!(state("2026-02-01T00:00:00Z"), Some(GrantState::Expired));
        assert!(Window::new(at("2026-02-01T00:00:00Z"), at("2026-02-01T00:00:00Z")).is_err());
        assert_eq!(Window::default().state_at(Utc::now()), GrantState::Active);
    }

    #[test]
    fn instants_keep_microseconds() {
        let at = DateTime::parse_from_rfc3339("2026-01-01T00:00:00.123456789Z")
            .map(|t| t.with_timezone(&Utc))
            .ok();
        let window = Window::new(at, None).unwrap_or_default();
        assert_eq!(
            window.valid_from.map(|t| t.timestamp_subsec_nanos()),
            Some(123_456_000)
        );
    }
}
