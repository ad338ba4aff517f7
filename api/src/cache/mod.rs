//! The check cache: access decisions answered from memory, exact after every change.
//!
//! Exactness on the instance that makes a change: every write transaction names what it touched
//! ([`Changes`]); after commit the touched entries are dropped and a generation counter moves on, so a
//! load that read the database before the commit can never store its stale result afterwards.
//! Across instances (PostgreSQL): the same [`Changes`] travel as one `NOTIFY` per transaction (sent inside
//! it, delivered on commit); while the feed is not listening the cache is not trusted and every check
//! goes to the database. Entries also expire after a TTL, a bound on anything written behind our back.

mod existence;
mod expiry;
pub mod feed;
mod interner;
mod keys;
pub mod loading;
pub mod refresher;

use crate::caller::Caller;
use crate::changes::Changes;
use crate::decision::{CompanyFacts, Facts, Reaching, Terms, UserFacts, UserFlags, reaching};
use existence::Existence;
use expiry::{Stamp, make_room, sweep};
use interner::Interner;
use keys::KeyCache;
use smallvec::SmallVec;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::AtomicI64;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Grants a cached user holds in its own entry, without an allocation of their own: as many as the
/// separate allocation would have cost in bytes, so a user with a few grants costs no more memory, and
/// a check reads the entry and its grants together instead of waiting on a second random read.
const INLINE_GRANTS: usize = 10;

/// Marks a grant index whose grant has terms of its own ([`CachedUser::terms`]); company indexes stay
/// below it ([`MAX_INTERNER_BOUND`]).
const HAS_TERMS: u32 = 1 << 31;

/// A user as the cache holds one: the grants as indexes into [`Interner`], four bytes a company rather
/// than sixteen, which is most of the cache's memory.
struct CachedUser {
    /// Sorted by company index; [`HAS_TERMS`] set on those with terms, so that a check of a plain grant
    /// never reads `terms`.
    grants: SmallVec<[u32; INLINE_GRANTS]>,
    /// The terms of the grants that have any (a role of their own, a window), by company index, sorted:
    /// most grants have none, and those cost nothing here.
    terms: Box<[(u32, Terms)]>,
    stamp: Stamp,
    /// Users that do not exist are kept apart, in [`Existence`].
    flags: UserFlags,
    /// Whether any grant includes branches: only then do a company's ancestors matter.
    reaches_branches: bool,
}

impl CachedUser {
    fn grant(&self, index: u32) -> Option<Terms> {
        let at = self
            .grants
            .binary_search_by_key(&index, |grant| grant & !HAS_TERMS)
            .ok()?;
        if self.grants[at] & HAS_TERMS == 0 {
            return Some(Terms::default());
        }
        Some(
            self.terms
                .binary_search_by_key(&index, |(at, _)| *at)
                .map_or_else(|_| Terms::default(), |at| self.terms[at].1),
        )
    }
}

/// A company that exists, with its ancestors nearest first (empty for a top-level company): what a
/// grant including branches reaches it through. Those that do not exist are kept apart, in [`Existence`].
struct CachedCompany {
    stamp: Stamp,
    ancestors: Box<[Uuid]>,
}

/// The cache's maps, hashed with foldhash rather than SipHash: hashing was a tenth of a batch's
/// instructions. Its seed is random per process, so ids chosen to collide cannot be worked out ahead.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
type FastSet<K> = HashSet<K, foldhash::fast::RandomState>;

struct Inner {
    users: FastMap<i32, CachedUser>,
    companies: FastMap<Uuid, CachedCompany>,
    interner: Interner,
    existence: Existence,
}

impl Inner {
    fn forget_users(&mut self) {
        self.users.clear();
        self.interner.index.clear();
    }
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

/// Milliseconds since the Unix epoch.
pub fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

pub struct CheckCache {
    inner: Mutex<Inner>,
    keys: KeyCache,
    generation: AtomicU64,
    /// False while changes made elsewhere might go unseen (the change feed is not listening).
    trusted: AtomicBool,
    /// Trusted → distrusted transitions, for the metrics.
    distrusts: AtomicU64,
    /// Up to when the change feed is known to have delivered every committed change, in milliseconds
    /// since the Unix epoch (the send time of the last heartbeat heard); 0 before it first has. Kept here
    /// because the feed's tasks already share the cache, and the metrics read it from here.
    feed_last_heard: AtomicU64,
    /// With a change feed: the longest silence (ms) after which nothing is answered from memory; 0 when
    /// there is no feed to hear (SQLite, the only writer).
    feed_bound_ms: AtomicU64,
    /// The latest revision whose changes this instance has applied, in commit order: its own commits on
    /// SQLite, what the change feed has delivered on PostgreSQL.
    revision_seen: AtomicI64,
    /// Times the cache was emptied and trusted again ([`Self::trust_afresh`]).
    fresh_starts: AtomicU64,
    revision_moved: tokio::sync::Notify,
    settings: CacheSettings,
    epoch: Instant,
}

/// Distinct granted companies the cache may index, at the least (about 40 bytes each); past the bound
/// cached users are dropped and indexing starts over.
const MIN_INTERNER_BOUND: usize = 1 << 16;
/// At most, whatever the capacity: the top bit of an index is [`HAS_TERMS`].
const MAX_INTERNER_BOUND: usize = HAS_TERMS as usize - 1;
impl CheckCache {
    pub fn new(settings: CacheSettings, trusted: bool) -> Self {
        Self {
            keys: KeyCache::default(),
            inner: Mutex::new(Inner {
                users: FastMap::default(),
                companies: FastMap::default(),
                interner: Interner::default(),
                existence: Existence::default(),
            }),
            generation: AtomicU64::new(0),
            trusted: AtomicBool::new(trusted),
            distrusts: AtomicU64::new(0),
            feed_last_heard: AtomicU64::new(0),
            feed_bound_ms: AtomicU64::new(0),
            revision_seen: AtomicI64::new(0),
            fresh_starts: AtomicU64::new(0),
            revision_moved: tokio::sync::Notify::new(),
            settings,
            epoch: Instant::now(),
        }
    }

    fn enabled(&self) -> bool {
        self.settings.capacity > 0 && self.is_trusted()
    }

    /// Whether answers may come from memory: trusted, and (with a change feed) heard from within the bound.
    /// The bound is tested here, on every answer, so no timer's delay can stretch it.
    pub fn is_trusted(&self) -> bool {
        if !self.trusted.load(Ordering::Acquire) {
            return false;
        }
        self.is_current(now_millis())
    }

    /// Whether, at `unix_millis`, the change feed (if any) is known to have delivered every change
    /// committed up to the staleness bound before.
    pub fn is_current(&self, unix_millis: u64) -> bool {
        let bound = self.feed_bound_ms.load(Ordering::Relaxed);
        bound == 0 || unix_millis.saturating_sub(self.feed_last_heard()) <= bound
    }

    /// Every change up to `revision` has been applied here.
    pub fn saw_revision(&self, revision: i64) {
        if self.revision_seen.fetch_max(revision, Ordering::AcqRel) < revision {
            self.revision_moved.notify_waiters();
        }
    }

    /// The latest revision applied here: an answer given now reflects at least this one.
    pub fn revision(&self) -> i64 {
        self.revision_seen.load(Ordering::Acquire)
    }

    /// Waits until `revision` has been applied here, at most `patience`; whether it was.
    pub async fn wait_for_revision(&self, revision: i64, patience: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            let moved = self.revision_moved.notified();
            tokio::pin!(moved);
            // Registered before the test, so a change between the two is not missed.
            moved.as_mut().enable();
            if self.revision() >= revision {
                return true;
            }
            if tokio::time::timeout_at(deadline, moved).await.is_err() {
                return self.revision() >= revision;
            }
        }
    }

    /// With a change feed, the staleness bound it must keep.
    pub fn feed_bound(&self) -> Option<Duration> {
        match self.feed_bound_ms.load(Ordering::Relaxed) {
            0 => None,
            ms => Some(Duration::from_millis(ms)),
        }
    }

    /// The trusted flag alone, without the freshness test (for the watchdog that clears it).
    pub fn is_trusted_flag(&self) -> bool {
        self.trusted.load(Ordering::Acquire)
    }

    /// From now on nothing is answered from memory once the feed has been silent for longer than `bound`.
    pub fn require_feed_within(&self, bound: Duration) {
        self.feed_bound_ms
            .store((bound.as_millis() as u64).max(1), Ordering::Relaxed);
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

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn ttl_ms(&self) -> u64 {
        self.settings.ttl.as_millis() as u64
    }

    /// The cached facts for one pair, when both are known.
    pub fn lookup(&self, user: i32, company: &Uuid) -> Option<Facts> {
        if !self.enabled() {
            return None;
        }
        let (now, ttl) = (self.now(), self.ttl_ms());
        let mut guard = self.lock();
        Self::lookup_in(&mut guard, user, company, now, ttl)
    }

    fn lookup_in(
        inner: &mut Inner,
        user: i32,
        company: &Uuid,
        now: u64,
        ttl: u64,
    ) -> Option<Facts> {
        let cached = match inner.users.get_mut(&user) {
            Some(cached) if cached.stamp.is_fresh(now, ttl) => {
                cached.stamp.mark_read();
                cached
            }
            // A user that exists nowhere decides the answer whatever the company.
            _ if inner.existence.user_absent(user, now, ttl) => {
                return Some(Facts {
                    user: None,
                    company_exists: false,
                    grants: Reaching::new(),
                });
            }
            _ => return None,
        };
        let ancestors: &[Uuid] = match inner.companies.get_mut(company) {
            Some(cached) if cached.stamp.is_fresh(now, ttl) => {
                cached.stamp.mark_read();
                &cached.ancestors
            }
            _ if inner.existence.company_absent(company, now, ttl) => {
                return Some(Facts {
                    user: Some(cached.flags),
                    company_exists: false,
                    grants: Reaching::new(),
                });
            }
            _ => return None,
        };
        // A company never interned is in no cached user's grants.
        let index = &inner.interner.index;
        let ancestors = if cached.reaches_branches {
            ancestors
        } else {
            &[]
        };
        let grants = reaching(*company, ancestors, |of| {
            index.get(of).and_then(|at| cached.grant(*at))
        });
        Some(Facts {
            user: Some(cached.flags),
            company_exists: true,
            grants,
        })
    }

    /// The cached facts for many pairs, in order, under one lock; `None` where the cache cannot tell.
    pub fn lookup_many(
        &self,
        pairs: impl ExactSizeIterator<Item = (i32, Uuid)>,
    ) -> Vec<Option<Facts>> {
        if !self.enabled() {
            return vec![None; pairs.len()];
        }
        let (now, ttl) = (self.now(), self.ttl_ms());
        let mut guard = self.lock();
        pairs
            .map(|(user, company)| Self::lookup_in(&mut guard, user, &company, now, ttl))
            .collect()
    }

    /// Stores what was read from the database at `generation`, unless something changed meanwhile;
    /// says whether it did.
    pub fn store(
        &self,
        generation: u64,
        users: Vec<(i32, UserFacts)>,
        companies: Vec<(Uuid, CompanyFacts)>,
    ) -> bool {
        if !self.enabled() {
            return false;
        }
        let now = self.now();
        let capacity = self.settings.capacity;
        let mut guard = self.lock();
        // Checked under the lock that `apply` also takes, so no invalidation can slip in between.
        if self.generation.load(Ordering::Acquire) != generation {
            return false;
        }
        let inner = &mut *guard;
        let interner_bound = capacity.clamp(MIN_INTERNER_BOUND, MAX_INTERNER_BOUND);
        for (id, facts) in users {
            let Some(flags) = facts.flags else {
                inner.users.remove(&id);
                inner.existence.user_missing(id, now);
                continue;
            };
            let new = facts
                .grants
                .iter()
                .filter(|(company, _)| !inner.interner.index.contains_key(company))
                .count();
            if new > interner_bound {
                // More companies than the bound in one user: not cached, answered from the database.
                inner.users.remove(&id);
                continue;
            }
            if inner.interner.index.len() + new > interner_bound {
                // Indexes cannot be taken back one by one; start over when companies outgrow the bound.
                inner.forget_users();
            }
            make_room(&mut inner.users, &id, capacity);
            let mut grants: SmallVec<[u32; INLINE_GRANTS]> = facts
                .grants
                .iter()
                .map(|(company, terms)| {
                    let index = inner.interner.intern(*company);
                    if terms.is_plain() {
                        index
                    } else {
                        index | HAS_TERMS
                    }
                })
                .collect();
            grants.sort_unstable_by_key(|grant| grant & !HAS_TERMS);
            let mut terms: Box<[(u32, Terms)]> = facts
                .grants
                .iter()
                .filter(|(_, terms)| !terms.is_plain())
                .map(|(company, terms)| (inner.interner.intern(*company), *terms))
                .collect();
            terms.sort_unstable_by_key(|(index, _)| *index);
            let reaches_branches = terms.iter().any(|(_, terms)| terms.include_branches);
            inner.users.insert(
                id,
                CachedUser {
                    grants,
                    terms,
                    stamp: Stamp::new(now),
                    flags,
                    reaches_branches,
                },
            );
        }
        for (id, facts) in companies {
            match facts {
                Some(ancestors) => {
                    make_room(&mut inner.companies, &id, capacity);
                    let cached = CachedCompany {
                        stamp: Stamp::new(now),
                        ancestors: ancestors.into_boxed_slice(),
                    };
                    inner.companies.insert(id, cached);
                }
                None => {
                    inner.companies.remove(&id);
                    inner.existence.company_missing(id, now);
                }
            }
        }
        true
    }

    /// Whether the whole set of ids should be read now (see [`Self::begin_known_ids`]).
    pub fn known_ids_due(&self) -> bool {
        self.enabled() && self.lock().existence.due(self.now(), self.ttl_ms())
    }

    /// A read of every user and company id is about to start; false when the cache is off.
    pub fn begin_known_ids(&self) -> bool {
        if !self.enabled() {
            return false;
        }
        let now = self.now();
        self.lock().existence.begin_load(now);
        true
    }

    /// The read of every id landed; whether the ids are now held (a change to everything meanwhile, or
    /// a distrusted cache, refuses them).
    pub fn finish_known_ids(&self, users: Vec<i32>, companies: Vec<Uuid>) -> bool {
        let now = self.now();
        let trusted = self.enabled();
        let mut inner = self.lock();
        if !trusted {
            inner.existence.abandon_load();
            return false;
        }
        inner.existence.finish_load(users, companies, now)
    }

    /// The read found more ids than the cache holds: missing ids are remembered one by one instead.
    pub fn known_ids_too_many(&self) {
        self.lock().existence.too_many();
    }

    /// The read failed: it is tried again at the next chance.
    pub fn known_ids_failed(&self) {
        self.lock().existence.abandon_load();
    }

    /// (ids held as the known set, single ids remembered missing).
    pub fn existence_sizes(&self) -> (usize, usize) {
        self.lock().existence.sizes()
    }

    pub fn key(&self, hash: &[u8; 32]) -> Option<Caller> {
        if !self.enabled() {
            return None;
        }
        self.keys.get(hash, self.now(), self.ttl_ms())
    }

    pub fn store_key(&self, generation: u64, hash: [u8; 32], caller: Caller) {
        if !self.enabled() {
            return;
        }
        self.keys.put(hash, caller, self.now(), || {
            self.generation.load(Ordering::Acquire) == generation
        });
    }

    /// Drops expired entries and names those to load again ahead of their expiry (see [`sweep`]). Keys
    /// are not refreshed: a request with a key that has expired verifies it again.
    pub fn due_for_refresh(&self) -> (Vec<i32>, Vec<Uuid>) {
        if !self.enabled() {
            return (Vec::new(), Vec::new());
        }
        let (now, ttl) = (self.now(), self.ttl_ms());
        let mut inner = self.lock();
        let users = sweep(
            &mut inner.users,
            now,
            ttl,
            |cached| &cached.stamp,
            |id| *id as u64,
        );
        let companies = sweep(
            &mut inner.companies,
            now,
            ttl,
            |cached| &cached.stamp,
            |id| id.as_u64_pair().0,
        );
        inner.existence.expire(now, ttl);
        self.keys.expire(now, ttl);
        if inner.users.is_empty() {
            inner.interner.index.clear();
        }
        (users, companies)
    }

    /// The most users (and companies) held.
    pub fn capacity(&self) -> usize {
        self.settings.capacity
    }

    /// How often [`Self::due_for_refresh`] should be asked: often enough that the refresh work comes in
    /// small pieces and a failed refresh gets several more chances before the entry expires.
    pub fn refresh_every(&self) -> Option<Duration> {
        let ttl = self.settings.ttl;
        (self.settings.capacity > 0 && !ttl.is_zero())
            .then(|| (ttl / 60).clamp(Duration::from_millis(50), Duration::from_secs(5)))
    }

    /// Forgets what a committed change touched.
    pub fn apply(&self, changes: &Changes) {
        if changes.is_empty() {
            return;
        }
        let mut inner = self.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        inner.existence.touched(changes);
        if changes.everything {
            inner.forget_users();
            inner.companies.clear();
        }
        for user in &changes.users {
            inner.users.remove(user);
        }
        for company in &changes.companies {
            inner.companies.remove(company);
        }
        if changes.keys || changes.everything {
            // After the generation moved on: a key load racing this either sees the new generation or
            // is cleared here.
            self.keys.clear();
        }
    }

    /// Stops serving from memory (the change feed is down) and forgets everything.
    pub fn distrust(&self) {
        self.suspend();
        self.forget_everything();
    }

    /// Serves from memory again, starting empty: notifications may have been missed while untrusted.
    pub fn trust_afresh(&self) {
        self.forget_everything();
        self.fresh_starts.fetch_add(1, Ordering::AcqRel);
        self.trusted.store(true, Ordering::Release);
    }

    fn forget_everything(&self) {
        self.apply(&Changes {
            everything: true,
            keys: true,
            ..Changes::default()
        });
    }

    /// Stops serving from memory but keeps what it holds: the change feed's connection is up, only
    /// silent past the bound. Whatever it delivers meanwhile is still applied, in order, so the entries
    /// stay exact up to the last change heard, and [`Self::resume`] may serve them again.
    pub fn suspend(&self) {
        if self.trusted.swap(false, Ordering::AcqRel) {
            self.distrusts.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Serves from memory again after [`Self::suspend`], with what it holds. Only for a connection that
    /// stayed up: one that was lost may have missed changes, and starts afresh instead.
    pub fn resume(&self) {
        self.trusted.store(true, Ordering::Release);
    }

    /// Times the cache started afresh (emptied and trusted again); the refresher warms it again each time.
    pub fn fresh_starts(&self) -> u64 {
        self.fresh_starts.load(Ordering::Acquire)
    }

    /// How many times the cache went from trusted to distrusted.
    pub fn distrust_count(&self) -> u64 {
        self.distrusts.load(Ordering::Relaxed)
    }

    /// The change feed is known to have delivered every change committed before `unix_millis`.
    pub fn feed_heard(&self, unix_millis: u64) {
        self.feed_last_heard
            .fetch_max(unix_millis, Ordering::AcqRel);
    }

    /// Up to when the change feed is known to have delivered every committed change (milliseconds since
    /// the Unix epoch; 0: never).
    pub fn feed_last_heard(&self) -> u64 {
        self.feed_last_heard.load(Ordering::Acquire)
    }

    /// Entries held (users, companies), for tests and the metrics.
    pub fn len(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.users.len(), inner.companies.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == (0, 0)
    }
}

#[cfg(test)]
mod tests;
