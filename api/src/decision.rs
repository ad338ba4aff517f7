//! The decision and the facts it rests on: the one rule of "may user U act in company C?". Depends on
//! nothing above it; the cache and the database loaders both speak in these facts.

use openapi::access::DecisionReason;
use uuid::Uuid;

/// The facts a decision rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// `None`: no such user; otherwise (is_active, is_super_admin).
    pub user: Option<(bool, bool)>,
    pub company_exists: bool,
    pub granted: bool,
}

impl Facts {
    pub fn decide(self) -> DecisionReason {
        match self.user {
            None => DecisionReason::UnknownUser,
            Some(_) if !self.company_exists => DecisionReason::UnknownCompany,
            Some((false, _)) => DecisionReason::UserInactive,
            Some((true, true)) => DecisionReason::SuperAdmin,
            Some((true, false)) if self.granted => DecisionReason::Grant,
            Some(_) => DecisionReason::NoGrant,
        }
    }
}

/// A user as read from the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFacts {
    /// `None`: the user does not exist; otherwise (is_active, is_super_admin).
    pub flags: Option<(bool, bool)>,
    /// Companies granted, sorted.
    pub grants: Vec<Uuid>,
}

impl UserFacts {
    /// A user that exists, with its grants in any order.
    pub fn existing(is_active: bool, is_super_admin: bool, mut grants: Vec<Uuid>) -> Self {
        grants.sort_unstable();
        Self {
            flags: Some((is_active, is_super_admin)),
            grants,
        }
    }

    pub fn granted(&self, company: &Uuid) -> bool {
        self.grants.binary_search(company).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(user: Option<(bool, bool)>, company_exists: bool, granted: bool) -> DecisionReason {
        Facts {
            user,
            company_exists,
            granted,
        }
        .decide()
    }

    #[test]
    fn decisions_follow_the_rules_in_order() {
        assert_eq!(facts(None, true, true), DecisionReason::UnknownUser);
        assert_eq!(
            facts(Some((true, false)), false, false),
            DecisionReason::UnknownCompany
        );
        assert_eq!(
            facts(Some((false, true)), true, true),
            DecisionReason::UserInactive
        );
        assert_eq!(
            facts(Some((true, true)), true, false),
            DecisionReason::SuperAdmin
        );
        assert_eq!(
            facts(Some((true, false)), true, true),
            DecisionReason::Grant
        );
        assert_eq!(
            facts(Some((true, false)), true, false),
            DecisionReason::NoGrant
        );
    }

    #[test]
    fn only_grant_and_super_admin_allow() {
        assert!(DecisionReason::Grant.allows() && DecisionReason::SuperAdmin.allows());
        assert!(!DecisionReason::NoGrant.allows() && !DecisionReason::UserInactive.allows());
    }
}
