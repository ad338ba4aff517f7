//! What a write transaction touched, and the payload that announces it to other instances.

use uuid::Uuid;

/// The PostgreSQL channel changes are announced on.
pub const CHANNEL: &str = "company_access_changes";
/// NOTIFY payloads must stay under 8,000 bytes; past this many ids a change is announced as "everything".
const MAX_IDS_IN_PAYLOAD: usize = 150;

/// What a write transaction touched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub users: Vec<i32>,
    pub companies: Vec<Uuid>,
    pub everything: bool,
    pub keys: bool,
}

impl Changes {
    pub fn user(id: i32) -> Self {
        Self {
            users: vec![id],
            ..Self::default()
        }
    }

    pub fn users(ids: impl IntoIterator<Item = i32>) -> Self {
        Self {
            users: ids.into_iter().collect(),
            ..Self::default()
        }
    }

    pub fn company(id: Uuid) -> Self {
        Self {
            companies: vec![id],
            ..Self::default()
        }
    }

    pub fn everything() -> Self {
        Self {
            everything: true,
            ..Self::default()
        }
    }

    pub fn keys() -> Self {
        Self {
            keys: true,
            ..Self::default()
        }
    }

    /// Adds what `other` touched; a company named twice is forgotten once.
    pub fn merge(&mut self, other: Changes) {
        self.users.extend(other.users);
        self.users.sort_unstable();
        self.users.dedup();
        self.companies.extend(other.companies);
        self.companies.sort_unstable();
        self.companies.dedup();
        self.everything |= other.everything;
        self.keys |= other.keys;
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.companies.is_empty() && !self.everything && !self.keys
    }

    /// `a` (everything), `k` (keys), `u1,2,3` (users), `c<uuid>,<uuid>` (companies), joined by `;`.
    pub fn to_payload(&self) -> String {
        let mut parts = Vec::new();
        if self.everything || self.users.len() + self.companies.len() > MAX_IDS_IN_PAYLOAD {
            parts.push("a".to_owned());
        } else {
            if !self.users.is_empty() {
                let ids: Vec<String> = self.users.iter().map(ToString::to_string).collect();
                parts.push(format!("u{}", ids.join(",")));
            }
            if !self.companies.is_empty() {
                let ids: Vec<String> = self.companies.iter().map(ToString::to_string).collect();
                parts.push(format!("c{}", ids.join(",")));
            }
        }
        if self.keys {
            parts.push("k".to_owned());
        }
        parts.join(";")
    }

    /// Reads a payload; anything unreadable means "everything", the safe answer.
    /// The payload announcing a change committed at `revision`.
    pub fn to_payload_at(&self, revision: i64) -> String {
        format!("r{revision};{}", self.to_payload())
    }

    pub fn from_payload(payload: &str) -> Self {
        let mut changes = Changes::default();
        for part in payload.split(';').filter(|part| !part.is_empty()) {
            match part.split_at(1) {
                ("r", _) => {}
                ("a", _) => changes.everything = true,
                ("k", _) => changes.keys = true,
                ("u", ids) => match ids
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<Vec<i32>, _>>()
                {
                    Ok(ids) => changes.users.extend(ids),
                    Err(_) => changes.everything = true,
                },
                ("c", ids) => match ids
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<Vec<Uuid>, _>>()
                {
                    Ok(ids) => changes.companies.extend(ids),
                    Err(_) => changes.everything = true,
                },
                _ => changes.everything = true,
            }
        }
        changes
    }
}

/// The revision a payload announces, if it names one.
pub fn payload_revision(payload: &str) -> Option<i64> {
    payload
        .split(';')
        .find_map(|part| part.strip_prefix('r'))
        .and_then(|revision| revision.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips_and_unreadable_means_everything() {
        let company = Uuid::new_v4();
        let changes = Changes {
            users: vec![1, 2],
            companies: vec![company],
            everything: false,
            keys: true,
        };
        assert_eq!(Changes::from_payload(&changes.to_payload()), changes);
        assert!(Changes::from_payload("u1,x").everything);
        assert!(Changes::from_payload("zzz").everything);
        let mut merged = Changes::user(2);
        merged.merge(Changes::users([1, 2]));
        merged.merge(Changes::keys());
        assert_eq!((merged.users.as_slice(), merged.keys), (&[1, 2][..], true));
        let many = Changes::users(0..1000);
        assert!(Changes::from_payload(&many.to_payload()).everything);
    }
}
