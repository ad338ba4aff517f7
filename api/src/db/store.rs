//! The database connection together with the check cache it keeps exact, and the unit of work every
//! change goes through: one transaction, its audit rows and the cache changes it causes, committed
//! together so that no service can forget either.

use crate::cache::CheckCache;
use crate::caller::Actor;
use crate::changes::{CHANNEL, Changes};
use crate::db::audit::{self, Change};
use crate::error::AppError;
use crate::metrics::Metrics;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, Statement,
};
use std::sync::Arc;

#[derive(Clone)]
pub struct Store {
    pub db: DatabaseConnection,
    pub cache: Arc<CheckCache>,
    /// The service's counters; the unit of work counts its audit rows, checks their decisions.
    pub metrics: Arc<Metrics>,
}

impl Store {
    /// Opens a write transaction acting for `actor`, whom the audit trail records.
    pub async fn begin<'a>(&'a self, actor: Actor<'a>) -> Result<UnitOfWork<'a>, AppError> {
        Ok(UnitOfWork {
            store: self,
            txn: super::begin_write(&self.db).await?,
            actor,
            audit: Vec::new(),
            changes: Changes::default(),
        })
    }
}

/// A change in progress. Dropped without [`UnitOfWork::commit`], it rolls back and leaves no trace.
pub struct UnitOfWork<'a> {
    store: &'a Store,
    txn: DatabaseTransaction,
    actor: Actor<'a>,
    audit: Vec<Change>,
    changes: Changes,
}

impl<'a> UnitOfWork<'a> {
    /// The transaction, for the statements of the change.
    pub fn db(&self) -> &DatabaseTransaction {
        &self.txn
    }

    pub fn actor(&self) -> Actor<'a> {
        self.actor
    }

    /// Records what happened, for the audit trail.
    pub fn record(&mut self, change: Change) {
        self.audit.push(change);
    }

    /// Names what the change touched, for every cache that could hold the old state.
    pub fn touch(&mut self, changes: Changes) {
        self.changes.merge(changes);
    }

    /// Writes the audit rows and commits; then makes every cache that could have seen the old state
    /// forget it: other instances through one NOTIFY sent inside the transaction (so it is delivered only
    /// if the commit is), this one directly once the commit is durable.
    pub async fn commit(self) -> Result<(), AppError> {
        let audit_rows = self.audit.len() as u64;
        audit::insert(&self.txn, self.actor, self.audit).await?;
        if !self.changes.is_empty() && self.txn.get_database_backend() == DatabaseBackend::Postgres
        {
            self.txn
                .execute_raw(Statement::from_sql_and_values(
                    DatabaseBackend::Postgres,
                    "SELECT pg_notify($1, $2)",
                    [CHANNEL.into(), self.changes.to_payload().into()],
                ))
                .await?;
        }
        self.txn.commit().await?;
        self.store.metrics.audit_rows_written(audit_rows);
        self.store.cache.apply(&self.changes);
        Ok(())
    }
}
