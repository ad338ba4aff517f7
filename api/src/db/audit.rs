//! The audit rows a unit of work writes in its own transaction.

use crate::caller::Actor;
use chrono::Utc;
use entity::audit_log;
use openapi::audit::AuditAction;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ConnectionTrait, DbErr, EntityTrait,
};
use serde_json::Value as Json;
use uuid::Uuid;

/// One change to record, written in the same transaction as the change itself.
#[derive(Debug, Clone)]
pub struct Change {
    pub action: AuditAction,
    pub user_id: Option<i32>,
    pub company_id: Option<Uuid>,
    pub before: Option<Json>,
    pub after: Option<Json>,
}

impl Change {
    pub fn new(action: AuditAction) -> Self {
        Self {
            action,
            user_id: None,
            company_id: None,
            before: None,
            after: None,
        }
    }

    pub fn user(mut self, user_id: i32) -> Self {
        self.user_id = Some(user_id);
        self
    }

    pub fn company(mut self, company_id: Uuid) -> Self {
        self.company_id = Some(company_id);
        self
    }

    pub fn before(mut self, value: impl serde::Serialize) -> Self {
        self.before = serde_json::to_value(value).ok();
        self
    }

    pub fn after(mut self, value: impl serde::Serialize) -> Self {
        self.after = serde_json::to_value(value).ok();
        self
    }

    fn into_active_model(
        self,
        actor: Actor<'_>,
        at: chrono::DateTime<Utc>,
        revision: i64,
    ) -> audit_log::ActiveModel {
        audit_log::ActiveModel {
            id: NotSet,
            at: Set(at),
            actor: Set(actor.name.to_owned()),
            actor_key_id: Set(actor.key_id),
            actor_user_id: Set(actor.user_id),
            action: Set(self.action.as_str().to_owned()),
            user_id: Set(self.user_id),
            company_id: Set(self.company_id),
            before: Set(self.before),
            after: Set(self.after),
            revision: Set(Some(revision)),
        }
    }
}

/// Rows per INSERT, well inside SQLite's limit of 32,766 bound values (8 columns a row).
const AUDIT_ROWS_PER_INSERT: usize = 1_000;

/// Records the changes of one transaction, made by `actor`, with one multi-row INSERT per batch.
pub(super) async fn insert(
    db: &impl ConnectionTrait,
    actor: Actor<'_>,
    revision: i64,
    changes: Vec<Change>,
) -> Result<(), DbErr> {
    let at = Utc::now();
    let mut rows: Vec<audit_log::ActiveModel> = changes
        .into_iter()
        .map(|change| change.into_active_model(actor, at, revision))
        .collect();
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(AUDIT_ROWS_PER_INSERT));
        audit_log::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
        rows = rest;
    }
    Ok(())
}
