//! Grants in and out as CSV: `POST /access/import` and `GET /access/export`, one grant per line.

use crate::instant::Instant;
use crate::terms::{GrantRole, GrantTerms};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The columns of an export, in order, and of the header an import may send. An import names the user
/// by `username` or `user_id` and the company by `company` (its name) or `company_id`; the other
/// columns may be left out.
pub const EXPORT_HEADER: [&str; 6] = [
    "username",
    "company",
    "role",
    "valid_from",
    "valid_until",
    "include_branches",
];

/// Most lines (after the header) one import may have.
pub const MAX_IMPORT_LINES: usize = 100_000;

/// Query of `POST /access/import`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Report what would be added and changed without writing anything.
    #[serde(default)]
    pub dry_run: bool,
}

string_enum! {
    /// What an import does with one line.
    pub enum ImportAction as "import action" {
        /// The user gets the company.
        Add = "add",
        /// The user has the company; its role, window or branches change.
        Change = "change",
    }
}

/// A grant's terms as a line of the file gives them, or as the grant has them now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"role": "hr_manager", "valid_from": null, "valid_until": "2027-01-01T00:00:00Z", "include_branches": false}))]
pub struct ImportTerms {
    /// The role in the company; `null`: the user's own role.
    pub role: Option<GrantRole>,
    /// When the grant starts; `null`: at once.
    #[schema(value_type = Option<Instant>)]
    pub valid_from: Option<DateTime<Utc>>,
    /// When the grant ends; `null`: never.
    #[schema(value_type = Option<Instant>)]
    pub valid_until: Option<DateTime<Utc>>,
    /// Whether the grant reaches the company's branches too.
    pub include_branches: bool,
}

impl From<&GrantTerms> for ImportTerms {
    fn from(terms: &GrantTerms) -> Self {
        Self {
            role: terms.role,
            valid_from: terms.window.valid_from,
            valid_until: terms.window.valid_until,
            include_branches: terms.include_branches,
        }
    }
}

/// One line that adds or changes a grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportLine {
    /// The line's number in the request's body (the header is line 1); the audit row of the grant
    /// records the same number.
    pub line: u64,
    /// The user the line names.
    pub user_id: i32,
    /// The company the line names.
    pub company_id: Uuid,
    /// What the line does.
    pub action: ImportAction,
    /// The grant's terms now; only when the line changes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<ImportTerms>,
    /// The grant's terms once the line is imported.
    pub after: ImportTerms,
}

/// What an import did (or, on a dry run, would do); lines that match a grant as it is are counted
/// as unchanged and not listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"lines": 2, "added": 1, "changed": 0, "unchanged": 1, "refused": 0, "dry_run": true, "items": [{"line": 2, "user_id": 5, "company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "action": "add", "after": {"role": "hr_manager", "valid_from": null, "valid_until": "2027-01-01T00:00:00Z", "include_branches": false}}]}))]
pub struct ImportResult {
    /// Lines read, the header not counted.
    pub lines: u64,
    /// Grants added.
    pub added: u64,
    /// Grants whose terms changed.
    pub changed: u64,
    /// Lines that matched a grant as it already was.
    pub unchanged: u64,
    /// Lines with a problem, named in the refusal's `errors` (the first 1,000 problems); always 0 on an
    /// import that was accepted. Then the counts and items above are what the other lines would do.
    #[serde(default)]
    pub refused: u64,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Every line that adds or changes a grant, in file order.
    pub items: Vec<ImportLine>,
}
