//! Everything that speaks SQL: connecting, the store and its unit of work, the SQL builder, the shared
//! lookups, the grant statements, the loaders behind the check cache and the one mapping of constraint
//! violations to domain errors. Plain statements use SeaORM's entities and query builder. Hand-written SQL
//! stands only here, each for a reason:
//! - grant inserts, bulk add and populate: `INSERT … SELECT` with a random UUID per row, which each backend
//!   spells differently (`grants`, `bulk`);
//! - the cache's loaders: `array_agg … FILTER` into a binary `uuid[]` on PostgreSQL, `group_concat(hex(…))`
//!   on SQLite, one row per user, measured (`facts`);
//! - the access review: two index-driven branches in one `UNION ALL`, measured (`companies::members`);
//! - the statistics: the benchmark compares `GET /stats` with these very statements (`stats`);
//! - the revision counter: `UPDATE … RETURNING`, the same on both backends (`store`).

pub mod audit;
pub mod bulk;
pub mod checkpoint;
pub mod companies;
pub mod constraint;
pub mod expired;
pub mod facts;
pub mod grants;
pub mod hierarchy;
pub mod import;
pub mod lookups;
pub mod members;
pub mod sql;
pub mod stats;
pub mod store;
pub mod users;

use crate::error::AppError;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use std::time::Duration;

/// The request pool. `timeout` bounds the wait for a connection, so an unreachable database is a 503
/// within it rather than a hang.
pub async fn connect(
    url: &str,
    max_connections: u32,
    timeout: Duration,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(timeout)
        .connect_timeout(timeout)
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        options.map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .create_if_missing(true)
                // Cascades in hrm_user_company_access depend on this.
                .foreign_keys(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit that was acknowledged survives a power cut, not only a crash.
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                // Commits only append to the log; `checkpoint` copies it into the file in the background.
                .pragma("wal_autocheckpoint", "0")
        });
    }
    Database::connect(options).await
}

/// Starts a transaction that will write. On SQLite it takes the write lock at BEGIN, so two writers
/// queue on the busy timeout instead of one failing when it upgrades a read lock.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let sqlite_transaction_mode = (db.get_database_backend() == DatabaseBackend::Sqlite)
        .then_some(SqliteTransactionMode::Immediate);
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode,
        ..Default::default()
    })
    .await
}

/// A grant's stored role (`None` or empty: it follows the user's role).
pub fn stored_grant_role(
    text: Option<&str>,
) -> Result<Option<openapi::terms::GrantRole>, AppError> {
    text.filter(|role| !role.is_empty())
        .map(|role| stored("grant role", role.parse()))
        .transpose()
}

/// A value read back from the database that no longer parses is the server's fault, not the caller's.
pub fn stored<T, E: std::fmt::Display>(what: &str, parsed: Result<T, E>) -> Result<T, AppError> {
    parsed.map_err(|error| AppError::Internal(format!("stored {what} is invalid: {error}")))
}
