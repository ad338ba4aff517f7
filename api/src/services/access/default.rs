//! The user's one default company.

use crate::caller::Actor;
use crate::changes::Changes;
use crate::db::audit::Change;
use crate::db::grants::{grant_of, set_default_flag};
use crate::db::store::Store;
use crate::error::AppError;
use crate::services::access::shared::require_grant;
use openapi::access::UserCompany;
use openapi::audit::AuditAction;
use uuid::Uuid;

/// Makes the company the user's one default (or clears the flag).
pub async fn set_default(
    store: &Store,
    actor: Actor<'_>,
    user_id: i32,
    company_id: Uuid,
    is_default: bool,
) -> Result<UserCompany, AppError> {
    let mut work = store.begin(actor).await?;
    let before = require_grant(work.db(), user_id, company_id).await?;
    set_default_flag(work.db(), user_id, company_id, is_default).await?;
    let after = grant_of(work.db(), user_id, company_id)
        .await?
        .ok_or_else(AppError::access_not_found)?;
    work.record(
        Change::new(AuditAction::AccessDefault)
            .user(user_id)
            .company(company_id)
            .before(&before)
            .after(&after),
    );
    work.touch(Changes::user(user_id));
    work.commit().await?;
    Ok(after)
}
