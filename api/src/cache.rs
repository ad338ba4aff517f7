//! The check cache: access decisions answered from memory, exact after every change.
//!
//! Exactness on the instance that makes a change: every write transaction names what it touched
//! ([`Changes`]); after commit the touched entries are dropped and a generation counter moves on, so a
//! load that read the database before the commit can never store its stale result afterwards.
//! Across instances (PostgreSQL): the same [`Changes`] travel as one `NOTIFY` per transaction (sent inside
//! it, delivered on commit); while the feed is not listening the cache is not trusted and every check
//! goes to the database. Entries also expire after a TTL, a bound on anything written behind our back.

use crate::auth::Caller;
use crate::services::check::Facts;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
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
    pub fn from_payload(payload: &str) -> Self {
        let mut changes = Changes::default();
        for part in payload.split(';').filter(|part| !part.is_empty()) {
            match part.split_at(1) {
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

/// What the cache knows of a user.
#[derive(Debug, Clone)]
pub struct UserFacts {
    /// `None`: the user does not exist.
    pub flags: Option<(bool, bool)>,
    /// Companies granted, sorted for binary search.
    pub grants: Box<[Uuid]>,
}

impl UserFacts {
    pub fn granted(&self, company: &Uuid) -> bool {
        self.grants.binary_search(company).is_ok()
    }
}

struct Entry<T> {
    value: T,
    loaded: Instant,
    /// Read since it was loaded: worth loading again before it expires.
    read: bool,
}

impl<T> Entry<T> {
    fn new(value: T, loaded: Instant) -> Self {
        Self {
            value,
            loaded,
            read: false,
        }
    }
}

struct Inner {
    users: HashMap<i32, Entry<Arc<UserFacts>>>,
    companies: HashMap<Uuid, Entry<bool>>,
    keys: HashMap<[u8; 32], Entry<Caller>>,
}

/// Settings of the check cache.
#[derive(Debug, Clone, Copy)]
pub struct CacheSettings {
    /// Most users (and, separately, companies) held; 0 turns the cache off.
    pub capacity: usize,
    pub ttl: Duration,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            capacity: 100_000,
            ttl: Duration::from_secs(60),
        }
    }
}

pub struct CheckCache {
    inner: Mutex<Inner>,
    generation: AtomicU64,
    /// False while changes made elsewhere might go unseen (the change feed is not listening).
    trusted: AtomicBool,
    settings: CacheSettings,
}

/// Most API keys held; keys are few, this only bounds a flood of distinct valid keys.
const KEY_CAPACITY: usize = 10_000;
/// Entries read since their load are loaded again once this share of the TTL has passed, so that a
/// busy entry never expires under the checks that use it.
const REFRESH_AT: f64 = 0.7;

fn make_room<K: Copy + Eq + std::hash::Hash, V>(map: &mut HashMap<K, V>, capacity: usize) {
    if map.len() >= capacity {
        // Drop an arbitrary eighth: O(1) amortised, no bookkeeping per hit, and the bound holds.
        let victims: Vec<K> = map.keys().take(capacity / 8 + 1).copied().collect();
        for key in victims {
            map.remove(&key);
        }
    }
}

impl CheckCache {
    pub fn new(settings: CacheSettings, trusted: bool) -> Self {
        Self {
            inner: Mutex::new(Inner {
                users: HashMap::new(),
                companies: HashMap::new(),
                keys: HashMap::new(),
            }),
            generation: AtomicU64::new(0),
            trusted: AtomicBool::new(trusted),
            settings,
        }
    }

    fn enabled(&self) -> bool {
        self.settings.capacity > 0 && self.trusted.load(Ordering::Acquire)
    }

    pub fn is_trusted(&self) -> bool {
        self.trusted.load(Ordering::Acquire)
    }

    /// Taken before reading the database; a store is refused if a change landed since.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves only a cache behind; its contents stay valid.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn fresh<T: Clone>(&self, entry: Option<&mut Entry<T>>, now: Instant) -> Option<T> {
        entry
            .filter(|e| now.duration_since(e.loaded) < self.settings.ttl)
            .map(|e| {
                e.read = true;
                e.value.clone()
            })
    }

    /// The cached facts for one pair, when both are known.
    pub fn lookup(&self, user: i32, company: &Uuid) -> Option<Facts> {
        if !self.enabled() {
            return None;
        }
        let now = Instant::now();
        let ttl = self.settings.ttl;
        let mut guard = self.lock();
        let inner = &mut *guard;
        let user = inner
            .users
            .get_mut(&user)
            .filter(|e| now.duration_since(e.loaded) < ttl)?;
        let exists = inner
            .companies
            .get_mut(company)
            .filter(|e| now.duration_since(e.loaded) < ttl)?;
        user.read = true;
        exists.read = true;
        Some(Facts {
            user: user.value.flags,
            company_exists: exists.value,
            granted: user.value.granted(company),
        })
    }

    /// What the cache knows of these users and companies, read under one lock.
    pub fn snapshot(
        &self,
        users: &[i32],
        companies: &[Uuid],
    ) -> (HashMap<i32, Arc<UserFacts>>, HashMap<Uuid, bool>) {
        if !self.enabled() {
            return (HashMap::new(), HashMap::new());
        }
        let now = Instant::now();
        let mut inner = self.lock();
        let known_users = users
            .iter()
            .filter_map(|id| {
                self.fresh(inner.users.get_mut(id), now)
                    .map(|facts| (*id, facts))
            })
            .collect();
        let known_companies = companies
            .iter()
            .filter_map(|id| {
                self.fresh(inner.companies.get_mut(id), now)
                    .map(|exists| (*id, exists))
            })
            .collect();
        (known_users, known_companies)
    }

    /// Stores what was read from the database at `generation`, unless something changed meanwhile.
    pub fn store(
        &self,
        generation: u64,
        users: Vec<(i32, Arc<UserFacts>)>,
        companies: Vec<(Uuid, bool)>,
    ) {
        if !self.enabled() {
            return;
        }
        let now = Instant::now();
        let mut inner = self.lock();
        // Checked under the lock that `apply` also takes, so no invalidation can slip in between.
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        for (id, facts) in users {
            make_room(&mut inner.users, self.settings.capacity);
            inner.users.insert(id, Entry::new(facts, now));
        }
        for (id, exists) in companies {
            make_room(&mut inner.companies, self.settings.capacity);
            inner.companies.insert(id, Entry::new(exists, now));
        }
    }

    pub fn key(&self, hash: &[u8; 32]) -> Option<Caller> {
        if !self.enabled() {
            return None;
        }
        self.fresh(self.lock().keys.get_mut(hash), Instant::now())
    }

    pub fn store_key(&self, generation: u64, hash: [u8; 32], caller: Caller) {
        if !self.enabled() {
            return;
        }
        let mut inner = self.lock();
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        make_room(&mut inner.keys, KEY_CAPACITY);
        inner.keys.insert(hash, Entry::new(caller, Instant::now()));
    }

    /// Drops expired entries and names those to load again ahead of their expiry (read since their load
    /// and past [`REFRESH_AT`] of the TTL). Keys are not refreshed: a request with a key re-verifies it.
    pub fn due_for_refresh(&self) -> (Vec<i32>, Vec<Uuid>) {
        let (mut users, mut companies) = (Vec::new(), Vec::new());
        if !self.enabled() {
            return (users, companies);
        }
        let now = Instant::now();
        let ttl = self.settings.ttl;
        let refresh_after = ttl.mul_f64(REFRESH_AT);
        let mut inner = self.lock();
        inner.users.retain(|id, entry| {
            let age = now.duration_since(entry.loaded);
            if entry.read && age >= refresh_after && age < ttl {
                users.push(*id);
            }
            age < ttl
        });
        inner.companies.retain(|id, entry| {
            let age = now.duration_since(entry.loaded);
            if entry.read && age >= refresh_after && age < ttl {
                companies.push(*id);
            }
            age < ttl
        });
        inner
            .keys
            .retain(|_, entry| now.duration_since(entry.loaded) < ttl);
        (users, companies)
    }

    /// How often [`Self::due_for_refresh`] should be asked: a few chances before a read entry expires.
    pub fn refresh_every(&self) -> Option<Duration> {
        let ttl = self.settings.ttl;
        (self.settings.capacity > 0 && !ttl.is_zero())
            .then(|| (ttl / 10).clamp(Duration::from_millis(50), Duration::from_secs(30)))
    }

    /// Forgets what a committed change touched.
    pub fn apply(&self, changes: &Changes) {
        if changes.is_empty() {
            return;
        }
        let mut inner = self.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        if changes.everything {
            inner.users.clear();
            inner.companies.clear();
        }
        for user in &changes.users {
            inner.users.remove(user);
        }
        for company in &changes.companies {
            inner.companies.remove(company);
        }
        if changes.keys || changes.everything {
            inner.keys.clear();
        }
    }

    /// Stops serving from memory (the change feed is down) and forgets everything.
    pub fn distrust(&self) {
        self.trusted.store(false, Ordering::Release);
        self.apply(&Changes {
            everything: true,
            keys: true,
            ..Changes::default()
        });
    }

    /// Serves from memory again, starting empty: notifications may have been missed while untrusted.
    pub fn trust_afresh(&self) {
        self.apply(&Changes {
            everything: true,
            keys: true,
            ..Changes::default()
        });
        self.trusted.store(true, Ordering::Release);
    }

    /// Entries held, for tests and the benchmark's memory figures.
    pub fn len(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.users.len(), inner.companies.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == (0, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(grants: &[Uuid]) -> Arc<UserFacts> {
        let mut grants = grants.to_vec();
        grants.sort();
        Arc::new(UserFacts {
            flags: Some((true, false)),
            grants: grants.into_boxed_slice(),
        })
    }

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
        let many = Changes::users(0..1000);
        assert!(Changes::from_payload(&many.to_payload()).everything);
    }

    #[test]
    fn a_load_that_raced_a_change_is_not_stored() {
        let cache = CheckCache::new(CacheSettings::default(), true);
        let company = Uuid::new_v4();
        let before = cache.generation();
        cache.apply(&Changes::user(7));
        cache.store(before, vec![(7, facts(&[company]))], vec![(company, true)]);
        assert!(cache.lookup(7, &company).is_none());
        let now = cache.generation();
        cache.store(now, vec![(7, facts(&[company]))], vec![(company, true)]);
        assert_eq!(
            cache.lookup(7, &company),
            Some(Facts {
                user: Some((true, false)),
                company_exists: true,
                granted: true
            })
        );
        cache.apply(&Changes::user(7));
        assert!(cache.lookup(7, &company).is_none());
    }

    #[test]
    fn untrusted_cache_answers_nothing_and_stores_nothing() {
        let cache = CheckCache::new(CacheSettings::default(), false);
        let company = Uuid::new_v4();
        cache.store(
            cache.generation(),
            vec![(1, facts(&[company]))],
            vec![(company, true)],
        );
        assert!(cache.lookup(1, &company).is_none());
        cache.trust_afresh();
        cache.store(
            cache.generation(),
            vec![(1, facts(&[company]))],
            vec![(company, true)],
        );
        assert!(cache.lookup(1, &company).is_some());
        cache.distrust();
        assert!(cache.lookup(1, &company).is_none());
        assert!(cache.is_empty());
    }

    #[test]
    fn the_cache_stays_within_its_capacity() {
        let cache = CheckCache::new(
            CacheSettings {
                capacity: 100,
                ttl: Duration::from_secs(60),
            },
            true,
        );
        for user in 0..1000 {
            cache.store(cache.generation(), vec![(user, facts(&[]))], vec![]);
        }
        assert!(cache.len().0 <= 100);
    }

    #[test]
    fn entries_expire() {
        let cache = CheckCache::new(
            CacheSettings {
                capacity: 10,
                ttl: Duration::from_millis(0),
            },
            true,
        );
        let company = Uuid::new_v4();
        cache.store(
            cache.generation(),
            vec![(1, facts(&[]))],
            vec![(company, true)],
        );
        assert!(cache.lookup(1, &company).is_none());
    }

    #[test]
    fn entries_read_are_due_for_refresh_before_they_expire_and_unread_ones_are_dropped() {
        let ttl = Duration::from_millis(200);
        let cache = CheckCache::new(CacheSettings { capacity: 10, ttl }, true);
        let company = Uuid::new_v4();
        cache.store(
            cache.generation(),
            vec![(1, facts(&[company])), (2, facts(&[]))],
            vec![(company, true)],
        );
        assert!(cache.lookup(1, &company).is_some());
        assert_eq!(cache.due_for_refresh(), (vec![], vec![]), "too young");
        std::thread::sleep(ttl.mul_f64(REFRESH_AT) + Duration::from_millis(10));
        assert_eq!(cache.due_for_refresh(), (vec![1], vec![company]));
        std::thread::sleep(ttl);
        assert_eq!(cache.due_for_refresh(), (vec![], vec![]));
        assert!(cache.is_empty(), "expired entries are dropped");
    }

    #[test]
    fn a_refreshed_entry_is_not_due_again_until_read_again() {
        let ttl = Duration::from_millis(100);
        let cache = CheckCache::new(CacheSettings { capacity: 10, ttl }, true);
        let company = Uuid::new_v4();
        cache.store(
            cache.generation(),
            vec![(1, facts(&[]))],
            vec![(company, true)],
        );
        assert!(cache.lookup(1, &company).is_some());
        std::thread::sleep(ttl.mul_f64(REFRESH_AT) + Duration::from_millis(5));
        let (users, _) = cache.due_for_refresh();
        cache.store(
            cache.generation(),
            users.into_iter().map(|id| (id, facts(&[]))).collect(),
            vec![],
        );
        assert_eq!(cache.due_for_refresh().0, Vec::<i32>::new());
        assert_eq!(
            CheckCache::new(CacheSettings { capacity: 0, ttl }, true).refresh_every(),
            None
        );
        assert_eq!(cache.refresh_every(), Some(Duration::from_millis(50)));
    }
}
