//! "May user U act in company C?" — one pair, or thousands at once.

use crate::error::AppError;
use crate::services::Sql;
use openapi::Role;
use openapi::access::{AccessDecision, AccessPair, DecisionReason, MAX_CHECKS_PER_REQUEST};
use sea_orm::{ConnectionTrait, FromQueryResult};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The facts a decision rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// `None`: no such user; otherwise (is_active, is_super_admin).
    pub user: Option<(bool, bool)>,
    pub company_exists: bool,
    pub granted: bool,
}

impl Facts {
    pub fn decide(self) -> DecisionReason {
        match self.user {
            None => DecisionReason::UnknownUser,
            Some(_) if !self.company_exists => DecisionReason::UnknownCompany,
            Some((false, _)) => DecisionReason::UserInactive,
            Some((true, true)) => DecisionReason::SuperAdmin,
            Some((true, false)) if self.granted => DecisionReason::Grant,
            Some(_) => DecisionReason::NoGrant,
        }
    }
}

fn decision(user_id: i32, company_id: Uuid, reason: DecisionReason) -> AccessDecision {
    AccessDecision { user_id, company_id, allowed: reason.allows(), reason }
}

/// One pair, in one round trip to the database.
pub async fn check(
    db: &impl ConnectionTrait,
    user_id: i32,
    company_id: Uuid,
) -> Result<AccessDecision, AppError> {
    #[derive(FromQueryResult)]
    struct Row {
        is_active: bool,
        role: String,
        company_exists: bool,
        granted: bool,
    }
    let mut sql = Sql::new(db.get_database_backend(), "");
    let user = sql.bind(user_id);
    let company = sql.bind(company_id);
    sql.push(&format!(
        "SELECT u.is_active, u.role, \
         EXISTS (SELECT 1 FROM hrm_company c WHERE c.id = {company}) AS company_exists, \
         EXISTS (SELECT 1 FROM hrm_user_company_access a WHERE a.user_id = {user} AND a.company_id = {company}) AS granted \
         FROM hrm_users u WHERE u.id = {user}"
    ));
    let row = Row::find_by_statement(sql.statement()).one(db).await.map_err(AppError::Unavailable)?;
    let facts = match row {
        None => Facts { user: None, company_exists: false, granted: false },
        Some(row) => Facts {
            user: Some((row.is_active, row.role == Role::SuperAdmin.as_str())),
            company_exists: row.company_exists,
            granted: row.granted,
        },
    };
    Ok(decision(user_id, company_id, facts.decide()))
}

/// Many pairs with three set-based queries (users, companies, grants), whatever their number.
pub async fn check_many(
    db: &impl ConnectionTrait,
    pairs: &[AccessPair],
) -> Result<Vec<AccessDecision>, AppError> {
    if pairs.len() > MAX_CHECKS_PER_REQUEST {
        return Err(AppError::validation(
            "checks",
            format!("at most {MAX_CHECKS_PER_REQUEST} pairs per request (got {})", pairs.len()),
        ));
    }
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let user_ids: Vec<i32> = pairs.iter().map(|p| p.user_id).collect::<HashSet<_>>().into_iter().collect();
    let company_ids: Vec<Uuid> =
        pairs.iter().map(|p| p.company_id).collect::<HashSet<_>>().into_iter().collect();

    #[derive(FromQueryResult)]
    struct UserRow {
        id: i32,
        is_active: bool,
        role: String,
    }
    let mut sql = Sql::new(backend, "SELECT id, is_active, role FROM hrm_users WHERE id IN ");
    let list = sql.bind_list(user_ids.iter().copied());
    sql.push(&list);
    let users: HashMap<i32, (bool, bool)> = UserRow::find_by_statement(sql.statement())
        .all(db)
        .await
        .map_err(AppError::Unavailable)?
        .into_iter()
        .map(|u| (u.id, (u.is_active, u.role == Role::SuperAdmin.as_str())))
        .collect();

    #[derive(FromQueryResult)]
    struct CompanyRow {
        id: Uuid,
    }
    let mut sql = Sql::new(backend, "SELECT id FROM hrm_company WHERE id IN ");
    let list = sql.bind_list(company_ids.iter().copied());
    sql.push(&list);
    let companies: HashSet<Uuid> = CompanyRow::find_by_statement(sql.statement())
        .all(db)
        .await
        .map_err(AppError::Unavailable)?
        .into_iter()
        .map(|c| c.id)
        .collect();

    #[derive(FromQueryResult)]
    struct GrantRow {
        user_id: i32,
        company_id: Uuid,
    }
    let mut sql = Sql::new(
        backend,
        "SELECT user_id, company_id FROM hrm_user_company_access WHERE user_id IN ",
    );
    let users_list = sql.bind_list(user_ids.iter().copied());
    sql.push(&users_list).push(" AND company_id IN ");
    let companies_list = sql.bind_list(company_ids.iter().copied());
    sql.push(&companies_list);
    let grants: HashSet<(i32, Uuid)> = GrantRow::find_by_statement(sql.statement())
        .all(db)
        .await
        .map_err(AppError::Unavailable)?
        .into_iter()
        .map(|g| (g.user_id, g.company_id))
        .collect();

    Ok(pairs
        .iter()
        .map(|pair| {
            let facts = Facts {
                user: users.get(&pair.user_id).copied(),
                company_exists: companies.contains(&pair.company_id),
                granted: grants.contains(&(pair.user_id, pair.company_id)),
            };
            decision(pair.user_id, pair.company_id, facts.decide())
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(user: Option<(bool, bool)>, company_exists: bool, granted: bool) -> DecisionReason {
        Facts { user, company_exists, granted }.decide()
    }

    #[test]
    fn decisions_follow_the_rules_in_order() {
        assert_eq!(facts(None, true, true), DecisionReason::UnknownUser);
        assert_eq!(facts(Some((true, false)), false, false), DecisionReason::UnknownCompany);
        assert_eq!(facts(Some((false, true)), true, true), DecisionReason::UserInactive);
        assert_eq!(facts(Some((true, true)), true, false), DecisionReason::SuperAdmin);
        assert_eq!(facts(Some((true, false)), true, true), DecisionReason::Grant);
        assert_eq!(facts(Some((true, false)), true, false), DecisionReason::NoGrant);
    }

    #[test]
    fn only_grant_and_super_admin_allow() {
        assert!(DecisionReason::Grant.allows() && DecisionReason::SuperAdmin.allows());
        assert!(!DecisionReason::NoGrant.allows() && !DecisionReason::UserInactive.allows());
    }
}
