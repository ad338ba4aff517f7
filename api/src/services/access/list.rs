//! `list_user_companies`: explicit grants (default first), the branches that grants including them
//! reach, then for a super admin every other company.

use crate::caller::Caller;
use crate::db::grants::{companies_without_active_grant, grant_rows_at};
use crate::db::hierarchy::{Branch, below};
use crate::error::AppError;
use crate::services::{delegation, users};
use chrono::Utc;
use entity::company;
use openapi::Role;
use openapi::access::{UserCompanies, UserCompany, UserRef};
use openapi::companies::AccessSource;
use openapi::terms::GrantState;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Expired grants are left out unless `include_expired`: they give no access, and a frontend offering
/// them would only be refused. Everything else is read at one instant, the check's: the access each
/// company gives now, and the grants that give none yet as lines of their own. Asking for expired
/// grants only adds their lines.
pub async fn list_for_user(
    db: &impl ConnectionTrait,
    user_id: i32,
    include_expired: bool,
) -> Result<UserCompanies, AppError> {
    let user = users::get(db, user_id).await?;
    let now = Utc::now();
    let mut items = grant_rows_at(db, user_id, None, now).await?;
    let all_companies = user.role == Role::SuperAdmin;
    let more = if all_companies {
        companies_without_active_grant(db, user_id, now).await?
    } else {
        branches_reached(db, &items).await?
    };
    if !include_expired {
        items.retain(|grant| grant.state != GrantState::Expired);
    }
    items.extend(more);
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

/// The branches below the user's grants that include them, as the check reaches them now: a branch
/// whose own grant is active is decided by it and left out; else it is listed through the nearest
/// active grant above it; else, when no grant of its own is scheduled, through the nearest scheduled
/// one, which says when access starts. Each line carries that grant's terms and state; in tree order
/// under each grant. `grants` are all the user's own, expired ones too (they reach nothing).
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
    let by_company: HashMap<Uuid, &UserCompany> = grants
        .iter()
        .map(|grant| (grant.company_id, grant))
        .collect();
    let own_state = |id: &Uuid| by_company.get(id).map(|grant| grant.state);
    // Active grants come before scheduled ones, then the nearest: the order the check takes them in,
    // as far as it gives access now.
    let rank = |branch: &Branch| {
        (
            own_state(&branch.root) != Some(GrantState::Active),
            branch.depth,
        )
    };
    let mut nearest: HashMap<Uuid, ((bool, usize), Uuid)> = HashMap::new();
    let mut order = Vec::new();
    for branch in below(db, &roots).await? {
        if own_state(&branch.id) == Some(GrantState::Active) {
            continue;
        }
        let reach = (rank(&branch), branch.root);
        match nearest.get(&branch.id) {
            Some((best, _)) if *best <= reach.0 => {}
            Some(_) => {
                nearest.insert(branch.id, reach);
            }
            None => {
                order.push(branch.id);
                nearest.insert(branch.id, reach);
            }
        }
    }
    // A branch only scheduled grants reach shows its own scheduled grant, if it has one, alone.
    order.retain(|id| {
        let upcoming = nearest.get(id).is_some_and(|((upcoming, _), _)| *upcoming);
        !(upcoming && own_state(id) == Some(GrantState::Scheduled))
    });
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
