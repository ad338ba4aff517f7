//! Who may act in which company: a user's companies, access checks, bulk grants and populate.

use crate::companies::AccessSource;
use crate::instant::Instant;
use crate::terms::{GrantRole, GrantState, GrantTerms, RoleSet, Window};
use crate::{Role, Username};
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
#[schema(example = json!({"company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "company_name": "NYC", "is_default": true, "source": "grant", "granted_at": "2026-01-05T09:30:00Z", "granted_by": "hr-portal", "role": "hr_manager", "granted_role": null, "valid_from": null, "valid_until": "2027-01-01T00:00:00Z", "state": "active", "include_branches": false, "via_company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5"}))]
pub struct UserCompany {
    /// The company's id.
    pub company_id: Uuid,
    /// The company's name.
    pub company_name: String,
    /// Whether this is the company frontends should open first.
    pub is_default: bool,
    /// Whether the access is an explicit grant or the super admin role.
    pub source: AccessSource,
    /// When the grant was made (absent for access through the super admin role).
    pub granted_at: Option<DateTime<Utc>>,
    /// The API key that made the grant.
    pub granted_by: Option<String>,
    /// The role the user holds in this company: the grant's own, else the user's role (`super_admin`
    /// for access through that role).
    pub role: Role,
    /// The role the grant itself names; null when it follows the user's role.
    pub granted_role: Option<GrantRole>,
    /// From when the grant gives access (inclusive); null: from the start.
    pub valid_from: Option<DateTime<Utc>>,
    /// Until when the grant gives access (exclusive); null: with no end.
    pub valid_until: Option<DateTime<Utc>>,
    /// Where the grant stands at the instant of the answer.
    pub state: GrantState,
    /// Whether the grant reaches every branch of its company too.
    pub include_branches: bool,
    /// The company whose grant gives the access: this one, or (`source: branch`) a parent.
    pub via_company_id: Option<Uuid>,
}

/// The user a list of companies belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UserRef {
    /// The user's id.
    pub id: i32,
    /// The user's login name.
    pub username: Username,
    /// The user's full name.
    pub full_name: String,
    /// The user's role.
    pub role: Role,
    /// Inactive users are refused by every access check.
    pub is_active: bool,
}

/// `GET /users/{id}/companies`: every company the user may act in, explicit grants first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"user": {"id": 5, "username": "sarah", "full_name": "Sarah Connor", "role": "hr_manager", "is_active": true}, "all_companies": false, "items": [{"company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "company_name": "NYC", "is_default": true, "source": "grant", "granted_at": "2026-01-05T09:30:00Z", "granted_by": "hr-portal", "role": "hr_manager", "granted_role": null, "valid_from": null, "valid_until": "2027-01-01T00:00:00Z", "state": "active", "include_branches": false, "via_company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5"}]}))]
pub struct UserCompanies {
    /// The user the list belongs to.
    pub user: UserRef,
    /// True for super admins, who may act in every company, including ones created later.
    pub all_companies: bool,
    /// The companies the user may act in, default first.
    pub items: Vec<UserCompany>,
}

/// Body of `POST /users/{id}/companies` as the server reads it: exactly one of the two fields. The
/// document describes it as [`GrantBody`], which says "exactly one" in the schema itself.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    /// The one company to grant; answers 201 with the grant.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub company_id: Option<Uuid>,
    /// Several companies to grant, all or nothing; answers 200.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub company_ids: Option<Vec<Uuid>>,
    /// The role the grants give; absent: they follow the user's role.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub role: Option<GrantRole>,
    /// From when the grants give access (inclusive).
    #[serde(
        default,
        deserialize_with = "present_instant",
        skip_serializing_if = "Option::is_none"
    )]
    pub valid_from: Option<DateTime<Utc>>,
    /// Until when the grants give access (exclusive).
    #[serde(
        default,
        deserialize_with = "present_instant",
        skip_serializing_if = "Option::is_none"
    )]
    pub valid_until: Option<DateTime<Utc>>,
    /// The grants reach every branch of their companies too.
    #[serde(default)]
    pub include_branches: bool,
}

/// A field that may be left out but, when sent, must hold a value: `null` is refused, as the schema says.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    match Option::<T>::deserialize(deserializer)? {
        Some(value) => Ok(Some(value)),
        None => Err(serde::de::Error::custom(
            "may be left out, but not null: send a value or leave the field out",
        )),
    }
}

/// An instant field of [`GrantRequest`]: like [`present`], read as an [`Instant`].
fn present_instant<'de, D>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    present::<D, Instant>(deserializer).map(|at| at.map(Instant::into_inner))
}

/// Grant one company; answers 201 with the grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "role": "hr_manager", "valid_until": "2027-01-01T00:00:00Z"}))]
pub struct GrantOne {
    /// The company to grant.
    pub company_id: Uuid,
    /// The role the grant gives in its company; absent: it follows the user's role, whatever that
    /// becomes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub role: Option<GrantRole>,
    /// From when the grant gives access (RFC 3339, inclusive, kept to the microsecond); absent: at once.
    #[serde(
        default,
        deserialize_with = "crate::instant::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Instant, nullable = false)]
    pub valid_from: Option<DateTime<Utc>>,
    /// Until when the grant gives access (RFC 3339, exclusive, later than `valid_from`); absent: no end.
    #[serde(
        default,
        deserialize_with = "crate::instant::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Instant, nullable = false)]
    pub valid_until: Option<DateTime<Utc>>,
    /// Reach every branch of the company too, now and later (default false).
    #[serde(default)]
    pub include_branches: bool,
}

/// Grant several companies, all or nothing; answers 200 with what was added and what the user already had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"company_ids": ["3ae13ac4-23e5-45ad-9747-e699cced23b5", "8f1c2d3e-4b5a-4c6d-9e7f-0a1b2c3d4e5f"]}))]
pub struct GrantMany {
    /// The companies to grant, 1 to 10,000; one the user already has is reported, not an error.
    #[schema(min_items = 1, max_items = 10_000)]
    pub company_ids: Vec<Uuid>,
    /// The role the grants give in its company; absent: it follows the user's role, whatever that
    /// becomes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub role: Option<GrantRole>,
    /// From when the grants give access (RFC 3339, inclusive, kept to the microsecond); absent: at once.
    #[serde(
        default,
        deserialize_with = "crate::instant::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Instant, nullable = false)]
    pub valid_from: Option<DateTime<Utc>>,
    /// Until when the grants give access (RFC 3339, exclusive, later than `valid_from`); absent: no end.
    #[serde(
        default,
        deserialize_with = "crate::instant::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Instant, nullable = false)]
    pub valid_until: Option<DateTime<Utc>>,
    /// Reach every branch of the company too, now and later (default false).
    #[serde(default)]
    pub include_branches: bool,
}

/// Body of `POST /users/{id}/companies`: exactly one of `company_id` (one company) or `company_ids` (a list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
#[schema(example = json!({"company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5"}))]
pub enum GrantBody {
    /// One company.
    One(GrantOne),
    /// Several companies.
    Many(GrantMany),
}

/// Answer to a grant of several companies: all or nothing, and a company the user already has is not an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"added": [{"company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "company_name": "NYC", "is_default": true, "source": "grant", "granted_at": "2026-01-05T09:30:00Z", "granted_by": "hr-portal", "role": "hr_manager", "granted_role": null, "valid_from": null, "valid_until": "2027-01-01T00:00:00Z", "state": "active", "include_branches": false, "via_company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5"}], "already_present": ["8f1c2d3e-4b5a-4c6d-9e7f-0a1b2c3d4e5f"]}))]
pub struct GrantManyResult {
    /// The grants made by this request.
    pub added: Vec<UserCompany>,
    /// Companies the user already had access to; left as they were.
    pub already_present: Vec<Uuid>,
}

/// Body of `PUT /users/{id}/companies`: the complete set of companies the user should have.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"company_ids": ["3ae13ac4-23e5-45ad-9747-e699cced23b5", "8f1c2d3e-4b5a-4c6d-9e7f-0a1b2c3d4e5f"], "default_company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5"}))]
pub struct ReplaceCompanies {
    /// Every company the user should have, up to 10,000; an empty list revokes them all.
    #[schema(max_items = 10_000)]
    pub company_ids: Vec<Uuid>,
    /// The company to make the default; it is granted too when `company_ids` leaves it out. Absent keeps
    /// the current default if it stays, or makes the first company the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_company_id: Option<Uuid>,
}

/// Answer to `PUT /users/{id}/companies`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"added": ["3ae13ac4-23e5-45ad-9747-e699cced23b5"], "removed": ["8f1c2d3e-4b5a-4c6d-9e7f-0a1b2c3d4e5f"], "companies": {"user": {"id": 5, "username": "sarah", "full_name": "Sarah Connor", "role": "hr_manager", "is_active": true}, "all_companies": false, "items": [{"company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "company_name": "NYC", "is_default": true, "source": "grant", "granted_at": "2026-01-05T09:30:00Z", "granted_by": "hr-portal", "role": "hr_manager", "granted_role": null, "valid_from": null, "valid_until": "2027-01-01T00:00:00Z", "state": "active", "include_branches": false, "via_company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5"}]}}))]
pub struct ReplaceResult {
    /// Companies granted by this request.
    pub added: Vec<Uuid>,
    /// Companies revoked by this request.
    pub removed: Vec<Uuid>,
    /// The user's companies afterwards.
    pub companies: UserCompanies,
}

/// Body of `PATCH /users/{id}/companies/{company_id}`: the fields to change, at least one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1, example = json!({"role": "admin", "valid_until": "2027-01-01T00:00:00Z"}))]
pub struct UpdateGrant {
    /// True makes this the user's one default company; false leaves the user with no default.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub is_default: Option<bool>,
    /// The role the grant gives; null makes it follow the user's role.
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable)]
    pub role: Option<Option<GrantRole>>,
    /// From when the grant gives access (inclusive); null: at once.
    #[serde(
        default,
        deserialize_with = "crate::instant::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Instant>, nullable)]
    pub valid_from: Option<Option<DateTime<Utc>>>,
    /// Until when the grant gives access (exclusive); null: no end.
    #[serde(
        default,
        deserialize_with = "crate::instant::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Instant>, nullable)]
    pub valid_until: Option<Option<DateTime<Utc>>>,
    /// Whether the grant reaches every branch of its company too.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub include_branches: Option<bool>,
}

/// Query of `GET /users/{id}/companies`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserCompaniesQuery {
    /// Also list grants whose `valid_until` has passed (hidden by default).
    #[serde(default)]
    pub include_expired: bool,
}

/// Query of `GET /access-check`.
#[derive(Debug, Clone, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccessCheckQuery {
    /// The user to check.
    pub user_id: i32,
    /// The company to check.
    pub company_id: Uuid,
    /// Allowed only where the user holds one of these roles (names joined by commas; super admins
    /// always are); absent: any role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<String>, pattern = "^(super_admin|admin|hr_manager|finance_manager|employee)(,(super_admin|admin|hr_manager|finance_manager|employee))*$", example = "hr_manager,admin")]
    pub role: Option<RoleSet>,
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
        /// The user's grant of the company starts later (`valid_from`).
        NotYetValid = "not_yet_valid",
        /// The user's grant of the company has ended (`valid_until`).
        Expired = "expired",
        /// The user holds the company, but in none of the roles asked for.
        RoleNotHeld = "role_not_held",
    }
}

impl DecisionReason {
    pub fn allows(self) -> bool {
        matches!(self, DecisionReason::Grant | DecisionReason::SuperAdmin)
    }
}

/// May this user act in this company?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"user_id": 5, "company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "allowed": true, "reason": "grant", "role": "hr_manager", "via_company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5"}))]
pub struct AccessDecision {
    /// The user asked about.
    pub user_id: i32,
    /// The company asked about.
    pub company_id: Uuid,
    /// Whether the user may act in the company.
    pub allowed: bool,
    /// Why the answer is what it is.
    pub reason: DecisionReason,
    /// The role the user holds in the company (`super_admin` for super admins); null when they hold none.
    pub role: Option<Role>,
    /// The company whose grant the decision rests on: the company itself, or a parent whose grant
    /// includes its branches; null when no grant does (super admins included).
    pub via_company_id: Option<Uuid>,
}

/// One pair to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"user_id": 5, "company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "role": "hr_manager,admin"}))]
pub struct AccessPair {
    /// The user to check (an integer; `5.0` is read as 5).
    #[serde(deserialize_with = "crate::json::user_id")]
    pub user_id: i32,
    /// The company to check.
    pub company_id: Uuid,
    /// Allowed only where the user holds one of these roles (names joined by commas; super admins
    /// always are); absent: any role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, pattern = "^(super_admin|admin|hr_manager|finance_manager|employee)(,(super_admin|admin|hr_manager|finance_manager|employee))*$", example = "hr_manager,admin")]
    pub role: Option<RoleSet>,
}

/// Body of `POST /access-check`: up to 10,000 pairs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"checks": [{"user_id": 5, "company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5"}]}))]
pub struct AccessCheckBatch {
    /// The pairs to check, up to 10,000.
    #[schema(max_items = 10_000)]
    pub checks: Vec<AccessPair>,
}

/// One decision per pair asked, in the same order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"results": [{"user_id": 5, "company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "allowed": true, "reason": "grant", "role": "hr_manager", "via_company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5"}]}))]
pub struct AccessCheckResults {
    /// One decision per pair, in the order asked.
    pub results: Vec<AccessDecision>,
}

/// Body of `POST /access/bulk`: grant every listed user every listed company, each new grant with the
/// same role, window and branches. An absent list means all of them; `{}` is all users × all companies.
/// A pair that is granted already keeps its own terms.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"user_ids": [5], "company_ids": ["3ae13ac4-23e5-45ad-9747-e699cced23b5"], "dry_run": true}))]
pub struct BulkGrantRequest {
    /// The users to grant, up to 10,000; absent or null means every user.
    #[serde(
        default,
        deserialize_with = "crate::json::optional_user_ids",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(max_items = 10_000)]
    pub user_ids: Option<Vec<i32>>,
    /// The companies to grant, up to 10,000; absent or null means every company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 10_000)]
    pub company_ids: Option<Vec<Uuid>>,
    /// The role the new grants give; absent: they follow each user's role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub role: Option<GrantRole>,
    /// From when the new grants give access (RFC 3339, inclusive); absent: at once.
    #[serde(
        default,
        deserialize_with = "crate::instant::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Instant, nullable = false)]
    pub valid_from: Option<DateTime<Utc>>,
    /// Until when the new grants give access (RFC 3339, exclusive, later than `valid_from`); absent:
    /// no end.
    #[serde(
        default,
        deserialize_with = "crate::instant::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Instant, nullable = false)]
    pub valid_until: Option<DateTime<Utc>>,
    /// The new grants reach every branch of their companies too (default false).
    #[serde(default)]
    pub include_branches: bool,
    /// Count what would change without changing anything.
    #[serde(default)]
    pub dry_run: bool,
}

impl BulkGrantRequest {
    /// Every user × every company, each new grant with `terms`.
    pub fn with_terms(terms: &GrantTerms) -> Self {
        Self {
            role: terms.role,
            valid_from: terms.window.valid_from,
            valid_until: terms.window.valid_until,
            include_branches: terms.include_branches,
            ..Self::default()
        }
    }

    /// The terms of the new grants as sent; their window's order is not yet checked.
    pub fn terms(&self) -> GrantTerms {
        GrantTerms {
            role: self.role,
            window: Window::unchecked(self.valid_from, self.valid_until),
            include_branches: self.include_branches,
        }
    }
}

/// What a bulk grant did (or would do, on a dry run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"users": 1, "companies": 1, "pairs": 1, "added": 1, "already_present": 0, "dry_run": true}))]
pub struct BulkGrantResult {
    /// How many users the request covered.
    pub users: u64,
    /// How many companies the request covered.
    pub companies: u64,
    /// users × companies.
    pub pairs: u64,
    /// Grants made (or that would be made, on a dry run).
    pub added: u64,
    /// Pairs that were granted already; left as they were.
    pub already_present: u64,
    /// Whether nothing was changed.
    pub dry_run: bool,
}

/// Body of `POST /access/revoke`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"user_ids": [5, 6], "company_ids": ["3ae13ac4-23e5-45ad-9747-e699cced23b5"], "dry_run": true}))]
pub struct BulkRevokeRequest {
    /// The users whose grants go, 1 to 10,000 (a repeated id counts once).
    #[serde(deserialize_with = "crate::json::user_ids")]
    #[schema(min_items = 1, max_items = 10_000)]
    pub user_ids: Vec<i32>,
    /// The companies whose grants go, 1 to 10,000 (a repeated id counts once).
    #[schema(min_items = 1, max_items = 10_000)]
    pub company_ids: Vec<Uuid>,
    /// Report what would be removed without removing anything.
    #[serde(default)]
    pub dry_run: bool,
}

/// One grant a bulk revocation removed (or would remove, on a dry run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RevokedGrant {
    /// The user who held the grant.
    pub user_id: i32,
    /// The company of the grant.
    pub company_id: Uuid,
}

/// What a bulk revocation did (or would do, on a dry run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"users": 2, "companies": 1, "pairs": 2, "removed": 1, "not_granted": 1, "dry_run": true, "items": [{"user_id": 5, "company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5"}]}))]
pub struct BulkRevokeResult {
    /// How many users the request named.
    pub users: u64,
    /// How many companies the request named.
    pub companies: u64,
    /// users × companies.
    pub pairs: u64,
    /// Grants removed (or that would be, on a dry run).
    pub removed: u64,
    /// Pairs that held no grant; nothing to remove there.
    pub not_granted: u64,
    /// Whether nothing was changed.
    pub dry_run: bool,
    /// Every grant removed (or that would be), by user in the order named, then by company.
    pub items: Vec<RevokedGrant>,
}

/// Body of `POST /access/populate`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"dry_run": true}))]
pub struct PopulateRequest {
    /// Count what would change without changing anything.
    #[serde(default)]
    pub dry_run: bool,
}

/// What populate did: employees got their profile's company, super admins every company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"home_company_grants": 1, "super_admin_grants": 12, "defaults_set": 1, "dry_run": true}))]
pub struct PopulateResult {
    /// Grants of a user's home company added.
    pub home_company_grants: u64,
    /// Grants to super admins added.
    pub super_admin_grants: u64,
    /// Users whose home company became their default.
    pub defaults_set: u64,
    /// Whether nothing was changed.
    pub dry_run: bool,
}
