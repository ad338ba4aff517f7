//! Companies in a tree: branches, grants that include them, moves seen at once (on another instance
//! with the writer's token), and the tree's limits (no cycle, at most 16 levels).

use company_access_tests::{TestApp, postgres_or_skip};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use uuid::Uuid;

fn company(app: &TestApp, name: &str, parent: Option<Uuid>) -> Uuid {
    let created = app.post("/companies", &json!({"name": name, "parent_id": parent}));
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["parent_id"], json!(parent));
    created.body["id"].as_str().unwrap().parse().unwrap()
}

fn check(app: &TestApp, user: i32, company: Uuid) -> Value {
    let answer = app.get(&format!(
        "/access-check?user_id={user}&company_id={company}"
    ));
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body
}

fn move_under(app: &TestApp, id: Uuid, parent: Option<Uuid>) -> company_access_tests::Answer {
    app.patch(&format!("/companies/{id}"), &json!({"parent_id": parent}))
}

/// East HQ > New York > Brooklyn, and West HQ on its own.
struct Tree {
    east: Uuid,
    new_york: Uuid,
    brooklyn: Uuid,
    west: Uuid,
}

fn tree(app: &TestApp) -> Tree {
    let east = company(app, "East HQ", None);
    let new_york = company(app, "New York", Some(east));
    let brooklyn = company(app, "Brooklyn", Some(new_york));
    let west = company(app, "West HQ", None);
    Tree {
        east,
        new_york,
        brooklyn,
        west,
    }
}

#[test]
fn a_grant_with_branches_reaches_every_descendant_now_and_later() {
    let app = TestApp::spawn_demo();
    let t = tree(&app);
    let sarah = app.user_id("sarah");
    let granted = app.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_id": t.east, "include_branches": true, "role": "admin"}),
    );
    assert_eq!(granted.status, 201, "{}", granted.text);
    assert_eq!(granted.body["include_branches"], true);
    for branch in [t.east, t.new_york, t.brooklyn] {
        let answer = check(&app, sarah, branch);
        assert_eq!(answer["reason"], "grant", "{branch}: {answer}");
        assert_eq!(answer["via_company_id"], json!(t.east));
        assert_eq!(answer["role"], "admin");
    }
    assert_eq!(check(&app, sarah, t.west)["reason"], "no_grant");
    // A branch created later is reached at once.
    let queens = company(&app, "Queens", Some(t.new_york));
    assert_eq!(check(&app, sarah, queens)["via_company_id"], json!(t.east));
    // A grant without branches stops at its company.
    let john = app.user_id("john_smith");
    app.client().grant_company(john, t.new_york).unwrap();
    assert_eq!(check(&app, john, t.new_york)["reason"], "grant");
    assert_eq!(check(&app, john, t.brooklyn)["reason"], "no_grant");
    // A grant of the branch itself comes first and says so.
    app.client().grant_company(sarah, t.brooklyn).unwrap();
    assert_eq!(
        check(&app, sarah, t.brooklyn)["via_company_id"],
        json!(t.brooklyn)
    );

    // The lists say who reaches what, and through which grant.
    let listed = app.get(&format!("/users/{sarah}/companies"));
    let sources: Vec<(String, String)> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["company_name"].as_str().unwrap().to_owned(),
                item["source"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("New York", "branch"),
        ("Queens", "branch"),
        ("Brooklyn", "grant"),
    ] {
        assert!(
            sources.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} in {sources:?}"
        );
    }
    let members = app.get(&format!("/companies/{queens}/users"));
    let sarah_there = members.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == json!(sarah))
        .cloned()
        .unwrap_or_default();
    assert_eq!(sarah_there["source"], "branch", "{}", members.text);
    assert_eq!(sarah_there["via_company_id"], json!(t.east));
    assert_eq!(sarah_there["role_here"], "admin");
    let children = app.get(&format!("/companies?parent_id={}", t.new_york));
    let names: Vec<&str> = children.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Brooklyn", "Queens"], "{}", children.text);
    let stats = app.get("/stats");
    assert_eq!(
        (
            &stats.body["branch_companies"],
            &stats.body["branch_grants"]
        ),
        (&json!(3), &json!(1)),
        "{}",
        stats.text
    );
}

#[test]
fn moving_a_branch_moves_the_access_that_reaches_it_at_once() {
    let app = TestApp::spawn_demo();
    let t = tree(&app);
    let (sarah, john) = (app.user_id("sarah"), app.user_id("john_smith"));
    for (user, root) in [(sarah, t.east), (john, t.west)] {
        let granted = app.post(
            &format!("/users/{user}/companies"),
            &json!({"company_id": root, "include_branches": true}),
        );
        assert_eq!(granted.status, 201, "{}", granted.text);
    }
    // Hot entries first.
    assert_eq!(check(&app, sarah, t.brooklyn)["reason"], "grant");
    assert_eq!(check(&app, john, t.brooklyn)["reason"], "no_grant");
    let moved = move_under(&app, t.new_york, Some(t.west));
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["parent_id"], json!(t.west));
    assert_eq!(check(&app, sarah, t.brooklyn)["reason"], "no_grant");
    assert_eq!(
        check(&app, john, t.brooklyn)["via_company_id"],
        json!(t.west)
    );
    // Detached: nobody reaches it through a parent.
    let detached = move_under(&app, t.new_york, None);
    assert_eq!(detached.body["parent_id"], Value::Null, "{}", detached.text);
    assert_eq!(check(&app, john, t.brooklyn)["reason"], "no_grant");
    // Deleting a parent makes its branches top-level.
    app.client().delete_company(t.new_york).unwrap();
    let brooklyn = app.get(&format!("/companies/{}", t.brooklyn));
    assert_eq!(brooklyn.body["parent_id"], Value::Null, "{}", brooklyn.text);
    // The move is in the audit.
    let audit = app.get(&format!(
        "/audit?company_id={}&action=company.update",
        t.new_york
    ));
    assert_eq!(audit.body["total"], 2, "{}", audit.text);
}

#[test]
fn a_cycle_or_a_tree_deeper_than_sixteen_is_refused_and_changes_nothing() {
    let app = TestApp::spawn_demo();
    let t = tree(&app);
    let audit_before = app.audit_count();
    for (id, parent) in [
        (t.east, t.brooklyn),
        (t.east, t.east),
        (t.new_york, t.brooklyn),
    ] {
        let refused = move_under(&app, id, Some(parent));
        assert_eq!(refused.status, 409, "{}", refused.text);
        assert_eq!(refused.code(), "hierarchy_cycle");
        assert!(
            refused.text.contains("one of its branches"),
            "{}",
            refused.text
        );
    }
    let nowhere = move_under(&app, t.east, Some(Uuid::new_v4()));
    assert_eq!(nowhere.status, 404, "{}", nowhere.text);
    assert_eq!(nowhere.code(), "company_not_found");
    assert!(
        nowhere.text.contains("Parent company not found"),
        "{}",
        nowhere.text
    );
    assert_eq!(app.audit_count(), audit_before);

    // A chain of 16 levels is the most: the 17th is refused, whether created or moved there.
    let mut chain = vec![company(&app, "Level 1", None)];
    for level in 2..=16 {
        let parent = chain.last().copied();
        chain.push(company(&app, &format!("Level {level}"), parent));
    }
    let too_deep = app.post(
        "/companies",
        &json!({"name": "Level 17", "parent_id": chain.last()}),
    );
    assert_eq!(too_deep.status, 409, "{}", too_deep.text);
    assert_eq!(too_deep.code(), "hierarchy_too_deep");
    assert!(too_deep.text.contains("17 levels"), "{}", too_deep.text);
    // East HQ's tree is three levels: under level 14 it would make 17.
    let moved = move_under(&app, t.east, Some(chain[13]));
    assert_eq!(moved.code(), "hierarchy_too_deep", "{}", moved.text);
    assert_eq!(move_under(&app, t.east, Some(chain[12])).status, 200);
    let sarah = app.user_id("sarah");
    let top = app.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_id": chain[0], "include_branches": true}),
    );
    assert_eq!(top.status, 201, "{}", top.text);
    assert_eq!(
        check(&app, sarah, t.brooklyn)["via_company_id"],
        json!(chain[0])
    );
}

#[test]
fn a_branch_moved_on_one_instance_is_seen_on_the_other_with_the_token() {
    if !postgres_or_skip("a_branch_moved_on_one_instance_is_seen_on_the_other_with_the_token") {
        return;
    }
    let a = TestApp::spawn_demo();
    let t = tree(&a);
    let b = a.replica();
    let sarah = a.user_id("sarah");
    let granted = a.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_id": t.east, "include_branches": true}),
    );
    assert_eq!(granted.status, 201, "{}", granted.text);
    let question = format!("/access-check?user_id={sarah}&company_id={}", t.brooklyn);
    let deadline = Instant::now() + Duration::from_secs(10);
    while b.get(&question).body["reason"] != "grant" {
        assert!(Instant::now() < deadline, "B never saw the grant");
        std::thread::sleep(Duration::from_millis(5));
    }
    let moved = move_under(&a, t.new_york, Some(t.west));
    assert_eq!(moved.status, 200, "{}", moved.text);
    let answer = b.get_after(&question, &moved);
    assert_eq!(answer.body["reason"], "no_grant", "{}", answer.text);
}

#[test]
fn two_moves_at_once_never_close_a_cycle() {
    let app = TestApp::spawn_demo();
    for round in 0..6 {
        let a = company(&app, &format!("A{round}"), None);
        let b = company(&app, &format!("B{round}"), None);
        let mut statuses = std::thread::scope(|scope| {
            let one = scope.spawn(|| move_under(&app, a, Some(b)).status);
            let two = scope.spawn(|| move_under(&app, b, Some(a)).status);
            [one.join().unwrap(), two.join().unwrap()]
        });
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "round {round}");
    }
}

#[test]
fn changing_access_that_comes_through_a_parent_names_the_parents_grant() {
    let app = TestApp::spawn_demo();
    let t = tree(&app);
    let sarah = app.user_id("sarah");
    let granted = app.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_id": t.east, "include_branches": true}),
    );
    assert_eq!(granted.status, 201, "{}", granted.text);
    let audit = app.audit_count();
    let path = format!("/users/{sarah}/companies/{}", t.brooklyn);
    for answer in [
        app.patch(&path, &json!({"role": "admin"})),
        app.delete(&path),
    ] {
        assert_eq!(
            (answer.status, answer.code()),
            (404, "access_not_found"),
            "{}",
            answer.text
        );
        let detail = answer.body["detail"].as_str().unwrap();
        assert!(
            detail.contains("through the grant of 'East HQ'")
                && detail.contains(&t.east.to_string()),
            "{detail}"
        );
    }
    assert_eq!(app.audit_count(), audit);
    assert_eq!(check(&app, sarah, t.brooklyn)["allowed"], true);
    // Without any grant on the way, the seed's own words.
    let west = app.delete(&format!("/users/{sarah}/companies/{}", t.west));
    assert_eq!(
        west.body["detail"],
        "User does not have access to this company"
    );
}
