//! Users of the HR system and their employee profile (home company).

use crate::{Email, FullName, Role, Username};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A user as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 5, "username": "sarah", "full_name": "Sarah Connor", "email": "sarah@example.com", "role": "hr_manager", "is_active": true, "home_company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "home_company_name": "NYC", "company_count": 1, "created_at": "2026-01-05T09:30:00Z", "modified_at": "2026-01-05T09:30:00Z"}))]
pub struct User {
    /// Integer id, the `user_id` of every other route.
    pub id: i32,
    /// The login name, unique regardless of letter case.
    pub username: Username,
    /// The person's full name; empty when not known.
    pub full_name: String,
    /// The e-mail address, if known.
    pub email: Option<String>,
    /// What the user does in the HR system; `super_admin` may act in every company.
    pub role: Role,
    /// Inactive users are refused by every access check.
    pub is_active: bool,
    /// The employee profile's company: granted (as default) when set, and by populate.
    pub home_company_id: Option<Uuid>,
    /// The name of the home company, when there is one.
    pub home_company_name: Option<String>,
    /// How many companies the user has been granted explicitly; for a key bound to a user, only those
    /// among the companies that user administers.
    pub company_count: i64,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
    /// When the user was last changed.
    pub modified_at: DateTime<Utc>,
}

/// Body of `POST /users`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "sarah", "full_name": "Sarah Connor", "email": "sarah@example.com", "role": "hr_manager", "home_company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5"}))]
pub struct CreateUser {
    /// The login name; must be free regardless of letter case.
    pub username: Username,
    /// The person's full name (default empty).
    #[serde(default)]
    pub full_name: Option<FullName>,
    /// The e-mail address (default none).
    #[serde(default)]
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
#[schema(example = json!({"full_name": "Sarah J. Connor", "email": null}))]
pub struct UpdateUser {
    /// A new login name; must be free regardless of letter case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<Username>,
    /// A new full name; empty clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<FullName>,
    /// A new e-mail address; `null` clears it.
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Email>)]
    pub email: Option<Option<Email>>,
    /// A new role; `super_admin` may act in every company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// False makes every access check of the user answer no.
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

string_enum! {
    /// The order of `GET /users`.
    pub enum UserSort as "sort" {
        /// By id: creation order.
        Id = "id",
        /// By username.
        Username = "username",
        /// By full name, any letter case.
        FullName = "full_name",
        /// By how many companies the user has been granted.
        CompanyCount = "company_count",
        /// By creation time.
        Created = "created",
    }
}

string_enum! {
    /// Ascending or descending.
    pub enum SortOrder as "order" {
        /// Smallest first.
        Asc = "asc",
        /// Largest first.
        Desc = "desc",
    }
}

/// Query of `GET /users`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListUsersQuery {
    /// Words of a username or full name in any order, each matching part of either, any letter case
    /// (full Unicode case folding); a number also finds the user with that id. Without `sort` the best
    /// matches come first: that id or the exact username, then usernames and full names that start
    /// with the text, then the rest, each by username.
    #[param(pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$", example = "sarah")]
    pub q: Option<String>,
    /// Exact username, any letter case.
    #[param(pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub username: Option<String>,
    /// Only users with this role.
    pub role: Option<Role>,
    /// Only users granted at least this many companies (2 lists the multi-company users); counted as
    /// `company_count` is.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4_294_967_295_u64)]
    pub min_companies: Option<u32>,
    /// Only active users (`true`) or only inactive ones (`false`).
    pub is_active: Option<bool>,
    /// Only users granted this company directly, whatever the state of the grant's window.
    pub company_id: Option<Uuid>,
    /// The order: `id` (the default without `q`), `username`, `full_name`, `company_count` or `created`;
    /// ties go by id.
    #[param(inline)]
    pub sort: Option<UserSort>,
    /// `asc` (the default) or `desc`, for `sort`.
    #[param(inline)]
    pub order: Option<SortOrder>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// Rows to skip (default 0).
    #[param(maximum = 9_223_372_036_854_775_807_u64)]
    pub offset: Option<u64>,
}

/// One page of users, with the total that match.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"id": 5, "username": "sarah", "full_name": "Sarah Connor", "email": "sarah@example.com", "role": "hr_manager", "is_active": true, "home_company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "home_company_name": "NYC", "company_count": 1, "created_at": "2026-01-05T09:30:00Z", "modified_at": "2026-01-05T09:30:00Z"}], "total": 1, "limit": 50, "offset": 0}))]
pub struct UserPage {
    /// The users on this page, by id.
    pub items: Vec<User>,
    /// How many users match, over all pages.
    pub total: u64,
    /// The page size used.
    pub limit: u64,
    /// The rows skipped before this page.
    pub offset: u64,
}
