//! `remove_company_from_user`.

use crate::caller::Actor;
use crate::changes::Changes;
use crate::db::audit::Change;
use crate::db::grants::delete_grants;
use crate::db::store::Store;
use crate::error::AppError;
use crate::services::access::shared::require_grant;
use openapi::audit::AuditAction;
use uuid::Uuid;

pub async fn revoke(
    store: &Store,
    actor: Actor<'_>,
    user_id: i32,
    company_id: Uuid,
) -> Result<(), AppError> {
    let mut work = store.begin(actor).await?;
    let before = require_grant(work.db(), user_id, company_id).await?;
    delete_grants(work.db(), user_id, &[company_id]).await?;
    work.record(
        Change::new(AuditAction::AccessRevoke)
            .user(user_id)
            .company(company_id)
            .before(&before),
    );
    work.touch(Changes::user(user_id));
    work.commit().await
}
