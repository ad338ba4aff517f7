//! The cache's background work: warm it once it is trusted, then keep loading again what checks read.

use crate::cache::loading;
use crate::db::store::Store;
use std::time::Duration;

/// Fills the cache once it is trusted (at once on SQLite, when the change feed listens on PostgreSQL),
/// then keeps loading again the entries checks are reading.
pub async fn warm_then_refresh_cache(store: Store, every: Duration) {
    while !store.cache.is_trusted() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let started = std::time::Instant::now();
    match loading::warm_cache(&store).await {
        Ok((users, companies)) => tracing::info!(
            users,
            companies,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "Check cache warmed"
        ),
        Err(error) => tracing::warn!(%error, "Check cache not warmed; checks load what they need"),
    }
    keep_cache_warm(store, every).await;
}

/// Loads again the cache entries checks are reading before their TTL ends, so that a busy service
/// answers from memory all the time rather than reloading every user at once when the TTL runs out.
async fn keep_cache_warm(store: Store, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match loading::refresh_cache(&store).await {
            Ok(0) => {}
            Ok(refreshed) => tracing::debug!(refreshed, "Check cache entries loaded again"),
            Err(error) => tracing::warn!(
                %error,
                "Check cache refresh failed; its entries expire and checks read the database"
            ),
        }
    }
}
