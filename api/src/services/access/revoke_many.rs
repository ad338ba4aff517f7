//! Bulk revoke: the listed users lose their grants of the listed companies, all or nothing, with a dry run
//! that names every grant it would remove.

use crate::caller::Caller;
use crate::changes::Changes;
use crate::db::audit::Change;
use crate::db::grants::{delete_grants, grant_rows};
use crate::db::lookups::{lock_user, require_companies, require_users};
use crate::db::store::Store;
use crate::error::AppError;
use crate::services::access::shared::distinct_ids;
use crate::services::delegation;
use openapi::access::{BulkRevokeRequest, BulkRevokeResult, RevokedGrant};
use openapi::audit::AuditAction;
use uuid::Uuid;

pub async fn revoke_many(
    store: &Store,
    caller: &Caller,
    request: BulkRevokeRequest,
) -> Result<BulkRevokeResult, AppError> {
    let actor = caller.actor();
    let user_ids = distinct_ids("user_ids", &request.user_ids)?;
    let company_ids = distinct_ids("company_ids", &request.company_ids)?;
    // Unlike a bulk grant, no list means "all": a revocation of everything is never one request away.
    for (field, empty) in [
        ("user_ids", user_ids.is_empty()),
        ("company_ids", company_ids.is_empty()),
    ] {
        if empty {
            return Err(AppError::validation(field, "name at least one"));
        }
    }
    if let Some(delegate) = delegation::of(&store.db, caller).await? {
        delegate
            .require(&store.db, company_ids.iter().map(|id| (*id, false)))
            .await?;
    }
    let mut work = store.begin(actor).await?;
    let db = work.db();
    require_users(db, &user_ids).await?;
    require_companies(db, &company_ids).await?;
    let mut touched = Vec::new();
    let mut changes = Vec::new();
    let mut items = Vec::new();
    for &user_id in &user_ids {
        // Locked like a single revocation, so a grant made meanwhile is either seen here or made after.
        lock_user(db, user_id).await?;
        let grants = grant_rows(db, user_id, Some(&company_ids)).await?;
        if grants.is_empty() {
            continue;
        }
        let mut companies: Vec<Uuid> = grants.iter().map(|grant| grant.company_id).collect();
        companies.sort_by_key(|id| company_ids.iter().position(|wanted| wanted == id));
        items.extend(companies.iter().map(|&company_id| RevokedGrant {
            user_id,
            company_id,
        }));
        if !request.dry_run {
            delete_grants(db, user_id, &companies).await?;
            changes.extend(grants.iter().map(|grant| {
                Change::new(AuditAction::AccessRevoke)
                    .user(user_id)
                    .company(grant.company_id)
                    .before(grant)
            }));
        }
        touched.push(user_id);
    }
    let pairs = (user_ids.len() * company_ids.len()) as u64;
    let result = BulkRevokeResult {
        users: user_ids.len() as u64,
        companies: company_ids.len() as u64,
        pairs,
        removed: items.len() as u64,
        not_granted: pairs - items.len() as u64,
        dry_run: request.dry_run,
        items,
    };
    if !request.dry_run && !touched.is_empty() {
        for change in changes {
            work.record(change);
        }
        work.touch(Changes::users(touched));
        work.commit().await?;
    }
    Ok(result)
}
