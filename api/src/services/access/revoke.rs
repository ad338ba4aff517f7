//! `remove_company_from_user`.

use crate::caller::Caller;
use crate::changes::Changes;
use crate::db::audit::Change;
use crate::db::grants::delete_grants;
use crate::db::store::Store;
use crate::error::AppError;
use crate::services::access::shared::require_grant;
use crate::services::delegation;
use openapi::audit::AuditAction;
use uuid::Uuid;

pub async fn revoke(
    store: &Store,
    caller: &Caller,
    user_id: i32,
    company_id: Uuid,
) -> Result<(), AppError> {
    let actor = caller.actor();
    if let Some(delegate) = delegation::of(&store.db, caller).await? {
        delegate.require(&store.db, [(company_id, false)]).await?;
    }
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
