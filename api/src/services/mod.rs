//! Domain services: every rule of the product lives here, once. Reads take a connection; writes open a
//! unit of work (`db::store::UnitOfWork`), which commits the change, its audit rows and the cache
//! invalidation together.

pub mod access;
pub mod audit;
pub mod changes;
pub mod check;
pub mod companies;
pub mod delegation;
pub mod demo;
pub mod keys;
pub mod metrics;
pub mod stats;
pub mod users;

/// Keeps the first occurrence of each id, in the caller's order.
pub(crate) fn dedup_in_order<T: Copy + Eq + std::hash::Hash>(ids: &[T]) -> Vec<T> {
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_keeps_first_order() {
        assert_eq!(dedup_in_order(&[3, 1, 3, 2, 1]), vec![3, 1, 2]);
    }
}
