//! The change feed between instances sharing one PostgreSQL database: LISTEN for the NOTIFY each write
//! transaction sends, and forget what it names. While the feed is not known to be live the cache is
//! distrusted, so every check goes to the database.

use crate::background::Background;
use crate::cache::CheckCache;
use crate::changes::{CHANNEL, Changes};
use sea_orm::sqlx::PgPool;
use sea_orm::sqlx::postgres::PgListener;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Payload of the heartbeat each instance sends itself, proof that its listening connection still hears.
const HEARTBEAT: &str = "h";
const HEARTBEAT_EVERY: Duration = Duration::from_secs(1);
/// Silence longer than this means the listening connection may be dead without having noticed.
const SILENCE_LIMIT: Duration = Duration::from_secs(3);

pub fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Starts the listener and its watchdog beside the server.
pub fn spawn(background: &mut Background, pool: PgPool, cache: Arc<CheckCache>, retry: Duration) {
    background.spawn(listen(pool.clone(), cache.clone(), retry));
    background.spawn(watchdog(pool, cache));
}

async fn listen(pool: PgPool, cache: Arc<CheckCache>, retry: Duration) {
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => {
                    cache.feed_heard(now_millis());
                    cache.trust_afresh();
                    tracing::info!("Change feed listening; checks are answered from the cache");
                    hear(&mut listener, &cache).await;
                }
                Err(error) => tracing::warn!(%error, "Change feed cannot LISTEN"),
            },
            Err(error) => tracing::warn!(%error, "Change feed cannot connect"),
        }
        if cache.is_trusted() {
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
                    if !cache.is_trusted() {
                        cache.trust_afresh();
                        tracing::info!("Change feed heard again; cache trusted afresh");
                    }
                } else {
                    cache.apply(&Changes::from_payload(notification.payload()));
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

/// Sends heartbeats and distrusts the cache when none has come back for a while.
async fn watchdog(pool: PgPool, cache: Arc<CheckCache>) {
    loop {
        tokio::time::sleep(HEARTBEAT_EVERY).await;
        let sent = sea_orm::sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(HEARTBEAT)
            .execute(&pool)
            .await;
        if let Err(error) = sent {
            tracing::debug!(%error, "Change feed heartbeat not sent");
        }
        let silent_for = now_millis().saturating_sub(cache.feed_last_heard());
        if cache.is_trusted() && silent_for > SILENCE_LIMIT.as_millis() as u64 {
            tracing::warn!(
                silent_ms = silent_for,
                "Change feed silent; checks go to the database"
            );
            cache.distrust();
        }
    }
}
