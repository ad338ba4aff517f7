//! The cache's background work: warm it whenever it starts afresh, and keep loading again what checks read.

use crate::cache::loading;
use crate::db::store::Store;
use std::time::Duration;

/// Fills the cache once it is trusted (at once on SQLite, when the change feed listens on PostgreSQL) and
/// again each time it starts afresh (the feed was lost and is back), and in between keeps loading again
/// the entries checks are reading. Without the warm-up after a lost feed, a busy instance would load its
/// users one check at a time, at the database's pace, for as long as it takes to meet each of them.
pub async fn warm_then_refresh_cache(store: Store, every: Duration) {
    let mut ticks = tokio::time::interval(every.min(Duration::from_millis(100)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut warmed_at = None;
    let mut last_refresh = tokio::time::Instant::now();
    loop {
        ticks.tick().await;
        if !store.cache.is_trusted() {
            continue;
        }
        let fresh_start = store.cache.fresh_starts();
        if warmed_at != Some(fresh_start) {
            warmed_at = Some(fresh_start);
            warm_cache(&store).await;
        } else if last_refresh.elapsed() >= every {
            last_refresh = tokio::time::Instant::now();
            refresh_cache(&store).await;
        }
    }
}

async fn warm_cache(store: &Store) {
    let started = std::time::Instant::now();
    match loading::warm_cache(store).await {
        Ok((users, companies)) => tracing::info!(
            users,
            companies,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "Check cache warmed"
        ),
        Err(error) => tracing::warn!(%error, "Check cache not warmed; checks load what they need"),
    }
}

/// Loads again the cache entries checks are reading before their TTL ends, so that a busy service
/// answers from memory all the time rather than reloading every user at once when the TTL runs out.
async fn refresh_cache(store: &Store) {
    match loading::refresh_cache(store).await {
        Ok(0) => {}
        Ok(refreshed) => tracing::debug!(refreshed, "Check cache entries loaded again"),
        Err(error) => tracing::warn!(
            %error,
            "Check cache refresh failed; its entries expire and checks read the database"
        ),
    }
}
