//! How fresh a reader wants its answer (`Company-Access-Consistency`), and the revision every answer
//! states (`Company-Access-Revision`).
//!
//! - `minimize-latency` (the default): from memory; exact for this instance's own writes, within the
//!   staleness bound for others'.
//! - `at-least <revision>`: includes that write and everything committed before it; the instance waits
//!   briefly for its feed to reach the revision, and past that answers from the database.
//! - `full`: from the database.

use crate::cache::CheckCache;
use crate::error::AppError;
use crate::revision::{self, REVISION_HEADER};
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest};
use std::future::{Ready, ready};

/// The request header a reader names its freshness in.
pub const CONSISTENCY_HEADER: &str = "company-access-consistency";

/// What the accepted forms are, for the 400 and for the document.
pub const CONSISTENCY_FORMS: &str = "`minimize-latency`, `at-least <revision>` (a revision a write answered \
     with in `Company-Access-Revision`) or `full`";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Consistency {
    #[default]
    MinimizeLatency,
    AtLeast(i64),
    Full,
}

impl Consistency {
    pub fn parse(text: &str) -> Result<Self, AppError> {
        let parsed = match text {
            "minimize-latency" => Some(Consistency::MinimizeLatency),
            "full" => Some(Consistency::Full),
            _ => text
                .strip_prefix("at-least ")
                .and_then(revision::parse_token)
                .map(Consistency::AtLeast),
        };
        parsed.ok_or_else(|| {
            AppError::bad_request(format!(
                "The header Company-Access-Consistency must be {CONSISTENCY_FORMS} (got {text:?})"
            ))
        })
    }
}

impl FromRequest for Consistency {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(match request.headers().get(CONSISTENCY_HEADER) {
            None => Ok(Consistency::MinimizeLatency),
            Some(value) => match value.to_str() {
                Ok(text) => Consistency::parse(text),
                Err(_) => Consistency::parse("\u{fffd}"),
            },
        })
    }
}

/// A read answered from the database: it holds every committed write, so whatever `consistency` asked for
/// is met, and the answer reflects at least what this instance has applied (and the revision asked for).
pub fn read_from_database(cache: &CheckCache, consistency: Consistency) {
    if let Consistency::AtLeast(wanted) = consistency {
        revision::answered_at(wanted);
    }
    revision::answered_at(cache.revision());
}

/// Puts the revision the answer reflects, if the handling stated one, into `Company-Access-Revision`.
pub async fn revision_header(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let (answered, revision) = revision::collect(next.call(request)).await;
    let mut response = answered?;
    if let Some(revision) = revision {
        response.headers_mut().insert(
            HeaderName::from_static(REVISION_HEADER),
            HeaderValue::from(revision),
        );
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_forms_parse_and_anything_else_says_what_is_accepted() {
        assert_eq!(
            Consistency::parse("minimize-latency").ok(),
            Some(Consistency::MinimizeLatency)
        );
        assert_eq!(Consistency::parse("full").ok(), Some(Consistency::Full));
        assert_eq!(
            Consistency::parse("at-least 42").ok(),
            Some(Consistency::AtLeast(42))
        );
        for bad in [
            "",
            "at-least",
            "at-least x",
            "at-least -1",
            "at-least  4",
            " full",
            "FULL",
        ] {
            let detail = Consistency::parse(bad)
                .err()
                .map(|e| e.problem().detail)
                .unwrap_or_default();
            assert!(detail.contains("at-least <revision>"), "{bad}: {detail}");
        }
    }
}
