use company_access_tests::{TestApp, new_user};
use openapi::users::{ListUsersQuery, UpdateUser, UserPage};
use openapi::{Email, FullName, Role};
use serde_json::json;

fn users_where(app: &TestApp, query: ListUsersQuery) -> UserPage {
    app.client().list_users(&query).unwrap()
}

fn searching(text: &str) -> ListUsersQuery {
    ListUsersQuery {
        q: Some(text.to_owned()),
        ..ListUsersQuery::default()
    }
}

fn named(username: &str) -> ListUsersQuery {
    ListUsersQuery {
        username: Some(username.to_owned()),
        ..ListUsersQuery::default()
    }
}

#[test]
fn create_show_update_and_delete_a_user() {
    let app = TestApp::spawn();
    let client = app.client();
    let nyc = app.create_company("NYC");
    let created = client
        .create_user(&openapi::users::CreateUser {
            full_name: Some(FullName::parse("Sarah Connor").unwrap()),
            email: Some(Email::parse("sarah@example.com").unwrap()),
            role: Some(Role::HrManager),
            ..new_user("sarah")
        })
        .unwrap();
    let id = created.id;
    assert_eq!(created.role, Role::HrManager);
    assert!(created.is_active);
    assert_eq!(created.company_count, 0);

    let shown = client.get_user(id).unwrap();
    assert_eq!(shown.email.as_deref(), Some("sarah@example.com"));

    let updated = client
        .update_user(
            id,
            &UpdateUser {
                full_name: Some(FullName::parse("Sarah J. Connor").unwrap()),
                email: Some(None),
                home_company_id: Some(Some(nyc)),
                ..UpdateUser::default()
            },
        )
        .unwrap();
    assert_eq!(updated.full_name, "Sarah J. Connor");
    assert_eq!(updated.email, None);
    assert_eq!(updated.home_company_name.as_deref(), Some("NYC"));
    // A new home company is granted, and becomes the default of a user who had none.
    let companies = client.user_companies(id).unwrap();
    assert_eq!(companies.items[0].company_name.as_str(), "NYC");
    assert!(companies.items[0].is_default);

    client.delete_user(id).unwrap();
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
    assert_eq!(users_where(&app, named("JOHN_smith")).total, 1);
}

#[test]
fn user_defaults_to_an_active_employee() {
    let app = TestApp::spawn();
    let created = app.client().create_user(&new_user("emp_002")).unwrap();
    assert_eq!((created.role, created.is_active), (Role::Employee, true));
}

#[test]
fn home_company_on_create_is_granted_as_default() {
    let app = TestApp::spawn();
    let client = app.client();
    let company = app.create_company("Company_A");
    let created = client
        .create_user(&openapi::users::CreateUser {
            home_company_id: Some(company),
            ..new_user("emp_001")
        })
        .unwrap();
    assert_eq!(created.company_count, 1);
    let list = client.user_companies(created.id).unwrap();
    assert!(list.items[0].is_default);
    let unknown = app.post(
        "/users",
        &json!({"username": "emp_003", "home_company_id": uuid::Uuid::new_v4()}),
    );
    assert_eq!((unknown.status, unknown.code()), (404, "company_not_found"));
    assert_eq!(users_where(&app, named("emp_003")).total, 0);
}

#[test]
fn search_filter_and_paginate_users() {
    let app = TestApp::spawn_demo();
    let by_part = users_where(&app, searching("SMI"));
    assert_eq!(by_part.total, 1);
    assert_eq!(by_part.items[0].username.as_str(), "john_smith");
    let by_name = users_where(&app, searching("connor"));
    assert_eq!(by_name.items[0].username.as_str(), "sarah");
    let managers = users_where(
        &app,
        ListUsersQuery {
            role: Some(Role::HrManager),
            ..ListUsersQuery::default()
        },
    );
    assert_eq!(managers.total, 3);
    let multi = users_where(
        &app,
        ListUsersQuery {
            min_companies: Some(2),
            ..ListUsersQuery::default()
        },
    );
    let names: Vec<&str> = multi.items.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["john_smith", "hr_manager_1", "finance_manager_1"]);
    let page = users_where(
        &app,
        ListUsersQuery {
            limit: Some(2),
            offset: Some(2),
            ..ListUsersQuery::default()
        },
    );
    assert_eq!((page.total, page.items.len()), (6, 2));
    assert_eq!(page.items[0].id, 3);
    // LIKE wildcards in the search text are taken literally.
    assert_eq!(users_where(&app, searching("%")).total, 0);
    assert_eq!(users_where(&app, searching("_")).total, 4);
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
    let admin = app.client().user_companies(app.user_id("admin")).unwrap();
    assert!(admin.all_companies);
    assert_eq!(admin.items.len(), 11);
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
    assert_eq!(users_where(&app, ListUsersQuery::default()).total, 0);
}

/// The usernames `GET /users?{query}` lists, in its order.
fn usernames_listed(app: &TestApp, query: &str) -> Vec<String> {
    let page = app.get(&format!("/users?{query}"));
    assert_eq!(page.status, 200, "{query}: {}", page.text);
    page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["username"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn search_ranks_exact_then_prefix_then_words_in_any_order_and_finds_ids() {
    let app = TestApp::spawn();
    for (username, full_name) in [
        ("joanna", "Joanna Ann Smith"),
        ("annabel", "Annabel Lee"),
        ("ann", "Ann Berg"),
        ("berg_x", "Xavier Berg-Ann"),
        ("zed", "Anneliese Zed"),
    ] {
        let answer = app.post(
            "/users",
            &json!({"username": username, "full_name": full_name}),
        );
        assert_eq!(answer.status, 201, "{}", answer.text);
    }
    // Exact username, then usernames and full names that start with the text, then the rest; each by
    // username.
    assert_eq!(
        usernames_listed(&app, "q=ANN"),
        ["ann", "annabel", "zed", "berg_x", "joanna"]
    );
    // Words in any order, each in the username or the full name.
    assert_eq!(usernames_listed(&app, "q=smith%20joanna"), ["joanna"]);
    assert_eq!(usernames_listed(&app, "q=berg%20%20ann"), ["ann", "berg_x"]);
    assert_eq!(usernames_listed(&app, "q=lee%20berg"), Vec::<String>::new());
    // A number is an id too.
    let annabel = app.user_id("annabel");
    assert_eq!(usernames_listed(&app, &format!("q={annabel}")), ["annabel"]);
    // An explicit sort wins over relevance.
    assert_eq!(
        usernames_listed(&app, "q=ann&sort=username&order=desc"),
        ["zed", "joanna", "berg_x", "annabel", "ann"]
    );
}

#[test]
fn users_filter_by_activity_and_company_and_sort_every_way() {
    let app = TestApp::spawn_demo();
    let nyc = app.company_id("NYC");
    let la = app.company_id("LA");
    let sarah = app.user_id("sarah");
    let emp = app.user_id("emp_001");
    for (user, company) in [(sarah, nyc), (sarah, la), (emp, nyc)] {
        let answer = app.post(
            &format!("/users/{user}/companies"),
            &json!({"company_id": company}),
        );
        assert_eq!(answer.status, 201, "{}", answer.text);
    }
    let answer = app.patch(&format!("/users/{emp}"), &json!({"is_active": false}));
    assert_eq!(answer.status, 200, "{}", answer.text);

    assert_eq!(usernames_listed(&app, "is_active=false"), ["emp_001"]);
    assert_eq!(usernames_listed(&app, "is_active=true").len(), 5);
    assert_eq!(
        usernames_listed(&app, &format!("company_id={nyc}")),
        ["sarah", "emp_001"]
    );
    assert_eq!(
        usernames_listed(&app, &format!("company_id={nyc}&is_active=true")),
        ["sarah"]
    );
    assert_eq!(
        usernames_listed(&app, "sort=company_count&order=desc&limit=2"),
        ["john_smith", "hr_manager_1"]
    );
    assert_eq!(
        usernames_listed(&app, "sort=username"),
        [
            "admin",
            "emp_001",
            "finance_manager_1",
            "hr_manager_1",
            "john_smith",
            "sarah"
        ]
    );
    assert_eq!(
        usernames_listed(&app, "sort=full_name&order=desc&limit=1").len(),
        1
    );
    let newest = usernames_listed(&app, "sort=created&order=desc&limit=1");
    let by_id = usernames_listed(&app, "order=desc&limit=1");
    assert_eq!(newest, by_id);

    for bad in [
        "sort=age",
        "order=down",
        "is_active=maybe",
        "company_id=nyc",
    ] {
        let answer = app.get(&format!("/users?{bad}"));
        assert_eq!(answer.status, 400, "{bad}: {}", answer.text);
    }
}
