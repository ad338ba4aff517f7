//! Changing one grant: the user's one default company, the role the grant gives, its window, whether
//! it reaches the company's branches.

use crate::caller::Caller;
use crate::changes::Changes;
use crate::db::audit::Change;
use crate::db::grants::{TermsChange, grant_of, set_default_flag, set_terms};
use crate::db::store::Store;
use crate::error::AppError;
use crate::services::access::shared::require_grant;
use crate::services::delegation;
use entity::user_company_access as access;
use openapi::access::{UpdateGrant, UserCompany};
use openapi::audit::AuditAction;
use openapi::terms::Window;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

/// Applies the fields of `update` that are present, all or nothing. The window that results must
/// still end after it starts, whichever of its ends the update names.
pub async fn update_grant(
    store: &Store,
    caller: &Caller,
    user_id: i32,
    company_id: Uuid,
    update: UpdateGrant,
) -> Result<UserCompany, AppError> {
    let actor = caller.actor();
    let UpdateGrant {
        is_default,
        role,
        valid_from,
        valid_until,
        include_branches,
    } = update;
    let changes_terms = role.is_some()
        || valid_from.is_some()
        || valid_until.is_some()
        || include_branches.is_some();
    if is_default.is_none() && !changes_terms {
        return Err(AppError::validation(
            "body",
            "name at least one of is_default, role, valid_from, valid_until, include_branches",
        ));
    }
    if let Some(delegate) = delegation::of(&store.db, caller).await? {
        let branches = include_branches == Some(true);
        // A new default takes the flag from the user's present one, which must be in reach as well.
        let present = match is_default {
            Some(true) => present_default(&store.db, user_id).await?,
            _ => None,
        };
        let wanted =
            std::iter::once((company_id, branches)).chain(present.map(|company| (company, false)));
        delegate.require(&store.db, wanted).await?;
    }
    let mut work = store.begin(actor).await?;
    let before = require_grant(work.db(), user_id, company_id).await?;
    if let Some(is_default) = is_default {
        set_default_flag(work.db(), user_id, company_id, is_default).await?;
    }
    if changes_terms {
        let field = if valid_until.is_some() {
            "valid_until"
        } else {
            "valid_from"
        };
        let window = Window::new(
            valid_from.unwrap_or(before.valid_from),
            valid_until.unwrap_or(before.valid_until),
        )
        .map_err(|error| AppError::validation(field, error.0))?;
        let ends = (valid_from.is_some(), valid_until.is_some());
        let changed = TermsChange {
            role,
            window,
            ends,
            include_branches,
        };
        set_terms(work.db(), user_id, company_id, changed).await?;
    }
    let after = grant_of(work.db(), user_id, company_id)
        .await?
        .ok_or_else(AppError::access_not_found)?;
    let action = if changes_terms {
        AuditAction::AccessUpdate
    } else {
        AuditAction::AccessDefault
    };
    work.record(
        Change::new(action)
            .user(user_id)
            .company(company_id)
            .before(&before)
            .after(&after),
    );
    work.touch(Changes::user(user_id));
    work.commit().await?;
    Ok(after)
}

/// The company the user has as their default, if any.
async fn present_default(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Option<Uuid>, AppError> {
    Ok(access::Entity::find()
        .select_only()
        .column(access::Column::CompanyId)
        .filter(access::Column::UserId.eq(user_id))
        .filter(access::Column::IsDefault.eq(true))
        .into_tuple::<Uuid>()
        .one(db)
        .await?)
}
