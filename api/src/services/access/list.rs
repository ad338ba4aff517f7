//! `list_user_companies`: explicit grants (default first), the branches that grants including them
//! reach, then for a super admin every other company.

use crate::caller::Caller;
use crate::db::grants::{companies_without_grant, grant_rows};
use crate::db::hierarchy::below;
use crate::error::AppError;
use crate::services::{delegation, users};
use entity::company;
use openapi::Role;
use openapi::access::{UserCompanies, UserCompany, UserRef};
use openapi::companies::AccessSource;
use openapi::terms::GrantState;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

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
    } else {
        let reached = branches_reached(db, &items).await?;
        items.extend(reached);
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

/// The user's companies as `caller` may see them: for a key bound to a user, only the companies that
/// user administers.
pub async fn list_visible(
    db: &DatabaseConnection,
    caller: &Caller,
    user_id: i32,
    include_expired: bool,
) -> Result<UserCompanies, AppError> {
    let delegate = delegation::of(db, caller).await?;
    let mut companies = list_for_user(db, user_id, include_expired).await?;
    if let Some(delegate) = delegate {
        delegate.retain_managed(&mut companies);
    }
    Ok(companies)
}

/// The branches below the user's grants that include them and are not granted themselves, each
/// through the nearest such grant above it, with that grant's terms; in tree order under each grant.
async fn branches_reached(
    db: &impl ConnectionTrait,
    grants: &[UserCompany],
) -> Result<Vec<UserCompany>, AppError> {
    let roots: Vec<Uuid> = grants
        .iter()
        .filter(|grant| grant.include_branches && grant.state != GrantState::Expired)
        .map(|grant| grant.company_id)
        .collect();
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let granted: HashSet<Uuid> = grants.iter().map(|grant| grant.company_id).collect();
    let mut nearest: HashMap<Uuid, (usize, Uuid)> = HashMap::new();
    let mut order = Vec::new();
    for branch in below(db, &roots).await? {
        if granted.contains(&branch.id) {
            continue;
        }
        match nearest.get(&branch.id) {
            Some((depth, _)) if *depth <= branch.depth => {}
            _ => {
                if !nearest.contains_key(&branch.id) {
                    order.push(branch.id);
                }
                nearest.insert(branch.id, (branch.depth, branch.root));
            }
        }
    }
    let names: HashMap<Uuid, String> = company::Entity::find()
        .select_only()
        .columns([company::Column::Id, company::Column::Name])
        .filter(company::Column::Id.is_in(order.iter().copied()))
        .order_by_asc(company::Column::Id)
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let by_company: HashMap<Uuid, &UserCompany> = grants
        .iter()
        .map(|grant| (grant.company_id, grant))
        .collect();
    Ok(order
        .into_iter()
        .filter_map(|id| {
            let (_, root) = nearest.get(&id)?;
            let through = by_company.get(root)?;
            Some(UserCompany {
                company_id: id,
                company_name: names.get(&id)?.clone(),
                is_default: false,
                source: AccessSource::Branch,
                via_company_id: Some(*root),
                include_branches: false,
                ..(*through).clone()
            })
        })
        .collect())
}
