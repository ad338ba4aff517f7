//! The one error type of the service, mapped to HTTP in exactly one place.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use openapi::import::ImportResult;
use openapi::{FieldError, Problem, ProblemCode};
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A path or query value, or the request's form, is wrong.
    #[error("{detail}")]
    BadRequest { code: ProblemCode, detail: String },
    /// The body is well-formed JSON but its content cannot be accepted.
    #[error("{detail}")]
    Validation {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// A CSV import with problems in its lines: every problem, and what the other lines would do.
    #[error("{detail}")]
    ImportRefused {
        detail: String,
        errors: Vec<FieldError>,
        report: Box<ImportResult>,
    },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    /// A key bound to a user asked for a company, role or change that user does not administer.
    #[error("{0}")]
    OutOfReach(String),
    #[error("{detail}")]
    NotFound { code: ProblemCode, detail: String },
    /// The path exists but does not answer this method; `allow` lists the ones it does.
    #[error("{detail}")]
    MethodNotAllowed { detail: String, allow: String },
    #[error("{detail}")]
    Conflict { code: ProblemCode, detail: String },
    #[error("database unavailable")]
    Unavailable(#[source] DbErr),
    /// The instance cannot vouch for its answers yet (`/ready` while the change feed is silent).
    #[error("{0}")]
    NotReady(String),
    /// The database did not answer within the request's deadline.
    #[error("the database did not answer within {0:?}")]
    TimedOut(std::time::Duration),
    /// The request body did not arrive within the body timeout.
    #[error("{0}")]
    BodyTimeout(String),
    #[error("database error")]
    Database(#[source] DbErr),
    #[error("{0}")]
    Internal(String),
}

/// Whether the database could not be reached at all (no connection, a lost one, a full pool, a locked
/// SQLite file), as opposed to having refused the statement: the first is a 503 to retry, the second a 500.
pub fn is_unreachable(error: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    let runtime = match error {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(runtime) | DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return false,
    };
    let sea_orm::RuntimeErr::SqlxError(sqlx) = runtime else {
        return matches!(error, DbErr::Conn(_));
    };
    match sqlx.as_ref() {
        Sqlx::Io(_)
        | Sqlx::Tls(_)
        | Sqlx::PoolTimedOut
        | Sqlx::PoolClosed
        | Sqlx::WorkerCrashed => true,
        Sqlx::Protocol(_) => true,
        Sqlx::Database(database) => {
            // PostgreSQL: class 08 (connection exception), 57P01-57P03 (shutting down, cannot connect
            // now); SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6) after the busy timeout.
            let code = database.code();
            let code = code.as_deref().unwrap_or("");
            code.starts_with("08")
                || matches!(
                    code,
                    "57P01" | "57P02" | "57P03" | "5" | "6" | "517" | "262"
                )
        }
        _ => matches!(error, DbErr::Conn(_)),
    }
}

impl From<DbErr> for AppError {
    fn from(error: DbErr) -> Self {
        if is_unreachable(&error) {
            AppError::Unavailable(error)
        } else {
            AppError::Database(error)
        }
    }
}

/// Seconds a client should wait before retrying a 503.
pub const RETRY_AFTER_SECS: u32 = 1;

impl AppError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        AppError::BadRequest {
            code: ProblemCode::BadRequest,
            detail: detail.into(),
        }
    }

    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::Validation {
            detail: format!("{field}: {message}"),
            errors: vec![FieldError {
                field: field.to_owned(),
                message,
            }],
        }
    }

    pub fn user_not_found() -> Self {
        AppError::NotFound {
            code: ProblemCode::UserNotFound,
            detail: "User not found".into(),
        }
    }

    pub fn company_not_found() -> Self {
        AppError::NotFound {
            code: ProblemCode::CompanyNotFound,
            detail: "Company not found".into(),
        }
    }

    /// Names the companies that do not exist, so a caller of a bulk request knows which ids to fix.
    pub fn companies_not_found(ids: &[uuid::Uuid]) -> Self {
        let listed: Vec<String> = ids.iter().map(ToString::to_string).collect();
        AppError::NotFound {
            code: ProblemCode::CompanyNotFound,
            detail: format!("Company not found: {}", listed.join(", ")),
        }
    }

    pub fn users_not_found(ids: &[i32]) -> Self {
        let listed: Vec<String> = ids.iter().map(ToString::to_string).collect();
        AppError::NotFound {
            code: ProblemCode::UserNotFound,
            detail: format!("User not found: {}", listed.join(", ")),
        }
    }

    /// A known path asked with a method it does not answer.
    pub fn method_not_allowed(method: &str, path: &str, allow: String) -> Self {
        AppError::MethodNotAllowed {
            detail: format!("{path} does not answer {method}; it answers {allow}"),
            allow,
        }
    }

    /// A method and path no route answers.
    pub fn no_route(method: &str, path: &str) -> Self {
        AppError::NotFound {
            code: ProblemCode::NotFound,
            detail: format!("There is no route {method} {path}; see /swagger-ui/ for the API"),
        }
    }

    pub fn access_not_found() -> Self {
        AppError::NotFound {
            code: ProblemCode::AccessNotFound,
            detail: "User does not have access to this company".into(),
        }
    }

    pub fn already_has_access() -> Self {
        AppError::Conflict {
            code: ProblemCode::AlreadyHasAccess,
            detail: "User already has access to this company".into(),
        }
    }

    fn parts(&self) -> (StatusCode, ProblemCode, &'static str) {
        match self {
            AppError::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, *code, "Bad request"),
            AppError::Validation { .. } | AppError::ImportRefused { .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ProblemCode::ValidationFailed,
                "The request could not be accepted",
            ),
            AppError::PayloadTooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ProblemCode::PayloadTooLarge,
                "Payload too large",
            ),
            AppError::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ProblemCode::UnsupportedMediaType,
                "Unsupported media type",
            ),
            AppError::Unauthorized(_) => (
                StatusCode::UNAUTHORIZED,
                ProblemCode::Unauthorized,
                "Unauthorized",
            ),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, ProblemCode::Forbidden, "Forbidden"),
            AppError::OutOfReach(_) => {
                (StatusCode::FORBIDDEN, ProblemCode::OutOfReach, "Forbidden")
            }
            AppError::NotFound { code, .. } => (StatusCode::NOT_FOUND, *code, "Not found"),
            AppError::MethodNotAllowed { .. } => (
                StatusCode::METHOD_NOT_ALLOWED,
                ProblemCode::MethodNotAllowed,
                "Method not allowed",
            ),
            AppError::Conflict { code, .. } => (StatusCode::CONFLICT, *code, "Conflict"),
            AppError::BodyTimeout(_) => (
                StatusCode::REQUEST_TIMEOUT,
                ProblemCode::RequestTimeout,
                "Request timeout",
            ),
            AppError::Unavailable(_) | AppError::TimedOut(_) | AppError::NotReady(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                ProblemCode::Unavailable,
                "Service unavailable",
            ),
            AppError::Database(_) | AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ProblemCode::Internal,
                "Internal server error",
            ),
        }
    }

    pub fn problem(&self) -> Problem {
        let (status, code, title) = self.parts();
        let detail = match self {
            // The cause stays in the log; the caller only learns that it was not their fault.
            AppError::Database(_) | AppError::Internal(_) => {
                "The server failed to handle this request; it has been logged. Try again later."
                    .to_owned()
            }
            AppError::Unavailable(_) | AppError::TimedOut(_) => {
                "The database cannot be reached; try again later.".to_owned()
            }
            other => other.to_string(),
        };
        let mut problem = Problem::new(status.as_u16(), code, title, detail);
        match self {
            AppError::Validation { errors, .. } => problem.errors = errors.clone(),
            AppError::ImportRefused { errors, report, .. } => {
                problem.errors = errors.clone();
                problem.report = Some(report.clone());
            }
            _ => {}
        }
        problem
    }
}

/// Walks the whole `source()` chain so the log says why, not just that, a request failed.
fn cause_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %cause_chain(self), "request failed");
        }
        let mut response = HttpResponse::build(status);
        response.content_type("application/problem+json");
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.insert_header((
                actix_web::http::header::RETRY_AFTER,
                RETRY_AFTER_SECS.to_string(),
            ));
        }
        if status == StatusCode::REQUEST_TIMEOUT {
            // The body is unread: the connection cannot carry another request.
            response.insert_header((actix_web::http::header::CONNECTION, "close"));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        if let AppError::MethodNotAllowed { allow, .. } = self {
            response.insert_header((actix_web::http::header::ALLOW, allow.as_str()));
        }
        response.json(self.problem())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_hide_their_cause_from_the_caller() {
        let error = AppError::Database(DbErr::Custom("secret table hrm_x is corrupt".into()));
        let problem = error.problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("hrm_x"));
        assert_eq!(problem.code, ProblemCode::Internal);
    }

    #[test]
    fn seed_troubleshooting_messages_are_kept_word_for_word() {
        assert_eq!(
            AppError::already_has_access().problem().detail,
            "User already has access to this company"
        );
        assert_eq!(
            AppError::user_not_found().problem().detail,
            "User not found"
        );
        assert_eq!(
            AppError::company_not_found().problem().detail,
            "Company not found"
        );
        assert_eq!(AppError::already_has_access().problem().status, 409);
    }

    #[test]
    fn cause_chain_reaches_the_root() {
        let error =
            AppError::Unavailable(DbErr::Conn(sea_orm::RuntimeErr::Internal("refused".into())));
        assert!(cause_chain(&error).contains("refused"));
    }
}
