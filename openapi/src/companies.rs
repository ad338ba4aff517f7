//! Companies of the HR system.

use crate::{CompanyName, Role, Username};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A company as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Company {
    pub id: Uuid,
    pub name: CompanyName,
    /// How many users have been granted this company explicitly.
    pub user_count: i64,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
}

/// Body of `POST /companies`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCompany {
    pub name: CompanyName,
}

/// Body of `PATCH /companies/{id}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCompany {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<CompanyName>,
}

string_enum! {
    /// The order of `GET /companies`.
    pub enum CompanySort as "sort" {
        /// Creation order, oldest first.
        Created = "created",
        /// By name, any letter case.
        Name = "name",
    }
}

/// Query of `GET /companies`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListCompaniesQuery {
    /// Part of the name, any letter case.
    pub q: Option<String>,
    /// Exact name, any letter case.
    pub name: Option<String>,
    /// `created` (the default: creation order) or `name`.
    #[param(inline)]
    pub sort: Option<CompanySort>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// Rows to skip (default 0).
    #[param(maximum = 9_223_372_036_854_775_807_u64)]
    pub offset: Option<u64>,
}

/// One page of companies, with the total that match.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompanyPage {
    pub items: Vec<Company>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

string_enum! {
    /// Why someone may act in a company.
    pub enum AccessSource as "access source" {
        /// An explicit row in `hrm_user_company_access`.
        Grant = "grant",
        /// The user is a super admin, who may act in every company.
        SuperAdmin = "super_admin",
    }
}

/// One person who may act in a company: a line of an access review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CompanyMember {
    pub user_id: i32,
    pub username: Username,
    pub full_name: String,
    pub role: Role,
    pub is_active: bool,
    pub source: AccessSource,
    /// Whether this is the user's default company.
    pub is_default: bool,
    /// When the grant was made (absent for access through the super admin role).
    pub granted_at: Option<DateTime<Utc>>,
    /// The API key that made the grant.
    pub granted_by: Option<String>,
}

/// Query of `GET /companies/{id}/users`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListMembersQuery {
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// Rows to skip (default 0).
    #[param(maximum = 9_223_372_036_854_775_807_u64)]
    pub offset: Option<u64>,
}

/// Who can act in a company: explicit grants and super admins.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompanyMembers {
    pub company: Company,
    pub items: Vec<CompanyMember>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}
