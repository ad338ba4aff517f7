//! Answers the handlers share.

use actix_web::HttpResponse;
use actix_web::body::MessageBody;
use actix_web::http::header::{CONTENT_TYPE, HeaderValue};

/// A 200 whose body is JSON written already (by `openapi::check_wire`, or the API document at start): the
/// same bytes `web::Json` would send for the same value.
pub fn json_bytes(body: impl MessageBody + 'static) -> HttpResponse {
    // A static value: a `mime` would be formatted and checked again for every answer.
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, HeaderValue::from_static("application/json")))
        .body(body)
}
