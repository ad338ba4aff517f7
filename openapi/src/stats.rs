//! Summary statistics of who may act where.

use crate::CompanyName;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A company and how many users were granted it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CompanyLoad {
    pub company_id: Uuid,
    pub name: CompanyName,
    pub users: i64,
}

/// How many users have exactly `companies` companies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CompaniesPerUser {
    pub companies: i64,
    pub users: i64,
}

/// `GET /stats`: how many users, companies and grants there are, and how grants are spread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    pub users: i64,
    pub active_users: i64,
    pub super_admins: i64,
    pub companies: i64,
    /// Rows of `hrm_user_company_access`.
    pub relationships: i64,
    pub users_with_multiple_companies: i64,
    pub users_without_companies: i64,
    pub companies_without_users: i64,
    /// relationships ÷ users (0 when there are no users).
    pub average_companies_per_user: f64,
    /// The ten companies with the most users.
    pub busiest_companies: Vec<CompanyLoad>,
    /// The distribution behind the average, for a chart.
    pub companies_per_user: Vec<CompaniesPerUser>,
}
