//! When cached entries expire, when they are due to be loaded again, and how a full map makes room.

use std::collections::HashMap;
use std::hash::BuildHasher;

/// A cached entry's bookkeeping: when it was loaded and whether a check has read it since.
pub(super) struct Stamp {
    /// Milliseconds since the cache was made.
    pub loaded: u64,
    pub read: bool,
}

impl Stamp {
    pub fn new(loaded: u64) -> Self {
        Self {
            loaded,
            read: false,
        }
    }

    pub fn is_fresh(&self, now: u64, ttl: u64) -> bool {
        now.saturating_sub(self.loaded) < ttl
    }

    /// Marks a fresh entry read; `None` when it has expired.
    pub fn read(&mut self, now: u64, ttl: u64) -> Option<()> {
        self.is_fresh(now, ttl).then(|| self.mark_read())
    }

    /// Writes only when the mark changes: an entry every check reads (a company, a key) then stays a
    /// shared line in each core's cache instead of moving between cores with every write.
    pub fn mark_read(&mut self) {
        if !self.read {
            self.read = true;
        }
    }
}

/// Entries read since their load are loaded again between these shares of the TTL, each at its own point
/// (a hash of its id), so that a busy entry never expires under the checks that use it and entries
/// loaded together (at start-up, say) are not all loaded again in one burst.
pub(super) const REFRESH_FROM: f64 = 0.7;
pub(super) const REFRESH_UNTIL: f64 = 0.9;

/// Where in the refresh window an entry falls, from 0 to 1.
pub(super) fn spread(hash: u64) -> f64 {
    // Fibonacci hashing: consecutive ids land far apart.
    (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 / (1u64 << 53) as f64
}

/// Drops the entries of `map` past the TTL and returns those read since their load and past their refresh
/// point: between [`REFRESH_FROM`] and [`REFRESH_UNTIL`] of the TTL, placed by a hash of the key.
pub(super) fn sweep<K: Copy + Eq + std::hash::Hash, V, S: BuildHasher>(
    map: &mut HashMap<K, V, S>,
    now: u64,
    ttl: u64,
    stamp: impl Fn(&V) -> &Stamp,
    hash: impl Fn(&K) -> u64,
) -> Vec<K> {
    let window = ttl as f64 * (REFRESH_UNTIL - REFRESH_FROM);
    let mut due = Vec::new();
    map.retain(|key, value| {
        let stamp = stamp(value);
        let age = now.saturating_sub(stamp.loaded);
        let refresh_after = (ttl as f64 * REFRESH_FROM + window * spread(hash(key))) as u64;
        if stamp.read && age >= refresh_after && age < ttl {
            due.push(*key);
        }
        age < ttl
    });
    due
}

/// Makes room for `key` if it is new and the map is full; replacing an entry needs none.
pub(super) fn make_room<K: Copy + Eq + std::hash::Hash, V, S: BuildHasher>(
    map: &mut HashMap<K, V, S>,
    key: &K,
    capacity: usize,
) {
    if map.len() >= capacity && !map.contains_key(key) {
        // Drop an arbitrary eighth: O(1) amortised, no bookkeeping per hit, and the bound holds.
        let victims: Vec<K> = map.keys().take(capacity / 8 + 1).copied().collect();
        for key in victims {
            map.remove(&key);
        }
    }
}
