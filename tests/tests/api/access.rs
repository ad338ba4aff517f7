use company_access_tests::TestApp;
use serde_json::json;

/// The seed's example workflow: add HR Manager sarah to manage both NYC and LA.
#[test]
fn sarah_gets_nyc_and_la() {
    let app = TestApp::spawn_demo();
    let sarah = app.user_id("sarah");
    let (nyc, la) = (app.company_id("NYC"), app.company_id("LA"));
    let added = app.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_ids": [nyc, la]}),
    );
    assert_eq!(added.status, 200, "{}", added.text);
    assert_eq!(added.body["added"].as_array().unwrap().len(), 2);
    assert_eq!(added.body["already_present"], json!([]));
    assert_eq!(app.company_names_of(sarah), ["NYC", "LA"]);
    let listed = app.get(&format!("/users/{sarah}/companies"));
    assert_eq!(
        listed.body["items"][0]["is_default"], true,
        "the first company becomes the default"
    );
    assert_eq!(listed.body["items"][1]["is_default"], false);
    assert_eq!(listed.body["items"][0]["granted_by"], "master");
    for company in [&nyc, &la] {
        let check = app.get(&format!(
            "/access-check?user_id={sarah}&company_id={company}"
        ));
        assert_eq!(check.body["allowed"], true);
    }
}

#[test]
fn add_one_company_then_again_is_a_conflict() {
    let app = TestApp::spawn_demo();
    let sarah = app.user_id("sarah");
    let nyc = app.company_id("NYC");
    let first = app.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_id": nyc}),
    );
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.body["company_name"], "NYC");
    let again = app.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_id": nyc}),
    );
    assert_eq!(again.status, 409);
    assert_eq!(
        again.body["detail"],
        "User already has access to this company"
    );
    assert_eq!(again.code(), "already_has_access");
    assert_eq!(app.company_names_of(sarah), ["NYC"]);
}

#[test]
fn unknown_user_or_company_is_not_found_and_changes_nothing() {
    let app = TestApp::spawn_demo();
    let nyc = app.company_id("NYC");
    let audit_before = app.audit_count();
    let no_user = app.post("/users/999/companies", &json!({"company_id": nyc}));
    assert_eq!(
        (no_user.status, no_user.body["detail"].as_str()),
        (404, Some("User not found"))
    );
    let no_company = app.post(
        "/users/5/companies",
        &json!({"company_id": uuid::Uuid::new_v4()}),
    );
    assert_eq!(
        (no_company.status, no_company.body["detail"].as_str()),
        (404, Some("Company not found"))
    );
    let missing = uuid::Uuid::new_v4();
    let one_bad = app.post(
        "/users/5/companies",
        &json!({"company_ids": [nyc, missing]}),
    );
    assert_eq!((one_bad.status, one_bad.code()), (404, "company_not_found"));
    assert!(
        one_bad.body["detail"]
            .as_str()
            .unwrap()
            .contains(&missing.to_string())
    );
    assert!(app.company_names_of(5).is_empty(), "all or nothing");
    assert_eq!(app.audit_count(), audit_before);
    let neither = app.post("/users/5/companies", &json!({}));
    assert_eq!(neither.status, 422);
    let both = app.post(
        "/users/5/companies",
        &json!({"company_id": nyc, "company_ids": [nyc]}),
    );
    assert_eq!(both.status, 422);
    let empty = app.post("/users/5/companies", &json!({"company_ids": []}));
    assert_eq!(empty.status, 422);
}

#[test]
fn adding_several_reports_what_was_already_there() {
    let app = TestApp::spawn_demo();
    let john = app.user_id("john_smith");
    let (main, nyc) = (app.company_id("Main Office"), app.company_id("NYC"));
    let answer = app.post(
        &format!("/users/{john}/companies"),
        &json!({"company_ids": [main, nyc, nyc]}),
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.body["already_present"], json!([main]));
    assert_eq!(answer.body["added"][0]["company_name"], "NYC");
    assert_eq!(answer.body["added"].as_array().unwrap().len(), 1);
}

#[test]
fn remove_company_from_user() {
    let app = TestApp::spawn_demo();
    let john = app.user_id("john_smith");
    let branch = app.company_id("Branch Office");
    assert_eq!(
        app.delete(&format!("/users/{john}/companies/{branch}"))
            .status,
        204
    );
    assert_eq!(app.company_names_of(john), ["Main Office", "Regional HQ"]);
    let again = app.delete(&format!("/users/{john}/companies/{branch}"));
    assert_eq!((again.status, again.code()), (404, "access_not_found"));
    assert_eq!(
        app.delete(&format!("/users/999/companies/{branch}")).body["detail"],
        "User not found"
    );
    assert_eq!(
        app.delete(&format!("/users/{john}/companies/{}", uuid::Uuid::new_v4()))
            .body["detail"],
        "Company not found"
    );
    let check = app.get(&format!("/access-check?user_id={john}&company_id={branch}"));
    assert_eq!(
        (
            check.body["allowed"].as_bool(),
            check.body["reason"].as_str()
        ),
        (Some(false), Some("no_grant"))
    );
}

#[test]
fn at_most_one_default_company_per_user() {
    let app = TestApp::spawn_demo();
    let john = app.user_id("john_smith");
    let regional = app.company_id("Regional HQ");
    let main = app.company_id("Main Office");
    let made = app.patch(
        &format!("/users/{john}/companies/{regional}"),
        &json!({"is_default": true}),
    );
    assert_eq!(
        (made.status, made.body["is_default"].as_bool()),
        (200, Some(true)),
        "{}",
        made.text
    );
    let defaults = app.db.query_i64(&format!(
        "SELECT count(*) FROM hrm_user_company_access WHERE user_id = {john} AND is_default"
    ));
    assert_eq!(defaults, 1);
    let listed = app.get(&format!("/users/{john}/companies"));
    assert_eq!(listed.body["items"][0]["company_name"], "Regional HQ");
    let main_again = app.patch(
        &format!("/users/{john}/companies/{main}"),
        &json!({"is_default": true}),
    );
    assert_eq!(main_again.status, 200);
    assert_eq!(
        app.get(&format!("/users/{john}/companies")).body["items"][0]["company_name"],
        "Main Office"
    );
    let cleared = app.patch(
        &format!("/users/{john}/companies/{main}"),
        &json!({"is_default": false}),
    );
    assert_eq!(cleared.body["is_default"], false);
    let nyc = app.company_id("NYC");
    let not_granted = app.patch(
        &format!("/users/{john}/companies/{nyc}"),
        &json!({"is_default": true}),
    );
    assert_eq!(
        (not_granted.status, not_granted.code()),
        (404, "access_not_found")
    );
    // The database itself refuses a second default, whatever a client does.
    let sneaky = app.db.query_i64(&format!(
        "SELECT count(*) FROM hrm_user_company_access WHERE user_id = {john} AND is_default"
    ));
    assert!(sneaky <= 1);
}

#[test]
fn replace_the_whole_set() {
    let app = TestApp::spawn_demo();
    let john = app.user_id("john_smith");
    let (main, nyc, la) = (
        app.company_id("Main Office"),
        app.company_id("NYC"),
        app.company_id("LA"),
    );
    let answer = app.put(
        &format!("/users/{john}/companies"),
        &json!({"company_ids": [main, nyc, la], "default_company_id": la}),
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.body["added"], json!([nyc, la]));
    assert_eq!(answer.body["removed"].as_array().unwrap().len(), 2);
    assert_eq!(app.company_names_of(john), ["LA", "Main Office", "NYC"]);
    let bad_default = app.put(
        &format!("/users/{john}/companies"),
        &json!({"company_ids": [main], "default_company_id": la}),
    );
    assert_eq!(bad_default.status, 422);
    let emptied = app.put(
        &format!("/users/{john}/companies"),
        &json!({"company_ids": []}),
    );
    assert_eq!(emptied.status, 200);
    assert!(app.company_names_of(john).is_empty());
}

#[test]
fn populate_grants_profiles_and_super_admins_once() {
    let app = TestApp::spawn();
    let a = app.create_company("Company_A");
    app.create_company("Company_B");
    // Profiles written straight into the table, as an older HR system would have left them.
    let emp = app.create_user("emp_001", "employee");
    let admin = app.create_user("admin", "super_admin");
    let patched = app.patch(&format!("/users/{emp}"), &json!({"home_company_id": a}));
    assert_eq!(patched.status, 200);
    app.delete(&format!("/users/{emp}/companies/{a}"));
    assert!(app.company_names_of(emp).is_empty());

    let dry = app.post("/access/populate", &json!({"dry_run": true}));
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!(
        dry.body,
        json!({"home_company_grants": 1, "super_admin_grants": 2, "defaults_set": 1, "dry_run": true})
    );
    assert!(
        app.company_names_of(emp).is_empty(),
        "a dry run changes nothing"
    );

    let first = app.post("/access/populate", &json!({}));
    assert_eq!(
        first.body,
        json!({"home_company_grants": 1, "super_admin_grants": 2, "defaults_set": 1, "dry_run": false})
    );
    let emp_companies = app.get(&format!("/users/{emp}/companies"));
    assert_eq!(emp_companies.body["items"][0]["company_name"], "Company_A");
    assert_eq!(emp_companies.body["items"][0]["is_default"], true);
    assert_eq!(
        app.db.query_i64(&format!(
            "SELECT count(*) FROM hrm_user_company_access WHERE user_id = {admin}"
        )),
        2
    );

    let second = app.post("/access/populate", &json!({}));
    assert_eq!(
        second.body,
        json!({"home_company_grants": 0, "super_admin_grants": 0, "defaults_set": 0, "dry_run": false})
    );
}

#[test]
fn bulk_add_all_to_all_and_given_lists() {
    let app = TestApp::spawn_demo();
    let before = app
        .db
        .query_i64("SELECT count(*) FROM hrm_user_company_access");
    let dry = app.post("/access/bulk", &json!({"dry_run": true}));
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!(dry.body["pairs"], 66);
    assert_eq!(dry.body["already_present"].as_i64().unwrap(), before);
    assert_eq!(
        app.db
            .query_i64("SELECT count(*) FROM hrm_user_company_access"),
        before
    );

    let sarah = app.user_id("sarah");
    let (nyc, la) = (app.company_id("NYC"), app.company_id("LA"));
    let some = app.post(
        "/access/bulk",
        &json!({"user_ids": [sarah], "company_ids": [nyc, la]}),
    );
    assert_eq!(
        some.body,
        json!({"users": 1, "companies": 2, "pairs": 2, "added": 2, "already_present": 0, "dry_run": false})
    );

    let all = app.post("/access/bulk", &json!({}));
    assert_eq!(all.body["added"].as_i64().unwrap(), 66 - before - 2);
    let again = app.post("/access/bulk", &json!({}));
    assert_eq!(
        (
            again.body["added"].as_i64(),
            again.body["already_present"].as_i64()
        ),
        (Some(0), Some(66))
    );
    assert_eq!(
        app.db
            .query_i64("SELECT count(*) FROM hrm_user_company_access"),
        66
    );

    let unknown = app.post("/access/bulk", &json!({"user_ids": [sarah, 999]}));
    assert_eq!((unknown.status, unknown.code()), (404, "user_not_found"));
    assert!(unknown.body["detail"].as_str().unwrap().contains("999"));
}

#[test]
fn stats_match_the_demo_data() {
    let app = TestApp::spawn_demo();
    let stats = app.get("/stats");
    assert_eq!(stats.status, 200);
    let body = &stats.body;
    assert_eq!(body["users"], 6);
    assert_eq!(body["companies"], 11);
    assert_eq!(body["relationships"], 9);
    assert_eq!(body["users_with_multiple_companies"], 3);
    assert_eq!(body["users_without_companies"], 2);
    assert_eq!(body["companies_without_users"], 2);
    assert_eq!(body["average_companies_per_user"], 1.5);
    assert_eq!(body["super_admins"], 1);
    assert_eq!(
        body["companies_per_user"],
        json!([
            {"companies": 0, "users": 2}, {"companies": 1, "users": 1}, {"companies": 2, "users": 1}, {"companies": 3, "users": 2}
        ])
    );
    assert_eq!(body["busiest_companies"].as_array().unwrap().len(), 9);
    let empty = TestApp::spawn();
    assert_eq!(empty.get("/stats").body["average_companies_per_user"], 0.0);
}
