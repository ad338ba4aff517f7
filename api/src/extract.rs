//! Request parsing at the edge: JSON bodies, path and query values become typed values or a clear 4xx.

use crate::error::AppError;
use actix_web::dev::Payload;
use actix_web::error::PathError;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::StreamExt;
use openapi::access::{AccessCheckBatch, AccessCheckQuery};
use openapi::{FieldError, ProblemCode};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;

/// Largest accepted body: room for 10,000 access-check pairs.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The longest a request body may take to arrive (`COMPANY_ACCESS_BODY_TIMEOUT_SECS`): a body sent a byte a
/// second would otherwise hold its connection, and its worker's attention, forever.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub std::time::Duration);

/// A JSON body parsed into `T`; on failure the problem names the offending field path (`company_ids[2]`).
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

fn is_json(request: &HttpRequest) -> bool {
    media_type(request).is_some_and(|mime| mime == "application/json" || mime.ends_with("+json"))
}

fn too_large(limit: usize) -> AppError {
    AppError::PayloadTooLarge(format!(
        "The request body is larger than {} KiB; send fewer items per request",
        limit / 1024
    ))
}

/// Parses JSON text, telling syntax errors (400) from content the API cannot accept (422).
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::BadRequest {
            code: ProblemCode::InvalidJson,
            detail: "The request body is empty; send a JSON object".into(),
        });
    }
    // Every body is an object; serde would read a struct from an array too (`[null, null]`), which the
    // document does not allow.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(
            match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
                Err(error) => AppError::BadRequest {
                    code: ProblemCode::InvalidJson,
                    detail: format!("The request body is not valid JSON: {error}"),
                },
                Ok(_) => AppError::validation("body", "the request body must be a JSON object"),
            },
        );
    }
    // The common case pays for nothing more than serde_json; only a refused body is parsed again to
    // find the path of the offending field.
    if let Ok(value) = serde_json::from_slice::<T>(body) {
        return Ok(value);
    }
    // The typed parse stops at the first value it cannot take: in `{"role": 5x}` that is the number, a
    // wrong type, before the `x` shows the body is not JSON at all. Broken JSON is a 400 wherever it
    // breaks, so a refused body is read as any JSON first.
    if let Err(error) = serde_json::from_slice::<serde::de::IgnoredAny>(body) {
        return Err(AppError::BadRequest {
            code: ProblemCode::InvalidJson,
            detail: format!("The request body is not valid JSON: {error}"),
        });
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let value = parsed.map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            AppError::BadRequest {
                code: ProblemCode::InvalidJson,
                detail: format!("The request body is not valid JSON: {inner}"),
            }
        } else {
            let field = if path == "." { "body".to_owned() } else { path };
            let message = inner.to_string();
            AppError::Validation {
                detail: format!("{field}: {message}"),
                errors: vec![FieldError { field, message }],
            }
        }
    })?;
    deserializer.end().map_err(|error| AppError::BadRequest {
        code: ProblemCode::InvalidJson,
        detail: format!("The request body has text after the JSON value: {error}"),
    })?;
    Ok(value)
}

/// The bytes of a JSON body: refused unless it says it is JSON, at most [`MAX_BODY_BYTES`].
fn json_body(
    request: &HttpRequest,
    payload: &mut Payload,
) -> impl Future<Output = Result<Vec<u8>, AppError>> + 'static {
    let json = is_json(request);
    let body = read_body(request, payload, MAX_BODY_BYTES);
    async move {
        if !json {
            return Err(AppError::UnsupportedMediaType(
                "Send the body as JSON, with the header `Content-Type: application/json`".into(),
            ));
        }
        body.await
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = json_body(request, payload);
        Box::pin(async move { parse_json(&body.await?).map(JsonBody) })
    }
}

/// The body of `POST /access-check`: read directly when written plainly (see `openapi::check_wire`),
/// else exactly as any other JSON body.
pub struct CheckBatchBody(pub AccessCheckBatch);

impl FromRequest for CheckBatchBody {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = json_body(request, payload);
        Box::pin(async move {
            let body = body.await?;
            match AccessCheckBatch::from_plain_json(&body) {
                Some(batch) => Ok(CheckBatchBody(batch)),
                None => parse_json(&body).map(CheckBatchBody),
            }
        })
    }
}

/// Most bytes a CSV body may have: 100,000 lines of long names and both instants fit.
pub const MAX_CSV_BYTES: usize = 32 * 1024 * 1024;

/// A `text/csv` body, read whole (at most [`MAX_CSV_BYTES`]) as UTF-8 text.
pub struct CsvBody(pub String);

impl FromRequest for CsvBody {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let csv = media_type(request).is_some_and(|mime| mime == "text/csv");
        let body = read_body(request, payload, MAX_CSV_BYTES);
        Box::pin(async move {
            if !csv {
                return Err(AppError::UnsupportedMediaType(
                    "Send the file as CSV, with the header `Content-Type: text/csv`".into(),
                ));
            }
            let body = body.await?;
            String::from_utf8(body).map(CsvBody).map_err(|error| {
                AppError::bad_request(format!(
                    "The CSV is not UTF-8 text (byte {} is not): save it as UTF-8",
                    error.utf8_error().valid_up_to()
                ))
            })
        })
    }
}

fn media_type(request: &HttpRequest) -> Option<String> {
    request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}

/// Reads the whole body, at most `limit` bytes, within the body timeout; the request's deadline
/// does not count the time the body takes to arrive.
fn read_body(
    request: &HttpRequest,
    payload: &mut Payload,
    limit: usize,
) -> impl Future<Output = Result<Vec<u8>, AppError>> + 'static {
    let declared_length = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    let timeout = request
        .app_data::<BodyTimeout>()
        .map_or(crate::config::DEFAULT_BODY_TIMEOUT, |limit| limit.0);
    let clock = request
        .extensions()
        .get::<std::sync::Arc<crate::deadline::BodyClock>>()
        .cloned();
    let mut payload = payload.take();
    async move {
        if declared_length.is_some_and(|length| length > limit) {
            return Err(too_large(limit));
        }
        let read = async {
            let mut body = Vec::with_capacity(declared_length.unwrap_or(1024).min(limit));
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|error| {
                    AppError::bad_request(format!("The request body could not be read: {error}"))
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large(limit));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(body)
        };
        if let Some(clock) = &clock {
            clock.reading();
        }
        let body = tokio::time::timeout(timeout, read).await;
        if let Some(clock) = &clock {
            clock.finished();
        }
        body.map_err(|_| {
            AppError::BodyTimeout(format!(
                "The request body did not arrive within {} s; send it at once",
                timeout.as_secs()
            ))
        })?
    }
}

/// Path values that do not parse (`/users/abc`, `/companies/not-a-uuid`) answer 400 with what was expected.
pub fn path_error(error: PathError, _request: &HttpRequest) -> actix_web::Error {
    let detail = match &error {
        PathError::Deserialize(inner) => format!("A value in the URL path is not valid: {inner}"),
        other => format!("A value in the URL path is not valid: {other}"),
    };
    AppError::bad_request(detail).into()
}

/// A query string parsed into `T`; on failure the 400 names the parameter (`user_id: invalid digit …`).
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    // A NUL or other control character can reach no valid value, and PostgreSQL refuses NUL in text.
    // Only a percent-escape can decode into one that the raw text does not show.
    let may_hide_control = query
        .bytes()
        .any(|byte| byte == b'%' || byte.is_ascii_control());
    if may_hide_control
        && let Some((name, _)) = form_urlencoded::parse(query.as_bytes())
            .find(|(name, value)| name.chars().chain(value.chars()).any(char::is_control))
    {
        return Err(AppError::bad_request(format!(
            "The query parameter {name} must not contain control characters"
        )));
    }
    if let Ok(value) = serde_urlencoded::from_str::<T>(query) {
        return Ok(value);
    }
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let detail = if path == "." {
            format!("The query string is not valid: {inner}")
        } else {
            format!("The query parameter {path} is not valid: {inner}")
        };
        AppError::bad_request(detail)
    })
}

/// The query of `GET /access-check`, the route backend services call on every request of theirs: read
/// directly when written plainly (see `openapi::check_wire`), else exactly as any other query.
pub struct CheckQuery(pub AccessCheckQuery);

impl FromRequest for CheckQuery {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let query = request.query_string();
        std::future::ready(match AccessCheckQuery::from_plain_query(query) {
            Some(plain) => Ok(CheckQuery(plain)),
            None => parse_query(query).map(CheckQuery),
        })
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(request.query_string()).map(Query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openapi::access::GrantRequest;

    fn problem<T: DeserializeOwned>(body: &str) -> openapi::Problem {
        match parse_json::<T>(body.as_bytes()) {
            Ok(_) => openapi::Problem::new(200, ProblemCode::BadRequest, "", "parsed"),
            Err(error) => error.problem(),
        }
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let error = parse_query::<openapi::access::AccessCheckQuery>("user_id=abc&company_id=x")
            .err()
            .map(|e| e.problem().detail)
            .unwrap_or_default();
        assert!(error.contains("user_id"), "{error}");
        let missing = parse_query::<openapi::access::AccessCheckQuery>("user_id=1")
            .err()
            .map(|e| e.problem().detail)
            .unwrap_or_default();
        assert!(missing.contains("company_id"), "{missing}");
    }

    #[test]
    fn control_characters_in_a_query_are_refused_by_name() {
        let detail = parse_query::<openapi::users::ListUsersQuery>("q=sa%00rah")
            .err()
            .map(|e| (e.problem().status, e.problem().detail));
        assert_eq!(
            detail,
            Some((
                400,
                "The query parameter q must not contain control characters".to_owned()
            ))
        );
        assert!(parse_query::<openapi::users::ListUsersQuery>("q=%C3%9Cbersee").is_ok());
    }

    #[test]
    fn malformed_json_is_400() {
        let p = problem::<GrantRequest>("{\"company_id\": ");
        assert_eq!((p.status, p.code), (400, ProblemCode::InvalidJson));
        assert_eq!(problem::<GrantRequest>("  ").status, 400);
        assert_eq!(problem::<GrantRequest>("{} {}").status, 400);
    }

    /// A well-formed value of the wrong type is 422 naming its field, not 400 "not valid JSON"; text
    /// that is not JSON stays 400.
    #[test]
    fn a_role_or_an_instant_of_the_wrong_type_is_422_naming_the_field() {
        let company = "\"company_id\": \"0b6c8e4e-1f63-4a53-9d7c-3b2f3bfbd0a1\"";
        for (body, field, says) in [
            (
                "\"role\": 5",
                "role",
                "expected one of `admin`, `hr_manager`",
            ),
            ("\"role\": true", "role", "expected one of `admin`"),
            ("\"role\": [\"admin\"]", "role", "expected one of `admin`"),
            (
                "\"role\": {\"admin\": null}",
                "role",
                "expected one of `admin`",
            ),
            (
                "\"valid_until\": 1767225600",
                "valid_until",
                "expected an RFC 3339 instant such as 2027-01-01T00:00:00Z",
            ),
            (
                "\"valid_from\": \"2027-01-01T00:00:00\"",
                "valid_from",
                "an RFC 3339 instant such as 2027-01-01T00:00:00Z: it has no offset",
            ),
        ] {
            let p = problem::<GrantRequest>(&format!("{{{company}, {body}}}"));
            assert_eq!(
                (p.status, p.code),
                (422, ProblemCode::ValidationFailed),
                "{body}"
            );
            let error = p.errors.first();
            assert_eq!(error.map(|e| e.field.as_str()), Some(field), "{body}");
            let message = error.map(|e| e.message.as_str()).unwrap_or_default();
            assert!(message.contains(says), "{body}: {message}");
        }
        let p = problem::<openapi::access::UpdateGrant>("{\"role\": 7}");
        assert_eq!((p.status, p.code), (422, ProblemCode::ValidationFailed));
        for broken in [
            format!("{{{company}, \"role\": }}"),
            format!("{{{company}, \"role\": adm}}"),
            format!("{{{company}, \"role\": \"admin}}"),
            format!("{{{company}, \"valid_until\": 2027-01-01}}"),
            format!("{{{company}, \"role\": 5x}}"),
            format!("{{{company}, \"role\": [\"admin\"}}"),
        ] {
            let p = problem::<GrantRequest>(&broken);
            assert_eq!(
                (p.status, p.code),
                (400, ProblemCode::InvalidJson),
                "{broken}"
            );
        }
    }

    #[test]
    fn wrong_content_names_the_field() {
        let p = problem::<GrantRequest>(
            "{\"company_ids\": [\"0b6c8e4e-1f63-4a53-9d7c-3b2f3bfbd0a1\", \"nope\"]}",
        );
        assert_eq!((p.status, p.code), (422, ProblemCode::ValidationFailed));
        assert_eq!(
            p.errors.first().map(|e| e.field.as_str()),
            Some("company_ids[1]")
        );
        for not_an_object in ["[null, null]", "[]", "5", "\"x\"", "null"] {
            let p = problem::<openapi::access::PopulateRequest>(not_an_object);
            assert_eq!(
                (p.status, p.code),
                (422, ProblemCode::ValidationFailed),
                "{not_an_object}"
            );
        }
        assert_eq!(problem::<GrantRequest>("[1,").status, 400);
        let p = problem::<GrantRequest>("{\"company\": 1}");
        assert!(p.detail.contains("unknown field `company`"), "{}", p.detail);
    }
}
