//! Reading the audit trail (each unit of work writes its own rows: `db::audit`).

use crate::db::sql::like_prefix;
use crate::db::stored;
use crate::error::AppError;
use crate::paging::PageRequest;
use entity::audit_log;
use openapi::audit::{AuditAction, AuditEntry, AuditPage, AuditQuery, ExpiredPage, ExpiredQuery};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// Grants whose window has ended by now: the audit's "expired" view.
pub async fn expired(
    db: &impl ConnectionTrait,
    query: ExpiredQuery,
) -> Result<ExpiredPage, AppError> {
    let page = PageRequest::parse(query.limit, query.offset)?;
    crate::db::expired::expired(db, query, page, chrono::Utc::now()).await
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
            select.filter(
                Expr::col(audit_log::Column::Action)
                    .like(LikeExpr::new(like_prefix(&action)).escape('\\')),
            )
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
            .map(entry)
            .collect::<Result<_, AppError>>()?,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// An audit row as the API shows it.
pub fn entry(row: audit_log::Model) -> Result<AuditEntry, AppError> {
    Ok(AuditEntry {
        id: row.id,
        at: row.at,
        actor: row.actor,
        actor_key_id: row.actor_key_id,
        actor_user_id: row.actor_user_id,
        action: stored("audit action", row.action.parse::<AuditAction>())?,
        user_id: row.user_id,
        company_id: row.company_id,
        before: row.before,
        after: row.after,
    })
}
