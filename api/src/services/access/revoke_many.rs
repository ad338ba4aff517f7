//! Bulk revoke: the listed users lose their grants of the listed companies, all or nothing, with a dry run
//! that names every grant it would remove.

use crate::caller::Caller;
use crate::changes::Changes;
use crate::db::audit::Change;
use crate::db::grants::{delete_pairs, grants_of_pairs};
use crate::db::lookups::{lock_users, require_companies, require_users};
use crate::db::store::Store;
use crate::error::AppError;
use crate::services::access::shared::distinct_ids;
use crate::services::delegation;
use openapi::access::{BulkRevokeRequest, BulkRevokeResult, RevokedGrant};
use openapi::audit::AuditAction;
use std::collections::HashMap;
use uuid::Uuid;

pub async fn revoke_many(
    store: &Store,
    caller: &Caller,
    request: BulkRevokeRequest,
) -> Result<BulkRevokeResult, AppError> {
    let actor = caller.actor();
    let user_ids = distinct_ids("user_ids", &request.user_ids)?;
    let company_ids = distinct_ids("company_ids", &request.company_ids)?;
    // Unlike a bulk grant, a missing list never means "all": revoking everything is never one request away.
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
    // Locked like single revocations, so a grant made meanwhile is either seen here or made after.
    lock_users(db, &user_ids).await?;
    let mut grants = grants_of_pairs(db, &user_ids, &company_ids).await?;
    // Listed as asked: by user, then by company, each in the request's order.
    let user_at: HashMap<i32, usize> = user_ids
        .iter()
        .enumerate()
        .map(|(at, id)| (*id, at))
        .collect();
    let company_at: HashMap<Uuid, usize> = company_ids
        .iter()
        .enumerate()
        .map(|(at, id)| (*id, at))
        .collect();
    grants
        .sort_by_key(|(user_id, grant)| (user_at.get(user_id), company_at.get(&grant.company_id)));
    let items: Vec<RevokedGrant> = grants
        .iter()
        .map(|(user_id, grant)| RevokedGrant {
            user_id: *user_id,
            company_id: grant.company_id,
        })
        .collect();
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
    if !request.dry_run && !grants.is_empty() {
        delete_pairs(db, &user_ids, &company_ids).await?;
        for (user_id, grant) in &grants {
            work.record(
                Change::new(AuditAction::AccessRevoke)
                    .user(*user_id)
                    .company(grant.company_id)
                    .before(grant),
            );
        }
        // Sorted by user above, so each user's grants stand together.
        let mut touched: Vec<i32> = grants.iter().map(|(user_id, _)| *user_id).collect();
        touched.dedup();
        work.touch(Changes::users(touched));
        work.commit().await?;
    }
    Ok(result)
}
