//! Bulk add: every listed user gets every listed company (an absent list means all), set-based.

use crate::caller::Caller;
use crate::changes::Changes;
use crate::db::audit::Change;
use crate::db::bulk::grant_all_pairs;
use crate::db::lookups::{require_companies, require_users};
use crate::db::store::Store;
use crate::error::AppError;
use crate::services::access::shared::{check_id_count, check_window};
use crate::services::dedup_in_order;
use crate::services::delegation;
use entity::{company, user, user_company_access as access};
use openapi::access::{BulkGrantRequest, BulkGrantResult};
use openapi::audit::AuditAction;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

pub async fn bulk_grant(
    store: &Store,
    caller: &Caller,
    request: BulkGrantRequest,
) -> Result<BulkGrantResult, AppError> {
    let actor = caller.actor();
    let terms = request.terms();
    let user_ids = request.user_ids.as_deref().map(dedup_in_order);
    let company_ids = request.company_ids.as_deref().map(dedup_in_order);
    check_id_count("user_ids", user_ids.as_ref().map_or(0, Vec::len))?;
    check_id_count("company_ids", company_ids.as_ref().map_or(0, Vec::len))?;
    if let Some(delegate) = delegation::of(&store.db, caller).await? {
        let Some(ids) = company_ids.as_deref() else {
            return Err(AppError::OutOfReach(format!(
                "Without company_ids a bulk grant reaches every company: name the companies {} \
                 administers",
                delegate.username
            )));
        };
        delegate
            .require(
                &store.db,
                ids.iter().map(|id| (*id, terms.include_branches)),
            )
            .await?;
    }
    let mut work = store.begin(actor).await?;
    let db = work.db();
    if let Some(ids) = user_ids.as_deref().filter(|ids| !ids.is_empty()) {
        require_users(db, ids).await?;
    }
    if let Some(ids) = company_ids.as_deref().filter(|ids| !ids.is_empty()) {
        require_companies(db, ids).await?;
    }
    check_window(&terms)?;
    let users = match &user_ids {
        Some(ids) => ids.len() as u64,
        None => user::Entity::find().count(db).await?,
    };
    let companies = match &company_ids {
        Some(ids) => ids.len() as u64,
        None => company::Entity::find().count(db).await?,
    };
    let pairs = users * companies;
    let added = if request.dry_run {
        let mut existing = access::Entity::find();
        if let Some(ids) = &user_ids {
            existing = existing.filter(access::Column::UserId.is_in(ids.iter().copied()));
        }
        if let Some(ids) = &company_ids {
            existing = existing.filter(access::Column::CompanyId.is_in(ids.iter().copied()));
        }
        pairs.saturating_sub(existing.count(db).await?)
    } else if pairs == 0 {
        0
    } else {
        grant_all_pairs(
            db,
            actor.name,
            user_ids.as_deref(),
            company_ids.as_deref(),
            &terms,
        )
        .await?
    };
    let result = BulkGrantResult {
        users,
        companies,
        pairs,
        added,
        already_present: pairs - added,
        dry_run: request.dry_run,
    };
    if !request.dry_run {
        work.record(
            Change::new(AuditAction::AccessBulk)
                .before(serde_json::json!({
                    "user_ids": user_ids,
                    "company_ids": company_ids,
                    "role": terms.role,
                    "valid_from": terms.window.valid_from,
                    "valid_until": terms.window.valid_until,
                    "include_branches": terms.include_branches,
                }))
                .after(&result),
        );
        work.touch(match &user_ids {
            Some(ids) => Changes::users(ids.iter().copied()),
            None => Changes::everything(),
        });
        work.commit().await?;
    }
    Ok(result)
}
