//! The audit trail: every change, who made it, and what it looked like before and after.

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
        AccessBulk = "access.bulk",
        AccessPopulate = "access.populate",
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
    pub id: i64,
    pub at: DateTime<Utc>,
    /// Name of the API key that made the change (`master` for the master key, `demo` for the demo data).
    pub actor: String,
    /// Id of the key that made the change; absent for the master key and the demo data.
    pub actor_key_id: Option<Uuid>,
    /// What happened.
    pub action: AuditAction,
    pub user_id: Option<i32>,
    pub company_id: Option<Uuid>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

/// Query of `GET /audit`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub user_id: Option<i32>,
    pub company_id: Option<Uuid>,
    /// Exact action, or a prefix ending in `.` (`access.` for every access change).
    pub action: Option<String>,
    pub actor: Option<String>,
    /// Only entries at or after this instant (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Only entries before this instant (RFC 3339).
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
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}
