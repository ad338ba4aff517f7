//! `POST /access/revoke`: many users lose many companies at once, all or nothing, after a dry run.

use company_access_tests::TestApp;
use serde_json::{Value, json};

fn grant(app: &TestApp, user: i32, company: uuid::Uuid) {
    let made = app.post(
        &format!("/users/{user}/companies"),
        &json!({"company_id": company}),
    );
    assert_eq!(made.status, 201, "{}", made.text);
}

fn grants(app: &TestApp) -> i64 {
    app.db
        .query_i64("SELECT count(*) FROM hrm_user_company_access")
}

#[test]
fn a_dry_run_names_the_grants_and_the_revocation_removes_exactly_them() {
    let app = TestApp::spawn_demo();
    let (nyc, la) = (app.company_id("NYC"), app.company_id("LA"));
    let (sarah, emp) = (app.user_id("sarah"), app.user_id("emp_001"));
    grant(&app, sarah, nyc);
    grant(&app, sarah, la);
    grant(&app, emp, la);
    let before = grants(&app);
    let body = json!({"user_ids": [sarah, emp, sarah], "company_ids": [la, nyc], "dry_run": true});

    let dry = app.post("/access/revoke", &body);
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!(
        dry.body,
        json!({"users": 2, "companies": 2, "pairs": 4, "removed": 3, "not_granted": 1, "dry_run": true,
               "items": [{"user_id": sarah, "company_id": la}, {"user_id": sarah, "company_id": nyc},
                         {"user_id": emp, "company_id": la}]})
    );
    assert_eq!(grants(&app), before, "a dry run writes nothing");

    let mut body = body;
    body["dry_run"] = Value::Bool(false);
    let done = app.post("/access/revoke", &body);
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.body["removed"], 3);
    assert_eq!(done.body["dry_run"], false);
    assert_eq!(grants(&app), before - 3);
    let revocations = app.get(&format!("/audit?action=access.revoke&user_id={sarah}"));
    assert_eq!(revocations.body["total"], 2, "{}", revocations.text);

    let again = app.post("/access/revoke", &body);
    assert_eq!(
        (
            again.body["removed"].clone(),
            again.body["not_granted"].clone()
        ),
        (json!(0), json!(4)),
        "nothing left to remove is no error"
    );
}

#[test]
fn an_unknown_user_or_company_or_an_empty_list_removes_nothing() {
    let app = TestApp::spawn_demo();
    let nyc = app.company_id("NYC");
    let sarah = app.user_id("sarah");
    grant(&app, sarah, nyc);
    let before = grants(&app);
    let cases = [
        (
            json!({"user_ids": [sarah, 999_999], "company_ids": [nyc]}),
            404,
            "user_not_found",
        ),
        (
            json!({"user_ids": [sarah], "company_ids": [nyc, uuid::Uuid::new_v4()]}),
            404,
            "company_not_found",
        ),
        (
            json!({"user_ids": [], "company_ids": [nyc]}),
            422,
            "validation_failed",
        ),
        (
            json!({"user_ids": [sarah], "company_ids": []}),
            422,
            "validation_failed",
        ),
        (json!({"company_ids": [nyc]}), 422, "validation_failed"),
    ];
    for (body, status, code) in cases {
        let answer = app.post("/access/revoke", &body);
        assert_eq!(
            (answer.status, answer.code()),
            (status, code),
            "{body}: {}",
            answer.text
        );
    }
    assert_eq!(grants(&app), before);
}

#[test]
fn a_bound_key_revokes_only_in_the_companies_its_user_administers() {
    let app = TestApp::spawn_demo();
    let (nyc, la) = (app.company_id("NYC"), app.company_id("LA"));
    let (sarah, emp) = (app.user_id("sarah"), app.user_id("emp_001"));
    let made = app.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_id": nyc, "role": "admin"}),
    );
    assert_eq!(made.status, 201, "{}", made.text);
    grant(&app, emp, nyc);
    grant(&app, emp, la);
    let key = app.create_bound_key("sarah-portal", "write", sarah);

    let beyond = app.json_as(
        &key,
        "POST",
        "/access/revoke",
        &json!({"user_ids": [emp], "company_ids": [nyc, la]}),
    );
    assert_eq!(
        (beyond.status, beyond.code()),
        (403, "out_of_reach"),
        "{}",
        beyond.text
    );
    let within = app.json_as(
        &key,
        "POST",
        "/access/revoke",
        &json!({"user_ids": [emp], "company_ids": [nyc]}),
    );
    assert_eq!(within.status, 200, "{}", within.text);
    assert_eq!(within.body["removed"], 1);
}
