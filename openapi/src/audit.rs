//! The audit trail: every change, who made it, and what it looked like before and after.

use crate::Username;
use crate::instant::Instant;
use crate::terms::GrantRole;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

string_enum! {
    /// What a recorded change did.
    pub enum AuditAction as "audit action" {
        AccessGrant = "access.grant",
        AccessRevoke = "access.revoke",
        AccessDefault = "access.default",
        AccessUpdate = "access.update",
        AccessBulk = "access.bulk",
        AccessPopulate = "access.populate",
        AccessImport = "access.import",
        UserCreate = "user.create",
        UserUpdate = "user.update",
        UserDelete = "user.delete",
        CompanyCreate = "company.create",
        CompanyUpdate = "company.update",
        CompanyDelete = "company.delete",
        KeyCreate = "key.create",
        KeyRevoke = "key.revoke",
    }
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    /// The entry's id; later entries have higher ids.
    pub id: i64,
    /// When the change was made.
    pub at: DateTime<Utc>,
    /// Name of the API key that made the change (`master` for the master key, `demo` for the demo data).
    pub actor: String,
    /// Id of the key that made the change; absent for the master key and the demo data.
    pub actor_key_id: Option<Uuid>,
    /// The user a key bound to a user made the change for; absent for unbound keys.
    pub actor_user_id: Option<i32>,
    /// What happened.
    pub action: AuditAction,
    /// The user the change was about, if any.
    pub user_id: Option<i32>,
    /// The company the change was about, if any.
    pub company_id: Option<Uuid>,
    /// The record before the change; absent when there was none.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The record after the change; absent when there is none.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

/// Query of `GET /audit`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only changes to this user.
    pub user_id: Option<i32>,
    /// Only changes to this company.
    pub company_id: Option<Uuid>,
    /// Exact action, or a prefix ending in `.` (`access.` for every access change).
    #[param(pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub action: Option<String>,
    /// Exact name of the key that made the change (`master`, `demo`, a key's name).
    #[param(pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub actor: Option<String>,
    /// Only entries at or after this instant (RFC 3339).
    #[serde(default, deserialize_with = "crate::instant::optional")]
    #[param(value_type = Option<Instant>)]
    pub since: Option<DateTime<Utc>>,
    /// Only entries before this instant (RFC 3339).
    #[serde(default, deserialize_with = "crate::instant::optional")]
    #[param(value_type = Option<Instant>)]
    pub until: Option<DateTime<Utc>>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// Rows to skip (default 0).
    #[param(maximum = 9_223_372_036_854_775_807_u64)]
    pub offset: Option<u64>,
}

/// One page of the audit trail, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"id": 42, "at": "2026-01-05T09:30:00Z", "actor": "hr-portal", "action": "access.grant", "user_id": 5, "company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "before": null, "after": {"company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "company_name": "NYC", "is_default": true, "source": "grant", "granted_at": "2026-01-05T09:30:00Z", "granted_by": "hr-portal"}}], "total": 1, "limit": 50, "offset": 0}))]
pub struct AuditPage {
    /// The entries on this page, newest first.
    pub items: Vec<AuditEntry>,
    /// How many entries match, over all pages.
    pub total: u64,
    /// The page size used.
    pub limit: u64,
    /// The rows skipped before this page.
    pub offset: u64,
}

/// Query of `GET /audit/expired`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExpiredQuery {
    /// Only grants of this user.
    pub user_id: Option<i32>,
    /// Only grants of this company.
    pub company_id: Option<Uuid>,
    /// Only grants that expired at or after this instant (RFC 3339).
    #[serde(default, deserialize_with = "crate::instant::optional")]
    #[param(value_type = Option<Instant>)]
    pub since: Option<DateTime<Utc>>,
    /// Only grants that expired before this instant (RFC 3339).
    #[serde(default, deserialize_with = "crate::instant::optional")]
    #[param(value_type = Option<Instant>)]
    pub until: Option<DateTime<Utc>>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// Rows to skip (default 0).
    #[param(maximum = 9_223_372_036_854_775_807_u64)]
    pub offset: Option<u64>,
}

/// A grant whose window has ended: an expiry writes no row, so the view is read from the grants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ExpiredGrant {
    /// The user whose grant expired.
    pub user_id: i32,
    /// The user's login name.
    pub username: Username,
    /// The company the grant was of.
    pub company_id: Uuid,
    /// The company's name.
    pub company_name: String,
    /// When the grant stopped giving access (its `valid_until`).
    pub expired_at: DateTime<Utc>,
    /// The role the grant named; null when it followed the user's role.
    pub granted_role: Option<GrantRole>,
    /// The API key that made the grant.
    pub granted_by: Option<String>,
}

/// One page of expired grants, latest expiry first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"user_id": 5, "username": "sarah", "company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "company_name": "NYC", "expired_at": "2026-06-30T00:00:00Z", "granted_role": "finance_manager", "granted_by": "hr-portal"}], "total": 1, "limit": 50, "offset": 0}))]
pub struct ExpiredPage {
    /// The grants on this page, latest expiry first.
    pub items: Vec<ExpiredGrant>,
    /// How many grants match, over all pages.
    pub total: u64,
    /// The page size used.
    pub limit: u64,
    /// The rows skipped before this page.
    pub offset: u64,
}
