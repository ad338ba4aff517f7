//! The database connection together with the check cache it keeps exact, and the unit of work every
//! change goes through: one transaction, its audit rows and the cache changes it causes, committed
//! together so that no service can forget either.

use crate::cache::CheckCache;
use crate::caller::Actor;
use crate::changes::{CHANNEL, Changes};
use crate::db::audit::{self, Change, ChangeSet};
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
            audit: ChangeSet::new(self.db.get_database_backend()),
            changes: Changes::default(),
        })
    }
}

/// A change in progress. Dropped without [`UnitOfWork::commit`], it rolls back and leaves no trace.
pub struct UnitOfWork<'a> {
    store: &'a Store,
    txn: DatabaseTransaction,
    actor: Actor<'a>,
    audit: ChangeSet,
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

    /// The audit rows so far, for a change that records many rows without a [`Change`] each.
    pub fn audit(&mut self) -> &mut ChangeSet {
        &mut self.audit
    }

    /// Names what the change touched, for every cache that could hold the old state.
    pub fn touch(&mut self, changes: Changes) {
        self.changes.merge(changes);
    }

    /// Writes the audit rows and commits; then makes every cache that could have seen the old state
    /// forget it: other instances through one NOTIFY sent inside the transaction (so it is delivered only
    /// if the commit is), this one directly once the commit is durable. A change takes the next revision
    /// as its last statement: the counter's row lock is held only through COMMIT, and orders revisions as
    /// commits are ordered. The request's answer carries that revision.
    pub async fn commit(self) -> Result<(), AppError> {
        if self.audit.is_empty() && self.changes.is_empty() {
            self.txn.commit().await?;
            return Ok(());
        }
        let audit_rows = self.audit.rows();
        let backend = self.txn.get_database_backend();
        let revision = next_revision(&self.txn).await?;
        audit::insert(&self.txn, self.actor, revision, self.audit).await?;
        if !self.changes.is_empty() && backend == DatabaseBackend::Postgres {
            self.txn
                .execute_raw(Statement::from_sql_and_values(
                    DatabaseBackend::Postgres,
                    "SELECT pg_notify($1, $2)",
                    [CHANNEL.into(), self.changes.to_payload_at(revision).into()],
                ))
                .await?;
        }
        self.txn.commit().await?;
        self.store.metrics.audit_rows_written(audit_rows);
        self.store.cache.apply(&self.changes);
        if backend != DatabaseBackend::Postgres {
            // The only writer: this commit is the latest revision there is.
            self.store.cache.saw_revision(revision);
        }
        crate::revision::answered_at(revision);
        Ok(())
    }
}

/// Advances the revision counter and returns the new value. Hand-written: `UPDATE … RETURNING`, which
/// both backends speak alike and SeaORM's builder does not return from.
async fn next_revision(db: &impl ConnectionTrait) -> Result<i64, AppError> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "UPDATE hrm_revision SET value = value + 1 WHERE id = 1 RETURNING value",
        ))
        .await?
        .ok_or_else(|| AppError::Internal("the revision counter is missing".into()))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// The latest committed revision, for an instance that starts or resubscribes.
pub async fn current_revision(db: &impl ConnectionTrait) -> Result<i64, AppError> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT value FROM hrm_revision WHERE id = 1",
        ))
        .await?
        .ok_or_else(|| AppError::Internal("the revision counter is missing".into()))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}
