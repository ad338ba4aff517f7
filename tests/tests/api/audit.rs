use company_access_tests::TestApp;
use serde_json::json;

#[test]
fn every_change_writes_an_audit_row() {
    let app = TestApp::spawn();
    let company = app.create_company("NYC");
    let other = app.create_company("LA");
    let user = app.create_user("sarah", "hr_manager");
    app.post(
        &format!("/users/{user}/companies"),
        &json!({"company_id": company}),
    );
    app.patch(
        &format!("/users/{user}/companies/{company}"),
        &json!({"is_default": false}),
    );
    app.delete(&format!("/users/{user}/companies/{company}"));
    app.post(
        &format!("/users/{user}/companies"),
        &json!({"company_ids": [company, other]}),
    );
    app.put(
        &format!("/users/{user}/companies"),
        &json!({"company_ids": [other]}),
    );
    app.post("/access/bulk", &json!({}));
    app.post("/access/populate", &json!({}));
    app.patch(&format!("/users/{user}"), &json!({"full_name": "Sarah"}));
    app.patch(
        &format!("/companies/{other}"),
        &json!({"name": "Los Angeles"}),
    );
    let key = app.post("/keys", &json!({"name": "temp", "scope": "read"}));
    app.delete(&format!("/keys/{}", key.body["id"].as_str().unwrap()));
    app.delete(&format!("/companies/{company}"));
    app.delete(&format!("/users/{user}"));

    let trail = app.get("/audit?limit=100");
    let mut actions: Vec<&str> = trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    actions.reverse();
    assert_eq!(
        actions,
        [
            "company.create",
            "company.create",
            "user.create",
            "access.grant",
            "access.default",
            "access.revoke",
            "access.grant",
            "access.grant",
            "access.revoke",
            "access.bulk",
            "access.populate",
            "user.update",
            "company.update",
            "key.create",
            "key.revoke",
            "company.delete",
            "user.delete",
        ]
    );
    assert!(
        trail.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor"] == "master")
    );

    let revoke = app.get(&format!(
        "/audit?action=access.revoke&user_id={user}&limit=1"
    ));
    let entry = &revoke.body["items"][0];
    assert_eq!(entry["company_id"], company);
    assert_eq!(entry["before"]["company_name"], "NYC");
    let update = app.get("/audit?action=company.update");
    assert_eq!(update.body["items"][0]["before"]["name"], "LA");
    assert_eq!(update.body["items"][0]["after"]["name"], "Los Angeles");
    let deleted = app.get("/audit?action=user.delete");
    assert_eq!(
        deleted.body["items"][0]["before"]["user"]["username"],
        "sarah"
    );

    assert_eq!(app.get("/audit?action=access.").body["total"], 8);
    let by_company = app.get(&format!("/audit?company_id={company}")).body["total"]
        .as_u64()
        .unwrap();
    assert!(by_company >= 4, "{by_company}");
    assert_eq!(app.get("/audit?actor=nobody").body["total"], 0);
    assert_eq!(
        app.get("/audit?since=2999-01-01T00:00:00Z").body["total"],
        0
    );
    assert_eq!(
        app.get("/audit?until=2000-01-01T00:00:00Z").body["total"],
        0
    );
    assert_eq!(app.get("/audit?since=yesterday").status, 400);
}

#[test]
fn a_refused_change_leaves_no_audit_row() {
    let app = TestApp::spawn_demo();
    let before = app.audit_count();
    let john = app.user_id("john_smith");
    let main = app.company_id("Main Office");
    assert_eq!(
        app.post(
            &format!("/users/{john}/companies"),
            &json!({"company_id": main})
        )
        .status,
        409
    );
    assert_eq!(app.post("/companies", &json!({"name": "NYC"})).status, 409);
    assert_eq!(app.audit_count(), before);
}
