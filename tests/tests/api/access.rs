use company_access_tests::TestApp;
use openapi::access::{BulkGrantRequest, BulkGrantResult, PopulateResult, ReplaceCompanies};
use openapi::users::UpdateUser;
use serde_json::json;

/// The seed's example workflow: add HR Manager sarah to manage both NYC and LA.
#[test]
fn sarah_gets_nyc_and_la() {
    let app = TestApp::spawn_demo();
    let client = app.client();
    let sarah = app.user_id("sarah");
    let (nyc, la) = (app.company_id("NYC"), app.company_id("LA"));
    let added = client.grant_companies(sarah, &[nyc, la]).unwrap();
    assert_eq!(added.added.len(), 2);
    assert!(added.already_present.is_empty());
    assert_eq!(app.company_names_of(sarah), ["NYC", "LA"]);
    let listed = client.user_companies(sarah).unwrap();
    assert!(
        listed.items[0].is_default,
        "the first company becomes the default"
    );
    assert!(!listed.items[1].is_default);
    assert_eq!(listed.items[0].granted_by.as_deref(), Some("master"));
    for company in [nyc, la] {
        assert!(client.check(sarah, company).unwrap().allowed);
    }
}

#[test]
fn add_one_company_then_again_is_a_conflict() {
    let app = TestApp::spawn_demo();
    let sarah = app.user_id("sarah");
    let nyc = app.company_id("NYC");
    // One company answers 201 with the grant itself, not the list answer of several.
    let first = app.client().grant_company(sarah, nyc).unwrap();
    assert_eq!(first.company_name.as_str(), "NYC");
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
    let answer = app
        .client()
        .grant_companies(john, &[main, nyc, nyc])
        .unwrap();
    assert_eq!(answer.already_present, [main]);
    assert_eq!(answer.added[0].company_name.as_str(), "NYC");
    assert_eq!(answer.added.len(), 1);
}

#[test]
fn remove_company_from_user() {
    let app = TestApp::spawn_demo();
    let john = app.user_id("john_smith");
    let branch = app.company_id("Branch Office");
    app.client().revoke_company(john, branch).unwrap();
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
    let check = app.client().check(john, branch).unwrap();
    assert_eq!(
        (check.allowed, check.reason),
        (false, openapi::access::DecisionReason::NoGrant)
    );
}

#[test]
fn at_most_one_default_company_per_user() {
    let app = TestApp::spawn_demo();
    let client = app.client();
    let john = app.user_id("john_smith");
    let regional = app.company_id("Regional HQ");
    let main = app.company_id("Main Office");
    let made = client.set_default(john, regional, true).unwrap();
    assert!(made.is_default);
    let defaults = app.db.query_i64(&format!(
        "SELECT count(*) FROM hrm_user_company_access WHERE user_id = {john} AND is_default"
    ));
    assert_eq!(defaults, 1);
    let listed = client.user_companies(john).unwrap();
    assert_eq!(listed.items[0].company_name.as_str(), "Regional HQ");
    client.set_default(john, main, true).unwrap();
    assert_eq!(
        client.user_companies(john).unwrap().items[0]
            .company_name
            .as_str(),
        "Main Office"
    );
    let cleared = client.set_default(john, main, false).unwrap();
    assert!(!cleared.is_default);
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
    let client = app.client();
    let john = app.user_id("john_smith");
    let (main, nyc, la) = (
        app.company_id("Main Office"),
        app.company_id("NYC"),
        app.company_id("LA"),
    );
    let answer = client
        .replace_companies(
            john,
            &ReplaceCompanies {
                company_ids: vec![main, nyc, la],
                default_company_id: Some(la),
            },
        )
        .unwrap();
    assert_eq!(answer.added, [nyc, la]);
    assert_eq!(answer.removed.len(), 2);
    assert_eq!(app.company_names_of(john), ["LA", "Main Office", "NYC"]);
    // A default the list leaves out is granted with the rest.
    let default_outside = app.put(
        &format!("/users/{john}/companies"),
        &json!({"company_ids": [main], "default_company_id": nyc}),
    );
    assert_eq!(default_outside.status, 200, "{}", default_outside.text);
    // The default comes first.
    assert_eq!(app.company_names_of(john), ["NYC", "Main Office"]);
    let items = client.user_companies(john).unwrap().items;
    assert_eq!(
        items.iter().find(|c| c.is_default).map(|c| c.company_id),
        Some(nyc)
    );
    client
        .replace_companies(john, &ReplaceCompanies::default())
        .unwrap();
    assert!(app.company_names_of(john).is_empty());
}

#[test]
fn populate_grants_profiles_and_super_admins_once() {
    let app = TestApp::spawn();
    let client = app.client();
    let a = app.create_company("Company_A");
    app.create_company("Company_B");
    // Profiles written straight into the table, as an older HR system would have left them.
    let emp = app.create_user("emp_001", "employee");
    let admin = app.create_user("admin", "super_admin");
    let profile = UpdateUser {
        home_company_id: Some(Some(a)),
        ..UpdateUser::default()
    };
    client.update_user(emp, &profile).unwrap();
    client.revoke_company(emp, a).unwrap();
    assert!(app.company_names_of(emp).is_empty());

    let dry = client.populate(true).unwrap();
    assert_eq!(
        dry,
        PopulateResult {
            home_company_grants: 1,
            super_admin_grants: 2,
            defaults_set: 1,
            dry_run: true
        }
    );
    assert!(
        app.company_names_of(emp).is_empty(),
        "a dry run changes nothing"
    );

    let first = client.populate(false).unwrap();
    assert_eq!(
        first,
        PopulateResult {
            home_company_grants: 1,
            super_admin_grants: 2,
            defaults_set: 1,
            dry_run: false
        }
    );
    let emp_companies = client.user_companies(emp).unwrap();
    assert_eq!(emp_companies.items[0].company_name.as_str(), "Company_A");
    assert!(emp_companies.items[0].is_default);
    assert_eq!(
        app.db.query_i64(&format!(
            "SELECT count(*) FROM hrm_user_company_access WHERE user_id = {admin}"
        )),
        2
    );

    let second = client.populate(false).unwrap();
    assert_eq!(
        second,
        PopulateResult {
            home_company_grants: 0,
            super_admin_grants: 0,
            defaults_set: 0,
            dry_run: false
        }
    );
}

#[test]
fn bulk_add_all_to_all_and_given_lists() {
    let app = TestApp::spawn_demo();
    let client = app.client();
    let all_to_all = BulkGrantRequest::default();
    let before = app
        .db
        .query_i64("SELECT count(*) FROM hrm_user_company_access");
    let dry = client
        .bulk_grant(&BulkGrantRequest {
            dry_run: true,
            ..BulkGrantRequest::default()
        })
        .unwrap();
    assert_eq!(dry.pairs, 66);
    assert_eq!(dry.already_present as i64, before);
    assert_eq!(
        app.db
            .query_i64("SELECT count(*) FROM hrm_user_company_access"),
        before
    );

    let sarah = app.user_id("sarah");
    let (nyc, la) = (app.company_id("NYC"), app.company_id("LA"));
    let some = client
        .bulk_grant(&BulkGrantRequest {
            user_ids: Some(vec![sarah]),
            company_ids: Some(vec![nyc, la]),
            ..BulkGrantRequest::default()
        })
        .unwrap();
    assert_eq!(
        some,
        BulkGrantResult {
            users: 1,
            companies: 2,
            pairs: 2,
            added: 2,
            already_present: 0,
            dry_run: false
        }
    );

    let all = client.bulk_grant(&all_to_all).unwrap();
    assert_eq!(all.added as i64, 66 - before - 2);
    let again = client.bulk_grant(&all_to_all).unwrap();
    assert_eq!((again.added, again.already_present), (0, 66));
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
    let stats = app.client().stats().unwrap();
    assert_eq!(stats.users, 6);
    assert_eq!(stats.companies, 11);
    assert_eq!(stats.relationships, 9);
    assert_eq!(stats.users_with_multiple_companies, 3);
    // sarah; the super admin acts everywhere and is counted apart.
    assert_eq!(stats.users_without_companies, 1);
    assert_eq!(stats.companies_without_users, 2);
    assert_eq!(stats.average_companies_per_user, 1.5);
    assert_eq!(stats.super_admins, 1);
    let per_user: Vec<(i64, i64)> = stats
        .companies_per_user
        .iter()
        .map(|row| (row.companies, row.users))
        .collect();
    assert_eq!(per_user, [(0, 1), (1, 1), (2, 1), (3, 2)]);
    assert_eq!(stats.busiest_companies.len(), 9);
    let empty = TestApp::spawn();
    assert_eq!(
        empty.client().stats().unwrap().average_companies_per_user,
        0.0
    );
}
