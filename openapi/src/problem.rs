//! The one error body of the API: RFC 9457 problem details with a stable machine-readable `code`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

string_enum! {
    /// Stable machine codes. Clients branch on these, never on the human `detail` text.
    pub enum ProblemCode as "problem code" {
        BadRequest = "bad_request",
        InvalidJson = "invalid_json",
        ValidationFailed = "validation_failed",
        UnsupportedMediaType = "unsupported_media_type",
        PayloadTooLarge = "payload_too_large",
        RequestTimeout = "request_timeout",
        Unauthorized = "unauthorized",
        Forbidden = "forbidden",
        OutOfReach = "out_of_reach",
        NotFound = "not_found",
        UserNotFound = "user_not_found",
        CompanyNotFound = "company_not_found",
        AccessNotFound = "access_not_found",
        KeyNotFound = "key_not_found",
        MethodNotAllowed = "method_not_allowed",
        AlreadyHasAccess = "already_has_access",
        UsernameTaken = "username_taken",
        CompanyNameTaken = "company_name_taken",
        KeyNameTaken = "key_name_taken",
        HierarchyCycle = "hierarchy_cycle",
        HierarchyTooDeep = "hierarchy_too_deep",
        Unavailable = "unavailable",
        Internal = "internal",
    }
}

/// One field that could not be accepted, and what to send instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// The field, as named in the request (`company_ids[2]`, `username`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// An RFC 9457 problem details body (`application/problem+json`), returned with every 4xx and 5xx answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"type": "urn:company-access:problem:company_not_found", "title": "Not found", "status": 404, "detail": "Company not found", "code": "company_not_found"}))]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:company-access:problem:<code>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem, the same for every occurrence.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, and what to change; written for a person.
    pub detail: String,
    /// The stable machine-readable code.
    pub code: ProblemCode,
    /// Offending fields, when the request body or query was refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Only on a CSV import refused for problems in its lines (`POST /access/import`): what the other
    /// lines would do, as a dry run reports it, so one answer says both what to fix and what the file
    /// will then change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<Box<crate::import::ImportResult>>,
}

impl Problem {
    pub fn new(status: u16, code: ProblemCode, title: &str, detail: impl Into<String>) -> Self {
        Self {
            problem_type: format!("urn:company-access:problem:{}", code.as_str()),
            title: title.to_owned(),
            status,
            detail: detail.into(),
            code,
            errors: Vec::new(),
            report: None,
        }
    }
}
