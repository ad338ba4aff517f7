use company_access_tests::TestApp;
use serde_json::json;

#[test]
fn create_list_rename_and_delete_companies() {
    let app = TestApp::spawn();
    let nyc = app.create_company("NYC");
    let la = app.create_company("LA");
    let listed = app.get("/companies");
    let names: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["NYC", "LA"],
        "creation order, as the menu numbers them"
    );
    let by_name = app.get("/companies?sort=name");
    assert_eq!(by_name.body["items"][0]["name"], "LA");
    assert_eq!(app.get("/companies?q=y").body["total"], 1);

    let renamed = app.patch(&format!("/companies/{nyc}"), &json!({"name": "New York"}));
    assert_eq!(
        (renamed.status, renamed.body["name"].as_str()),
        (200, Some("New York"))
    );
    let clash = app.patch(&format!("/companies/{la}"), &json!({"name": "new york"}));
    assert_eq!((clash.status, clash.code()), (409, "company_name_taken"));
    let duplicate = app.post("/companies", &json!({"name": "la"}));
    assert_eq!(
        (duplicate.status, duplicate.code()),
        (409, "company_name_taken")
    );

    assert_eq!(app.delete(&format!("/companies/{la}")).status, 204);
    let gone = app.get(&format!("/companies/{la}"));
    assert_eq!(
        (gone.status, gone.body["detail"].as_str()),
        (404, Some("Company not found"))
    );
    assert_eq!(app.get("/companies?sort=size").status, 400);
}

#[test]
fn deleting_a_company_removes_its_grants_and_clears_home_companies() {
    let app = TestApp::spawn();
    let company = app.create_company("Company_A");
    let other = app.create_company("Company_B");
    let user = app
        .post(
            "/users",
            &json!({"username": "emp_001", "home_company_id": company}),
        )
        .body["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.post(
            &format!("/users/{user}/companies"),
            &json!({"company_id": other})
        )
        .status,
        201
    );
    assert_eq!(
        app.db
            .query_i64("SELECT count(*) FROM hrm_user_company_access"),
        2
    );
    assert_eq!(app.delete(&format!("/companies/{company}")).status, 204);
    assert_eq!(
        app.db
            .query_i64("SELECT count(*) FROM hrm_user_company_access"),
        1
    );
    let shown = app.get(&format!("/users/{user}"));
    assert_eq!(shown.body["home_company_id"], serde_json::Value::Null);
    assert_eq!(shown.body["company_count"], 1);
}

#[test]
fn deleting_a_user_removes_their_grants() {
    let app = TestApp::spawn_demo();
    let john = app.user_id("john_smith");
    let before = app
        .db
        .query_i64("SELECT count(*) FROM hrm_user_company_access");
    assert_eq!(app.delete(&format!("/users/{john}")).status, 204);
    let after = app
        .db
        .query_i64("SELECT count(*) FROM hrm_user_company_access");
    assert_eq!(before - after, 3);
    assert_eq!(
        app.db.query_i64(&format!(
            "SELECT count(*) FROM hrm_user_company_access WHERE user_id = {john}"
        )),
        0
    );
}

#[test]
fn company_users_lists_grants_and_super_admins() {
    let app = TestApp::spawn_demo();
    let branch = app.company_id("Branch_A");
    let members = app.get(&format!("/companies/{branch}/users"));
    assert_eq!(members.status, 200, "{}", members.text);
    let rows: Vec<(String, String)> = members.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["username"].as_str().unwrap().to_owned(),
                m["source"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("admin".into(), "super_admin".into()),
            ("hr_manager_1".into(), "grant".into())
        ]
    );
    assert_eq!(members.body["total"], 2);
    assert_eq!(members.body["items"][1]["granted_by"], "demo");
    assert_eq!(
        app.get(&format!("/companies/{}/users", uuid::Uuid::new_v4()))
            .status,
        404
    );
}

#[test]
fn super_admins_may_act_in_companies_created_after_them() {
    let app = TestApp::spawn();
    let admin = app.create_user("root_admin", "super_admin");
    let later = app.create_company("Opened Later");
    let check = app.get(&format!("/access-check?user_id={admin}&company_id={later}"));
    assert_eq!(
        (
            check.body["allowed"].as_bool(),
            check.body["reason"].as_str()
        ),
        (Some(true), Some("super_admin"))
    );
    let listed = app.get(&format!("/users/{admin}/companies"));
    assert_eq!(listed.body["items"][0]["company_name"], "Opened Later");
    let members = app.get(&format!("/companies/{later}/users"));
    assert_eq!(members.body["items"][0]["source"], "super_admin");
}
