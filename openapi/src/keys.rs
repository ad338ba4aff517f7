//! API keys: named, scoped, stored only as hashes.

use crate::{KeyName, Scope};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Body of `POST /keys`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "branch-admin-sarah", "scope": "write", "user_id": 7}))]
pub struct CreateKey {
    /// The key's name, shown as the actor in the audit trail; must be free among live keys.
    pub name: KeyName,
    /// What the key may do.
    pub scope: Scope,
    /// The user the key acts for: it then reads and changes grants only in the companies that user
    /// holds the `admin` role in (directly or through a grant that includes branches). A key bound to a
    /// user may make keys only for that same user (the default when it omits this) and of no higher scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i32>,
}

/// A key as listed: never the secret, only its first characters to recognise it by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f", "name": "hr-portal", "scope": "write", "prefix": "cak_3f9a2c7d", "created_at": "2026-01-05T09:30:00Z", "created_by": "master", "revoked_at": null}))]
pub struct ApiKey {
    /// The key's id, for `DELETE /keys/{id}`.
    pub id: Uuid,
    /// The key's name, shown as the actor in the audit trail.
    pub name: KeyName,
    /// What the key may do.
    pub scope: Scope,
    /// The first characters of the key.
    pub prefix: String,
    /// When the key was made.
    pub created_at: DateTime<Utc>,
    /// The name of the key that made it.
    pub created_by: String,
    /// When the key was revoked; absent while it is live.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The user the key acts for; absent for an unbound key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i32>,
}

/// Answer to `POST /keys`: the only time the secret is shown. Store it now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f", "name": "hr-portal", "scope": "write", "prefix": "cak_3f9a2c7d", "created_at": "2026-01-05T09:30:00Z", "created_by": "master", "revoked_at": null, "secret": "cak_3f9a2c7de1b4a6f0e1b4a6f0e1b4a6f0e1b4a6f0e1b4a6f0e1b4a6f0e1b4a6f0"}))]
pub struct CreatedKey {
    #[serde(flatten)]
    pub key: ApiKey,
    /// The secret, for `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// `GET /whoami`: the key the request was made with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"name": "branch-admin-sarah", "scope": "write", "user_id": 7, "username": "sarah"}))]
pub struct WhoAmI {
    /// The key's name (`master` for the master key).
    pub name: String,
    /// What the key may do.
    pub scope: Scope,
    /// The user a bound key acts for; absent for an unbound key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i32>,
    /// That user's username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}
