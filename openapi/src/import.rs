//! Grants in and out as CSV: `POST /access/import` and `GET /access/export`, one grant per line.

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

/// One line that adds or changes a grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportLine {
    /// The line's number in the file (the header is line 1).
    pub line: u64,
    /// The user the line names.
    pub user_id: i32,
    /// The company the line names.
    pub company_id: Uuid,
    /// What the line does.
    pub action: ImportAction,
}

/// What an import did (or, on a dry run, would do); lines that match a grant as it is are counted
/// as unchanged and not listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"lines": 2, "added": 1, "changed": 0, "unchanged": 1, "dry_run": true, "items": [{"line": 2, "user_id": 5, "company_id": "3ae13ac4-23e5-45ad-9747-e699cced23b5", "action": "add"}]}))]
pub struct ImportResult {
    /// Lines read, the header not counted.
    pub lines: u64,
    /// Grants added.
    pub added: u64,
    /// Grants whose terms changed.
    pub changed: u64,
    /// Lines that matched a grant as it already was.
    pub unchanged: u64,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Every line that adds or changes a grant, in file order.
    pub items: Vec<ImportLine>,
}
