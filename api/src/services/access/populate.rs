//! The seed's migrate_user_company_access.py: each user gets their profile's home company (as default
//! when they have none) and super admins get every company. Running it again adds nothing.

use crate::caller::Actor;
use crate::changes::Changes;
use crate::db::audit::Change;
use crate::db::bulk;
use crate::db::store::Store;
use crate::error::AppError;
use openapi::access::PopulateResult;
use openapi::audit::AuditAction;

pub async fn populate(
    store: &Store,
    actor: Actor<'_>,
    dry_run: bool,
) -> Result<PopulateResult, AppError> {
    let mut work = store.begin(actor).await?;
    let result = bulk::populate(work.db(), actor.name, dry_run).await?;
    if !dry_run {
        work.record(Change::new(AuditAction::AccessPopulate).after(&result));
        work.touch(Changes::everything());
        work.commit().await?;
    }
    Ok(result)
}
