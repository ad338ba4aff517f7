//! The one error body of the API: RFC 9457 problem details with a stable machine-readable `code`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Stable machine codes. Clients branch on these, never on the human `detail` text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    BadRequest,
    InvalidJson,
    ValidationFailed,
    UnsupportedMediaType,
    PayloadTooLarge,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    UserNotFound,
    CompanyNotFound,
    AccessNotFound,
    KeyNotFound,
    AlreadyHasAccess,
    UsernameTaken,
    CompanyNameTaken,
    KeyNameTaken,
    Conflict,
    Unavailable,
    Internal,
}

impl ProblemCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::BadRequest => "bad_request",
            ProblemCode::InvalidJson => "invalid_json",
            ProblemCode::ValidationFailed => "validation_failed",
            ProblemCode::UnsupportedMediaType => "unsupported_media_type",
            ProblemCode::PayloadTooLarge => "payload_too_large",
            ProblemCode::Unauthorized => "unauthorized",
            ProblemCode::Forbidden => "forbidden",
            ProblemCode::NotFound => "not_found",
            ProblemCode::MethodNotAllowed => "method_not_allowed",
            ProblemCode::UserNotFound => "user_not_found",
            ProblemCode::CompanyNotFound => "company_not_found",
            ProblemCode::AccessNotFound => "access_not_found",
            ProblemCode::KeyNotFound => "key_not_found",
            ProblemCode::AlreadyHasAccess => "already_has_access",
            ProblemCode::UsernameTaken => "username_taken",
            ProblemCode::CompanyNameTaken => "company_name_taken",
            ProblemCode::KeyNameTaken => "key_name_taken",
            ProblemCode::Conflict => "conflict",
            ProblemCode::Unavailable => "unavailable",
            ProblemCode::Internal => "internal",
        }
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
        }
    }
}
