//! Summary statistics of who may act where.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A company and how many users were granted it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CompanyLoad {
    /// The company's id.
    pub company_id: Uuid,
    /// The company's name.
    pub name: String,
    /// How many users were granted it explicitly.
    pub users: i64,
}

/// How many users have exactly `companies` companies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CompaniesPerUser {
    /// A number of companies.
    pub companies: i64,
    /// How many users have exactly that many.
    pub users: i64,
}

/// `GET /stats`: how many users, companies and grants there are, and how grants are spread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"users": 6, "active_users": 6, "super_admins": 1, "companies": 12, "relationships": 9, "expired_grants": 0, "scheduled_grants": 1, "branch_grants": 1, "branch_companies": 2, "users_with_multiple_companies": 3, "users_without_companies": 2, "companies_without_users": 3, "average_companies_per_user": 1.5, "busiest_companies": [{"company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "name": "NYC", "users": 1}], "companies_per_user": [{"companies": 0, "users": 2}, {"companies": 1, "users": 1}, {"companies": 2, "users": 1}, {"companies": 3, "users": 2}]}))]
pub struct Stats {
    /// All users.
    pub users: i64,
    /// Users that are active.
    pub active_users: i64,
    /// Users with the `super_admin` role.
    pub super_admins: i64,
    /// All companies.
    pub companies: i64,
    /// Rows of `hrm_user_company_access`.
    pub relationships: i64,
    /// Grants whose `valid_until` has passed (they give no access).
    pub expired_grants: i64,
    /// Grants whose `valid_from` is still ahead.
    pub scheduled_grants: i64,
    /// Grants that reach their company's branches too.
    pub branch_grants: i64,
    /// Companies that are a branch of another.
    pub branch_companies: i64,
    /// Users holding two grants or more that have not expired.
    pub users_with_multiple_companies: i64,
    /// Users with no grant that is active or scheduled: an expired grant is no company. Super admins
    /// are not counted here (they act in every company); `super_admins` counts them.
    pub users_without_companies: i64,
    /// Companies granted to no user.
    pub companies_without_users: i64,
    /// relationships ÷ users (0 when there are no users).
    pub average_companies_per_user: f64,
    /// The ten companies with the most users.
    pub busiest_companies: Vec<CompanyLoad>,
    /// How many users hold how many unexpired grants, for a chart; its `0` row is
    /// `users_without_companies`.
    pub companies_per_user: Vec<CompaniesPerUser>,
}
