//! The change feed between instances sharing one PostgreSQL database: LISTEN for the NOTIFY each write
//! transaction sends, and forget what it names. While the feed is not known to be current the cache is
//! not trusted, so every check goes to the database.
//!
//! What proves the feed current is a heartbeat each instance sends itself on a channel of its own,
//! carrying the time it was sent. PostgreSQL delivers a listener's notifications in the order they were
//! queued, whatever their channel, so once a heartbeat sent at T is heard every change committed before T
//! has been heard (and applied) too: the cache is exact up to T. A heartbeat delivered late (a connection
//! that stalled) therefore proves only the time it was sent, never the time it arrived.

use crate::background::Background;
use crate::cache::{CheckCache, now_millis};
use crate::changes::{CHANNEL, Changes, payload_revision};
use sea_orm::sqlx::PgPool;
use sea_orm::sqlx::postgres::{PgListener, PgPoolOptions};
use std::sync::Arc;
use std::time::Duration;

/// The heartbeat payload of instances before heartbeats had channels of their own; heard on the shared
/// channel while such an instance still runs, and ignored.
const SHARED_HEARTBEAT: &str = "h";
/// Heartbeats per staleness bound: several proofs of life fit in each bound, so one late heartbeat does not
/// distrust the cache.
const HEARTBEATS_PER_BOUND: u32 = 4;

/// Starts the listener, its heartbeat and its watchdog beside the server, on a thread of their own: under
/// full load the server's main runtime can be busy for longer than the staleness bound, and a heartbeat
/// heard late stops every answer from memory until the next. They use a pool of their own (the listening connection
/// and the heartbeat's), never the request pool: a pool of one still serves requests, and a request pool
/// that is full or waiting cannot delay the proof of life.
pub fn spawn(
    background: &mut Background,
    pool: &PgPool,
    cache: Arc<CheckCache>,
    retry: Duration,
    max_staleness: Duration,
) -> std::io::Result<()> {
    let options = (*pool.connect_options()).clone();
    cache.require_feed_within(max_staleness);
    background.spawn_on_own_thread("change-feed", move || async move {
        let feed_pool = PgPoolOptions::new()
            .max_connections(2)
            .min_connections(0)
            .acquire_timeout(max_staleness)
            .connect_lazy_with(options);
        let heartbeats = heartbeat_channel();
        tokio::join!(
            listen(feed_pool.clone(), cache.clone(), retry, heartbeats.clone()),
            heartbeat(feed_pool, max_staleness, heartbeats),
            watchdog(cache, max_staleness),
        );
    })
}

/// This instance's heartbeat channel: no other instance listens to it.
fn heartbeat_channel() -> String {
    format!("{CHANNEL}_hb_{}", uuid::Uuid::new_v4().simple())
}

async fn listen(pool: PgPool, cache: Arc<CheckCache>, retry: Duration, heartbeats: String) {
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen_all([CHANNEL, heartbeats.as_str()]).await {
                Ok(()) => {
                    // Everything committed up to now is in the database, which a cache starting afresh
                    // reads; everything after arrives here.
                    let listening_since = now_millis();
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
                    cache.feed_heard(listening_since);
                    cache.trust_afresh();
                    tracing::info!("Change feed listening; checks are answered from the cache");
                    hear(&mut listener, &cache, &heartbeats).await;
                }
                Err(error) => tracing::warn!(%error, "Change feed cannot LISTEN"),
            },
            Err(error) => tracing::warn!(%error, "Change feed cannot connect"),
        }
        if cache.is_trusted_flag() {
            tracing::warn!("Change feed down; checks go to the database until it is back");
        }
        // Changes may have been committed unheard: nothing held can be served again.
        cache.distrust();
        tokio::time::sleep(retry).await;
    }
}

/// Applies notifications until the connection is lost.
async fn hear(listener: &mut PgListener, cache: &CheckCache, heartbeats: &str) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) if notification.channel() == heartbeats => {
                let Ok(sent_at) = notification.payload().parse::<u64>() else {
                    continue;
                };
                cache.feed_heard(sent_at);
                // The same connection all along: every change before the heartbeat was applied, so
                // what the cache holds is exact up to when it was sent.
                if !cache.is_trusted_flag() && cache.is_current(now_millis()) {
                    cache.resume();
                    tracing::info!("Change feed heard again; checks are answered from the cache");
                }
            }
            Ok(Some(notification)) => {
                let payload = notification.payload();
                if payload == SHARED_HEARTBEAT {
                    continue;
                }
                cache.apply(&Changes::from_payload(payload));
                // After applying: a reader who sees this revision sees its changes too.
                if let Some(revision) = payload_revision(payload) {
                    cache.saw_revision(revision);
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

/// Sends a heartbeat, stamped with the time it leaves, through the database several times per bound;
/// each waits at most one bound, so a database that has stopped answering delays the next one by no more
/// than that.
async fn heartbeat(pool: PgPool, max_staleness: Duration, heartbeats: String) {
    let every = max_staleness / HEARTBEATS_PER_BOUND;
    loop {
        tokio::time::sleep(every).await;
        let sent = sea_orm::sqlx::query("SELECT pg_notify($1, $2)")
            .bind(&heartbeats)
            .bind(now_millis().to_string())
            .execute(&pool);
        match tokio::time::timeout(max_staleness, sent).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::debug!(%error, "Change feed heartbeat not sent"),
            Err(_) => tracing::debug!("Change feed heartbeat timed out"),
        }
    }
}

/// A timer, not a query: once the bound passes without a current heartbeat, answers from memory stop
/// until one is heard. Checks also test the bound themselves on every answer from memory, so this only
/// makes the state visible (`/ready`, metrics). What the cache holds is kept: the connection may only be
/// slow (a loaded machine), and it goes on applying what it delivers; a lost connection empties it.
async fn watchdog(cache: Arc<CheckCache>, max_staleness: Duration) {
    let every = (max_staleness / 10).max(Duration::from_millis(10));
    loop {
        tokio::time::sleep(every).await;
        let now = now_millis();
        if cache.is_trusted_flag() && !cache.is_current(now) {
            tracing::warn!(
                silent_ms = now.saturating_sub(cache.feed_last_heard()),
                "Change feed silent; checks go to the database"
            );
            cache.suspend();
        }
    }
}
