//! The database connection together with the check cache it keeps exact.

use crate::cache::{CHANNEL, Changes, CheckCache};
use crate::db;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, Statement,
};
use std::sync::Arc;

#[derive(Clone)]
pub struct Store {
    pub db: DatabaseConnection,
    pub cache: Arc<CheckCache>,
}

impl Store {
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        db::begin_write(&self.db).await
    }

    /// Commits a write and makes every cache that could have seen the old state forget it: other instances
    /// through one NOTIFY sent inside the transaction (so it is delivered only if the commit is), this one
    /// directly once the commit is durable.
    pub async fn commit(&self, txn: DatabaseTransaction, changes: Changes) -> Result<(), DbErr> {
        if !changes.is_empty() && txn.get_database_backend() == DatabaseBackend::Postgres {
            txn.execute_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), changes.to_payload().into()],
            ))
            .await?;
        }
        txn.commit().await?;
        self.cache.apply(&changes);
        Ok(())
    }
}
