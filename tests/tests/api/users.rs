use company_access_tests::TestApp;
use serde_json::json;

#[test]
fn create_show_update_and_delete_a_user() {
    let app = TestApp::spawn();
    let nyc = app.create_company("NYC");
    let created = app.post(
        "/users",
        &json!({"username": "sarah", "full_name": "Sarah Connor", "email": "sarah@example.com", "role": "hr_manager"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(created.body["role"], "hr_manager");
    assert_eq!(created.body["is_active"], true);
    assert_eq!(created.body["company_count"], 0);

    let shown = app.get(&format!("/users/{id}"));
    assert_eq!(shown.body["email"], "sarah@example.com");

    let updated = app.patch(
        &format!("/users/{id}"),
        &json!({"full_name": "Sarah J. Connor", "email": null, "home_company_id": nyc}),
    );
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.body["full_name"], "Sarah J. Connor");
    assert_eq!(updated.body["email"], serde_json::Value::Null);
    assert_eq!(updated.body["home_company_name"], "NYC");
    // A new home company is granted, and becomes the default of a user who had none.
    let companies = app.get(&format!("/users/{id}/companies"));
    assert_eq!(companies.body["items"][0]["company_name"], "NYC");
    assert_eq!(companies.body["items"][0]["is_default"], true);

    assert_eq!(app.delete(&format!("/users/{id}")).status, 204);
    let gone = app.get(&format!("/users/{id}"));
    assert_eq!(
        (gone.status, gone.body["detail"].as_str()),
        (404, Some("User not found"))
    );
    assert_eq!(app.delete(&format!("/users/{id}")).status, 404);
}

#[test]
fn usernames_are_unique_regardless_of_case() {
    let app = TestApp::spawn();
    app.create_user("John_Smith", "hr_manager");
    let duplicate = app.post("/users", &json!({"username": "john_smith"}));
    assert_eq!(
        (duplicate.status, duplicate.code()),
        (409, "username_taken")
    );
    let other = app.create_user("jane", "employee");
    let rename = app.patch(
        &format!("/users/{other}"),
        &json!({"username": "JOHN_SMITH"}),
    );
    assert_eq!((rename.status, rename.code()), (409, "username_taken"));
    let found = app.get("/users?username=JOHN_smith");
    assert_eq!(found.body["total"], 1);
}

#[test]
fn user_defaults_to_an_active_employee() {
    let app = TestApp::spawn();
    let created = app.post("/users", &json!({"username": "emp_002"}));
    assert_eq!(
        (
            created.body["role"].as_str(),
            created.body["is_active"].as_bool()
        ),
        (Some("employee"), Some(true))
    );
}

#[test]
fn home_company_on_create_is_granted_as_default() {
    let app = TestApp::spawn();
    let company = app.create_company("Company_A");
    let created = app.post(
        "/users",
        &json!({"username": "emp_001", "home_company_id": company}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["company_count"], 1);
    let id = created.body["id"].as_i64().unwrap();
    let list = app.get(&format!("/users/{id}/companies"));
    assert_eq!(list.body["items"][0]["is_default"], true);
    let unknown = app.post(
        "/users",
        &json!({"username": "emp_003", "home_company_id": uuid::Uuid::new_v4()}),
    );
    assert_eq!((unknown.status, unknown.code()), (404, "company_not_found"));
    assert_eq!(app.get("/users?username=emp_003").body["total"], 0);
}

#[test]
fn search_filter_and_paginate_users() {
    let app = TestApp::spawn_demo();
    let by_part = app.get("/users?q=SMI");
    assert_eq!(by_part.body["total"], 1);
    assert_eq!(by_part.body["items"][0]["username"], "john_smith");
    let by_name = app.get("/users?q=connor");
    assert_eq!(by_name.body["items"][0]["username"], "sarah");
    let managers = app.get("/users?role=hr_manager");
    assert_eq!(managers.body["total"], 3);
    let multi = app.get("/users?min_companies=2");
    let names: Vec<&str> = multi.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["john_smith", "hr_manager_1", "finance_manager_1"]);
    let page = app.get("/users?limit=2&offset=2");
    assert_eq!(
        (
            page.body["total"].as_u64(),
            page.body["items"].as_array().unwrap().len()
        ),
        (Some(6), 2)
    );
    assert_eq!(page.body["items"][0]["id"], 3);
    // LIKE wildcards in the search text are taken literally.
    assert_eq!(app.get("/users?q=%25").body["total"], 0);
    assert_eq!(app.get("/users?q=_").body["total"], 4);
}

#[test]
fn seed_demo_users_have_the_seed_ids_and_companies() {
    let app = TestApp::spawn_demo();
    assert_eq!(app.user_id("sarah"), 5);
    assert_eq!(
        app.company_names_of(app.user_id("john_smith")),
        ["Main Office", "Branch Office", "Regional HQ"]
    );
    assert_eq!(
        app.company_names_of(app.user_id("hr_manager_1")),
        ["Branch_A", "Branch_B", "Branch_C"]
    );
    assert_eq!(
        app.company_names_of(app.user_id("finance_manager_1")),
        ["Region_North_Company", "Region_North_Branch"]
    );
    assert_eq!(app.company_names_of(app.user_id("emp_001")), ["Company_A"]);
    assert!(app.company_names_of(5).is_empty());
    let admin = app.get(&format!("/users/{}/companies", app.user_id("admin")));
    assert_eq!(admin.body["all_companies"], true);
    assert_eq!(admin.body["items"].as_array().unwrap().len(), 11);
}

#[test]
fn invalid_user_fields_are_refused_with_the_field_named() {
    let app = TestApp::spawn();
    for (body, field) in [
        (json!({"username": "ab"}), "username"),
        (json!({"username": "john smith"}), "username"),
        (json!({"username": "sarah", "role": "boss"}), "role"),
        (
            json!({"username": "sarah", "email": "not-an-email"}),
            "email",
        ),
        (
            json!({"username": "sarah", "is_active": "yes"}),
            "is_active",
        ),
        (json!({"username": "sarah", "password": "x"}), "password"),
    ] {
        let answer = app.post("/users", &body);
        assert_eq!(answer.status, 422, "{body}: {}", answer.text);
        assert_eq!(answer.code(), "validation_failed");
        let named = answer.body["errors"][0]["field"].as_str().unwrap_or("");
        assert!(
            named == field || answer.body["detail"].as_str().unwrap().contains(field),
            "{body}: {}",
            answer.text
        );
    }
    assert_eq!(app.get("/users").body["total"], 0);
}
