//! `list_user_companies`: explicit grants (default first), then for a super admin every other company.

use crate::db::grants::{companies_without_grant, grant_rows};
use crate::error::AppError;
use crate::services::users;
use openapi::Role;
use openapi::access::{UserCompanies, UserRef};
use openapi::terms::GrantState;
use sea_orm::ConnectionTrait;

/// Expired grants are left out unless `include_expired`: they give no access, and a frontend offering
/// them would only be refused.
pub async fn list_for_user(
    db: &impl ConnectionTrait,
    user_id: i32,
    include_expired: bool,
) -> Result<UserCompanies, AppError> {
    let user = users::get(db, user_id).await?;
    let mut items = grant_rows(db, user_id, None).await?;
    if !include_expired {
        items.retain(|grant| grant.state != GrantState::Expired);
    }
    let all_companies = user.role == Role::SuperAdmin;
    if all_companies {
        items.extend(companies_without_grant(db, user_id).await?);
    }
    Ok(UserCompanies {
        user: UserRef {
            id: user.id,
            username: user.username,
            full_name: user.full_name,
            role: user.role,
            is_active: user.is_active,
        },
        all_companies,
        items,
    })
}
