//! Consistency tokens: every write answers with its revision, a reader may ask to see at least it on any
//! instance, and the change stream resumes from any revision.

use company_access_tests::{MASTER_KEY, TestApp, postgres_or_skip};
use serde_json::json;
use std::time::{Duration, Instant};

fn revision_of(answer: &company_access_tests::Answer) -> i64 {
    answer
        .header("company-access-revision")
        .unwrap_or_else(|| panic!("no revision on {} {}", answer.status, answer.text))
        .parse()
        .unwrap()
}

#[test]
fn writes_answer_with_their_revision_and_checks_with_the_one_they_reflect() {
    let app = TestApp::spawn_demo();
    let sarah = app.user_id("sarah");
    let nyc = app.company_id("NYC");
    let check = format!("/access-check?user_id={sarah}&company_id={nyc}");
    let before = revision_of(&app.get(&check));
    let grant = app.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_id": nyc}),
    );
    assert_eq!(grant.status, 201);
    let granted_at = revision_of(&grant);
    assert!(granted_at > before, "{granted_at} after {before}");
    let revoke = app.delete(&format!("/users/{sarah}/companies/{nyc}"));
    assert_eq!(revision_of(&revoke), granted_at + 1);
    for consistency in [
        "minimize-latency".to_owned(),
        format!("at-least {}", granted_at + 1),
        "full".to_owned(),
    ] {
        let answer = app.send_headers(
            "GET",
            &check,
            Some(MASTER_KEY),
            &[("Company-Access-Consistency", &consistency)],
        );
        assert_eq!(answer.status, 200, "{consistency}: {}", answer.text);
        assert_eq!(answer.body["allowed"], false, "{consistency}");
        // The instance that wrote answers exactly at once; the revision it states is a lower bound,
        // which on PostgreSQL is what its feed has delivered (it may trail the write by a moment).
        // Asked for at least the write, or for everything committed, it states the write or later.
        let least = if consistency.starts_with("minimize") && app.db.is_postgres() {
            before
        } else {
            granted_at + 1
        };
        assert!(revision_of(&answer) >= least, "{consistency}");
    }
    // A no-op writes nothing and states no revision of its own.
    let unchanged = app.patch(&format!("/users/{sarah}"), &json!({}));
    assert_eq!(unchanged.status, 200);
    assert_eq!(unchanged.header("company-access-revision"), None);
    for bad in ["strong", "at-least", "at-least -1", "at-least 007"] {
        let answer = app.send_headers(
            "GET",
            &check,
            Some(MASTER_KEY),
            &[("Company-Access-Consistency", bad)],
        );
        assert_eq!(answer.status, 400, "{bad}");
        assert!(
            answer.body["detail"]
                .as_str()
                .unwrap()
                .contains("at-least <revision>"),
            "{bad}"
        );
    }
}

#[test]
fn the_change_stream_resumes_after_any_revision_and_long_polls() {
    let app = TestApp::spawn_demo();
    let sarah = app.user_id("sarah");
    let nyc = app.company_id("NYC");
    // Where the history stands now: the end of a page that holds all of it (the demo data).
    let everything = app.get("/changes?limit=1000");
    assert_eq!(everything.body["has_more"], false);
    let start: i64 = everything.body["next"].as_str().unwrap().parse().unwrap();
    let grant = app.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_id": nyc}),
    );
    let revoke = app.delete(&format!("/users/{sarah}/companies/{nyc}"));
    let page = app.get(&format!("/changes?after={start}"));
    assert_eq!(page.status, 200, "{}", page.text);
    let items = page.body["items"].as_array().unwrap();
    let actions: Vec<&str> = items
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["access.grant", "access.revoke"]);
    assert_eq!(items[0]["revision"], revision_of(&grant).to_string());
    assert_eq!(page.body["next"], revision_of(&revoke).to_string());
    assert_eq!(page.body["has_more"], false);
    // Paging one at a time gives the same changes.
    let first = app.get(&format!("/changes?after={start}&limit=1"));
    assert_eq!(first.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(first.body["has_more"], true);
    let next = first.body["next"].as_str().unwrap().to_owned();
    let second = app.get(&format!("/changes?after={next}&limit=1"));
    assert_eq!(second.body["items"][0]["action"], "access.revoke");

    // A long poll answers as soon as something is committed.
    let after = revision_of(&revoke);
    let started = Instant::now();
    let waited = std::thread::scope(|scope| {
        let poll = scope.spawn(|| app.get(&format!("/changes?after={after}&wait=20")));
        std::thread::sleep(Duration::from_millis(300));
        app.post(
            &format!("/users/{sarah}/companies"),
            &json!({"company_id": nyc}),
        );
        poll.join().unwrap()
    });
    assert_eq!(waited.status, 200);
    assert_eq!(waited.body["items"][0]["action"], "access.grant");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // Nothing new: an empty page after the wait, `next` unchanged.
    let latest = waited.body["next"].as_str().unwrap().to_owned();
    let empty = app.get(&format!("/changes?after={latest}&wait=1"));
    assert_eq!(empty.body["items"].as_array().unwrap().len(), 0);
    assert_eq!(empty.body["next"], latest);
    for bad in ["after=x", "after=-1", "limit=0", "limit=1001", "wait=61"] {
        assert_eq!(app.get(&format!("/changes?{bad}")).status, 400, "{bad}");
    }
}

#[test]
fn a_token_from_instance_a_makes_instance_b_exact() {
    if !postgres_or_skip("a_token_from_instance_a_makes_instance_b_exact") {
        return;
    }
    let a = TestApp::spawn_demo();
    let b = a.replica();
    let sarah = a.user_id("sarah");
    let nyc = a.company_id("NYC");
    let check = format!("/access-check?user_id={sarah}&company_id={nyc}");
    let mut wrong = 0;
    for round in 0..200 {
        // B has the pair cached, then A changes it; B asked with A's token must see the change.
        assert_eq!(b.get(&check).status, 200);
        let write = if round % 2 == 0 {
            a.post(
                &format!("/users/{sarah}/companies"),
                &json!({"company_id": nyc}),
            )
        } else {
            a.delete(&format!("/users/{sarah}/companies/{nyc}"))
        };
        assert!(write.status < 300, "{}", write.text);
        let token = format!("at-least {}", revision_of(&write));
        let answer = b.send_headers(
            "GET",
            &check,
            Some(MASTER_KEY),
            &[("Company-Access-Consistency", &token)],
        );
        assert_eq!(answer.status, 200);
        if answer.body["allowed"] != (round % 2 == 0) {
            wrong += 1;
        }
        assert!(revision_of(&answer) >= revision_of(&write));
    }
    assert_eq!(wrong, 0, "B answered without A's write despite the token");
    // The change stream on B names A's writes.
    let changes = b.get("/changes?limit=1000");
    let grants = changes.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["action"] == "access.grant" && item["user_id"] == sarah)
        .count();
    assert_eq!(grants, 100);
}
