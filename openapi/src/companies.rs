//! Companies of the HR system.

use crate::terms::{GrantRole, GrantState};
use crate::users::SortOrder;
use crate::{CompanyName, Role, Username};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A company as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "name": "NYC", "user_count": 1, "parent_id": null, "created_at": "2026-01-05T09:30:00Z", "modified_at": "2026-01-05T09:30:00Z"}))]
pub struct Company {
    /// The company id, the `company_id` of every other route.
    pub id: Uuid,
    /// The display name as stored (Unicode NFC, single spaces), unique regardless of letter case.
    pub name: String,
    /// How many users hold a grant of this company, whatever its window: scheduled and expired grants
    /// count (what deleting the company removes). Who may act in it now is its access review.
    pub user_count: i64,
    /// The company this one is a branch of; null for a top-level company.
    pub parent_id: Option<Uuid>,
    /// When the company was created.
    pub created_at: DateTime<Utc>,
    /// When the company was last changed.
    pub modified_at: DateTime<Utc>,
}

/// Body of `POST /companies`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "NYC", "parent_id": "8f1c2d3e-4b5a-4c6d-9e7f-0a1b2c3d4e5f"}))]
pub struct CreateCompany {
    /// The display name; must be free regardless of letter case.
    pub name: CompanyName,
    /// The company this one is a branch of (at most 16 levels deep); absent or null: top level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<Uuid>,
}

/// Body of `PATCH /companies/{id}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "NYC Office", "parent_id": null}))]
pub struct UpdateCompany {
    /// The new display name; must be free regardless of letter case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<CompanyName>,
    /// Moves the company, with its branches, under this parent; null makes it top-level. A parent
    /// inside the company's own branches is a cycle (409 `hierarchy_cycle`), and a tree deeper than 16
    /// levels is refused (409 `hierarchy_too_deep`).
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub parent_id: Option<Option<Uuid>>,
}

/// Most levels a company tree may have: a top-level company and fifteen levels of branches below it.
pub const MAX_DEPTH: usize = 16;

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
    /// Part of the name, any letter case (full Unicode case folding); runs of spaces match one space.
    #[param(pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub q: Option<String>,
    /// Exact name, any letter case (full Unicode case folding); runs of spaces match one space.
    #[param(pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub name: Option<String>,
    /// `created` (the default: creation order) or `name`; ties go by id.
    #[param(inline)]
    pub sort: Option<CompanySort>,
    /// `asc` (the default: oldest or A first) or `desc` (newest or Z first), for `sort`.
    #[param(inline)]
    pub order: Option<SortOrder>,
    /// Only the direct branches of this company.
    pub parent_id: Option<Uuid>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// Rows to skip (default 0).
    #[param(maximum = 9_223_372_036_854_775_807_u64)]
    pub offset: Option<u64>,
}

/// One page of companies, with the total that match.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "name": "NYC", "user_count": 1, "parent_id": null, "created_at": "2026-01-05T09:30:00Z", "modified_at": "2026-01-05T09:30:00Z"}], "total": 1, "limit": 50, "offset": 0}))]
pub struct CompanyPage {
    /// The companies on this page, in the order asked for.
    pub items: Vec<Company>,
    /// How many companies match, over all pages.
    pub total: u64,
    /// The page size used.
    pub limit: u64,
    /// The rows skipped before this page.
    pub offset: u64,
}

string_enum! {
    /// Why someone may act in a company.
    pub enum AccessSource as "access source" {
        /// An explicit row in `hrm_user_company_access`.
        Grant = "grant",
        /// The user is a super admin, who may act in every company.
        SuperAdmin = "super_admin",
        /// A grant of a parent company with `include_branches` reaches this one.
        Branch = "branch",
    }
}

/// One person who may act in a company: a line of an access review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CompanyMember {
    /// The user's id.
    pub user_id: i32,
    /// The user's login name.
    pub username: Username,
    /// The user's full name.
    pub full_name: String,
    /// The user's role.
    pub role: Role,
    /// Inactive users are refused by every access check, grant or not.
    pub is_active: bool,
    /// Whether the access is an explicit grant or the super admin role.
    pub source: AccessSource,
    /// Whether this is the user's default company.
    pub is_default: bool,
    /// When the grant was made (absent for access through the super admin role).
    pub granted_at: Option<DateTime<Utc>>,
    /// The API key that made the grant.
    pub granted_by: Option<String>,
    /// The role the user holds in this company: the grant's own, else the user's role.
    pub role_here: Role,
    /// The role the grant itself names; null when it follows the user's role (or for super admins).
    pub granted_role: Option<GrantRole>,
    /// From when the grant gives access (inclusive); null: from the start.
    pub valid_from: Option<DateTime<Utc>>,
    /// Until when the grant gives access (exclusive); null: no end.
    pub valid_until: Option<DateTime<Utc>>,
    /// `active` or `scheduled` at the instant of the answer; expired grants are not listed.
    pub state: GrantState,
    /// The company whose grant gives the access: this one, or (`source: branch`) a parent.
    pub via_company_id: Option<Uuid>,
}

string_enum! {
    /// The order of an access review (`GET /companies/{id}/users`).
    pub enum MemberSort as "sort" {
        /// By user id: creation order (the default).
        UserId = "user_id",
        /// By username.
        Username = "username",
        /// By full name, any letter case.
        FullName = "full_name",
        /// By the role held in the company (`role_here`), alphabetically by its value.
        Role = "role",
        /// By where the access comes from (`branch`, `grant`, `super_admin`).
        Source = "source",
        /// By when the grant was made; access through the super admin role has no such time and
        /// comes last in ascending order, first in descending order.
        GrantedAt = "granted_at",
    }
}

/// Query of `GET /companies/{id}/users`. The filters combine (all must hold); `total` counts what
/// they leave, so paging and an export see exactly the filtered review.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListMembersQuery {
    /// Words of a username or full name in any order, each matching part of either, any letter case
    /// (full Unicode case folding); a number also finds the user with that id. Blank: no filter.
    #[param(pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$", example = "sarah")]
    pub q: Option<String>,
    /// Only people holding this role in the company (`role_here`: the grant's role, else the user's
    /// own; super admins hold `super_admin` everywhere). Another value is a 400.
    #[param(example = "admin")]
    pub role: Option<Role>,
    /// Only people whose access comes from here: `grant` (a grant of this company), `branch` (a
    /// parent's grant that includes branches) or `super_admin` (the role). Another value is a 400.
    #[param(example = "branch")]
    pub source: Option<AccessSource>,
    /// The order: `user_id` (the default), `username`, `full_name`, `role`, `source` or
    /// `granted_at`; ties go by user id, ascending. Another value is a 400.
    #[param(inline, example = "username")]
    pub sort: Option<MemberSort>,
    /// `asc` (the default) or `desc`, for `sort`. Another value is a 400.
    #[param(inline, example = "desc")]
    pub order: Option<SortOrder>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// Rows to skip (default 0).
    #[param(maximum = 9_223_372_036_854_775_807_u64)]
    pub offset: Option<u64>,
}

/// Who can act in a company: explicit grants and super admins.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"company": {"id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "name": "NYC", "user_count": 1, "parent_id": null, "created_at": "2026-01-05T09:30:00Z", "modified_at": "2026-01-05T09:30:00Z"}, "items": [{"user_id": 5, "username": "sarah", "full_name": "Sarah Connor", "role": "hr_manager", "is_active": true, "source": "grant", "is_default": true, "granted_at": "2026-01-05T09:30:00Z", "granted_by": "hr-portal", "role_here": "admin", "granted_role": "admin", "valid_from": null, "valid_until": null, "state": "active", "via_company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5"}], "total": 1, "limit": 50, "offset": 0}))]
pub struct CompanyMembers {
    /// The company reviewed.
    pub company: Company,
    /// Who may act in it on this page.
    pub items: Vec<CompanyMember>,
    /// How many may act in it, over all pages.
    pub total: u64,
    /// The page size used.
    pub limit: u64,
    /// The rows skipped before this page.
    pub offset: u64,
}
