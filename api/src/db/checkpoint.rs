//! SQLite's write-ahead log, copied into the database file in the background. By SQLite's default the
//! commit that takes the log past 1,000 pages also copies the whole log into the database and syncs it,
//! inside that request: half a second of a 100,000-line import's answer. The service's connections turn
//! that off (`wal_autocheckpoint = 0`, in [`super::connect`]) and this task checkpoints instead. A commit
//! is as durable either way: it is synced to the log before it is acknowledged.

use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::time::Duration;

/// How often the log is copied; a busy second's writes wait in the log at most this long.
pub const EVERY: Duration = Duration::from_secs(1);

/// Checkpoints the log every [`EVERY`] for as long as it runs.
pub async fn checkpoint_forever(db: DatabaseConnection) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        // PASSIVE waits for no reader and no writer: frames it cannot copy now, the next round copies.
        // Once every frame is copied, the next commit starts the log over, so it does not grow.
        if let Err(error) = db
            .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
            .await
        {
            tracing::debug!(%error, "the write-ahead log could not be checkpointed this round");
        }
    }
}
