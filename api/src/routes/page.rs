//! The page /manage-user-companies: static assets compiled into the binary, calling the same REST API.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, ContentType};
use actix_web::{HttpResponse, get, web};

/// No inline script or style, no framing, and the page may talk only to this origin.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const PAGE_HTML: &str = include_str!("../../static/manage-user-companies.html");
const PAGE_JS: &str = include_str!("../../static/manage.js");
const PAGE_CSS: &str = include_str!("../../static/manage.css");

fn secured(mut response: actix_web::HttpResponseBuilder, body: &'static str) -> HttpResponse {
    response
        .insert_header((CONTENT_SECURITY_POLICY, PAGE_POLICY))
        .insert_header((CACHE_CONTROL, "no-cache"))
        .body(body)
}

/// The web page for managing which companies a user may act in.
#[get("/manage-user-companies")]
pub async fn manage_page() -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response.content_type(ContentType::html());
    secured(response, PAGE_HTML)
}

/// The page's script and stylesheet.
#[get("/assets/{file}")]
pub async fn asset(file: web::Path<String>) -> HttpResponse {
    let (content_type, body) = match file.as_str() {
        "manage.js" => ("text/javascript; charset=utf-8", PAGE_JS),
        "manage.css" => ("text/css; charset=utf-8", PAGE_CSS),
        _ => return crate::startup::not_found_response("GET", &format!("/assets/{file}")),
    };
    let mut response = HttpResponse::Ok();
    response.content_type(content_type);
    secured(response, body)
}
