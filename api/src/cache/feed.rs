//! The change feed between instances sharing one PostgreSQL database: LISTEN for the NOTIFY each write
//! transaction sends, and forget what it names. While the feed is not known to be live the cache is
//! distrusted, so every check goes to the database.

use crate::background::Background;
use crate::cache::{CheckCache, now_millis};
use crate::changes::{CHANNEL, Changes, payload_revision};
use sea_orm::sqlx::PgPool;
use sea_orm::sqlx::postgres::{PgListener, PgPoolOptions};
use std::sync::Arc;
use std::time::Duration;

/// Payload of the heartbeat each instance sends itself, proof that its listening connection still hears.
const HEARTBEAT: &str = "h";
/// Heartbeats per staleness bound: several proofs of life fit in each bound, so one late heartbeat does not
/// distrust the cache.
const HEARTBEATS_PER_BOUND: u32 = 4;

/// Starts the listener, its heartbeat and its watchdog beside the server. They use a pool of their own
/// (the listening connection and the heartbeat's), never the request pool: a pool of one still serves
/// requests, and a request pool that is full or waiting cannot delay the proof of life.
pub fn spawn(
    background: &mut Background,
    pool: &PgPool,
    cache: Arc<CheckCache>,
    retry: Duration,
    max_staleness: Duration,
) {
    let feed_pool = PgPoolOptions::new()
        .max_connections(2)
        .min_connections(0)
        .acquire_timeout(max_staleness)
        .connect_lazy_with((*pool.connect_options()).clone());
    cache.require_feed_within(max_staleness);
    background.spawn(listen(feed_pool.clone(), cache.clone(), retry));
    background.spawn(heartbeat(feed_pool, max_staleness));
    background.spawn(watchdog(cache, max_staleness));
}

async fn listen(pool: PgPool, cache: Arc<CheckCache>, retry: Duration) {
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => {
                    // Everything committed up to now is in the database, which a cache starting afresh
                    // reads; everything after arrives here.
                    let revision = sea_orm::sqlx::query_scalar::<_, i64>(
                        "SELECT value FROM hrm_revision WHERE id = 1",
                    )
                    .fetch_one(&pool)
                    .await;
                    match revision {
                        Ok(revision) => cache.saw_revision(revision),
                        Err(error) => {
                            tracing::warn!(%error, "Change feed cannot read the revision")
                        }
                    }
                    cache.feed_heard(now_millis());
                    cache.trust_afresh();
                    tracing::info!("Change feed listening; checks are answered from the cache");
                    hear(&mut listener, &cache).await;
                }
                Err(error) => tracing::warn!(%error, "Change feed cannot LISTEN"),
            },
            Err(error) => tracing::warn!(%error, "Change feed cannot connect"),
        }
        if cache.is_trusted_flag() {
            tracing::warn!("Change feed down; checks go to the database until it is back");
        }
        cache.distrust();
        tokio::time::sleep(retry).await;
    }
}

/// Applies notifications until the connection is lost.
async fn hear(listener: &mut PgListener, cache: &CheckCache) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                cache.feed_heard(now_millis());
                if notification.payload() == HEARTBEAT {
                    // A connection that was only slow delivers everything in order; once it speaks
                    // again nothing was missed, but start clean anyway.
                    if !cache.is_trusted_flag() {
                        cache.trust_afresh();
                        tracing::info!("Change feed heard again; cache trusted afresh");
                    }
                } else {
                    let payload = notification.payload();
                    cache.apply(&Changes::from_payload(payload));
                    // After applying: a reader who sees this revision sees its changes too.
                    if let Some(revision) = payload_revision(payload) {
                        cache.saw_revision(revision);
                    }
                }
            }
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(%error, "Change feed connection failed");
                return;
            }
        }
    }
}

/// Sends a heartbeat through the database several times per bound; each waits at most one bound, so a
/// database that has stopped answering delays the next one by no more than that.
async fn heartbeat(pool: PgPool, max_staleness: Duration) {
    let every = max_staleness / HEARTBEATS_PER_BOUND;
    loop {
        tokio::time::sleep(every).await;
        let sent = sea_orm::sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(HEARTBEAT)
            .execute(&pool);
        match tokio::time::timeout(max_staleness, sent).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::debug!(%error, "Change feed heartbeat not sent"),
            Err(_) => tracing::debug!("Change feed heartbeat timed out"),
        }
    }
}

/// A timer, not a query: once the bound passes without a heartbeat heard, the cache is emptied and stays
/// distrusted until the feed hears again. Checks also test the bound themselves on every answer from
/// memory, so this only makes the state visible (`/ready`, metrics) and frees the memory.
async fn watchdog(cache: Arc<CheckCache>, max_staleness: Duration) {
    let every = (max_staleness / 10).max(Duration::from_millis(10));
    loop {
        tokio::time::sleep(every).await;
        let silent_for = now_millis().saturating_sub(cache.feed_last_heard());
        if cache.is_trusted_flag() && silent_for > max_staleness.as_millis() as u64 {
            tracing::warn!(
                silent_ms = silent_for,
                "Change feed silent; checks go to the database"
            );
            cache.distrust();
        }
    }
}
