//! Users of the HR system and their employee profile (home company).

use crate::{CompanyName, Email, FullName, Role, Username};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A user as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct User {
    /// Integer id, the `user_id` of every other route.
    pub id: i32,
    pub username: Username,
    pub full_name: String,
    pub email: Option<String>,
    pub role: Role,
    /// Inactive users are refused by every access check.
    pub is_active: bool,
    /// The employee profile's company: granted (as default) when set, and by populate.
    pub home_company_id: Option<Uuid>,
    pub home_company_name: Option<CompanyName>,
    /// How many companies the user has been granted explicitly.
    pub company_count: i64,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
}

/// Body of `POST /users`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub username: Username,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub full_name: Option<FullName>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub email: Option<Email>,
    /// Defaults to `employee`.
    #[serde(default)]
    pub role: Option<Role>,
    /// Defaults to true.
    #[serde(default)]
    pub is_active: Option<bool>,
    /// The employee profile's company; the user is granted it as their default company.
    #[serde(default)]
    pub home_company_id: Option<Uuid>,
}

/// Body of `PATCH /users/{id}`: only the fields present change; `null` clears `email` or `home_company_id`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<Username>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub full_name: Option<FullName>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, nullable)]
    pub email: Option<Option<Email>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_active: Option<bool>,
    /// A new home company is granted (and made default when the user has none); the old one is kept.
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub home_company_id: Option<Option<Uuid>>,
}

/// Query of `GET /users`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListUsersQuery {
    /// Part of a username or full name, any letter case.
    pub q: Option<String>,
    /// Exact username, any letter case.
    pub username: Option<String>,
    pub role: Option<Role>,
    /// Only users granted at least this many companies (2 lists the multi-company users).
    pub min_companies: Option<u32>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// Rows to skip (default 0).
    #[param(maximum = 9_223_372_036_854_775_807_u64)]
    pub offset: Option<u64>,
}

/// One page of users, with the total that match.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<User>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}
