//! A grant's terms end to end: the role it gives in its company, the window it holds in, and checks
//! that ask for roles, decided at the instant of the request (from memory as from the database).

use super::metrics::{scrape, value};
use chrono::{DateTime, Duration as Span, SecondsFormat, Utc};
use company_access_tests::{TestApp, postgres_or_skip};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn check(app: &TestApp, user: i32, company: uuid::Uuid, role: Option<&str>) -> Value {
    let role = role.map(|r| format!("&role={r}")).unwrap_or_default();
    let answer = app.get(&format!(
        "/access-check?user_id={user}&company_id={company}{role}"
    ));
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body
}

fn cache_hits(app: &TestApp) -> f64 {
    value(&scrape(app), "company_access_cache_hits_total", &[])
}

#[test]
fn a_grant_gives_its_own_role_and_checks_ask_for_roles() {
    let app = TestApp::spawn_demo();
    let sarah = app.user_id("sarah");
    let (nyc, la) = (app.company_id("NYC"), app.company_id("LA"));
    let granted = app.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_id": nyc, "role": "admin"}),
    );
    assert_eq!(granted.status, 201, "{}", granted.text);
    assert_eq!(granted.body["role"], "admin");
    assert_eq!(granted.body["granted_role"], "admin");
    assert_eq!(granted.body["state"], "active");
    // Without a role of its own the grant follows the user's role (sarah is an HR manager).
    let follows = app.client().grant_company(sarah, la).unwrap();
    assert_eq!(follows.role.as_str(), "hr_manager");
    assert_eq!(follows.granted_role, None);

    let answer = check(&app, sarah, nyc, Some("hr_manager,admin"));
    assert_eq!(
        (&answer["allowed"], &answer["reason"], &answer["role"]),
        (&json!(true), &json!("grant"), &json!("admin"))
    );
    assert_eq!(answer["via_company_id"], json!(nyc));
    let answer = check(&app, sarah, la, Some("admin"));
    assert_eq!(
        (&answer["allowed"], &answer["reason"], &answer["role"]),
        (&json!(false), &json!("role_not_held"), &json!("hr_manager"))
    );
    assert_eq!(check(&app, sarah, la, None)["reason"], "grant");
    // Super admins hold every role everywhere.
    let admin = app.user_id("admin");
    let answer = check(&app, admin, la, Some("employee"));
    assert_eq!(
        (&answer["reason"], &answer["role"]),
        (&json!("super_admin"), &json!("super_admin"))
    );

    // The batch takes roles per pair and answers in order.
    let batch = app.post(
        "/access-check",
        &json!({"checks": [
            {"user_id": sarah, "company_id": la, "role": "admin"},
            {"user_id": sarah, "company_id": la},
            {"user_id": sarah, "company_id": nyc, "role": "admin,employee"},
        ]}),
    );
    assert_eq!(batch.status, 200, "{}", batch.text);
    let reasons: Vec<&Value> = (0..3)
        .map(|i| &batch.body["results"][i]["reason"])
        .collect();
    assert_eq!(
        reasons,
        [&json!("role_not_held"), &json!("grant"), &json!("grant")]
    );

    // Changing the role is seen by the very next check (the cache entry is hot).
    let changed = app.patch(
        &format!("/users/{sarah}/companies/{la}"),
        &json!({"role": "admin"}),
    );
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(check(&app, sarah, la, Some("admin"))["reason"], "grant");
    // null: back to following the user's role, which itself may change.
    let back = app.patch(
        &format!("/users/{sarah}/companies/{la}"),
        &json!({"role": null}),
    );
    assert_eq!(back.body["granted_role"], Value::Null, "{}", back.text);
    assert_eq!(
        check(&app, sarah, la, Some("admin"))["reason"],
        "role_not_held"
    );
    let promoted = app.patch(
        &format!("/users/{sarah}"),
        &json!({"role": "finance_manager"}),
    );
    assert_eq!(promoted.status, 200, "{}", promoted.text);
    assert_eq!(
        check(&app, sarah, la, Some("finance_manager"))["reason"],
        "grant"
    );
    assert_eq!(check(&app, sarah, nyc, Some("admin"))["reason"], "grant");
    // The company's list of users names the role each holds there.
    let members = app.get(&format!("/companies/{nyc}/users"));
    let sarah_there = members.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == json!(sarah))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            &sarah_there["role"],
            &sarah_there["role_here"],
            &sarah_there["state"]
        ),
        (&json!("finance_manager"), &json!("admin"), &json!("active")),
        "{}",
        members.text
    );

    // The change is in the audit, before and after.
    let audit = app.get("/audit?action=access.update");
    assert_eq!(audit.status, 200, "{}", audit.text);
    let entry = &audit.body["items"][0];
    assert_eq!(entry["before"]["granted_role"], "admin", "{}", audit.text);
    assert_eq!(entry["after"]["granted_role"], Value::Null);
}

#[test]
fn bad_roles_and_windows_are_refused_and_change_nothing() {
    let app = TestApp::spawn_demo();
    let sarah = app.user_id("sarah");
    let nyc = app.company_id("NYC");
    let audit_before = app.audit_count();
    for (query, says) in [
        ("role=boss", "boss"),
        ("role=", "at least one role"),
        ("role=admin,", "must be one of"),
    ] {
        let answer = app.get(&format!(
            "/access-check?user_id={sarah}&company_id={nyc}&{query}"
        ));
        assert_eq!(answer.status, 400, "{query}: {}", answer.text);
        assert!(answer.text.contains(says), "{query}: {}", answer.text);
    }
    let path = format!("/users/{sarah}/companies");
    for (body, status, says) in [
        (
            json!({"company_id": nyc, "role": "super_admin"}),
            422,
            "expected one of `admin`",
        ),
        (json!({"company_id": nyc, "role": null}), 422, "role"),
        (
            json!({"company_id": nyc, "valid_from": "2027-02-01T00:00:00Z", "valid_until": "2027-01-01T00:00:00Z"}),
            422,
            "must be later than valid_from",
        ),
        (
            json!({"company_id": nyc, "valid_until": "next week"}),
            422,
            "valid_until",
        ),
    ] {
        let answer = app.post(&path, &body);
        assert_eq!(answer.status, status, "{body}: {}", answer.text);
        assert!(answer.text.contains(says), "{body}: {}", answer.text);
    }
    assert!(!app.company_names_of(sarah).contains(&"NYC".to_owned()));

    app.client().grant_company(sarah, nyc).unwrap();
    let one = format!("/users/{sarah}/companies/{nyc}");
    let starts = app.patch(&one, &json!({"valid_from": "2027-03-01T00:00:00Z"}));
    assert_eq!(starts.status, 200, "{}", starts.text);
    let audit_after_grant = app.audit_count();
    // An end before the start already stored is refused too, whichever end the request names.
    let ends = app.patch(&one, &json!({"valid_until": "2027-01-01T00:00:00Z"}));
    assert_eq!(ends.status, 422, "{}", ends.text);
    assert!(ends.text.contains("valid_until"), "{}", ends.text);
    let empty = app.patch(&one, &json!({}));
    assert_eq!(empty.status, 422, "{}", empty.text);
    assert!(empty.text.contains("at least one"), "{}", empty.text);
    let listed = app.get(&format!("{path}?include_expired=true"));
    assert_eq!(listed.body["items"][0]["valid_until"], Value::Null);
    assert_eq!(app.audit_count(), audit_after_grant);
    assert_eq!(audit_after_grant, audit_before + 2);
}

#[test]
fn an_expiry_passing_while_the_entry_is_hot_is_seen_at_the_instant() {
    let app = TestApp::spawn_demo();
    // On PostgreSQL nothing is answered from memory until the change feed listens.
    if app.db.is_postgres() {
        assert!(app.wait_for_feed("listening", Duration::from_secs(10)));
    }
    let sarah = app.user_id("sarah");
    let nyc = app.company_id("NYC");
    let until = Utc::now() + Span::milliseconds(1_500);
    let granted = app.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_id": nyc, "valid_until": rfc3339(until)}),
    );
    assert_eq!(granted.status, 201, "{}", granted.text);
    let before = app.get("/stats");
    assert_eq!(before.body["users_without_companies"], 0, "{}", before.text);
    // Every answer is right for the instant it was asked: allowed when it came back before the end,
    // expired when it was sent at or after it. No write happens at the expiry.
    let hits_before = cache_hits(&app);
    let audit_before = app.audit_count();
    let (mut allowed, mut expired) = (0, 0);
    let deadline = Instant::now() + Duration::from_secs(4);
    while Instant::now() < deadline {
        let sent = Utc::now();
        let answer = check(&app, sarah, nyc, None);
        let received = Utc::now();
        match answer["reason"].as_str() {
            Some("grant") => {
                assert!(
                    sent < until,
                    "allowed after the end: sent {sent}, end {until}"
                );
                allowed += 1;
            }
            Some("expired") => {
                assert!(
                    received >= until,
                    "expired before the end: {received} < {until}"
                );
                assert_eq!(answer["via_company_id"], json!(nyc));
                expired += 1;
            }
            other => panic!("unexpected {other:?}"),
        }
        if expired > 20 {
            break;
        }
    }
    assert!(
        allowed > 10 && expired > 10,
        "{allowed} allowed, {expired} expired"
    );
    assert!(
        cache_hits(&app) - hits_before >= (allowed + expired) as f64 - 1.0,
        "answered from memory"
    );
    assert_eq!(app.audit_count(), audit_before, "an expiry writes nothing");
    // The audit's expired view reads it from the grant.
    let expired_view = app.get(&format!("/audit/expired?user_id={sarah}"));
    assert_eq!(expired_view.status, 200, "{}", expired_view.text);
    assert_eq!(expired_view.body["total"], 1, "{}", expired_view.text);
    let entry = &expired_view.body["items"][0];
    assert_eq!(entry["company_id"], json!(nyc));
    assert_eq!(entry["expired_at"], rfc3339(until));
    let none_yet = app.get(&format!(
        "/audit/expired?user_id={sarah}&until={}",
        rfc3339(until).replace('+', "%2B")
    ));
    assert_eq!(none_yet.body["total"], 0, "{}", none_yet.text);
    let stats = app.get("/stats");
    assert_eq!(stats.body["expired_grants"], 1, "{}", stats.text);
    // An expired grant is no company: sarah, whose only grant it was, is without one again.
    assert_eq!(stats.body["users_without_companies"], 1, "{}", stats.text);
    assert_eq!(
        stats.body["users_with_multiple_companies"], 3,
        "{}",
        stats.text
    );
    // The list hides the expired grant unless asked, and names its state.
    let path = format!("/users/{sarah}/companies");
    let listed = app.get(&path);
    assert!(
        listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|item| item["company_id"] != json!(nyc)),
        "{}",
        listed.text
    );
    let all = app.get(&format!("{path}?include_expired=true"));
    let item = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["company_id"] == json!(nyc))
        .cloned()
        .unwrap_or_default();
    assert_eq!(item["state"], "expired", "{}", all.text);
    let members = app.get(&format!("/companies/{nyc}/users"));
    assert!(
        !members.text.contains(&format!("\"user_id\":{sarah},")),
        "an expired grant is no access to review: {}",
        members.text
    );
    // Extending the window gives access back at once.
    let extended = app.patch(&format!("{path}/{nyc}"), &json!({"valid_until": null}));
    assert_eq!(extended.body["state"], "active", "{}", extended.text);
    assert_eq!(check(&app, sarah, nyc, None)["reason"], "grant");
}

#[test]
fn a_scheduled_grant_starts_at_its_instant_and_lists_as_scheduled() {
    let app = TestApp::spawn_demo();
    let sarah = app.user_id("sarah");
    let la = app.company_id("LA");
    let from = Utc::now() + Span::milliseconds(1_200);
    let granted = app.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_ids": [la], "valid_from": rfc3339(from), "role": "finance_manager"}),
    );
    assert_eq!(granted.status, 200, "{}", granted.text);
    let added = &granted.body["added"][0];
    assert_eq!(added["state"], "scheduled", "{}", granted.text);
    assert_eq!(added["valid_from"], rfc3339(from));
    assert_eq!(app.get("/stats").body["scheduled_grants"], 1);
    let early = check(&app, sarah, la, None);
    assert_eq!(early["reason"], "not_yet_valid");
    assert_eq!(early["role"], "finance_manager");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let sent = Utc::now();
        let answer = check(&app, sarah, la, Some("finance_manager"));
        let received = Utc::now();
        if answer["reason"] == "grant" {
            assert!(received >= from, "allowed before the start");
            break;
        }
        assert_eq!(answer["reason"], "not_yet_valid");
        assert!(sent < from, "still refused after the start");
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(20));
    }
    let listed = app.get(&format!("/users/{sarah}/companies"));
    let item = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["company_id"] == json!(la))
        .cloned()
        .unwrap_or_default();
    assert_eq!(item["state"], "active", "{}", listed.text);
}

#[test]
fn a_role_changed_on_one_instance_is_seen_on_the_other_with_the_token() {
    if !postgres_or_skip("a_role_changed_on_one_instance_is_seen_on_the_other_with_the_token") {
        return;
    }
    let a = TestApp::spawn_demo();
    let b = a.replica();
    let sarah = a.user_id("sarah");
    let nyc = a.company_id("NYC");
    a.client().grant_company(sarah, nyc).unwrap();
    // B holds the entry hot before the change.
    let question = format!("/access-check?user_id={sarah}&company_id={nyc}&role=admin");
    let deadline = Instant::now() + Duration::from_secs(10);
    while b.get(&question).body["reason"] != "role_not_held" {
        assert!(Instant::now() < deadline, "B never saw the grant");
        std::thread::sleep(Duration::from_millis(5));
    }
    let changed = a.patch(
        &format!("/users/{sarah}/companies/{nyc}"),
        &json!({"role": "admin", "valid_until": rfc3339(Utc::now() + Span::hours(1))}),
    );
    assert_eq!(changed.status, 200, "{}", changed.text);
    let answer = b.get_after(&question, &changed);
    assert_eq!(answer.body["reason"], "grant", "{}", answer.text);
    assert_eq!(answer.body["role"], "admin");
}

#[test]
fn expiries_are_in_the_change_stream_once_and_end_a_long_poll() {
    let app = TestApp::spawn_demo();
    let sarah = app.user_id("sarah");
    let (nyc, la, chicago) = (
        app.company_id("NYC"),
        app.company_id("LA"),
        app.company_id("Regional HQ"),
    );
    // Two grants end at one instant; one never ends.
    let until = Utc::now() + Span::milliseconds(1_500);
    let granted = app.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_ids": [nyc, la], "valid_until": rfc3339(until)}),
    );
    assert_eq!(granted.status, 200, "{}", granted.text);
    let lasting = app.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_id": chicago}),
    );
    assert_eq!(lasting.status, 201, "{}", lasting.text);
    let revision = lasting
        .header("company-access-revision")
        .unwrap()
        .to_owned();

    let before = app.get(&format!("/changes?after={revision}"));
    assert_eq!(before.status, 200, "{}", before.text);
    assert_eq!(before.body["expired"], json!([]), "{}", before.text);
    let resume = before.body["expired_next"]
        .as_str()
        .unwrap()
        .replace('+', "%2B");

    // A long poll with nothing to write ends at the expiry, not at its wait.
    let started = Instant::now();
    let poll = app.get(&format!(
        "/changes?after={revision}&expired_after={resume}&wait=20"
    ));
    assert_eq!(poll.status, 200, "{}", poll.text);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(Utc::now() >= until);
    assert_eq!(poll.body["items"], json!([]), "no write, no revision");
    let ended: Vec<(Value, Value)> = poll.body["expired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|grant| (grant["company_id"].clone(), grant["expired_at"].clone()))
        .collect();
    let mut expected = vec![
        (json!(nyc), json!(rfc3339(until))),
        (json!(la), json!(rfc3339(until))),
    ];
    let mut ended_sorted = ended.clone();
    ended_sorted.sort_by_key(|(company, _)| company.to_string());
    expected.sort_by_key(|(company, _)| company.to_string());
    assert_eq!(ended_sorted, expected, "{}", poll.text);
    assert_eq!(poll.body["has_more"], false);

    // Resumed from `expired_next`, they are not listed again.
    let next = poll.body["expired_next"]
        .as_str()
        .unwrap()
        .replace('+', "%2B");
    let again = app.get(&format!("/changes?after={revision}&expired_after={next}"));
    assert_eq!(again.body["expired"], json!([]), "{}", again.text);
    // A page of one still holds the whole instant, and resumes after it.
    let small = app.get(&format!(
        "/changes?after={revision}&expired_after={resume}&limit=1"
    ));
    assert_eq!(small.body["expired"].as_array().unwrap().len(), 2);
    assert_eq!(small.body["has_more"], false, "{}", small.text);
    // Without `expired_after`, expiries since the revision's commit; from a later write, none.
    let from_revision = app.get(&format!("/changes?after={revision}"));
    assert_eq!(from_revision.body["expired"].as_array().unwrap().len(), 2);
    let revoke = app.delete(&format!("/users/{sarah}/companies/{la}"));
    assert_eq!(revoke.status, 204, "{}", revoke.text);
    let later = revoke.header("company-access-revision").unwrap().to_owned();
    let after_revoke = app.get(&format!("/changes?after={later}"));
    assert_eq!(
        after_revoke.body["expired"],
        json!([]),
        "{}",
        after_revoke.text
    );
    // A grant revoked after it ended is read as it stands: gone, its revoke in `items`.
    let replay = app.get(&format!("/changes?after={revision}&expired_after={resume}"));
    let companies: Vec<&Value> = replay.body["expired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|grant| &grant["company_id"])
        .collect();
    assert_eq!(companies, [&json!(nyc)], "{}", replay.text);
    assert_eq!(replay.body["items"][0]["action"], "access.revoke");
    // A cursor from an instance whose clock is ahead is kept, not moved back to list expiries again.
    let ahead = app.get("/changes?expired_after=2999-01-01T00:00:00Z");
    assert_eq!(
        ahead.body["expired_next"], "2999-01-01T00:00:00Z",
        "{}",
        ahead.text
    );
    assert_eq!(ahead.body["expired"], json!([]));
    for bad in [
        "expired_after=yesterday",
        "expired_after=2026-13-01T00:00:00Z",
    ] {
        let refused = app.get(&format!("/changes?{bad}"));
        assert_eq!(refused.status, 400, "{bad}: {}", refused.text);
    }
}

#[test]
fn a_bulk_grant_gives_every_new_grant_its_terms_and_leaves_existing_ones_alone() {
    let app = TestApp::spawn_demo();
    let (sarah, mike) = (app.user_id("sarah"), app.user_id("emp_001"));
    let (nyc, la) = (app.company_id("NYC"), app.company_id("LA"));
    let until = Utc::now() + Span::days(30);
    let kept = app.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_id": la}),
    );
    assert_eq!(kept.status, 201, "{}", kept.text);

    let audit_before = app.audit_count();
    let backwards = app.post(
        "/access/bulk",
        &json!({"user_ids": [sarah, mike], "company_ids": [nyc],
                "valid_from": rfc3339(until), "valid_until": rfc3339(until - Span::days(1))}),
    );
    assert_eq!(
        (backwards.status, backwards.code()),
        (422, "validation_failed")
    );
    assert!(backwards.text.contains("valid_until"), "{}", backwards.text);
    assert_eq!(
        app.audit_count(),
        audit_before,
        "a refused bulk grant writes nothing"
    );

    let bulk = app.post(
        "/access/bulk",
        &json!({"user_ids": [sarah, mike], "company_ids": [nyc, la], "role": "employee",
                "valid_until": rfc3339(until), "include_branches": true}),
    );
    assert_eq!(bulk.status, 200, "{}", bulk.text);
    let listed = app.get(&format!("/users/{sarah}/companies"));
    let grant = |company: uuid::Uuid| {
        listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|grant| grant["company_id"] == json!(company))
            .cloned()
            .unwrap_or_else(|| panic!("no grant of {company}: {}", listed.text))
    };
    let new = grant(nyc);
    assert_eq!(new["granted_role"], "employee");
    assert_eq!(new["valid_until"], rfc3339(until));
    assert_eq!(new["include_branches"], true);
    // sarah had LA already: it keeps its own terms.
    let old = grant(la);
    assert_eq!(old["granted_role"], Value::Null);
    assert_eq!(old["valid_until"], Value::Null);
    assert_eq!(old["include_branches"], false);
    assert_eq!(check(&app, mike, nyc, Some("employee"))["allowed"], true);
    assert_eq!(check(&app, mike, nyc, Some("admin"))["allowed"], false);
}
