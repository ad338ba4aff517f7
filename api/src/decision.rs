//! The decision and the facts it rests on: the one rule of "may user U act in company C?". Depends on
//! nothing above it; the cache and the database loaders both speak in these facts.

use chrono::{DateTime, Utc};
use openapi::Role;
use openapi::access::DecisionReason;
use openapi::terms::{GrantRole, RoleSet};
use uuid::Uuid;

/// A user's own flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserFlags {
    pub is_active: bool,
    /// The user's role everywhere: what a grant without a role of its own gives.
    pub role: Role,
}

impl UserFlags {
    pub fn is_super_admin(self) -> bool {
        self.role == Role::SuperAdmin
    }
}

/// An instant as the decision compares them: microseconds since the Unix epoch, what both databases
/// store, so that memory and database agree at every instant.
pub fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

/// A grant's terms: the role it gives (`None`: the user's own) and its window, `valid_from` inclusive
/// and `valid_until` exclusive (`None`: open).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Terms {
    pub role: Option<GrantRole>,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
}

impl Terms {
    /// No role of its own and no window: what nearly every grant is, and what the cache stores for free.
    pub fn is_plain(&self) -> bool {
        *self == Self::default()
    }
}

/// What is asked: which roles satisfy the check, and the instant it is decided at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    pub roles: RoleSet,
    pub at: i64,
}

impl Question {
    /// Any role, now.
    pub fn now(roles: Option<RoleSet>) -> Self {
        Self {
            roles: roles.unwrap_or_else(RoleSet::any),
            at: micros(Utc::now()),
        }
    }
}

/// The facts a decision rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// `None`: no such user.
    pub user: Option<UserFlags>,
    pub company_exists: bool,
    /// The user's grant of the company, if any.
    pub grant: Option<Terms>,
}

/// A decision: why, the role the user holds in the company, and whether a grant of the company itself
/// is what the decision rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub reason: DecisionReason,
    pub role: Option<Role>,
    pub via_grant: bool,
}

impl Facts {
    pub fn decide(self, question: &Question) -> Outcome {
        let refused = |reason| Outcome {
            reason,
            role: None,
            via_grant: false,
        };
        let user = match self.user {
            None => return refused(DecisionReason::UnknownUser),
            Some(_) if !self.company_exists => return refused(DecisionReason::UnknownCompany),
            Some(user) if !user.is_active => return refused(DecisionReason::UserInactive),
            Some(user) => user,
        };
        if user.is_super_admin() {
            return Outcome {
                reason: DecisionReason::SuperAdmin,
                role: Some(Role::SuperAdmin),
                via_grant: false,
            };
        }
        let Some(grant) = self.grant else {
            return refused(DecisionReason::NoGrant);
        };
        let role = grant.role.map_or(user.role, Role::from);
        let reason = if grant.valid_from.is_some_and(|from| question.at < from) {
            DecisionReason::NotYetValid
        } else if grant.valid_until.is_some_and(|until| question.at >= until) {
            DecisionReason::Expired
        } else if !question.roles.contains(role) {
            DecisionReason::RoleNotHeld
        } else {
            DecisionReason::Grant
        };
        Outcome {
            reason,
            role: Some(role),
            via_grant: true,
        }
    }
}

/// A user as read from the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFacts {
    /// `None`: the user does not exist.
    pub flags: Option<UserFlags>,
    /// The companies granted with their terms, sorted by company.
    pub grants: Vec<(Uuid, Terms)>,
}

impl UserFacts {
    /// A user that exists, with its grants in any order.
    pub fn existing(is_active: bool, role: Role, mut grants: Vec<(Uuid, Terms)>) -> Self {
        grants.sort_unstable_by_key(|(company, _)| *company);
        Self {
            flags: Some(UserFlags { is_active, role }),
            grants,
        }
    }

    /// Gives an existing grant its terms (read apart from the grants themselves).
    pub fn set_terms(&mut self, company: &Uuid, terms: Terms) {
        if let Ok(at) = self.grants.binary_search_by_key(company, |(id, _)| *id) {
            self.grants[at].1 = terms;
        }
    }

    pub fn grant(&self, company: &Uuid) -> Option<Terms> {
        self.grants
            .binary_search_by_key(company, |(id, _)| *id)
            .ok()
            .map(|at| self.grants[at].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPLOYEE: UserFlags = UserFlags {
        is_active: true,
        role: Role::Employee,
    };

    fn any_at(at: i64) -> Question {
        Question {
            roles: RoleSet::any(),
            at,
        }
    }

    fn reason(
        user: Option<UserFlags>,
        company_exists: bool,
        grant: Option<Terms>,
    ) -> DecisionReason {
        Facts {
            user,
            company_exists,
            grant,
        }
        .decide(&any_at(0))
        .reason
    }

    #[test]
    fn decisions_follow_the_rules_in_order() {
        let plain = Some(Terms::default());
        let inactive_admin = UserFlags {
            is_active: false,
            role: Role::SuperAdmin,
        };
        let super_admin = UserFlags {
            is_active: true,
            role: Role::SuperAdmin,
        };
        assert_eq!(reason(None, true, plain), DecisionReason::UnknownUser);
        assert_eq!(
            reason(Some(EMPLOYEE), false, None),
            DecisionReason::UnknownCompany
        );
        assert_eq!(
            reason(Some(inactive_admin), true, plain),
            DecisionReason::UserInactive
        );
        assert_eq!(
            reason(Some(super_admin), true, None),
            DecisionReason::SuperAdmin
        );
        assert_eq!(reason(Some(EMPLOYEE), true, plain), DecisionReason::Grant);
        assert_eq!(reason(Some(EMPLOYEE), true, None), DecisionReason::NoGrant);
    }

    #[test]
    fn only_grant_and_super_admin_allow() {
        assert!(DecisionReason::Grant.allows() && DecisionReason::SuperAdmin.allows());
        for reason in [
            DecisionReason::NoGrant,
            DecisionReason::UserInactive,
            DecisionReason::NotYetValid,
            DecisionReason::Expired,
            DecisionReason::RoleNotHeld,
        ] {
            assert!(!reason.allows());
        }
    }

    #[test]
    fn a_window_holds_from_its_first_instant_to_before_its_last() {
        let grant = Terms {
            role: None,
            valid_from: Some(1_000),
            valid_until: Some(2_000),
        };
        let at = |instant| {
            Facts {
                user: Some(EMPLOYEE),
                company_exists: true,
                grant: Some(grant),
            }
            .decide(&any_at(instant))
        };
        assert_eq!(at(999).reason, DecisionReason::NotYetValid);
        assert_eq!(at(1_000).reason, DecisionReason::Grant);
        assert_eq!(at(1_999).reason, DecisionReason::Grant);
        assert_eq!(at(2_000).reason, DecisionReason::Expired);
        // The refusal still says which grant and role it looked at.
        assert_eq!(at(2_000).role, Some(Role::Employee));
        assert!(at(2_000).via_grant);
    }

    #[test]
    fn roles_asked_for_are_matched_against_the_role_held_there() {
        let decide = |grant_role: Option<GrantRole>, user_role: Role, asked: &str| {
            let roles = asked.parse().unwrap_or_default();
            Facts {
                user: Some(UserFlags {
                    is_active: true,
                    role: user_role,
                }),
                company_exists: true,
                grant: Some(Terms {
                    role: grant_role,
                    ..Terms::default()
                }),
            }
            .decide(&Question { roles, at: 0 })
        };
        let held = decide(
            Some(GrantRole::HrManager),
            Role::Employee,
            "hr_manager,admin",
        );
        assert_eq!(
            (held.reason, held.role),
            (DecisionReason::Grant, Some(Role::HrManager))
        );
        // Without a role of its own the grant gives the user's role.
        let follows = decide(None, Role::FinanceManager, "finance_manager");
        assert_eq!(follows.reason, DecisionReason::Grant);
        let refused = decide(Some(GrantRole::Employee), Role::Admin, "admin");
        assert_eq!(
            (refused.reason, refused.role),
            (DecisionReason::RoleNotHeld, Some(Role::Employee))
        );
        // Super admins hold every role everywhere.
        let super_admin = decide(None, Role::SuperAdmin, "employee");
        assert_eq!(super_admin.reason, DecisionReason::SuperAdmin);
    }

    #[test]
    fn grants_are_found_by_company_in_any_order_given() {
        let (a, b) = (Uuid::from_u128(2), Uuid::from_u128(1));
        let terms = Terms {
            role: Some(GrantRole::Admin),
            ..Terms::default()
        };
        let user = UserFacts::existing(
            true,
            Role::Employee,
            vec![(a, terms), (b, Terms::default())],
        );
        assert_eq!(user.grant(&a), Some(terms));
        assert_eq!(user.grant(&b), Some(Terms::default()));
        assert_eq!(user.grant(&Uuid::from_u128(3)), None);
    }
}
