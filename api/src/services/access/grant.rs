//! `add_company_to_user` and `add_companies_to_user`, each grant with its terms (role, window).

use crate::caller::Caller;
use crate::changes::Changes;
use crate::db::audit::Change;
use crate::db::grants::{default_if_none, grant_of, grant_rows, insert_grant, insert_grants};
use crate::db::lookups::granted_company_ids;
use crate::db::store::Store;
use crate::error::AppError;
use crate::services::access::shared::{check_window, distinct_ids, lock_user_with_companies};
use crate::services::delegation;
use openapi::access::{GrantManyResult, UserCompany};
use openapi::audit::AuditAction;
use openapi::terms::GrantTerms;
use std::collections::HashSet;
use uuid::Uuid;

/// A company the user already has is a conflict ("User already has access to this company"); sixty-four
/// of these at once for one pair still leave exactly one row. The first company a user gets becomes
/// their default.
pub async fn grant_one(
    store: &Store,
    caller: &Caller,
    user_id: i32,
    company_id: Uuid,
    terms: &GrantTerms,
) -> Result<UserCompany, AppError> {
    let actor = caller.actor();
    if let Some(delegate) = delegation::of(&store.db, caller).await? {
        delegate
            .require(&store.db, [(company_id, terms.include_branches)])
            .await?;
    }
    let mut work = store.begin(actor).await?;
    lock_user_with_companies(work.db(), user_id, &[company_id]).await?;
    check_window(terms)?;
    if !insert_grant(work.db(), actor.name, user_id, company_id, terms).await? {
        return Err(AppError::already_has_access());
    }
    let grant = grant_of(work.db(), user_id, company_id)
        .await?
        .ok_or_else(AppError::access_not_found)?;
    work.record(
        Change::new(AuditAction::AccessGrant)
            .user(user_id)
            .company(company_id)
            .after(&grant),
    );
    work.touch(Changes::user(user_id));
    work.commit().await?;
    Ok(grant)
}

/// All or nothing; companies the user already has are reported, not refused.
pub async fn grant_many(
    store: &Store,
    caller: &Caller,
    user_id: i32,
    company_ids: &[Uuid],
    terms: &GrantTerms,
) -> Result<GrantManyResult, AppError> {
    let actor = caller.actor();
    let ids = distinct_ids("company_ids", company_ids)?;
    if ids.is_empty() {
        return Err(AppError::validation(
            "company_ids",
            "must name at least one company",
        ));
    }
    if let Some(delegate) = delegation::of(&store.db, caller).await? {
        let branches = terms.include_branches;
        delegate
            .require(&store.db, ids.iter().map(|id| (*id, branches)))
            .await?;
    }
    let mut work = store.begin(actor).await?;
    lock_user_with_companies(work.db(), user_id, &ids).await?;
    check_window(terms)?;
    let had: HashSet<Uuid> = granted_company_ids(work.db(), user_id)
        .await?
        .into_iter()
        .collect();
    let (already_present, to_add): (Vec<Uuid>, Vec<Uuid>) =
        ids.iter().copied().partition(|id| had.contains(id));
    insert_grants(work.db(), actor.name, user_id, &to_add, terms).await?;
    if let Some(first) = to_add.first() {
        default_if_none(work.db(), user_id, *first).await?;
    }
    let mut added = grant_rows(work.db(), user_id, Some(&to_add)).await?;
    let position = |id: &Uuid| to_add.iter().position(|added| added == id);
    added.sort_by_key(|grant| position(&grant.company_id));
    for grant in &added {
        work.record(
            Change::new(AuditAction::AccessGrant)
                .user(user_id)
                .company(grant.company_id)
                .after(grant),
        );
    }
    work.touch(Changes::user(user_id));
    work.commit().await?;
    Ok(GrantManyResult {
        added,
        already_present,
    })
}
