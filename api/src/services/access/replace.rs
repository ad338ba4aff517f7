//! Replacing a user's whole set of granted companies.

use crate::caller::Caller;
use crate::changes::Changes;
use crate::db::audit::Change;
use crate::db::grants::{
    default_if_none, delete_grants, grant_rows, insert_grants, set_default_flag,
};
use crate::db::store::Store;
use crate::error::AppError;
use crate::services::access::list::list_for_user;
use crate::services::access::shared::{distinct_ids, lock_user_with_companies};
use crate::services::delegation;
use openapi::access::{ReplaceCompanies, ReplaceResult};
use openapi::audit::AuditAction;
use std::collections::HashSet;
use uuid::Uuid;

/// The user ends up with exactly `company_ids` (and the default named, if the list leaves it out); the
/// default is the one named, or kept, or the first. For a key bound to a user the list is of the
/// companies that user administers: the user's grants in other companies stay as they are.
pub async fn replace(
    store: &Store,
    caller: &Caller,
    user_id: i32,
    request: ReplaceCompanies,
) -> Result<ReplaceResult, AppError> {
    let actor = caller.actor();
    let mut ids = distinct_ids("company_ids", &request.company_ids)?;
    // Naming a default is asking for it: a default the list leaves out is granted with the rest.
    if let Some(default) = request.default_company_id
        && !ids.contains(&default)
    {
        ids.push(default);
    }
    let delegate = delegation::of(&store.db, caller).await?;
    if let Some(delegate) = &delegate {
        delegate
            .require(&store.db, ids.iter().map(|id| (*id, false)))
            .await?;
    }
    let mut work = store.begin(actor).await?;
    lock_user_with_companies(work.db(), user_id, &ids).await?;
    let before = grant_rows(work.db(), user_id, None).await?;
    let current: HashSet<Uuid> = before.iter().map(|grant| grant.company_id).collect();
    let mut wanted: HashSet<Uuid> = ids.iter().copied().collect();
    if let Some(delegate) = &delegate {
        wanted.extend(
            before
                .iter()
                .map(|grant| grant.company_id)
                .filter(|id| !delegate.managed.reaches(id, false)),
        );
    }
    let removed: Vec<Uuid> = before
        .iter()
        .map(|grant| grant.company_id)
        .filter(|id| !wanted.contains(id))
        .collect();
    let added: Vec<Uuid> = ids
        .iter()
        .copied()
        .filter(|id| !current.contains(id))
        .collect();
    delete_grants(work.db(), user_id, &removed).await?;
    insert_grants(work.db(), actor.name, user_id, &added, &Default::default()).await?;
    match request.default_company_id {
        Some(default) => set_default_flag(work.db(), user_id, default, true).await?,
        None => {
            if let Some(first) = ids.first() {
                default_if_none(work.db(), user_id, *first).await?;
            }
        }
    }
    let by_id = |id: Uuid| before.iter().find(|grant| grant.company_id == id).cloned();
    for id in &removed {
        work.record(
            Change::new(AuditAction::AccessRevoke)
                .user(user_id)
                .company(*id)
                .before(by_id(*id))
                .after(serde_json::json!({ "via": "replace" })),
        );
    }
    for id in &added {
        work.record(
            Change::new(AuditAction::AccessGrant)
                .user(user_id)
                .company(*id)
                .after(serde_json::json!({ "via": "replace" })),
        );
    }
    let mut companies = list_for_user(work.db(), user_id, false).await?;
    if let Some(delegate) = &delegate {
        delegate.retain_managed(&mut companies);
    }
    work.touch(Changes::user(user_id));
    work.commit().await?;
    Ok(ReplaceResult {
        added,
        removed,
        companies,
    })
}
