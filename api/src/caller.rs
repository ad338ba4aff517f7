//! Who is calling: the key's name and scope, and the hash its secret is known by. Depends on nothing above it.

use openapi::Scope;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use uuid::Uuid;

/// SHA-256 of a key's secret: what is stored and compared, never the secret itself.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SecretHash(pub [u8; 32]);

impl SecretHash {
    pub fn of(secret: &str) -> Self {
        Self(Sha256::digest(secret.as_bytes()).into())
    }

    pub fn to_hex(self) -> String {
        self.0.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// Compares without an early exit, so timing says nothing about how much of a guess was right.
    pub fn matches(&self, other: &SecretHash) -> bool {
        self.0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl std::fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretHash(..)")
    }
}

/// The key a request was made with: its name is the actor in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Shared, so that answering a request from the key cache copies no string.
    pub name: Arc<str>,
    pub scope: Scope,
    /// `None` for the master key, which has no row.
    pub key_id: Option<Uuid>,
    /// The user a bound key acts for: it reaches only the companies that user administers.
    pub user_id: Option<i32>,
}

impl Caller {
    /// The demo data `serve --demo` loads, made by no key.
    pub fn demo() -> Caller {
        Caller {
            name: Arc::from(DEMO_ACTOR),
            scope: Scope::Admin,
            key_id: None,
            user_id: None,
        }
    }

    pub fn actor(&self) -> Actor<'_> {
        Actor {
            name: &self.name,
            key_id: self.key_id,
            user_id: self.user_id,
        }
    }
}

/// Who a change is made by, as the audit trail records it: the key's name, for a stored key its id, and
/// for a key bound to a user, that user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor<'a> {
    pub name: &'a str,
    pub key_id: Option<Uuid>,
    pub user_id: Option<i32>,
}

pub const MASTER_KEY_NAME: &str = "master";
/// The actor of the demo data `serve --demo` loads.
pub const DEMO_ACTOR: &str = "demo";
/// Actors the audit trail names that are not keys: no key may take these names.
pub const RESERVED_ACTORS: [&str; 2] = [MASTER_KEY_NAME, DEMO_ACTOR];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_compare_by_value_and_print_nothing() {
        let a = SecretHash::of("cak_secret");
        assert!(a.matches(&SecretHash::of("cak_secret")));
        assert!(!a.matches(&SecretHash::of("cak_secreT")));
        assert_eq!(format!("{a:?}"), "SecretHash(..)");
        assert_eq!(a.to_hex().len(), 64);
    }
}
