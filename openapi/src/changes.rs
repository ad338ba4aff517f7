//! The change stream: every committed change after a revision, oldest first, for services that keep
//! their own copy and resume from their last revision after a restart.

use crate::audit::{AuditEntry, ExpiredGrant};
use crate::instant::Instant;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Longest `wait` of a long poll, in seconds.
pub const MAX_WAIT_SECS: u64 = 60;
/// Largest page of changes.
pub const MAX_CHANGES_PER_PAGE: u64 = 1_000;

/// Query of `GET /changes`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The revision to continue after: `next` of the previous page, or a write's `Company-Access-Revision`.
    /// Absent: from the start of the history.
    #[param(pattern = r"^(0|[1-9][0-9]{0,17})$", example = "42")]
    pub after: Option<String>,
    /// Changes per page, 1 to 1,000 (default 100). A page ends on a whole revision, so it may hold more
    /// when one write made many changes.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u64>,
    /// Long poll: when nothing is newer than `after` and no grant has expired since `expired_after`,
    /// wait up to this many seconds (0 to 60, default 0) and answer as soon as either happens. The
    /// server may cap the wait lower; an empty page then means "ask again".
    #[param(minimum = 0, maximum = 60)]
    pub wait: Option<u64>,
    /// The instant to list expiries after: `expired_next` of the previous page (RFC 3339). Absent: the
    /// commit time of revision `after`, or the start of the history without `after`.
    #[serde(default, deserialize_with = "crate::instant::optional")]
    #[param(value_type = Option<Instant>, example = "2026-06-30T00:00:00Z")]
    pub expired_after: Option<DateTime<Utc>>,
}

/// One committed change: its audit entry, and the revision of the write that made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChangeEvent {
    /// The revision of the write that made the change; one write may make several changes.
    pub revision: String,
    /// The change as the audit trail records it.
    #[serde(flatten)]
    pub entry: AuditEntry,
}

/// A page of the change stream, oldest first. An expiry is the clock passing a grant's `valid_until`, not
/// a write, so it has no revision: expiries come in `expired`, resumed from `expired_next`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"expired": [{"user_id": 5, "username": "sarah", "company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "company_name": "NYC", "expired_at": "2026-01-05T09:15:00Z", "granted_role": null, "granted_by": "hr-portal"}], "expired_next": "2026-01-05T09:31:00Z", "items": [{"revision": "43", "id": 120, "at": "2026-01-05T09:30:00Z", "actor": "hr-portal", "actor_key_id": "0b6c8e4e-1f63-4a53-9d7c-3b2f3bfbd0a1", "action": "access.revoke", "user_id": 5, "company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "before": {"company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "company_name": "NYC", "is_default": true, "source": "grant", "granted_at": "2026-01-05T09:00:00Z", "granted_by": "hr-portal"}, "after": null}], "next": "43", "has_more": false}))]
pub struct ChangePage {
    /// The changes, oldest first.
    pub items: Vec<ChangeEvent>,
    /// The revision to ask `after` next: the last one on this page, or `after` itself when it is empty.
    pub next: String,
    /// Whether more changes were committed, or more grants expired, after this page already.
    pub has_more: bool,
    /// Grants whose window ended after `expired_after` and by the time of this answer, earliest first;
    /// up to `limit` of them, never part of one instant. Read from the grants as they stand: a grant
    /// revoked since it ended is not listed, one whose window changed is listed at its new end, and
    /// either change is in `items`.
    pub expired: Vec<ExpiredGrant>,
    /// The instant to ask `expired_after` next: the time of this answer, or the last expiry on this page
    /// when there are more; never earlier than `expired_after`.
    pub expired_next: DateTime<Utc>,
}
