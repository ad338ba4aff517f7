//! The lists agree with the check at the instant they are read: `GET /users/{id}/companies` and the
//! access review (`GET /companies/{id}/users`) show the access `GET /access-check` gives now, through the
//! same grant and with the same role, whatever scheduled or expired grants lie nearer; grants that do
//! not give access now are listed as their own lines, marked with their state.

use company_access_tests::TestApp;
use serde_json::{Value, json};
use uuid::Uuid;

const LATER: &str = "2030-01-01T00:00:00Z";
const EARLIER: &str = "2020-01-01T00:00:00Z";

fn company(app: &TestApp, name: &str, parent: Option<Uuid>) -> Uuid {
    let created = app.post("/companies", &json!({"name": name, "parent_id": parent}));
    assert_eq!(created.status, 201, "{}", created.text);
    created.body["id"].as_str().unwrap().parse().unwrap()
}

fn grant(app: &TestApp, user: i32, body: Value) {
    let answer = app.post(&format!("/users/{user}/companies"), &body);
    assert_eq!(answer.status, 201, "{body}: {}", answer.text);
}

fn check(app: &TestApp, user: i32, company: Uuid) -> Value {
    let answer = app.get(&format!(
        "/access-check?user_id={user}&company_id={company}"
    ));
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body
}

fn items(answer: &company_access_tests::Answer) -> Vec<Value> {
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body["items"].as_array().unwrap().clone()
}

/// The user's lines for one company in `GET /users/{id}/companies`.
fn listed(app: &TestApp, user: i32, company: Uuid, include_expired: bool) -> Vec<Value> {
    let lines = items(&app.get(&format!(
        "/users/{user}/companies?include_expired={include_expired}"
    )));
    lines
        .into_iter()
        .filter(|line| line["company_id"] == json!(company))
        .collect()
}

/// The user's lines in the company's access review.
fn reviewed(app: &TestApp, user: i32, company: Uuid) -> Vec<Value> {
    let lines = items(&app.get(&format!("/companies/{company}/users?limit=500")));
    lines
        .into_iter()
        .filter(|line| line["user_id"] == json!(user))
        .collect()
}

/// `(source, state, role, via)` of each line, in the list's order.
fn summary(lines: &[Value], role: &str) -> Vec<(String, String, String, String)> {
    lines
        .iter()
        .map(|line| {
            (
                line["source"].as_str().unwrap().to_owned(),
                line["state"].as_str().unwrap().to_owned(),
                line[role].as_str().unwrap().to_owned(),
                line["via_company_id"].to_string(),
            )
        })
        .collect()
}

fn line(
    source: &str,
    state: &str,
    role: &str,
    via: Option<Uuid>,
) -> (String, String, String, String) {
    (
        source.into(),
        state.into(),
        role.into(),
        json!(via).to_string(),
    )
}

/// Both lists show exactly one active line for the pair when the check allows, with the check's
/// role and grant, and none when it refuses.
fn assert_agrees(app: &TestApp, user: i32, company: Uuid) {
    let decision = check(app, user, company);
    let mine = listed(app, user, company, true);
    let review = reviewed(app, user, company);
    let active = |lines: &[Value], role: &str| -> Vec<(Value, Value)> {
        lines
            .iter()
            .filter(|line| line["state"] == "active")
            .map(|line| (line[role].clone(), line["via_company_id"].clone()))
            .collect()
    };
    let expected = if decision["allowed"] == true {
        vec![(decision["role"].clone(), decision["via_company_id"].clone())]
    } else {
        Vec::new()
    };
    let super_admin = decision["reason"] == "super_admin";
    let comparable = |found: Vec<(Value, Value)>| -> Vec<(Value, Value)> {
        // A super admin's access rests on no grant; an own grant of theirs may still name the company.
        found
            .into_iter()
            .map(|(role, via)| (role, if super_admin { Value::Null } else { via }))
            .collect()
    };
    assert_eq!(
        comparable(active(&mine, "role")),
        expected,
        "the user's list at {company}: {decision} vs {mine:?}"
    );
    assert_eq!(
        comparable(active(&review, "role_here")),
        expected,
        "the review of {company}: {decision} vs {review:?}"
    );
}

/// P > C1 > G1.
struct Chain {
    p: Uuid,
    c1: Uuid,
    g1: Uuid,
}

fn chain(app: &TestApp) -> Chain {
    let p = company(app, "P", None);
    let c1 = company(app, "C1", Some(p));
    let g1 = company(app, "G1", Some(c1));
    Chain { p, c1, g1 }
}

#[test]
fn a_scheduled_grant_nearer_than_an_active_one_hides_nothing() {
    let app = TestApp::spawn();
    let t = chain(&app);
    let john = app.create_user("john", "employee");
    grant(
        &app,
        john,
        json!({"company_id": t.p, "include_branches": true, "role": "finance_manager"}),
    );
    grant(
        &app,
        john,
        json!({"company_id": t.c1, "include_branches": true, "role": "admin", "valid_from": LATER}),
    );
    let at_g1 = check(&app, john, t.g1);
    assert_eq!(
        (&at_g1["reason"], &at_g1["role"], &at_g1["via_company_id"]),
        (&json!("grant"), &json!("finance_manager"), &json!(t.p)),
        "{at_g1}"
    );
    // G1 is reached now through P; the grant of C1 is not one of G1.
    assert_eq!(
        summary(&reviewed(&app, john, t.g1), "role_here"),
        [line("branch", "active", "finance_manager", Some(t.p))]
    );
    assert_eq!(
        summary(&listed(&app, john, t.g1, false), "role"),
        [line("branch", "active", "finance_manager", Some(t.p))]
    );
    // At C1 john may act through P now, and his own grant of C1 is listed as what it is: scheduled.
    let expected = [
        line("branch", "active", "finance_manager", Some(t.p)),
        line("grant", "scheduled", "admin", Some(t.c1)),
    ];
    assert_eq!(summary(&reviewed(&app, john, t.c1), "role_here"), expected);
    let mut mine = summary(&listed(&app, john, t.c1, false), "role");
    mine.sort();
    assert_eq!(mine, expected);
    for company in [t.p, t.c1, t.g1] {
        assert_agrees(&app, john, company);
    }
}

#[test]
fn a_scheduled_grant_of_the_company_does_not_hide_a_parents_active_one() {
    let app = TestApp::spawn();
    let t = chain(&app);
    let sarah = app.create_user("sarah", "employee");
    grant(
        &app,
        sarah,
        json!({"company_id": t.p, "include_branches": true, "role": "admin"}),
    );
    grant(
        &app,
        sarah,
        json!({"company_id": t.c1, "valid_from": LATER}),
    );
    let at_c1 = check(&app, sarah, t.c1);
    assert_eq!(
        (&at_c1["role"], &at_c1["via_company_id"]),
        (&json!("admin"), &json!(t.p)),
        "{at_c1}"
    );
    for query in ["role=admin", "source=branch"] {
        let page = app.get(&format!("/companies/{}/users?{query}", t.c1));
        assert_eq!(page.body["total"], 1, "{query}: {}", page.text);
        let only = &page.body["items"][0];
        assert_eq!(
            (&only["user_id"], &only["state"], &only["via_company_id"]),
            (&json!(sarah), &json!("active"), &json!(t.p)),
            "{query}: {}",
            page.text
        );
    }
    let scheduled = app.get(&format!("/companies/{}/users?source=grant", t.c1));
    assert_eq!(scheduled.body["total"], 1, "{}", scheduled.text);
    assert_eq!(scheduled.body["items"][0]["state"], "scheduled");
    assert_eq!(scheduled.body["items"][0]["role_here"], "employee");
    // The review lists the line that gives access now before the one that starts later.
    assert_eq!(
        summary(&reviewed(&app, sarah, t.c1), "role_here"),
        [
            line("branch", "active", "admin", Some(t.p)),
            line("grant", "scheduled", "employee", Some(t.c1)),
        ]
    );
    for company in [t.p, t.c1, t.g1] {
        assert_agrees(&app, sarah, company);
    }

    // Only scheduled grants reaching a company: it is listed once, through the nearest, as scheduled.
    let dora = app.create_user("dora", "employee");
    grant(
        &app,
        dora,
        json!({"company_id": t.p, "include_branches": true, "valid_from": LATER}),
    );
    grant(&app, dora, json!({"company_id": t.c1, "valid_from": LATER}));
    assert_eq!(
        summary(&reviewed(&app, dora, t.c1), "role_here"),
        [line("grant", "scheduled", "employee", Some(t.c1))]
    );
    assert_eq!(
        summary(&listed(&app, dora, t.c1, false), "role"),
        [line("grant", "scheduled", "employee", Some(t.c1))]
    );
    assert_eq!(
        summary(&reviewed(&app, dora, t.g1), "role_here"),
        [line("branch", "scheduled", "employee", Some(t.p))]
    );
    assert_eq!(
        summary(&listed(&app, dora, t.g1, false), "role"),
        [line("branch", "scheduled", "employee", Some(t.p))]
    );
    for company in [t.p, t.c1, t.g1] {
        assert_agrees(&app, dora, company);
    }
}

#[test]
fn listing_expired_grants_too_only_adds_them() {
    let app = TestApp::spawn();
    let t = chain(&app);
    let sarah = app.create_user("sarah", "employee");
    grant(
        &app,
        sarah,
        json!({"company_id": t.p, "include_branches": true, "role": "admin"}),
    );
    grant(
        &app,
        sarah,
        json!({"company_id": t.g1, "valid_until": EARLIER}),
    );
    let branch = line("branch", "active", "admin", Some(t.p));
    assert_eq!(
        summary(&listed(&app, sarah, t.g1, false), "role"),
        std::slice::from_ref(&branch)
    );
    let mut with_expired = summary(&listed(&app, sarah, t.g1, true), "role");
    with_expired.sort();
    assert_eq!(
        with_expired,
        [
            branch.clone(),
            line("grant", "expired", "employee", Some(t.g1))
        ]
    );
    // Every other line is the same either way.
    let path = format!("/users/{sarah}/companies");
    let without = items(&app.get(&path));
    let with: Vec<Value> = items(&app.get(&format!("{path}?include_expired=true")))
        .into_iter()
        .filter(|line| line["state"] != "expired")
        .collect();
    assert_eq!(with, without);
    assert_eq!(summary(&reviewed(&app, sarah, t.g1), "role_here"), [branch]);
    for company in [t.p, t.c1, t.g1] {
        assert_agrees(&app, sarah, company);
    }
}

#[test]
fn a_super_admin_lists_every_company_whatever_their_grants_windows() {
    let app = TestApp::spawn();
    let root = app.create_user("root", "super_admin");
    let (q, r, s) = (
        company(&app, "Q", None),
        company(&app, "R", None),
        company(&app, "S", None),
    );
    grant(
        &app,
        root,
        json!({"company_id": q, "role": "employee", "valid_until": EARLIER}),
    );
    grant(&app, root, json!({"company_id": r, "valid_from": LATER}));
    grant(&app, root, json!({"company_id": s}));
    let all = app.get(&format!("/users/{root}/companies"));
    assert_eq!(all.body["all_companies"], true, "{}", all.text);
    let everywhere = line("super_admin", "active", "super_admin", None);
    assert_eq!(
        summary(&listed(&app, root, q, false), "role"),
        std::slice::from_ref(&everywhere)
    );
    let mut q_all = summary(&listed(&app, root, q, true), "role");
    q_all.sort();
    assert_eq!(
        q_all,
        [
            line("grant", "expired", "super_admin", Some(q)),
            everywhere.clone()
        ]
    );
    let mut r_lines = summary(&listed(&app, root, r, false), "role");
    r_lines.sort();
    let scheduled = line("grant", "scheduled", "super_admin", Some(r));
    assert_eq!(r_lines, [scheduled.clone(), everywhere.clone()]);
    assert_eq!(
        summary(&reviewed(&app, root, r), "role_here"),
        [everywhere.clone(), scheduled]
    );
    assert_eq!(
        summary(&listed(&app, root, s, false), "role"),
        [line("grant", "active", "super_admin", Some(s))]
    );
    for company in [q, r, s] {
        assert_agrees(&app, root, company);
    }
    // A company's user_count is its grants, whatever their windows: what deleting it removes.
    let q_company = app.get(&format!("/companies/{q}"));
    assert_eq!(q_company.body["user_count"], 1, "{}", q_company.text);
}
