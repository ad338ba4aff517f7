//! The check cache is exact: never a stale answer after a change acknowledged by this instance, and on
//! PostgreSQL, changes made by another instance reach this one through the change feed — or, while the
//! feed is down, every check goes to the database.

use company_access_tests::{TestApp, TestDatabase, new_key, postgres_or_skip};
use openapi::Scope;
use openapi::access::{BulkGrantRequest, DecisionReason, ReplaceCompanies};
use openapi::users::UpdateUser;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[test]
fn revoke_then_check_is_never_allowed_even_with_concurrent_readers() {
    let app = Arc::new(TestApp::spawn_demo());
    let sarah = app.user_id("sarah");
    let nyc = app.company_id("NYC");
    let done = Arc::new(AtomicBool::new(false));
    // Readers keep loading the pair into the cache while it changes underneath them.
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (app, done) = (app.clone(), done.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    app.allowed(sarah, nyc);
                }
            })
        })
        .collect();
    let mut stale = 0;
    for _ in 0..300 {
        app.client().grant_company(sarah, nyc).unwrap();
        if !app.allowed(sarah, nyc) {
            stale += 1;
        }
        app.client().revoke_company(sarah, nyc).unwrap();
        if app.allowed(sarah, nyc) {
            stale += 1;
        }
    }
    done.store(true, Ordering::Relaxed);
    for reader in readers {
        reader.join().unwrap();
    }
    assert_eq!(stale, 0);
}

#[test]
fn deleting_users_and_companies_and_bulk_changes_reach_the_cache() {
    let app = TestApp::spawn_demo();
    let client = app.client();
    let john = app.user_id("john_smith");
    let main = app.company_id("Main Office");
    let nyc = app.company_id("NYC");
    assert!(app.allowed(john, main));
    assert!(!app.allowed(john, nyc));
    client.bulk_grant(&BulkGrantRequest::default()).unwrap();
    assert!(app.allowed(john, nyc), "bulk add invalidates");
    let only_main = ReplaceCompanies {
        company_ids: vec![main],
        default_company_id: None,
    };
    client.replace_companies(john, &only_main).unwrap();
    assert!(!app.allowed(john, nyc), "replace invalidates");
    let deactivate = UpdateUser {
        is_active: Some(false),
        ..UpdateUser::default()
    };
    client.update_user(john, &deactivate).unwrap();
    assert!(!app.allowed(john, main), "deactivation invalidates");
    let promote = UpdateUser {
        is_active: Some(true),
        role: Some(openapi::Role::SuperAdmin),
        ..UpdateUser::default()
    };
    client.update_user(john, &promote).unwrap();
    assert!(app.allowed(john, nyc), "promotion invalidates");
    let fresh = app.create_company("Opened Later");
    assert!(
        app.allowed(john, fresh),
        "a company created after a miss is seen"
    );
    client.delete_company(main).unwrap();
    let after = client.check(john, main).unwrap();
    assert_eq!(after.reason, DecisionReason::UnknownCompany);
    client.delete_user(john).unwrap();
    let gone = client.check(john, nyc).unwrap();
    assert_eq!(gone.reason, DecisionReason::UnknownUser);
    let unknown = uuid::Uuid::new_v4();
    assert!(!app.allowed(99, unknown));
    let late = app.create_user("late_joiner", "employee");
    assert_eq!(
        client.check(late, nyc).unwrap().reason,
        DecisionReason::NoGrant
    );
}

#[test]
fn revoked_keys_stop_working_at_once() {
    let app = TestApp::spawn_demo();
    let created = app
        .client()
        .create_key(&new_key("svc", Scope::Check))
        .unwrap();
    let secret = created.secret;
    assert_eq!(app.get_as(&secret, "/whoami").status, 200);
    assert_eq!(app.get_as(&secret, "/whoami").status, 200);
    app.client().revoke_key(created.key.id).unwrap();
    assert_eq!(app.get_as(&secret, "/whoami").status, 401);
}

#[test]
fn changes_behind_the_services_back_show_within_the_ttl_while_checks_keep_the_entry_busy() {
    let ttl = Duration::from_secs(1);
    let db = TestDatabase::new();
    let app = TestApp::spawn_on(db, move |settings| {
        settings.demo = true;
        settings.cache.ttl = ttl;
    });
    let sarah = app.user_id("sarah");
    let nyc = app.company_id("NYC");
    app.client().grant_company(sarah, nyc).unwrap();
    // Busy for three TTLs: the entry is loaded again ahead of its expiry and keeps the right answer.
    let busy_until = std::time::Instant::now() + ttl * 3;
    while std::time::Instant::now() < busy_until {
        assert!(app.allowed(sarah, nyc));
    }
    app.db.execute(&format!(
        "DELETE FROM hrm_user_company_access WHERE user_id = {sarah} AND company_id IN \
         (SELECT id FROM hrm_company WHERE name = 'NYC')"
    ));
    let deleted_at = std::time::Instant::now();
    while app.allowed(sarah, nyc) {
        assert!(
            deleted_at.elapsed() < ttl + Duration::from_millis(500),
            "still allowed {:?} after the row went, TTL {ttl:?}",
            deleted_at.elapsed()
        );
    }
}

/// Polls instance `b` until the pair reads `expected`; the change must arrive, how fast is the benchmark's.
fn eventually(b: &TestApp, user: i32, company: uuid::Uuid, expected: bool) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if b.allowed(user, company) == expected {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

#[test]
fn two_instances_on_one_postgres_see_each_others_changes() {
    if !postgres_or_skip("two_instances_on_one_postgres_see_each_others_changes") {
        return;
    }
    let a = TestApp::spawn_demo();
    let b = a.replica();
    let sarah = a.user_id("sarah");
    let nyc = a.company_id("NYC");
    for round in 0..30 {
        assert!(
            !b.allowed(sarah, nyc),
            "round {round}: B starts from a cached 'no'"
        );
        a.client().grant_company(sarah, nyc).unwrap();
        assert!(
            eventually(&b, sarah, nyc, true),
            "round {round}: grant on A never reached B"
        );
        a.client().revoke_company(sarah, nyc).unwrap();
        assert!(
            eventually(&b, sarah, nyc, false),
            "round {round}: revoke on A never reached B"
        );
    }
    // Keys revoked on one instance stop working on the other.
    let created = a
        .client()
        .create_key(&new_key("svc", Scope::Check))
        .unwrap();
    let secret = created.secret;
    assert_eq!(b.get_as(&secret, "/whoami").status, 200);
    a.client().revoke_key(created.key.id).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while b.get_as(&secret, "/whoami").status == 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "revoked key still works on B"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn while_the_change_feed_is_down_checks_go_to_the_database() {
    if !postgres_or_skip("while_the_change_feed_is_down_checks_go_to_the_database") {
        return;
    }
    let a = TestApp::spawn_demo();
    let b = TestApp::spawn_on(TestDatabase::shared(&a.db), |settings| {
        settings.feed_retry = Duration::from_secs(5);
    });
    assert!(b.wait_for_feed("listening", Duration::from_secs(10)));
    let sarah = a.user_id("sarah");
    let nyc = a.company_id("NYC");
    assert!(!b.allowed(sarah, nyc), "cached on B");
    // Cut every LISTEN connection on this database: B hears nothing more until it reconnects.
    a.db.query_i64(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    );
    assert!(
        b.wait_for_feed("down", Duration::from_secs(5)),
        "B did not notice its feed went down"
    );
    a.client().grant_company(sarah, nyc).unwrap();
    assert!(
        b.allowed(sarah, nyc),
        "B answered from a cache it cannot trust"
    );
    a.client().revoke_company(sarah, nyc).unwrap();
    assert!(
        !b.allowed(sarah, nyc),
        "B answered from a cache it cannot trust"
    );
    // Back up: B trusts a fresh cache and hears changes again.
    assert!(b.wait_for_feed("listening", Duration::from_secs(15)));
    assert!(!b.allowed(sarah, nyc));
    a.client().grant_company(sarah, nyc).unwrap();
    assert!(eventually(&b, sarah, nyc, true));
}

/// A counter's or gauge's value read off `/metrics` now.
fn metric(app: &TestApp, name: &str, labels: &[(&str, &str)]) -> f64 {
    crate::metrics::value(&crate::metrics::scrape(app), name, labels)
}

fn wait_for_known_ids(app: &TestApp) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while metric(
        app,
        "company_access_cache_entries",
        &[("kind", "known_ids")],
    ) == 0.0
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the cache never read the set of ids"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn ids_that_exist_nowhere_cost_no_database_read_and_new_ones_are_found_at_once() {
    let app = TestApp::spawn_demo();
    wait_for_known_ids(&app);
    let john = app.user_id("john_smith");
    let main = app.company_id("Main Office");
    assert!(app.allowed(john, main), "john's entry is cached");
    let misses = "company_access_cache_misses_total";
    let before = metric(&app, misses, &[]);
    for n in 0..200 {
        let answer = app.get(&format!(
            "/access-check?user_id={}&company_id={}",
            900_000 + n,
            uuid::Uuid::new_v4()
        ));
        assert_eq!(answer.body["reason"], "unknown_user", "{}", answer.text);
        let answer = app.get(&format!(
            "/access-check?user_id={john}&company_id={}",
            uuid::Uuid::new_v4()
        ));
        assert_eq!(answer.body["reason"], "unknown_company", "{}", answer.text);
    }
    assert_eq!(
        metric(&app, misses, &[]),
        before,
        "made-up ids were answered from memory"
    );
    assert!(app.allowed(john, main), "john's entry is still there");

    // Created after the set was read: known at once, on the instance that wrote.
    let newcomer = app.create_user("newcomer", "employee");
    let branch = app.create_company("Newcomer Branch");
    let answer = app.get(&format!(
        "/access-check?user_id={newcomer}&company_id={main}"
    ));
    assert_eq!(answer.body["reason"], "no_grant", "{}", answer.text);
    let answer = app.get(&format!("/access-check?user_id={john}&company_id={branch}"));
    assert_eq!(answer.body["reason"], "no_grant", "{}", answer.text);
    app.client().grant_company(newcomer, branch).unwrap();
    assert!(app.allowed(newcomer, branch));
}

#[test]
fn a_user_created_on_one_instance_is_known_on_the_other() {
    if !postgres_or_skip("a_user_created_on_one_instance_is_known_on_the_other") {
        return;
    }
    let a = TestApp::spawn_demo();
    let b = a.replica();
    wait_for_known_ids(&b);
    let main = a.company_id("Main Office");
    let created = a.post("/users", &serde_json::json!({"username": "arrival"}));
    assert_eq!(created.status, 201, "{}", created.text);
    let user = created.body["id"].as_i64().unwrap();
    let check = format!("/access-check?user_id={user}&company_id={main}");
    let answer = b.get_after(&check, &created);
    assert_eq!(answer.body["reason"], "no_grant", "{}", answer.text);
    // Without the token too, once the feed has delivered it, and from memory from then on.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while b.get(&check).body["reason"] != "no_grant" {
        assert!(
            std::time::Instant::now() < deadline,
            "B never heard of the user"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Users made straight in the database, with ids from `first`: nothing tells the cache, so only its next
/// read of the known ids finds them.
fn insert_users_behind_the_service(app: &TestApp, first: i32, count: i32) {
    let (now, truthy) = if app.db.is_postgres() {
        ("CURRENT_TIMESTAMP", "true")
    } else {
        (
            "strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.000000000+00:00'",
            "1",
        )
    };
    app.db.execute(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last}) \
         INSERT INTO hrm_users (id, username, full_name, full_name_key, email, role, is_active, \
         created_at, modified_at) \
         SELECT {first} + i, 'paged' || i, 'Paged ' || i, 'paged ' || i, 'paged' || i || '@example.test', \
         'employee', {truthy}, {now}, {now} FROM n",
        last = count - 1,
    ));
}

#[test]
fn the_known_ids_are_read_whole_across_pages() {
    // Read a page at a time (10,000 ids): every id of every page must be known, or a user that exists
    // would be called unknown from memory.
    let app = TestApp::spawn_on(TestDatabase::new(), |settings| {
        settings.cache.ttl = Duration::from_secs(2);
    });
    let branch = app.create_company("Paged Branch");
    let first = 1_000_000;
    insert_users_behind_the_service(&app, first, 25_000);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while metric(
        &app,
        "company_access_cache_entries",
        &[("kind", "known_ids")],
    ) < 25_001.0
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the cache never read the new ids again"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    for user in [
        first,
        first + 9_999,
        first + 10_000,
        first + 20_001,
        first + 24_999,
    ] {
        let answer = app.get(&format!("/access-check?user_id={user}&company_id={branch}"));
        assert_eq!(
            answer.body["reason"], "no_grant",
            "user {user}: {}",
            answer.text
        );
    }
    for user in [first - 1, first + 25_000] {
        let answer = app.get(&format!("/access-check?user_id={user}&company_id={branch}"));
        assert_eq!(
            answer.body["reason"], "unknown_user",
            "user {user}: {}",
            answer.text
        );
    }
}
