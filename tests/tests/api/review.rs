//! The access review's filters and order (`GET /companies/{id}/users?q=&role=&source=&sort=&order=`):
//! worked out in SQL, so a page and its `total` hold exactly what the filters leave.

use company_access_tests::TestApp;
use serde_json::json;
use uuid::Uuid;

/// A parent with a branch, reached by a direct admin grant, a plain grant, a parent's grant that
/// includes branches, and the super admin role; a parent grant without branches reaches nothing.
fn review_fixture() -> (TestApp, Uuid) {
    let app = TestApp::spawn();
    let holding = app.create_company("Holding");
    let created = app.post(
        "/companies",
        &json!({"name": "Branch", "parent_id": holding}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let branch: Uuid = created.body["id"].as_str().unwrap().parse().unwrap();
    for (username, full_name, role) in [
        ("ann_admin", "Ann Berg", "employee"),
        ("bob", "Bob Stone", "hr_manager"),
        ("carl", "Carl Ann", "employee"),
        ("root", "Rita Root", "super_admin"),
        ("dora", "Dora Ann", "employee"),
    ] {
        let answer = app.post(
            "/users",
            &json!({"username": username, "full_name": full_name, "role": role}),
        );
        assert_eq!(answer.status, 201, "{}", answer.text);
    }
    for (username, grant) in [
        ("ann_admin", json!({"company_id": branch, "role": "admin"})),
        (
            "bob",
            json!({"company_id": holding, "include_branches": true}),
        ),
        ("carl", json!({"company_id": branch})),
        ("dora", json!({"company_id": holding})),
    ] {
        let user = app.user_id(username);
        let answer = app.post(&format!("/users/{user}/companies"), &grant);
        assert_eq!(answer.status, 201, "{username}: {}", answer.text);
    }
    (app, branch)
}

/// The usernames of one page of the review and the filtered total.
fn review(app: &TestApp, company: Uuid, query: &str) -> (Vec<String>, u64) {
    let page = app.get(&format!("/companies/{company}/users?{query}"));
    assert_eq!(page.status, 200, "{query}: {}", page.text);
    let names = page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["username"].as_str().unwrap().to_owned())
        .collect();
    (names, page.body["total"].as_u64().unwrap())
}

fn names(app: &TestApp, company: Uuid, query: &str) -> Vec<String> {
    review(app, company, query).0
}

#[test]
fn review_filters_by_name_role_and_source_and_counts_what_is_left() {
    let (app, branch) = review_fixture();
    assert_eq!(
        review(&app, branch, ""),
        (
            vec![
                "ann_admin".into(),
                "bob".into(),
                "carl".into(),
                "root".into()
            ],
            4
        )
    );
    // Words of the username or full name in any order; dora's parent grant does not reach the branch.
    assert_eq!(names(&app, branch, "q=ANN"), ["ann_admin", "carl"]);
    assert_eq!(names(&app, branch, "q=berg%20ann"), ["ann_admin"]);
    assert_eq!(names(&app, branch, "q=%20%20"), names(&app, branch, ""));
    let bob = app.user_id("bob");
    assert_eq!(names(&app, branch, &format!("q={bob}")), ["bob"]);
    // The role held here: the grant's own, else the user's; super admins hold theirs everywhere.
    assert_eq!(names(&app, branch, "role=admin"), ["ann_admin"]);
    assert_eq!(names(&app, branch, "role=employee"), ["carl"]);
    assert_eq!(names(&app, branch, "role=hr_manager"), ["bob"]);
    assert_eq!(names(&app, branch, "role=super_admin"), ["root"]);
    assert_eq!(
        names(&app, branch, "role=finance_manager"),
        Vec::<String>::new()
    );
    assert_eq!(names(&app, branch, "source=grant"), ["ann_admin", "carl"]);
    assert_eq!(names(&app, branch, "source=branch"), ["bob"]);
    assert_eq!(names(&app, branch, "source=super_admin"), ["root"]);
    // Filters combine, and total counts the filtered review over all pages.
    assert_eq!(
        review(&app, branch, "q=ann&source=grant&role=employee"),
        (vec!["carl".into()], 1)
    );
    assert_eq!(
        review(&app, branch, "source=grant&limit=1&offset=1"),
        (vec!["carl".into()], 2)
    );
}

#[test]
fn review_sorts_every_way_with_ties_by_user_id() {
    let (app, branch) = review_fixture();
    assert_eq!(
        names(&app, branch, "sort=username&order=desc"),
        ["root", "carl", "bob", "ann_admin"]
    );
    assert_eq!(
        names(&app, branch, "sort=full_name"),
        ["ann_admin", "bob", "carl", "root"]
    );
    // admin < employee < hr_manager < super_admin.
    assert_eq!(
        names(&app, branch, "sort=role"),
        ["ann_admin", "carl", "bob", "root"]
    );
    // branch < grant < super_admin; the two grants by user id.
    assert_eq!(
        names(&app, branch, "sort=source"),
        ["bob", "ann_admin", "carl", "root"]
    );
    assert_eq!(
        names(&app, branch, "sort=source&order=desc"),
        ["root", "ann_admin", "carl", "bob"]
    );
    // No grant time (the super admin) is last going up and first going down, on both databases.
    let up = names(&app, branch, "sort=granted_at");
    assert_eq!(up.last().map(String::as_str), Some("root"));
    let down = names(&app, branch, "sort=granted_at&order=desc");
    assert_eq!(down.first().map(String::as_str), Some("root"));
    let mut granted: Vec<String> = up[..3].to_vec();
    granted.reverse();
    assert_eq!(down[1..], granted[..]);
    assert_eq!(
        names(&app, branch, "order=desc"),
        ["root", "carl", "bob", "ann_admin"]
    );
}

#[test]
fn review_refuses_unknown_filter_values_by_name() {
    let (app, branch) = review_fixture();
    for (bad, named) in [
        ("role=boss", "role"),
        ("source=parent", "source"),
        ("sort=age", "sort"),
        ("order=down", "order"),
        ("limit=0", "limit"),
        ("q=a%00b", "q"),
        ("colour=red", "colour"),
    ] {
        let answer = app.get(&format!("/companies/{branch}/users?{bad}"));
        assert_eq!(
            (answer.status, answer.code()),
            (400, "bad_request"),
            "{bad}: {}",
            answer.text
        );
        assert!(
            answer.body["detail"].as_str().unwrap().contains(named),
            "{bad}: {}",
            answer.text
        );
    }
}
