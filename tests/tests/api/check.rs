use company_access_tests::{TestApp, new_user};
use openapi::Scope;
use openapi::access::{AccessPair, DecisionReason};
use openapi::keys::WhoAmI;
use openapi::users::CreateUser;
use serde_json::json;

#[test]
fn access_check_answers_every_case_with_a_reason() {
    let app = TestApp::spawn_demo();
    let client = app.client();
    let john = app.user_id("john_smith");
    let admin = app.user_id("admin");
    let main = app.company_id("Main Office");
    let nyc = app.company_id("NYC");
    let unknown = uuid::Uuid::new_v4();
    let inactive = client
        .create_user(&CreateUser {
            is_active: Some(false),
            home_company_id: Some(main),
            ..new_user("left_company")
        })
        .unwrap()
        .id;
    for (user, company, allowed, reason) in [
        (john, main, true, DecisionReason::Grant),
        (john, nyc, false, DecisionReason::NoGrant),
        (admin, nyc, true, DecisionReason::SuperAdmin),
        (inactive, main, false, DecisionReason::UserInactive),
        (999, main, false, DecisionReason::UnknownUser),
        (john, unknown, false, DecisionReason::UnknownCompany),
    ] {
        let answer = client.check(user, company).unwrap();
        assert_eq!(answer.allowed, allowed, "{user} {company}");
        assert_eq!(answer.reason, reason, "{user} {company}");
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
    let pair = |user_id, company_id| AccessPair {
        role: None,
        user_id,
        company_id,
    };
    let results = app
        .client()
        .check_many(&[
            pair(john, main),
            pair(john, nyc),
            pair(999, main),
            pair(john, main),
        ])
        .unwrap();
    let allowed: Vec<bool> = results.iter().map(|r| r.allowed).collect();
    assert_eq!(allowed, [true, false, false, true]);
    assert_eq!(results[2].reason, DecisionReason::UnknownUser);
}

#[test]
fn batch_check_takes_thousands_of_pairs_and_no_more_than_ten_thousand() {
    let app = TestApp::spawn_demo();
    let main = app.company_id("Main Office");
    let pairs: Vec<_> = (0..5000)
        .map(|i| AccessPair {
            role: None,
            user_id: i % 7,
            company_id: main,
        })
        .collect();
    let results = app.client().check_many(&pairs).unwrap();
    assert_eq!(results.len(), 5000);
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
    let service = app.client_as(&key);
    assert!(service.check(2, main).unwrap().allowed);
    let denied = app.get_as(&key, "/users");
    assert_eq!((denied.status, denied.code()), (403, "forbidden"));
    assert_eq!(
        service.whoami().unwrap(),
        WhoAmI {
            name: "payroll-service".into(),
            scope: Scope::Check,
            user_id: None,
            username: None,
        }
    );
}
