//! The change stream: the audit trail read by revision, with a long poll that wakes on this instance's
//! change feed.

use crate::db::store::Store;
use crate::error::AppError;
use crate::revision::{self, parse_token};
use crate::services::audit;
use entity::audit_log;
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
    let mut page = read_page(&store.db, after, limit).await?;
    if page.is_empty() && wait > 0 {
        // Woken as soon as this instance applies anything newer; a change is in the database by then.
        store
            .cache
            .wait_for_revision(after + 1, Duration::from_secs(wait).min(longest_wait))
            .await;
        page = read_page(&store.db, after, limit).await?;
    }
    let has_more = page.len() as u64 > limit;
    let items = whole_revisions(&store.db, page, limit).await?;
    let next = items.last().and_then(|row| row.revision).unwrap_or(after);
    revision::answered_at(store.cache.revision().max(next));
    Ok(ChangePage {
        items: items
            .into_iter()
            .map(event)
            .collect::<Result<_, AppError>>()?,
        next: next.to_string(),
        has_more,
    })
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
