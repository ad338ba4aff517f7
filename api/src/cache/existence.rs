//! Which ids exist, so that a check naming a user or company that exists nowhere is answered from memory
//! instead of costing a database round trip each time (a flood of made-up ids must not reach the
//! database, nor push real entries out of the cache).
//!
//! Two sources, both safe in one direction only: an id is called absent only when that is known.
//! - The known ids: every user and company id, loaded whole when they fit in the cache's bound. Kept a
//!   superset of what exists: every id a change names is added (a created user arrives that way, locally
//!   or through the feed), none is taken out. Loaded again before its TTL ends.
//! - Past the bound, single ids a check found missing, in small maps of their own with the TTL, so that
//!   they never evict a real entry.

use super::expiry::{REFRESH_FROM, Stamp, make_room};
use super::{FastMap, FastSet};
use crate::changes::Changes;
use uuid::Uuid;

/// Most ids remembered as missing, of each kind, when the known ids are not held.
const ABSENT_BOUND: usize = 10_000;

#[derive(Default)]
struct KnownIds {
    users: FastSet<i32>,
    companies: FastSet<Uuid>,
}

#[derive(Default)]
pub(super) struct Existence {
    /// Every id that exists (and perhaps some that no longer do), with when it was loaded.
    known: Option<(KnownIds, u64)>,
    /// Ids changes named while the known ids were being read, added to them when the read lands.
    loading: Option<KnownIds>,
    /// When the known ids were last asked for; `None` when they should be at the next chance.
    attempted: Option<u64>,
    absent_users: FastMap<i32, Stamp>,
    absent_companies: FastMap<Uuid, Stamp>,
}

impl Existence {
    fn known(&self, now: u64, ttl: u64) -> Option<&KnownIds> {
        self.known
            .as_ref()
            .filter(|(_, loaded)| now.saturating_sub(*loaded) < ttl)
            .map(|(ids, _)| ids)
    }

    /// Whether `user` is known to exist nowhere.
    pub fn user_absent(&mut self, user: i32, now: u64, ttl: u64) -> bool {
        match self.known(now, ttl) {
            Some(known) => !known.users.contains(&user),
            None => self
                .absent_users
                .get_mut(&user)
                .is_some_and(|stamp| stamp.read(now, ttl).is_some()),
        }
    }

    /// Whether `company` is known to exist nowhere.
    pub fn company_absent(&mut self, company: &Uuid, now: u64, ttl: u64) -> bool {
        match self.known(now, ttl) {
            Some(known) => !known.companies.contains(company),
            None => self
                .absent_companies
                .get_mut(company)
                .is_some_and(|stamp| stamp.read(now, ttl).is_some()),
        }
    }

    /// A read found `user` missing (the caller has made sure no change raced the read).
    pub fn user_missing(&mut self, user: i32, now: u64) {
        make_room(&mut self.absent_users, &user, ABSENT_BOUND);
        self.absent_users.insert(user, Stamp::new(now));
    }

    /// A read found `company` missing (the caller has made sure no change raced the read).
    pub fn company_missing(&mut self, company: Uuid, now: u64) {
        make_room(&mut self.absent_companies, &company, ABSENT_BOUND);
        self.absent_companies.insert(company, Stamp::new(now));
    }

    /// A committed change named these ids: they may exist now.
    pub fn touched(&mut self, changes: &Changes) {
        if changes.everything {
            self.forget();
            return;
        }
        for user in &changes.users {
            self.absent_users.remove(user);
        }
        for company in &changes.companies {
            self.absent_companies.remove(company);
        }
        for ids in [
            self.known.as_mut().map(|(ids, _)| ids),
            self.loading.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            ids.users.extend(changes.users.iter().copied());
            ids.companies.extend(changes.companies.iter().copied());
        }
    }

    /// Anything may have changed: nothing is known absent until read again.
    pub fn forget(&mut self) {
        *self = Self::default();
    }

    /// Whether the known ids should be read (again) now: never read, forgotten, or near their TTL.
    pub fn due(&self, now: u64, ttl: u64) -> bool {
        self.attempted
            .is_none_or(|at| now.saturating_sub(at) as f64 >= ttl as f64 * REFRESH_FROM)
    }

    /// A read of every id starts: from now on the ids changes name are kept for it.
    pub fn begin_load(&mut self, now: u64) {
        self.attempted = Some(now);
        self.loading = Some(KnownIds::default());
    }

    /// The read failed; try again at the next chance.
    pub fn abandon_load(&mut self) {
        self.loading = None;
        self.attempted = None;
    }

    /// The read found more ids than the bound: held neither now nor until the next attempt is due.
    pub fn too_many(&mut self) {
        self.loading = None;
        self.known = None;
    }

    /// The read landed: these ids, plus those changes named since it began, are every id that exists.
    /// Refused (false) when everything was forgotten meanwhile.
    pub fn finish_load(&mut self, users: Vec<i32>, companies: Vec<Uuid>, now: u64) -> bool {
        let Some(mut ids) = self.loading.take() else {
            return false;
        };
        ids.users.extend(users);
        ids.companies.extend(companies);
        self.known = Some((ids, now));
        // Single missing ids are no longer needed while the whole set is held.
        self.absent_users.clear();
        self.absent_companies.clear();
        true
    }

    /// Drops what has expired.
    pub fn expire(&mut self, now: u64, ttl: u64) {
        if self.known(now, ttl).is_none() {
            self.known = None;
        }
        self.absent_users
            .retain(|_, stamp| stamp.is_fresh(now, ttl));
        self.absent_companies
            .retain(|_, stamp| stamp.is_fresh(now, ttl));
    }

    /// (known ids held, single ids remembered missing), for the metrics and tests.
    pub fn sizes(&self) -> (usize, usize) {
        let known = self
            .known
            .as_ref()
            .map_or(0, |(ids, _)| ids.users.len() + ids.companies.len());
        (known, self.absent_users.len() + self.absent_companies.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: u64 = 60_000;

    #[test]
    fn known_ids_say_absent_only_for_ids_no_change_has_named() {
        let mut existence = Existence::default();
        let company = Uuid::new_v4();
        assert!(!existence.user_absent(5, 0, TTL), "nothing known yet");
        existence.begin_load(0);
        existence.touched(&Changes::user(7));
        assert!(existence.finish_load(vec![1, 2], vec![company], 0));
        assert!(existence.user_absent(5, 1, TTL));
        assert!(!existence.user_absent(1, 1, TTL));
        assert!(!existence.user_absent(7, 1, TTL), "named while loading");
        assert!(existence.company_absent(&Uuid::new_v4(), 1, TTL));
        assert!(!existence.company_absent(&company, 1, TTL));
        existence.touched(&Changes::user(5));
        assert!(!existence.user_absent(5, 1, TTL), "created after the load");
        assert!(!existence.user_absent(9, TTL, TTL), "expired");
    }

    #[test]
    fn forgetting_everything_during_a_load_refuses_it() {
        let mut existence = Existence::default();
        existence.begin_load(0);
        existence.touched(&Changes::everything());
        assert!(!existence.finish_load(vec![1], vec![], 0));
        assert!(!existence.user_absent(2, 0, TTL));
        assert!(existence.due(0, TTL));
    }

    #[test]
    fn single_missing_ids_are_bounded_and_dropped_when_named() {
        let mut existence = Existence::default();
        for user in 0..(ABSENT_BOUND as i32 * 2) {
            existence.user_missing(user, 0);
        }
        assert!(existence.sizes().1 <= ABSENT_BOUND);
        existence.user_missing(-1, 0);
        assert!(existence.user_absent(-1, 0, TTL));
        existence.touched(&Changes::user(-1));
        assert!(!existence.user_absent(-1, 0, TTL));
        existence.company_missing(Uuid::nil(), 0);
        assert!(existence.company_absent(&Uuid::nil(), 0, TTL));
        existence.expire(TTL, TTL);
        assert!(!existence.company_absent(&Uuid::nil(), TTL, TTL));
    }

    #[test]
    fn loads_fall_due_before_the_ttl_and_again_after_a_failure() {
        let mut existence = Existence::default();
        assert!(existence.due(0, TTL));
        existence.begin_load(0);
        assert!(!existence.due(1, TTL));
        assert!(existence.due((TTL as f64 * REFRESH_FROM) as u64, TTL));
        existence.abandon_load();
        assert!(existence.due(1, TTL));
    }
}
