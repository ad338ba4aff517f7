//! The audit's view of expiries: grants whose window has ended. An expiry is the clock passing a
//! stored `valid_until`, not a write, so it is read from the grants themselves.

use crate::db::{stored, stored_grant_role};
use crate::error::AppError;
use crate::paging::PageRequest;
use chrono::{DateTime, Utc};
use entity::{company, user, user_company_access as access};
use openapi::Username;
use openapi::audit::{ExpiredGrant, ExpiredPage, ExpiredQuery};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

#[derive(Debug, FromQueryResult)]
struct ExpiredRow {
    user_id: i32,
    username: String,
    company_id: Uuid,
    company_name: String,
    expired_at: DateTime<Utc>,
    granted_role: Option<String>,
    granted_by: Option<String>,
}

/// Grants expired by `now`, latest expiry first, one page of them.
pub async fn expired(
    db: &impl ConnectionTrait,
    query: ExpiredQuery,
    page: PageRequest,
    now: DateTime<Utc>,
) -> Result<ExpiredPage, AppError> {
    let mut select = access::Entity::find()
        .inner_join(user::Entity)
        .inner_join(company::Entity)
        .filter(access::Column::ValidUntil.lte(now));
    if let Some(user_id) = query.user_id {
        select = select.filter(access::Column::UserId.eq(user_id));
    }
    if let Some(company_id) = query.company_id {
        select = select.filter(access::Column::CompanyId.eq(company_id));
    }
    if let Some(since) = query.since {
        select = select.filter(access::Column::ValidUntil.gte(since));
    }
    if let Some(until) = query.until {
        select = select.filter(access::Column::ValidUntil.lt(until));
    }
    let total = select.clone().count(db).await?;
    let rows = select
        .select_only()
        .column(access::Column::UserId)
        .column(user::Column::Username)
        .column(access::Column::CompanyId)
        .column_as(company::Column::Name, "company_name")
        .column_as(access::Column::ValidUntil, "expired_at")
        .column_as(access::Column::Role, "granted_role")
        .column(access::Column::GrantedBy)
        .order_by_desc(access::Column::ValidUntil)
        .order_by_asc(access::Column::Id)
        .limit(page.limit)
        .offset(page.offset)
        .into_model::<ExpiredRow>()
        .all(db)
        .await?;
    let items = rows
        .into_iter()
        .map(|row| {
            Ok(ExpiredGrant {
                user_id: row.user_id,
                username: stored("username", Username::parse(row.username))?,
                company_id: row.company_id,
                company_name: row.company_name,
                expired_at: row.expired_at,
                granted_role: stored_grant_role(row.granted_role.as_deref())?,
                granted_by: row.granted_by,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(ExpiredPage {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}
