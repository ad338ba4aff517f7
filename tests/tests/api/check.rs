use company_access_tests::TestApp;
use serde_json::json;

#[test]
fn access_check_answers_every_case_with_a_reason() {
    let app = TestApp::spawn_demo();
    let john = app.user_id("john_smith");
    let admin = app.user_id("admin");
    let main = app.company_id("Main Office");
    let nyc = app.company_id("NYC");
    let unknown = uuid::Uuid::new_v4();
    let inactive = app.post(
        "/users",
        &json!({"username": "left_company", "is_active": false, "home_company_id": main}),
    );
    let inactive = inactive.body["id"].as_i64().unwrap();
    for (user, company, allowed, reason) in [
        (john, main.clone(), true, "grant"),
        (john, nyc.clone(), false, "no_grant"),
        (admin, nyc.clone(), true, "super_admin"),
        (inactive, main.clone(), false, "user_inactive"),
        (999, main.clone(), false, "unknown_user"),
        (john, unknown.to_string(), false, "unknown_company"),
    ] {
        let answer = app.get(&format!(
            "/access-check?user_id={user}&company_id={company}"
        ));
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.body["allowed"], allowed, "{user} {company}");
        assert_eq!(answer.body["reason"], reason, "{user} {company}");
    }
}

#[test]
fn access_check_refuses_malformed_ids() {
    let app = TestApp::spawn_demo();
    for query in [
        "user_id=abc&company_id=x",
        "user_id=1",
        "company_id=00000000-0000-0000-0000-000000000000",
        "user_id=1&company_id=nope",
    ] {
        let answer = app.get(&format!("/access-check?{query}"));
        assert_eq!(
            (answer.status, answer.code()),
            (400, "bad_request"),
            "{query}: {}",
            answer.text
        );
    }
}

#[test]
fn batch_check_answers_in_order() {
    let app = TestApp::spawn_demo();
    let john = app.user_id("john_smith");
    let main = app.company_id("Main Office");
    let nyc = app.company_id("NYC");
    let answer = app.post(
        "/access-check",
        &json!({"checks": [
            {"user_id": john, "company_id": main},
            {"user_id": john, "company_id": nyc},
            {"user_id": 999, "company_id": main},
            {"user_id": john, "company_id": main}
        ]}),
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    let allowed: Vec<bool> = answer.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["allowed"].as_bool().unwrap())
        .collect();
    assert_eq!(allowed, [true, false, false, true]);
    assert_eq!(answer.body["results"][2]["reason"], "unknown_user");
}

#[test]
fn batch_check_takes_thousands_of_pairs_and_no_more_than_ten_thousand() {
    let app = TestApp::spawn_demo();
    let main = app.company_id("Main Office");
    let pairs: Vec<_> = (0..5000)
        .map(|i| json!({"user_id": i % 7, "company_id": main}))
        .collect();
    let answer = app.post("/access-check", &json!({"checks": pairs}));
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.body["results"].as_array().unwrap().len(), 5000);
    let too_many: Vec<_> = (0..10_001)
        .map(|_| json!({"user_id": 1, "company_id": main}))
        .collect();
    let refused = app.post("/access-check", &json!({"checks": too_many}));
    assert_eq!(refused.status, 422, "{}", refused.text);
}

#[test]
fn a_check_key_may_check_and_nothing_else() {
    let app = TestApp::spawn_demo();
    let key = app.create_key("payroll-service", "check");
    let main = app.company_id("Main Office");
    let answer = app.get_as(&key, &format!("/access-check?user_id=2&company_id={main}"));
    assert_eq!(
        (answer.status, answer.body["allowed"].as_bool()),
        (200, Some(true))
    );
    let denied = app.get_as(&key, "/users");
    assert_eq!((denied.status, denied.code()), (403, "forbidden"));
    let whoami = app.get_as(&key, "/whoami");
    assert_eq!(
        whoami.body,
        json!({"name": "payroll-service", "scope": "check"})
    );
}
