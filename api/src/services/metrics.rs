//! The metrics scrape: the counters kept as the service runs, with the figures read now from the cache,
//! the change feed and the database pool.

use crate::cache::now_millis;
use crate::db::store::Store;
use crate::metrics::{Gauges, PoolGauges};
use sea_orm::DatabaseBackend;

fn pool_gauges(size: u32, idle: usize, max: u32) -> PoolGauges {
    let idle = idle as u64;
    PoolGauges {
        // The pool counts idle connections apart from its size; they can disagree for a moment.
        in_use: u64::from(size).saturating_sub(idle),
        idle,
        max: u64::from(max),
    }
}

/// The text exposition of every metric.
pub fn exposition(store: &Store) -> String {
    let cache = &store.cache;
    let (cache_users, cache_companies) = cache.len();
    let (cache_known_ids, cache_absent_ids) = cache.existence_sizes();
    let postgres = store.db.get_database_backend() == DatabaseBackend::Postgres;
    let (change_feed_up, change_feed_lag_seconds) = if postgres {
        let heard = cache.feed_last_heard();
        let lag = if heard == 0 {
            // Never heard: as old as time, rather than a reassuring zero.
            f64::INFINITY
        } else {
            now_millis().saturating_sub(heard) as f64 / 1000.0
        };
        (cache.is_trusted(), lag)
    } else {
        // SQLite serves a single instance: no other writer, nothing to hear.
        (true, 0.0)
    };
    let pool = match store.db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = store.db.get_postgres_connection_pool();
            Some(pool_gauges(
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            ))
        }
        DatabaseBackend::Sqlite => {
            let pool = store.db.get_sqlite_connection_pool();
            Some(pool_gauges(
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            ))
        }
        _ => None,
    };
    store.metrics.render(&Gauges {
        cache_users,
        cache_companies,
        cache_known_ids,
        cache_absent_ids,
        cache_distrusts: cache.distrust_count(),
        change_feed_up,
        change_feed_lag_seconds,
        pool,
    })
}
