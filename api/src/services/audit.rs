//! Writing and reading the audit trail.

use crate::error::AppError;
use crate::services::PageRequest;
use crate::services::users::stored;
use chrono::Utc;
use entity::audit_log;
use openapi::audit::{AuditAction, AuditEntry, AuditPage, AuditQuery};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::Value as Json;
use uuid::Uuid;

/// One change to record, written in the same transaction as the change itself.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub actor: &'a str,
    pub action: AuditAction,
    pub user_id: Option<i32>,
    pub company_id: Option<Uuid>,
    pub before: Option<Json>,
    pub after: Option<Json>,
}

impl<'a> Change<'a> {
    pub fn new(actor: &'a str, action: AuditAction) -> Self {
        Self {
            actor,
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

    fn into_active_model(self, at: chrono::DateTime<Utc>) -> audit_log::ActiveModel {
        audit_log::ActiveModel {
            id: NotSet,
            at: Set(at),
            actor: Set(self.actor.to_owned()),
            action: Set(self.action.as_str().to_owned()),
            user_id: Set(self.user_id),
            company_id: Set(self.company_id),
            before: Set(self.before),
            after: Set(self.after),
        }
    }
}

pub async fn record(db: &impl ConnectionTrait, change: Change<'_>) -> Result<(), DbErr> {
    audit_log::Entity::insert(change.into_active_model(Utc::now()))
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// Rows per INSERT, well inside SQLite's limit of 32,766 bound values (8 columns a row).
const AUDIT_ROWS_PER_INSERT: usize = 1_000;

/// Records many changes with one multi-row INSERT per batch.
pub async fn record_many(db: &impl ConnectionTrait, changes: Vec<Change<'_>>) -> Result<(), DbErr> {
    let at = Utc::now();
    let mut rows: Vec<audit_log::ActiveModel> = changes
        .into_iter()
        .map(|change| change.into_active_model(at))
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

pub async fn list(db: &impl ConnectionTrait, query: AuditQuery) -> Result<AuditPage, AppError> {
    let page = PageRequest::parse(query.limit, query.offset)?;
    let mut select = audit_log::Entity::find();
    if let Some(user_id) = query.user_id {
        select = select.filter(audit_log::Column::UserId.eq(user_id));
    }
    if let Some(company_id) = query.company_id {
        select = select.filter(audit_log::Column::CompanyId.eq(company_id));
    }
    if let Some(action) = query.action.filter(|action| !action.is_empty()) {
        select = if action.ends_with('.') {
            select.filter(audit_log::Column::Action.starts_with(&action))
        } else {
            select.filter(audit_log::Column::Action.eq(action))
        };
    }
    if let Some(actor) = query.actor.filter(|actor| !actor.is_empty()) {
        select = select.filter(audit_log::Column::Actor.eq(actor));
    }
    if let Some(since) = query.since {
        select = select.filter(audit_log::Column::At.gte(since));
    }
    if let Some(until) = query.until {
        select = select.filter(audit_log::Column::At.lt(until));
    }
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by_desc(audit_log::Column::Id)
        .limit(page.limit)
        .offset(page.offset)
        .all(db)
        .await?;
    Ok(AuditPage {
        items: rows
            .into_iter()
            .map(|row| {
                Ok(AuditEntry {
                    id: row.id,
                    at: row.at,
                    actor: row.actor,
                    action: stored("audit action", row.action.parse::<AuditAction>())?,
                    user_id: row.user_id,
                    company_id: row.company_id,
                    before: row.before,
                    after: row.after,
                })
            })
            .collect::<Result<_, AppError>>()?,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}
