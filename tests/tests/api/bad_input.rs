use company_access_tests::{MASTER_KEY, TestApp};
use serde_json::json;

/// (method, path, body with its content type, status, problem code)
type Case = (
    &'static str,
    String,
    Option<(&'static str, String)>,
    u16,
    &'static str,
);

/// Each bad request is answered 4xx with a problem body, and leaves no trace.
#[test]
fn bad_input_gets_a_clear_4xx_and_changes_nothing() {
    let app = TestApp::spawn_demo();
    let nyc = app.company_id("NYC");
    let rows_before = app
        .db
        .query_i64("SELECT count(*) FROM hrm_user_company_access");
    let audit_before = app.audit_count();
    let big = format!(
        "{{\"company_ids\": [{}]}}",
        vec![format!("\"{nyc}\""); 40_000].join(",")
    );
    let cases: Vec<Case> = vec![
        (
            "POST",
            "/users/5/companies".into(),
            Some((
                "application/json",
                "{\"company_id\": \"not-a-uuid\"}".into(),
            )),
            422,
            "validation_failed",
        ),
        (
            "POST",
            "/users/5/companies".into(),
            Some(("application/json", "{\"company_id\": 42}".into())),
            422,
            "validation_failed",
        ),
        (
            "POST",
            "/users/5/companies".into(),
            Some((
                "application/json",
                format!("{{\"company_id\": \"{nyc}\", \"role\": \"x\"}}"),
            )),
            422,
            "validation_failed",
        ),
        (
            "POST",
            "/users/5/companies".into(),
            Some(("application/json", "{\"company_id\": ".into())),
            400,
            "invalid_json",
        ),
        (
            "POST",
            "/users/5/companies".into(),
            Some(("application/json", "company_id=1".into())),
            400,
            "invalid_json",
        ),
        (
            "POST",
            "/users/5/companies".into(),
            Some(("application/json", String::new())),
            400,
            "invalid_json",
        ),
        (
            "POST",
            "/users/5/companies".into(),
            Some(("text/plain", format!("{{\"company_id\": \"{nyc}\"}}"))),
            415,
            "unsupported_media_type",
        ),
        (
            "POST",
            "/users/5/companies".into(),
            Some(("application/json", big)),
            413,
            "payload_too_large",
        ),
        (
            "POST",
            "/users/abc/companies".into(),
            Some(("application/json", format!("{{\"company_id\": \"{nyc}\"}}"))),
            400,
            "bad_request",
        ),
        (
            "DELETE",
            "/users/5/companies/not-a-uuid".into(),
            None,
            400,
            "bad_request",
        ),
        ("GET", "/users?limit=0".into(), None, 400, "bad_request"),
        ("GET", "/users?limit=many".into(), None, 400, "bad_request"),
        ("GET", "/users?colour=red".into(), None, 400, "bad_request"),
        // PostgreSQL refuses NUL in text: without the check at the edge this was a 500 there.
        ("GET", "/users?q=sa%00rah".into(), None, 400, "bad_request"),
        (
            "GET",
            "/companies?name=NYC%1B".into(),
            None,
            400,
            "bad_request",
        ),
        (
            "GET",
            "/audit?actor=master%00".into(),
            None,
            400,
            "bad_request",
        ),
        ("GET", "/users/99999999999".into(), None, 400, "bad_request"),
        (
            "POST",
            "/companies".into(),
            Some(("application/json", "{\"name\": \"   \"}".into())),
            422,
            "validation_failed",
        ),
        (
            "POST",
            "/companies".into(),
            Some(("application/json", "[]".into())),
            422,
            "validation_failed",
        ),
        (
            "POST",
            "/access/bulk".into(),
            Some(("application/json", "{\"user_ids\": [\"one\"]}".into())),
            422,
            "validation_failed",
        ),
        (
            "PATCH",
            "/users/5".into(),
            Some(("application/json", "{\"role\": \"emperor\"}".into())),
            422,
            "validation_failed",
        ),
        (
            "POST",
            "/keys".into(),
            Some((
                "application/json",
                "{\"name\": \"x\", \"scope\": \"root\"}".into(),
            )),
            422,
            "validation_failed",
        ),
    ];
    for (method, path, body, status, code) in cases {
        let answer = app.send(
            method,
            &path,
            Some(MASTER_KEY),
            body.as_ref().map(|(ct, text)| (*ct, text.as_str())),
        );
        assert_eq!(answer.status, status, "{method} {path}: {}", answer.text);
        assert_eq!(answer.code(), code, "{method} {path}: {}", answer.text);
        assert!(
            answer.content_type.starts_with("application/problem+json"),
            "{method} {path}"
        );
        assert!(
            !answer.body["detail"].as_str().unwrap_or("").is_empty(),
            "{method} {path} says nothing"
        );
        assert_eq!(answer.body["status"], status);
    }
    assert_eq!(
        app.db
            .query_i64("SELECT count(*) FROM hrm_user_company_access"),
        rows_before
    );
    assert_eq!(app.audit_count(), audit_before);
    assert_eq!(
        app.client().get_user(5).unwrap().role,
        openapi::Role::HrManager
    );
}

#[test]
fn field_errors_name_the_offending_element() {
    let app = TestApp::spawn_demo();
    let nyc = app.company_id("NYC");
    let answer = app.post("/users/5/companies", &json!({"company_ids": [nyc, "oops"]}));
    assert_eq!(answer.status, 422);
    assert_eq!(answer.body["errors"][0]["field"], "company_ids[1]");
}

#[test]
fn server_errors_say_nothing_internal() {
    let app = TestApp::spawn();
    // Break the schema under the running server: the next read fails inside the database.
    app.db.execute("DROP TABLE hrm_audit_log");
    let answer = app.get("/audit");
    assert_eq!(answer.status, 500);
    assert_eq!(answer.code(), "internal");
    assert!(!answer.text.contains("hrm_audit_log"), "{}", answer.text);
    assert!(
        !answer.text.to_lowercase().contains("sql"),
        "{}",
        answer.text
    );
}

/// A role sent as a number, a boolean, a list or serde's object form (`{"admin": null}`) is well-formed
/// JSON of the wrong type: 422 naming the field and the names it takes, as for any other field, and
/// nothing is granted. Text that is not JSON stays 400.
#[test]
fn a_name_of_the_wrong_type_is_422_naming_the_field() {
    let app = TestApp::spawn_demo();
    let sarah = app.user_id("sarah");
    let (nyc, la) = (app.company_id("NYC"), app.company_id("LA"));
    let audit_before = app.audit_count();
    let path = format!("/users/{sarah}/companies");
    for role in [
        json!(5),
        json!(true),
        json!(["admin"]),
        json!({"admin": null}),
    ] {
        let answer = app.post(&path, &json!({"company_id": nyc, "role": role}));
        assert_eq!(
            (answer.status, answer.code()),
            (422, "validation_failed"),
            "{role}: {}",
            answer.text
        );
        assert_eq!(answer.body["errors"][0]["field"], "role", "{}", answer.text);
        let message = answer.body["errors"][0]["message"].as_str().unwrap_or("");
        assert!(
            message.contains("expected one of `admin`, `hr_manager`"),
            "{role}: {message}"
        );
    }
    for (method, path, body, field) in [
        (
            "POST",
            path.clone(),
            json!({"company_ids": [nyc], "role": 5}),
            "role",
        ),
        ("PATCH", "/users/5".to_owned(), json!({"role": 7}), "role"),
        (
            "POST",
            "/keys".to_owned(),
            json!({"name": "x", "scope": 3}),
            "scope",
        ),
    ] {
        let answer = app.json_as(MASTER_KEY, method, &path, &body);
        assert_eq!(
            (answer.status, answer.code()),
            (422, "validation_failed"),
            "{method} {path} {body}: {}",
            answer.text
        );
        assert_eq!(answer.body["errors"][0]["field"], field, "{}", answer.text);
    }
    app.client().grant_company(sarah, la).unwrap();
    let audit_granted = app.audit_count();
    let one = format!("/users/{sarah}/companies/{la}");
    let patched = app.patch(&one, &json!({"role": 7}));
    assert_eq!((patched.status, patched.code()), (422, "validation_failed"));
    assert_eq!(patched.body["errors"][0]["field"], "role");
    for broken in [
        format!("{{\"company_id\": \"{nyc}\", \"role\": 5x}}"),
        format!("{{\"company_id\": \"{nyc}\", \"role\": [\"admin\"}}"),
        format!("{{\"company_id\": \"{nyc}\", \"role\": adm}}"),
    ] {
        let answer = app.send(
            "POST",
            &path,
            Some(MASTER_KEY),
            Some(("application/json", &broken)),
        );
        assert_eq!(
            (answer.status, answer.code()),
            (400, "invalid_json"),
            "{broken}: {}",
            answer.text
        );
    }
    assert_eq!(app.company_names_of(sarah), ["LA"]);
    assert_eq!(audit_granted, audit_before + 1);
    assert_eq!(app.audit_count(), audit_granted);
}

/// An instant is RFC 3339 with `Z` or a numeric offset, kept in UTC; the forms chrono tolerated besides
/// (a space, lower-case letters, a `+` before the year, a leap second) and everything else are refused
/// with 422 naming the field and the form to send, and change nothing.
#[test]
fn an_instant_is_rfc_3339_with_an_offset_and_is_kept_in_utc() {
    let app = TestApp::spawn_demo();
    let sarah = app.user_id("sarah");
    let (nyc, la) = (app.company_id("NYC"), app.company_id("LA"));
    let path = format!("/users/{sarah}/companies");
    let granted = app.post(
        &path,
        &json!({"company_id": nyc, "valid_until": "2027-01-01T00:00:00+02:00"}),
    );
    assert_eq!(granted.status, 201, "{}", granted.text);
    assert_eq!(granted.body["valid_until"], "2026-12-31T22:00:00Z");
    let audit_before = app.audit_count();
    let one = format!("/users/{sarah}/companies/{nyc}");
    let expected = "an RFC 3339 instant such as 2027-01-01T00:00:00Z";
    for (value, why) in [
        (json!("2027-01-01T00:00:00"), "it has no offset"),
        (json!("tomorrow"), "YYYY-MM-DDThh:mm:ss"),
        (json!("2027-13-01T00:00:00Z"), "there is no month 13"),
        (json!("2027-02-30T00:00:00Z"), "2027-02 has no day 30"),
        (json!("2027-01-01T23:59:60Z"), "a leap second"),
        (json!("2027-01-01 00:00:00Z"), "not a space"),
        (json!("2027-01-01t00:00:00Z"), "as a capital"),
        (json!("2027-01-01T00:00:00z"), "as a capital"),
        (json!("+2027-01-01T00:00:00Z"), "YYYY-MM-DDThh:mm:ss"),
        (json!(1_767_225_600), expected),
    ] {
        for field in ["valid_from", "valid_until"] {
            for (method, path, body) in [
                ("POST", &path, json!({"company_id": la, field: value})),
                ("PATCH", &one, json!({field: value})),
                (
                    "POST",
                    &"/access/bulk".to_owned(),
                    json!({"user_ids": [sarah], "company_ids": [la], field: value}),
                ),
            ] {
                let answer = app.json_as(MASTER_KEY, method, path, &body);
                assert_eq!(
                    (answer.status, answer.code()),
                    (422, "validation_failed"),
                    "{method} {path} {body}: {}",
                    answer.text
                );
                assert_eq!(answer.body["errors"][0]["field"], field, "{}", answer.text);
                let message = answer.body["errors"][0]["message"].as_str().unwrap_or("");
                assert!(
                    message.contains(expected) && message.contains(why),
                    "{body}: {message}"
                );
            }
        }
    }
    assert_eq!(
        app.audit_count(),
        audit_before,
        "a refused instant changes nothing"
    );
    assert_eq!(app.company_names_of(sarah), ["NYC"]);
    // In a query an unescaped `+` arrives as a space; the answer says how to send it.
    let unescaped = app.get("/audit?since=2027-01-01T00:00:00+02:00");
    assert_eq!(unescaped.status, 400, "{}", unescaped.text);
    assert!(unescaped.text.contains("%2B"), "{}", unescaped.text);
    let escaped = app.get("/audit?since=2026-01-01T00:00:00%2B02:00");
    assert_eq!(escaped.status, 200, "{}", escaped.text);
    let leap = app.get("/audit/expired?until=2027-01-01T23:59:60Z");
    assert_eq!(leap.status, 400, "{}", leap.text);
    assert!(leap.text.contains(expected), "{}", leap.text);
}
