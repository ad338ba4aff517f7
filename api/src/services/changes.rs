//! The change stream: the audit trail read by revision, with a long poll that wakes on this instance's
//! change feed.

use crate::db::expired;
use crate::db::store::Store;
use crate::error::AppError;
use crate::revision::{self, parse_token};
use crate::services::audit;
use chrono::{DateTime, Utc};
use entity::audit_log;
use openapi::audit::ExpiredGrant;
use openapi::changes::{
    ChangeEvent, ChangePage, ChangesQuery, MAX_CHANGES_PER_PAGE, MAX_WAIT_SECS,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::time::Duration;

const DEFAULT_PAGE: u64 = 100;

/// Changes committed after `query.after`, oldest first; with `wait`, waits for the first one.
/// `longest_wait` is the operator's cap on a long poll (`COMPANY_ACCESS_LONG_POLL_MAX_SECS`): a shorter
/// wait than asked is still a correct answer, an empty page the client simply asks again after.
pub async fn list(
    store: &Store,
    query: ChangesQuery,
    longest_wait: Duration,
) -> Result<ChangePage, AppError> {
    let after = match query.after.as_deref() {
        None => 0,
        Some(token) => parse_token(token).ok_or_else(|| {
            AppError::bad_request(format!(
                "The query parameter after must be a revision such as 42 (got {token:?})"
            ))
        })?,
    };
    let limit = match query.limit {
        None => DEFAULT_PAGE,
        Some(limit) if (1..=MAX_CHANGES_PER_PAGE).contains(&limit) => limit,
        Some(limit) => {
            return Err(AppError::bad_request(format!(
                "The query parameter limit must be 1 to {MAX_CHANGES_PER_PAGE} (got {limit})"
            )));
        }
    };
    let wait = match query.wait {
        None => 0,
        Some(wait) if wait <= MAX_WAIT_SECS => wait,
        Some(wait) => {
            return Err(AppError::bad_request(format!(
                "The query parameter wait must be 0 to {MAX_WAIT_SECS} seconds (got {wait})"
            )));
        }
    };
    let expired_after = match query.expired_after {
        Some(instant) => Some(instant),
        None => committed_at(&store.db, after).await?,
    };
    let mut now = Utc::now();
    let mut page = read_page(&store.db, after, limit).await?;
    let mut ended = expired::ended_between(&store.db, expired_after, now, limit).await?;
    if page.is_empty() && ended.is_empty() && wait > 0 {
        let mut patience = Duration::from_secs(wait).min(longest_wait);
        // The next expiry ends the wait too; it is read now, and a grant written meanwhile is a revision.
        if let Some(next_end) = expired::next_end_after(&store.db, now).await? {
            let until_then = (next_end - now).to_std().unwrap_or_default();
            patience = patience.min(until_then + Duration::from_millis(1));
        }
        // Woken as soon as this instance applies anything newer; a change is in the database by then.
        store.cache.wait_for_revision(after + 1, patience).await;
        now = Utc::now();
        page = read_page(&store.db, after, limit).await?;
        ended = expired::ended_between(&store.db, expired_after, now, limit).await?;
    }
    let has_more = page.len() as u64 > limit;
    let items = whole_revisions(&store.db, page, limit).await?;
    let (expired, expired_next, more_expired) =
        whole_instants(&store.db, ended, limit, now).await?;
    // Never back before what the client has seen: an instance whose clock is behind the one that
    // answered last would otherwise hand out a cursor that lists those expiries again.
    let expired_next = expired_after.map_or(expired_next, |seen| expired_next.max(seen));
    let next = items.last().and_then(|row| row.revision).unwrap_or(after);
    revision::answered_at(store.cache.revision().max(next));
    Ok(ChangePage {
        items: items
            .into_iter()
            .map(event)
            .collect::<Result<_, AppError>>()?,
        next: next.to_string(),
        has_more: has_more || more_expired,
        expired,
        expired_next,
    })
}

/// When revision `after` was committed: a client resuming from a write's revision sees the expiries
/// since that write. `None` (the whole history) for revision 0.
async fn committed_at(
    db: &impl ConnectionTrait,
    after: i64,
) -> Result<Option<DateTime<Utc>>, AppError> {
    if after == 0 {
        return Ok(None);
    }
    Ok(audit_log::Entity::find()
        .select_only()
        .column(audit_log::Column::At)
        .filter(audit_log::Column::Revision.lte(after))
        .order_by_desc(audit_log::Column::Revision)
        .limit(1)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?)
}

/// Like [`whole_revisions`] for expiries: a page never ends inside one instant, so `expired_next`
/// never skips grants that ended together. Returns the expiries, the instant to resume after and
/// whether more ended after it by `now`.
async fn whole_instants(
    db: &impl ConnectionTrait,
    mut ended: Vec<ExpiredGrant>,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<(Vec<ExpiredGrant>, DateTime<Utc>, bool), AppError> {
    let limit = limit as usize;
    if ended.len() <= limit {
        return Ok((ended, now, false));
    }
    let last = ended[limit - 1].expired_at;
    if ended[limit].expired_at != last {
        ended.truncate(limit);
        return Ok((ended, last, true));
    }
    if let Some(before) = ended
        .iter()
        .take(limit)
        .map(|grant| grant.expired_at)
        .rfind(|at| *at != last)
    {
        ended.retain(|grant| grant.expired_at != last);
        return Ok((ended, before, true));
    }
    // One instant ends more grants than a page holds: the page is that whole instant.
    let more = !expired::ended_between(db, Some(last), now, 0)
        .await?
        .is_empty();
    Ok((expired::ended_at(db, last).await?, last, more))
}

/// One row more than the page, to know whether there is more.
async fn read_page(
    db: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> Result<Vec<audit_log::Model>, AppError> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::Revision.gt(after))
        .order_by_asc(audit_log::Column::Revision)
        .order_by_asc(audit_log::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?)
}

/// A page never ends inside a revision, so `next` never skips part of one: the last revision is either
/// dropped (when the page holds others) or completed.
async fn whole_revisions(
    db: &impl ConnectionTrait,
    mut rows: Vec<audit_log::Model>,
    limit: u64,
) -> Result<Vec<audit_log::Model>, AppError> {
    let limit = limit as usize;
    if rows.len() <= limit {
        return Ok(rows);
    }
    let last = rows[limit - 1].revision;
    if rows[limit].revision != last {
        rows.truncate(limit);
        return Ok(rows);
    }
    if rows.iter().take(limit).any(|row| row.revision != last) {
        rows.retain(|row| row.revision != last);
        return Ok(rows);
    }
    // One write made more changes than a page holds: the page is that whole write.
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::Revision.eq(last))
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await?)
}

fn event(row: audit_log::Model) -> Result<ChangeEvent, AppError> {
    Ok(ChangeEvent {
        revision: row.revision.unwrap_or_default().to_string(),
        entry: audit::entry(row)?,
    })
}
