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
    QueryOrder, QuerySelect, Select,
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

fn ended() -> Select<access::Entity> {
    access::Entity::find()
        .inner_join(user::Entity)
        .inner_join(company::Entity)
}

/// The selected grants as the expired view and the change stream show them.
async fn listed(
    select: Select<access::Entity>,
    db: &impl ConnectionTrait,
) -> Result<Vec<ExpiredGrant>, AppError> {
    select
        .select_only()
        .column(access::Column::UserId)
        .column(user::Column::Username)
        .column(access::Column::CompanyId)
        .column_as(company::Column::Name, "company_name")
        .column_as(access::Column::ValidUntil, "expired_at")
        .column_as(access::Column::Role, "granted_role")
        .column(access::Column::GrantedBy)
        .into_model::<ExpiredRow>()
        .all(db)
        .await?
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
        .collect()
}

/// Grants expired by `now`, latest expiry first, one page of them.
pub async fn expired(
    db: &impl ConnectionTrait,
    query: ExpiredQuery,
    page: PageRequest,
    now: DateTime<Utc>,
) -> Result<ExpiredPage, AppError> {
    let mut select = ended().filter(access::Column::ValidUntil.lte(now));
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
    let items = listed(
        select
            .order_by_desc(access::Column::ValidUntil)
            .order_by_asc(access::Column::Id)
            .limit(page.limit)
            .offset(page.offset),
        db,
    )
    .await?;
    Ok(ExpiredPage {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// Grants whose window ended after `since` (from the first when `None`) and by `now`, earliest first:
/// up to `limit` of them and one more, to tell whether there is more.
pub async fn ended_between(
    db: &impl ConnectionTrait,
    since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<ExpiredGrant>, AppError> {
    let mut select = ended().filter(access::Column::ValidUntil.lte(now));
    if let Some(since) = since {
        select = select.filter(access::Column::ValidUntil.gt(since));
    }
    listed(
        select
            .order_by_asc(access::Column::ValidUntil)
            .order_by_asc(access::Column::Id)
            .limit(limit + 1),
        db,
    )
    .await
}

/// Every grant that ended at exactly `instant` (one write can give thousands the same end).
pub async fn ended_at(
    db: &impl ConnectionTrait,
    instant: DateTime<Utc>,
) -> Result<Vec<ExpiredGrant>, AppError> {
    listed(
        ended()
            .filter(access::Column::ValidUntil.eq(instant))
            .order_by_asc(access::Column::Id),
        db,
    )
    .await
}

/// The first end of a grant's window after `instant`.
pub async fn next_end_after(
    db: &impl ConnectionTrait,
    instant: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(access::Entity::find()
        .select_only()
        .column(access::Column::ValidUntil)
        .filter(access::Column::ValidUntil.gt(instant))
        .order_by_asc(access::Column::ValidUntil)
        .limit(1)
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(db)
        .await?
        .flatten())
}
