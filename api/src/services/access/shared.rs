//! Rules more than one access operation applies.

use crate::db::grants::grant_of;
use crate::db::hierarchy;
use crate::db::lookups::{lock_user, require_companies};
use crate::error::AppError;
use crate::services::dedup_in_order;
use openapi::ProblemCode;
use openapi::access::{MAX_IDS_PER_REQUEST, UserCompany};
use openapi::terms::GrantTerms;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// A request's list of ids, at most [`MAX_IDS_PER_REQUEST`], each once, in the caller's order.
pub fn distinct_ids<T: Copy + Eq + std::hash::Hash>(
    field: &str,
    ids: &[T],
) -> Result<Vec<T>, AppError> {
    check_id_count(field, ids.len())?;
    Ok(dedup_in_order(ids))
}

/// The start of every change to one user's grants of these companies: lock the user, and require
/// that each company exists.
pub async fn lock_user_with_companies(
    db: &impl ConnectionTrait,
    user_id: i32,
    company_ids: &[Uuid],
) -> Result<(), AppError> {
    lock_user(db, user_id).await?;
    require_companies(db, company_ids).await
}

pub fn check_id_count(field: &str, count: usize) -> Result<(), AppError> {
    if count > MAX_IDS_PER_REQUEST {
        return Err(AppError::validation(
            field,
            format!("at most {MAX_IDS_PER_REQUEST} ids per request (got {count})"),
        ));
    }
    Ok(())
}

/// Checks user, company and grant in that order, so each 404 names the right thing; locks the user.
pub async fn require_grant(
    db: &impl ConnectionTrait,
    user_id: i32,
    company_id: Uuid,
) -> Result<UserCompany, AppError> {
    lock_user_with_companies(db, user_id, &[company_id]).await?;
    if let Some(grant) = grant_of(db, user_id, company_id).await? {
        return Ok(grant);
    }
    // Access that comes through a parent's grant is changed there: say which one.
    let ancestors = hierarchy::ancestors(db, &[company_id])
        .await?
        .remove(&company_id)
        .unwrap_or_default();
    for ancestor in ancestors {
        if let Some(parent) = grant_of(db, user_id, ancestor).await?
            && parent.include_branches
        {
            return Err(AppError::NotFound {
                code: ProblemCode::AccessNotFound,
                detail: format!(
                    "User does not have access to this company by a grant of its own: their access \
                     there comes through the grant of '{}' ({ancestor}), which includes its branches; \
                     change or remove that grant instead",
                    parent.company_name
                ),
            });
        }
    }
    Err(AppError::access_not_found())
}

/// The window's order, checked once the user and companies are found (see [`openapi::terms::Window::unchecked`]).
pub fn check_window(terms: &GrantTerms) -> Result<(), AppError> {
    terms
        .window
        .check()
        .map_err(|error| AppError::validation("valid_until", error.0))
}
