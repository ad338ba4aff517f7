//! Verified API keys, by the hash of their secret. Unknown keys are never held: a flood of guesses must
//! not fill memory.

use crate::cache::expiry::{Stamp, make_room};
use crate::caller::Caller;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Most keys held; keys are few, this only bounds a flood of distinct valid keys.
const KEY_CAPACITY: usize = 10_000;

#[derive(Default)]
pub(super) struct KeyCache {
    keys: Mutex<HashMap<[u8; 32], (Caller, Stamp)>>,
}

impl KeyCache {
    fn lock(&self) -> MutexGuard<'_, HashMap<[u8; 32], (Caller, Stamp)>> {
        // A panic while holding the lock leaves only a cache behind; its contents stay valid.
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn get(&self, hash: &[u8; 32], now: u64, ttl: u64) -> Option<Caller> {
        let mut keys = self.lock();
        let (caller, stamp) = keys.get_mut(hash)?;
        stamp.read(now, ttl)?;
        Some(caller.clone())
    }

    /// Holds the key unless `still_current` says a change landed since it was read; asked under the
    /// lock that [`Self::clear`] takes, so no invalidation slips in between.
    pub fn put(&self, hash: [u8; 32], caller: Caller, now: u64, still_current: impl Fn() -> bool) {
        let mut keys = self.lock();
        if still_current() {
            make_room(&mut keys, &hash, KEY_CAPACITY);
            keys.insert(hash, (caller, Stamp::new(now)));
        }
    }

    /// Drops the keys past the TTL: a request with one verifies it again.
    pub fn expire(&self, now: u64, ttl: u64) {
        self.lock().retain(|_, (_, stamp)| stamp.is_fresh(now, ttl));
    }

    pub fn clear(&self) {
        self.lock().clear();
    }
}
