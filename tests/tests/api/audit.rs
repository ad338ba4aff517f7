use company_access_tests::{TestApp, new_key};
use openapi::access::{BulkGrantRequest, ReplaceCompanies};
use openapi::audit::{AuditPage, AuditQuery};
use openapi::companies::UpdateCompany;
use openapi::users::UpdateUser;
use openapi::{CompanyName, FullName, Scope};
use serde_json::json;

fn audit_where(app: &TestApp, query: AuditQuery) -> AuditPage {
    app.client().audit(&query).unwrap()
}

fn of_action(action: &str) -> AuditQuery {
    AuditQuery {
        action: Some(action.to_owned()),
        ..AuditQuery::default()
    }
}

#[test]
fn every_change_writes_an_audit_row() {
    let app = TestApp::spawn();
    let client = app.client();
    let company = app.create_company("NYC");
    let other = app.create_company("LA");
    let user = app.create_user("sarah", "hr_manager");
    client.grant_company(user, company).unwrap();
    client.set_default(user, company, false).unwrap();
    client.revoke_company(user, company).unwrap();
    client.grant_companies(user, &[company, other]).unwrap();
    client
        .replace_companies(
            user,
            &ReplaceCompanies {
                company_ids: vec![other],
                default_company_id: None,
            },
        )
        .unwrap();
    client.bulk_grant(&BulkGrantRequest::default()).unwrap();
    client.populate(false).unwrap();
    client
        .update_user(
            user,
            &UpdateUser {
                full_name: Some(FullName::parse("Sarah").unwrap()),
                ..UpdateUser::default()
            },
        )
        .unwrap();
    client
        .update_company(
            other,
            &UpdateCompany {
                name: Some(CompanyName::parse("Los Angeles").unwrap()),
                parent_id: None,
            },
        )
        .unwrap();
    let key = client.create_key(&new_key("temp", Scope::Read)).unwrap();
    client.revoke_key(key.key.id).unwrap();
    client.delete_company(company).unwrap();
    client.delete_user(user).unwrap();

    let trail = audit_where(
        &app,
        AuditQuery {
            limit: Some(100),
            ..AuditQuery::default()
        },
    );
    let mut actions: Vec<&str> = trail.items.iter().map(|e| e.action.as_str()).collect();
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
            // The bulk grant gave the user the company: its deletion revokes that grant in a row of its own.
            "access.revoke",
            "company.delete",
            "user.delete",
        ]
    );
    assert!(trail.items.iter().all(|e| e.actor == "master"));

    let revoke = audit_where(
        &app,
        AuditQuery {
            user_id: Some(user),
            limit: Some(1),
            ..of_action("access.revoke")
        },
    );
    let entry = &revoke.items[0];
    assert_eq!(entry.company_id, Some(company));
    let before = entry.before.as_ref().unwrap();
    assert_eq!(before["company_name"], "NYC");
    let update = audit_where(&app, of_action("company.update"));
    assert_eq!(update.items[0].before.as_ref().unwrap()["name"], "LA");
    assert_eq!(
        update.items[0].after.as_ref().unwrap()["name"],
        "Los Angeles"
    );
    let deleted = audit_where(&app, of_action("user.delete"));
    assert_eq!(
        deleted.items[0].before.as_ref().unwrap()["user"]["username"],
        "sarah"
    );

    assert_eq!(audit_where(&app, of_action("access.")).total, 9);
    // The prefix is taken literally: `_` is no wildcard.
    assert_eq!(audit_where(&app, of_action("acce_s.")).total, 0);
    let by_company = audit_where(
        &app,
        AuditQuery {
            company_id: Some(company),
            ..AuditQuery::default()
        },
    )
    .total;
    assert!(by_company >= 4, "{by_company}");
    let by_nobody = AuditQuery {
        actor: Some("nobody".into()),
        ..AuditQuery::default()
    };
    assert_eq!(audit_where(&app, by_nobody).total, 0);
    let instant = |text: &str| Some(text.parse().unwrap());
    let future = AuditQuery {
        since: instant("2999-01-01T00:00:00Z"),
        ..AuditQuery::default()
    };
    assert_eq!(audit_where(&app, future).total, 0);
    let past = AuditQuery {
        until: instant("2000-01-01T00:00:00Z"),
        ..AuditQuery::default()
    };
    assert_eq!(audit_where(&app, past).total, 0);
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

/// A PATCH that changes nothing writes nothing: no audit row, and `modified_at` still says when the
/// record last changed.
#[test]
fn a_patch_that_changes_nothing_writes_nothing() {
    let app = TestApp::spawn_demo();
    let sarah = app.user_id("sarah");
    let nyc = app.company_id("NYC");
    let user_before = app.client().get_user(sarah).unwrap();
    let company_before = app.client().get_company(nyc).unwrap();
    let audit_before = app.audit_count();
    for body in [
        serde_json::json!({}),
        serde_json::json!({"full_name": user_before.full_name, "role": "hr_manager", "is_active": true}),
        serde_json::json!({"username": "sarah", "email": null, "home_company_id": null}),
    ] {
        let answer = app.patch(&format!("/users/{sarah}"), &body);
        assert_eq!(answer.status, 200, "{body}: {}", answer.text);
        assert_eq!(
            answer.body["modified_at"],
            serde_json::json!(user_before.modified_at),
            "{body}"
        );
    }
    for body in [serde_json::json!({}), serde_json::json!({"name": "NYC"})] {
        let answer = app.patch(&format!("/companies/{nyc}"), &body);
        assert_eq!(answer.status, 200, "{body}: {}", answer.text);
        assert_eq!(
            answer.body["modified_at"],
            serde_json::json!(company_before.modified_at),
            "{body}"
        );
    }
    assert_eq!(app.audit_count(), audit_before);
    // A real change still writes its row.
    let renamed = app.patch(
        &format!("/companies/{nyc}"),
        &serde_json::json!({"name": "NYC Office"}),
    );
    assert_eq!(renamed.status, 200);
    assert_eq!(app.audit_count(), audit_before + 1);
}
