//! HTTP as a generic client expects it: 405 with `Allow`, `HEAD` wherever `GET` is, CORS only when the
//! operator allows an origin, `Location` on creation, and bodies read as the document describes them.

use api::config::CorsOrigins;
use company_access_tests::{MASTER_KEY, TestApp, TestDatabase};
use serde_json::json;

#[test]
fn a_wrong_method_on_a_known_path_is_405_naming_the_methods_it_answers() {
    let app = TestApp::spawn_demo();
    let john = app.user_id("john_smith");
    for (method, path, allow) in [
        ("TRACE", "/health".to_owned(), "GET, HEAD"),
        ("DELETE", "/access-check".to_owned(), "GET, HEAD, POST"),
        ("POST", format!("/users/{john}"), "DELETE, GET, HEAD, PATCH"),
        ("GET", format!("/users/{john}/companies/x"), "DELETE, PATCH"),
        ("PUT", "/manage-user-companies".to_owned(), "GET, HEAD"),
        ("OPTIONS", "/users".to_owned(), "GET, HEAD, POST"),
    ] {
        let answer = app.send(method, &path, Some(MASTER_KEY), None);
        assert_eq!(answer.status, 405, "{method} {path}: {}", answer.text);
        assert_eq!(answer.header("allow"), Some(allow), "{method} {path}");
        assert_eq!(answer.code(), "method_not_allowed");
        assert_eq!(answer.content_type, "application/problem+json");
    }
    let unknown = app.send("TRACE", "/nowhere", Some(MASTER_KEY), None);
    assert_eq!((unknown.status, unknown.header("allow")), (404, None));
}

#[test]
fn head_answers_wherever_get_does_with_headers_and_no_body() {
    let app = TestApp::spawn_demo();
    for path in [
        "/health",
        "/users?limit=1",
        "/manage-user-companies",
        "/openapi.json",
    ] {
        let get = app.send("GET", path, Some(MASTER_KEY), None);
        let head = app.send("HEAD", path, Some(MASTER_KEY), None);
        assert_eq!(head.status, get.status, "{path}");
        assert_eq!(head.content_type, get.content_type, "{path}");
        assert!(head.text.is_empty(), "{path}: {}", head.text);
    }
    let unauthenticated = app.send("HEAD", "/users", None, None);
    assert_eq!(unauthenticated.status, 401);
}

#[test]
fn cors_is_off_unless_an_origin_is_allowed() {
    let preflight = [
        ("Origin", "https://hr.example.com"),
        ("Access-Control-Request-Method", "POST"),
        (
            "Access-Control-Request-Headers",
            "authorization, content-type",
        ),
    ];
    let closed = TestApp::spawn();
    // No preflight answer: like any request without a key, it is refused before anything else.
    let answer = closed.send_headers("OPTIONS", "/users", None, &preflight);
    assert_eq!(answer.status, 401);
    assert_eq!(answer.header("access-control-allow-origin"), None);
    let get = closed.send_headers(
        "GET",
        "/health",
        None,
        &[("Origin", "https://hr.example.com")],
    );
    assert_eq!(get.header("access-control-allow-origin"), None);

    let open = TestApp::spawn_on(TestDatabase::new(), |settings| {
        settings.cors = CorsOrigins::List(vec!["https://hr.example.com".into()]);
    });
    let answer = open.send_headers("OPTIONS", "/users", None, &preflight);
    assert!(answer.status < 300, "{} {}", answer.status, answer.text);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("https://hr.example.com")
    );
    let methods = answer.header("access-control-allow-methods").unwrap_or("");
    assert!(
        methods.contains("POST") && methods.contains("DELETE"),
        "{methods}"
    );
    let read = open.send_headers(
        "GET",
        "/whoami",
        Some(MASTER_KEY),
        &[("Origin", "https://hr.example.com")],
    );
    assert_eq!(read.status, 200);
    assert_eq!(
        read.header("access-control-allow-origin"),
        Some("https://hr.example.com")
    );
    let exposed = read.header("access-control-expose-headers").unwrap_or("");
    assert!(
        exposed.to_ascii_lowercase().contains("x-request-id"),
        "{exposed}"
    );
    // Another origin gets no permission, and the key is still required.
    let other = open.send_headers(
        "GET",
        "/whoami",
        None,
        &[("Origin", "https://evil.example")],
    );
    assert_eq!(other.header("access-control-allow-origin"), None);
    assert!(other.status >= 400);
}

#[test]
fn created_users_and_companies_are_found_at_their_location() {
    let app = TestApp::spawn();
    let company = app.post("/companies", &json!({"name": "Regional HQ"}));
    assert_eq!(company.status, 201);
    let location = company.header("location").unwrap().to_owned();
    assert_eq!(
        location,
        format!("/companies/{}", company.body["id"].as_str().unwrap())
    );
    assert_eq!(app.get(&location).body["name"], "Regional HQ");
    let user = app.post("/users", &json!({"username": "rhq_manager"}));
    assert_eq!(user.status, 201);
    let location = user.header("location").unwrap().to_owned();
    assert_eq!(location, format!("/users/{}", user.body["id"]));
    assert_eq!(app.get(&location).body["username"], "rhq_manager");
}

#[test]
fn bodies_are_read_as_the_document_describes_them() {
    let app = TestApp::spawn_demo();
    let sarah = app.user_id("sarah");
    let nyc = app.company_id("NYC");
    // JSON Schema's integers include 5.0.
    let check = app.post(
        "/access-check",
        &json!({"checks": [{"user_id": f64::from(sarah), "company_id": nyc}]}),
    );
    assert_eq!(check.status, 200, "{}", check.text);
    assert_eq!(check.body["results"][0]["user_id"], sarah);
    let fraction = app.post(
        "/access-check",
        &json!({"checks": [{"user_id": 1.5, "company_id": nyc}]}),
    );
    assert_eq!(fraction.status, 422);
    assert_eq!(fraction.body["errors"][0]["field"], "checks[0].user_id");
    let dry_run = app.post(
        "/access/bulk",
        &json!({"user_ids": [f64::from(sarah)], "company_ids": [nyc], "dry_run": true}),
    );
    assert_eq!(dry_run.status, 200, "{}", dry_run.text);
    assert_eq!(dry_run.body["users"], 1);

    let audit_before = app.audit_count();
    // A struct is never read from an array, and the grant body is exactly one of its two forms.
    for (path, body) in [
        (format!("/users/{sarah}"), "[null, null]".to_owned()),
        ("/access/populate".to_owned(), "[]".to_owned()),
        (format!("/users/{sarah}/companies"), "{}".to_owned()),
        (
            format!("/users/{sarah}/companies"),
            format!("{{\"company_id\": \"{nyc}\", \"company_ids\": []}}"),
        ),
        (
            format!("/users/{sarah}/companies"),
            "{\"company_id\": null}".to_owned(),
        ),
        (
            format!("/users/{sarah}/companies"),
            "{\"company_ids\": null}".to_owned(),
        ),
    ] {
        let method = if path.ends_with("companies") || path.contains("populate") {
            "POST"
        } else {
            "PATCH"
        };
        let answer = app.send(
            method,
            &path,
            Some(MASTER_KEY),
            Some(("application/json", &body)),
        );
        assert_eq!(
            answer.status, 422,
            "{method} {path} {body}: {}",
            answer.text
        );
        assert_eq!(answer.code(), "validation_failed");
    }
    assert_eq!(app.audit_count(), audit_before);
}
