//! Connecting to SQLite or PostgreSQL, and the write transactions every change runs in.

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait, Value,
};
use std::time::Duration;

pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
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

/// Builds a statement from SQL written with `$1, $2, …` placeholders, valid on both backends.
pub fn statement(
    backend: DatabaseBackend,
    sql: impl Into<String>,
    values: impl IntoIterator<Item = Value>,
) -> Statement {
    Statement::from_sql_and_values(backend, sql, values)
}

/// SQL that makes a fresh random UUID per row, in the encoding sea-orm uses on each backend.
pub fn random_uuid_sql(backend: DatabaseBackend) -> &'static str {
    match backend {
        DatabaseBackend::Postgres => "gen_random_uuid()",
        // A version 4 UUID as the 16-byte blob sqlx stores on SQLite.
        _ => {
            "unhex(substr(hex(randomblob(16)), 1, 12) || '4' || substr(hex(randomblob(16)), 14, 3) \
              || '8' || substr(hex(randomblob(16)), 18, 15))"
        }
    }
}

/// Escapes `%`, `_` and `\` so a search text matches literally inside `LIKE '%…%' ESCAPE '\'`.
pub fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_pattern_matches_wildcards_literally() {
        assert_eq!(like_pattern("John_S%"), "%john\\_s\\%%");
    }
}
