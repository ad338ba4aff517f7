//! The decision and the facts it rests on: the one rule of "may user U act in company C?". Depends on
//! nothing above it; the cache and the database loaders both speak in these facts.

use chrono::{DateTime, Utc};
use openapi::Role;
use openapi::access::DecisionReason;
use openapi::terms::{GrantRole, RoleSet};
use uuid::Uuid;

/// The role a user holds through a grant: a super admin's everywhere, else the grant's own, else theirs.
pub fn held_role(user_role: Role, granted_role: Option<GrantRole>) -> Role {
    match granted_role {
        _ if user_role == Role::SuperAdmin => Role::SuperAdmin,
        Some(role) => role.into(),
        None => user_role,
    }
}

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

/// A grant's terms: the role it gives (`None`: the user's own), its window, `valid_from` inclusive
/// and `valid_until` exclusive (`None`: open), and whether it reaches the company's branches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Terms {
    pub role: Option<GrantRole>,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
    pub include_branches: bool,
}

impl Terms {
    /// No role of its own, no window, no branches: what nearly every grant is, and what the cache
    /// stores for free.
    pub fn is_plain(&self) -> bool {
        *self == Self::default()
    }

    /// Why the grant does not hold at `at`, if it does not: too early, or too late.
    pub fn outside_window(&self, at: i64) -> Option<DecisionReason> {
        if self.valid_from.is_some_and(|from| at < from) {
            Some(DecisionReason::NotYetValid)
        } else if self.valid_until.is_some_and(|until| at >= until) {
            Some(DecisionReason::Expired)
        } else {
            None
        }
    }
}

/// Whether a user administers a company: what a key bound to them may manage there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// They hold `admin` there now (or are a super admin); `branches`: through a grant that includes
    /// the company's branches, so they administer every company below it too, now and later.
    Administers { branches: bool },
    /// They do not; the reason a check of `admin` there gives.
    OutOfReach(DecisionReason),
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

/// A company as read from the database: `None` when it does not exist, else its ancestors nearest first.
pub type CompanyFacts = Option<Vec<Uuid>>;

/// The grants that reach one company: nearly always none or one, held without a heap allocation.
pub type Reaching = smallvec::SmallVec<[(Uuid, Terms); 2]>;

/// The facts a decision rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// `None`: no such user.
    pub user: Option<UserFlags>,
    pub company_exists: bool,
    /// The user's grants that reach the company, each with the company it is of: the company's own
    /// first, then those of its ancestors that include branches, nearest first.
    pub grants: Reaching,
}

/// A decision: why, the role the user holds in the company, and the company whose grant the decision
/// rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub reason: DecisionReason,
    pub role: Option<Role>,
    pub via: Option<Uuid>,
}

/// The user's grants that reach `company`, in the order [`Facts::grants`] holds them: `grant` finds the
/// user's grant of one company, `ancestors` are the company's, nearest first.
pub fn reaching(
    company: Uuid,
    ancestors: &[Uuid],
    grant: impl Fn(&Uuid) -> Option<Terms>,
) -> Reaching {
    let own = grant(&company).map(|terms| (company, terms));
    let inherited = ancestors.iter().filter_map(|ancestor| {
        grant(ancestor)
            .filter(|terms| terms.include_branches)
            .map(|terms| (*ancestor, terms))
    });
    own.into_iter().chain(inherited).collect()
}

impl Facts {
    pub fn decide(&self, question: &Question) -> Outcome {
        let refused = |reason| Outcome {
            reason,
            role: None,
            via: None,
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
                via: None,
            };
        }
        // The first grant that allows decides; when none does, the nearest one says why not.
        let outcomes = self.grants.iter().map(|(via, grant)| {
            let role = held_role(user.role, grant.role);
            let reason = match grant.outside_window(question.at) {
                Some(reason) => reason,
                None if !question.roles.contains(role) => DecisionReason::RoleNotHeld,
                None => DecisionReason::Grant,
            };
            Outcome {
                reason,
                role: Some(role),
                via: Some(*via),
            }
        });
        let mut nearest = None;
        for outcome in outcomes {
            if outcome.reason.allows() {
                return outcome;
            }
            nearest.get_or_insert(outcome);
        }
        nearest.unwrap_or_else(|| refused(DecisionReason::NoGrant))
    }

    /// Whether the user administers the company at `at`, and its branches too.
    pub fn reach(&self, at: i64) -> Reach {
        let admin = Question {
            roles: [Role::Admin].into_iter().collect(),
            at,
        };
        let outcome = self.decide(&admin);
        match (outcome.reason, self.user) {
            (DecisionReason::SuperAdmin, _) => Reach::Administers { branches: true },
            (reason, Some(user)) if reason.allows() => Reach::Administers {
                branches: self
                    .grants
                    .iter()
                    .any(|(_, grant)| administers(user, grant, at) == Some(true)),
            },
            (reason, _) => Reach::OutOfReach(reason),
        }
    }

    /// The facts of one pair from what was read of its user and its company (`None`: not found).
    pub fn of(company_id: Uuid, user: Option<&UserFacts>, ancestors: Option<&[Uuid]>) -> Self {
        let grants = match (user, ancestors) {
            (Some(user), Some(ancestors)) => reaching(company_id, ancestors, |of| user.grant(of)),
            _ => Reaching::new(),
        };
        Facts {
            user: user.and_then(|facts| facts.flags),
            company_exists: ancestors.is_some(),
            grants,
        }
    }
}

/// Whether a grant makes its (active) user an administrator of its company at `at`: `Some(branches)`
/// when it does, saying whether of every company below it too.
pub fn administers(user: UserFlags, grant: &Terms, at: i64) -> Option<bool> {
    (user.is_active
        && grant.outside_window(at).is_none()
        && held_role(user.role, grant.role) == Role::Admin)
        .then_some(grant.include_branches)
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
    const HERE: Uuid = Uuid::from_u128(100);

    fn any_at(at: i64) -> Question {
        Question {
            roles: RoleSet::any(),
            at,
        }
    }

    fn facts(user: Option<UserFlags>, company_exists: bool, grant: Option<Terms>) -> Facts {
        Facts {
            user,
            company_exists,
            grants: grant.map(|terms| (HERE, terms)).into_iter().collect(),
        }
    }

    fn reason(
        user: Option<UserFlags>,
        company_exists: bool,
        grant: Option<Terms>,
    ) -> DecisionReason {
        facts(user, company_exists, grant).decide(&any_at(0)).reason
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
            valid_from: Some(1_000),
            valid_until: Some(2_000),
            ..Terms::default()
        };
        let at = |instant| facts(Some(EMPLOYEE), true, Some(grant)).decide(&any_at(instant));
        assert_eq!(at(999).reason, DecisionReason::NotYetValid);
        assert_eq!(at(1_000).reason, DecisionReason::Grant);
        assert_eq!(at(1_999).reason, DecisionReason::Grant);
        assert_eq!(at(2_000).reason, DecisionReason::Expired);
        // The refusal still says which grant and role it looked at.
        assert_eq!(at(2_000).role, Some(Role::Employee));
        assert_eq!(at(2_000).via, Some(HERE));
    }

    #[test]
    fn roles_asked_for_are_matched_against_the_role_held_there() {
        let decide = |grant_role: Option<GrantRole>, user_role: Role, asked: &str| {
            let roles = asked.parse().unwrap_or_default();
            let user = UserFlags {
                is_active: true,
                role: user_role,
            };
            let grant = Terms {
                role: grant_role,
                ..Terms::default()
            };
            facts(Some(user), true, Some(grant)).decide(&Question { roles, at: 0 })
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
    fn a_parents_grant_reaches_branches_only_when_it_includes_them() {
        let (parent, grandparent) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let branches = Terms {
            include_branches: true,
            role: Some(GrantRole::Admin),
            ..Terms::default()
        };
        let mine = |company: &Uuid| match *company {
            c if c == grandparent => Some(branches),
            c if c == parent => Some(Terms::default()),
            _ => None,
        };
        let grants = reaching(HERE, &[parent, grandparent], mine);
        assert_eq!(
            grants.as_slice(),
            [(grandparent, branches)],
            "the parent's own grant stops there"
        );
        let outcome = Facts {
            user: Some(EMPLOYEE),
            company_exists: true,
            grants,
        }
        .decide(&any_at(0));
        assert_eq!(
            (outcome.reason, outcome.role, outcome.via),
            (DecisionReason::Grant, Some(Role::Admin), Some(grandparent))
        );
    }

    #[test]
    fn the_first_grant_that_allows_decides_and_else_the_nearest_says_why() {
        let (parent, grandparent) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let expired = Terms {
            valid_until: Some(10),
            include_branches: true,
            ..Terms::default()
        };
        let admin = Terms {
            role: Some(GrantRole::Admin),
            include_branches: true,
            ..Terms::default()
        };
        let facts = Facts {
            user: Some(EMPLOYEE),
            company_exists: true,
            grants: [(HERE, expired), (parent, expired), (grandparent, admin)]
                .into_iter()
                .collect(),
        };
        let now = any_at(20);
        assert_eq!(facts.decide(&now).via, Some(grandparent));
        let as_employee = Question {
            roles: "employee".parse().unwrap_or_default(),
            at: 20,
        };
        let refused = facts.decide(&as_employee);
        assert_eq!(
            (refused.reason, refused.via),
            (DecisionReason::Expired, Some(HERE))
        );
    }

    #[test]
    fn an_administrator_reaches_a_company_through_an_active_admin_grant_and_branches_only_with_them()
     {
        let admin = Terms {
            role: Some(GrantRole::Admin),
            ..Terms::default()
        };
        let with_branches = Terms {
            include_branches: true,
            ..admin
        };
        let ended = Terms {
            valid_until: Some(10),
            ..with_branches
        };
        let reach = |user, grant| facts(Some(user), true, grant).reach(20);
        assert_eq!(
            reach(EMPLOYEE, Some(admin)),
            Reach::Administers { branches: false }
        );
        assert_eq!(
            reach(EMPLOYEE, Some(with_branches)),
            Reach::Administers { branches: true }
        );
        assert_eq!(
            reach(EMPLOYEE, Some(ended)),
            Reach::OutOfReach(DecisionReason::Expired)
        );
        assert_eq!(
            reach(EMPLOYEE, Some(Terms::default())),
            Reach::OutOfReach(DecisionReason::RoleNotHeld),
            "an employee's own role is not admin"
        );
        let admin_user = UserFlags {
            is_active: true,
            role: Role::Admin,
        };
        assert_eq!(
            reach(admin_user, Some(Terms::default())),
            Reach::Administers { branches: false },
            "a grant that follows an admin's own role"
        );
        assert_eq!(
            reach(admin_user, None),
            Reach::OutOfReach(DecisionReason::NoGrant)
        );
        let inactive = UserFlags {
            is_active: false,
            ..admin_user
        };
        assert_eq!(
            reach(inactive, Some(admin)),
            Reach::OutOfReach(DecisionReason::UserInactive)
        );
        let super_admin = UserFlags {
            is_active: true,
            role: Role::SuperAdmin,
        };
        assert_eq!(
            reach(super_admin, None),
            Reach::Administers { branches: true }
        );
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
