use company_access_tests::{MASTER_KEY, TestApp, new_user};
use openapi::CompanyName;
use openapi::access::DecisionReason;
use openapi::companies::{
    AccessSource, CompanyPage, ListCompaniesQuery, ListMembersQuery, UpdateCompany,
};
use openapi::users::CreateUser;
use serde_json::json;

fn companies_where(app: &TestApp, query: ListCompaniesQuery) -> CompanyPage {
    app.client().list_companies(&query).unwrap()
}

#[test]
fn create_list_rename_and_delete_companies() {
    let app = TestApp::spawn();
    let client = app.client();
    let nyc = app.create_company("NYC");
    let la = app.create_company("LA");
    let listed = companies_where(&app, ListCompaniesQuery::default());
    let names: Vec<&str> = listed.items.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["NYC", "LA"],
        "creation order, as the menu numbers them"
    );
    let by_name = companies_where(
        &app,
        ListCompaniesQuery {
            sort: Some(openapi::companies::CompanySort::Name),
            ..ListCompaniesQuery::default()
        },
    );
    assert_eq!(by_name.items[0].name.as_str(), "LA");
    let with_y = ListCompaniesQuery {
        q: Some("y".into()),
        ..ListCompaniesQuery::default()
    };
    assert_eq!(companies_where(&app, with_y).total, 1);

    let renamed = client
        .update_company(
            nyc,
            &UpdateCompany {
                name: Some(CompanyName::parse("New York").unwrap()),
                parent_id: None,
            },
        )
        .unwrap();
    assert_eq!(renamed.name.as_str(), "New York");
    let clash = app.patch(&format!("/companies/{la}"), &json!({"name": "new york"}));
    assert_eq!((clash.status, clash.code()), (409, "company_name_taken"));
    let duplicate = app.post("/companies", &json!({"name": "la"}));
    assert_eq!(
        (duplicate.status, duplicate.code()),
        (409, "company_name_taken")
    );

    client.delete_company(la).unwrap();
    let gone = app.get(&format!("/companies/{la}"));
    assert_eq!(
        (gone.status, gone.body["detail"].as_str()),
        (404, Some("Company not found"))
    );
    assert_eq!(app.get("/companies?sort=size").status, 400);
}

#[test]
fn companies_sort_by_name_or_creation_either_way_up() {
    let app = TestApp::spawn();
    for name in ["Berlin", "amsterdam", "Cairo"] {
        app.create_company(name);
    }
    assert_eq!(
        app.company_names_listed(MASTER_KEY, "sort=name&order=desc"),
        ["Cairo", "Berlin", "amsterdam"],
        "by name regardless of letter case, Z first"
    );
    assert_eq!(
        app.company_names_listed(MASTER_KEY, "sort=name&order=asc&limit=1&offset=1"),
        ["Berlin"]
    );
    assert_eq!(
        app.company_names_listed(MASTER_KEY, "order=desc"),
        ["Cairo", "amsterdam", "Berlin"],
        "without sort: creation order, newest first"
    );
    for bad in ["order=down", "order=DESC&sort=name"] {
        let answer = app.get(&format!("/companies?{bad}"));
        assert_eq!(
            (answer.status, answer.code()),
            (400, "bad_request"),
            "{bad}"
        );
    }
}

#[test]
fn deleting_a_company_removes_its_grants_and_clears_home_companies() {
    let app = TestApp::spawn();
    let client = app.client();
    let company = app.create_company("Company_A");
    let other = app.create_company("Company_B");
    let user = client
        .create_user(&CreateUser {
            home_company_id: Some(company),
            ..new_user("emp_001")
        })
        .unwrap()
        .id;
    client.grant_company(user, other).unwrap();
    assert_eq!(
        app.db
            .query_i64("SELECT count(*) FROM hrm_user_company_access"),
        2
    );
    client.delete_company(company).unwrap();
    assert_eq!(
        app.db
            .query_i64("SELECT count(*) FROM hrm_user_company_access"),
        1
    );
    let shown = client.get_user(user).unwrap();
    assert_eq!(shown.home_company_id, None);
    assert_eq!(shown.company_count, 1);
}

#[test]
fn deleting_a_user_removes_their_grants() {
    let app = TestApp::spawn_demo();
    let john = app.user_id("john_smith");
    let before = app
        .db
        .query_i64("SELECT count(*) FROM hrm_user_company_access");
    app.client().delete_user(john).unwrap();
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
    let members = app
        .client()
        .company_members(branch, &ListMembersQuery::default())
        .unwrap();
    let rows: Vec<(&str, AccessSource)> = members
        .items
        .iter()
        .map(|m| (m.username.as_str(), m.source))
        .collect();
    assert_eq!(
        rows,
        [
            ("admin", AccessSource::SuperAdmin),
            ("hr_manager_1", AccessSource::Grant)
        ]
    );
    assert_eq!(members.total, 2);
    assert_eq!(members.items[1].granted_by.as_deref(), Some("demo"));
    assert_eq!(
        app.get(&format!("/companies/{}/users", uuid::Uuid::new_v4()))
            .status,
        404
    );
}

#[test]
fn super_admins_may_act_in_companies_created_after_them() {
    let app = TestApp::spawn();
    let client = app.client();
    let admin = app.create_user("root_admin", "super_admin");
    let later = app.create_company("Opened Later");
    let check = client.check(admin, later).unwrap();
    assert_eq!(
        (check.allowed, check.reason),
        (true, DecisionReason::SuperAdmin)
    );
    let listed = client.user_companies(admin).unwrap();
    assert_eq!(listed.items[0].company_name.as_str(), "Opened Later");
    let members = client
        .company_members(later, &ListMembersQuery::default())
        .unwrap();
    assert_eq!(members.items[0].source, AccessSource::SuperAdmin);
}
