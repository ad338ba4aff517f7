//! Who may act in which company: a user's companies, access checks, bulk grants and populate.

use crate::companies::AccessSource;
use crate::{CompanyName, Role, Username};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Most companies one request may name (grants, replace, bulk lists).
pub const MAX_IDS_PER_REQUEST: usize = 10_000;
/// Most pairs one `POST /access-check` may ask about.
pub const MAX_CHECKS_PER_REQUEST: usize = 10_000;

/// A company a user may act in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UserCompany {
    pub company_id: Uuid,
    pub company_name: CompanyName,
    /// Whether this is the company frontends should open first.
    pub is_default: bool,
    pub source: AccessSource,
    /// When the grant was made (absent for access through the super admin role).
    pub granted_at: Option<DateTime<Utc>>,
    /// The API key that made the grant.
    pub granted_by: Option<String>,
}

/// The user a list of companies belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UserRef {
    pub id: i32,
    pub username: Username,
    pub full_name: String,
    pub role: Role,
    pub is_active: bool,
}

/// `GET /users/{id}/companies`: every company the user may act in, explicit grants first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UserCompanies {
    pub user: UserRef,
    /// True for super admins, who may act in every company, including ones created later.
    pub all_companies: bool,
    pub items: Vec<UserCompany>,
}

/// Body of `POST /users/{id}/companies`: exactly one of `company_id` (answers 201 with the grant) or
/// `company_ids` (answers 200 with what was added and what the user already had).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_ids: Option<Vec<Uuid>>,
}

/// Answer to a grant of several companies: all or nothing, and a company the user already has is not an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GrantManyResult {
    pub added: Vec<UserCompany>,
    /// Companies the user already had access to; left as they were.
    pub already_present: Vec<Uuid>,
}

/// Body of `PUT /users/{id}/companies`: the complete set of companies the user should have.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplaceCompanies {
    pub company_ids: Vec<Uuid>,
    /// Which of them is the default; must be in `company_ids`. Absent keeps the current default if it stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_company_id: Option<Uuid>,
}

/// Answer to `PUT /users/{id}/companies`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReplaceResult {
    pub added: Vec<Uuid>,
    pub removed: Vec<Uuid>,
    pub companies: UserCompanies,
}

/// Body of `PATCH /users/{id}/companies/{company_id}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGrant {
    /// True makes this the user's one default company; false leaves the user with no default.
    pub is_default: bool,
}

/// Query of `GET /access-check`.
#[derive(Debug, Clone, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccessCheckQuery {
    pub user_id: i32,
    pub company_id: Uuid,
}

string_enum! {
    /// Why a check came out as it did.
    pub enum DecisionReason as "decision reason" {
        /// The user has been granted the company.
        Grant = "grant",
        /// The user is a super admin.
        SuperAdmin = "super_admin",
        /// The user exists but has no access to this company.
        NoGrant = "no_grant",
        /// The user exists but is inactive.
        UserInactive = "user_inactive",
        /// No such user.
        UnknownUser = "unknown_user",
        /// No such company.
        UnknownCompany = "unknown_company",
    }
}

impl DecisionReason {
    pub fn allows(self) -> bool {
        matches!(self, DecisionReason::Grant | DecisionReason::SuperAdmin)
    }
}

/// May this user act in this company?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccessDecision {
    pub user_id: i32,
    pub company_id: Uuid,
    pub allowed: bool,
    pub reason: DecisionReason,
}

/// One pair to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessPair {
    pub user_id: i32,
    pub company_id: Uuid,
}

/// Body of `POST /access-check`: up to 10,000 pairs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessCheckBatch {
    pub checks: Vec<AccessPair>,
}

/// One decision per pair asked, in the same order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AccessCheckResults {
    pub results: Vec<AccessDecision>,
}

/// Body of `POST /access/bulk`: grant every listed user every listed company.
/// An absent list means all of them; `{}` is all users × all companies.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkGrantRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_ids: Option<Vec<i32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_ids: Option<Vec<Uuid>>,
    /// Count what would change without changing anything.
    #[serde(default)]
    pub dry_run: bool,
}

/// What a bulk grant did (or would do, on a dry run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BulkGrantResult {
    pub users: u64,
    pub companies: u64,
    /// users × companies.
    pub pairs: u64,
    pub added: u64,
    pub already_present: u64,
    pub dry_run: bool,
}

/// Body of `POST /access/populate`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PopulateRequest {
    /// Count what would change without changing anything.
    #[serde(default)]
    pub dry_run: bool,
}

/// What populate did: employees got their profile's company, super admins every company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PopulateResult {
    /// Grants of a user's home company added.
    pub home_company_grants: u64,
    /// Grants to super admins added.
    pub super_admin_grants: u64,
    /// Users whose home company became their default.
    pub defaults_set: u64,
    pub dry_run: bool,
}
