//! Faults as an operator meets them: a replica cut off from PostgreSQL by the network, PostgreSQL
//! restarting under a replica, a pool of one, a second instance on one SQLite file, callers without a
//! key, and a body that never finishes arriving. (A server killed mid-write: `tests/cli/crash.rs`.)

use api::Application;
use company_access_tests::proxy::CuttableProxy;
use company_access_tests::{MASTER_KEY, TestApp, TestDatabase, postgres_or_skip, settings_for};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

const BOUND: Duration = Duration::from_millis(500);
const DB_TIMEOUT: Duration = Duration::from_secs(1);
/// Scheduling slack on a loaded 2-core machine, beyond the bound under test.
const SLACK: Duration = Duration::from_millis(300);

/// Instance B on A's database through `proxy`, with the bound and timeout under test (and `tweak`), once
/// it has seen A grant sarah NYC: (B, sarah, NYC).
fn replica_through(
    a: &TestApp,
    proxy: &CuttableProxy,
    tweak: impl FnOnce(&mut api::Settings) + Send + 'static,
) -> (TestApp, i32, uuid::Uuid) {
    let through_proxy = proxy.url_for(&a.db.url);
    assert_ne!(
        through_proxy, a.db.url,
        "the test database must be on 127.0.0.1:5432"
    );
    let b = TestApp::spawn_on(TestDatabase::shared(&a.db), move |settings| {
        settings.database_url = through_proxy;
        settings.max_staleness = BOUND;
        settings.db_timeout = DB_TIMEOUT;
        tweak(settings);
    });
    assert!(b.wait_for_feed("listening", Duration::from_secs(10)));
    let sarah = a.user_id("sarah");
    let nyc = a.company_id("NYC");
    a.client().grant_company(sarah, nyc).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !b.allowed(sarah, nyc) {
        assert!(Instant::now() < deadline, "B never saw the grant");
    }
    (b, sarah, nyc)
}

#[test]
fn a_replica_cut_off_from_postgresql_never_answers_from_memory_past_the_bound() {
    if !postgres_or_skip(
        "a_replica_cut_off_from_postgresql_never_answers_from_memory_past_the_bound",
    ) {
        return;
    }
    let a = TestApp::spawn_demo();
    let proxy = CuttableProxy::start("127.0.0.1:5432".parse().unwrap());
    let (b, sarah, nyc) = replica_through(&a, &proxy, |_| {});

    proxy.cut();
    let cut_at = Instant::now();
    a.client().revoke_company(sarah, nyc).unwrap();
    let check = format!("/access-check?user_id={sarah}&company_id={nyc}");
    let mut from_memory_after_bound = 0;
    let mut unavailable = 0;
    // Readiness first: it must turn 503 within the bound, asking nothing of the unreachable database.
    let mut ready_503_after = None;
    while cut_at.elapsed() < Duration::from_secs(3) {
        if b.send("GET", "/ready", None, None).status == 503 {
            ready_503_after = Some(cut_at.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    // Then checks: from memory only within the bound, afterwards from the database or 503.
    while cut_at.elapsed() < Duration::from_secs(3) {
        let asked = Instant::now();
        let answer = b.get(&check);
        let late = asked.duration_since(cut_at) > BOUND + SLACK;
        match answer.status {
            200 if late => from_memory_after_bound += 1,
            200 => {}
            503 => {
                unavailable += 1;
                assert!(answer.header("retry-after").is_some());
                assert!(
                    asked.elapsed() < DB_TIMEOUT + SLACK,
                    "a 503 took {:?}",
                    asked.elapsed()
                );
            }
            other => panic!("check answered {other}: {}", answer.text),
        }
    }
    assert_eq!(
        from_memory_after_bound, 0,
        "B answered from memory it could not trust"
    );
    assert!(unavailable > 0, "B never said it could not answer");
    let ready_after = ready_503_after.expect("/ready never said 503");
    assert!(
        ready_after < BOUND + SLACK,
        "/ready said 503 only after {ready_after:?}"
    );

    // A write while the database is unreachable: 503 with Retry-After within the database timeout.
    let asked = Instant::now();
    let write = b.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_id": nyc}),
    );
    assert_eq!(write.status, 503, "{}", write.text);
    assert_eq!(write.code(), "unavailable");
    assert!(write.header("retry-after").is_some());
    assert!(
        asked.elapsed() < DB_TIMEOUT + SLACK,
        "the write took {:?}",
        asked.elapsed()
    );

    proxy.restore();
    assert!(b.wait_for_feed("listening", Duration::from_secs(15)));
    assert!(
        !b.allowed(sarah, nyc),
        "B kept the grant revoked while it was cut off"
    );
    a.client().grant_company(sarah, nyc).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !b.allowed(sarah, nyc) {
        assert!(Instant::now() < deadline, "B never heard again");
    }
}

#[test]
fn a_pool_of_one_serves_requests_beside_the_change_feed() {
    if !postgres_or_skip("a_pool_of_one_serves_requests_beside_the_change_feed") {
        return;
    }
    let app = TestApp::spawn_on(TestDatabase::new(), |settings| {
        settings.demo = true;
        settings.max_db_connections = 1;
    });
    assert!(app.wait_for_feed("listening", Duration::from_secs(10)));
    let sarah = app.user_id("sarah");
    let nyc = app.company_id("NYC");
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..10 {
                    assert_eq!(app.get(&format!("/users/{sarah}/companies")).status, 200);
                    assert_eq!(app.get("/stats").status, 200);
                }
            });
        }
        app.client().grant_company(sarah, nyc).unwrap();
        app.client().revoke_company(sarah, nyc).unwrap();
    });
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_second_instance_on_the_same_sqlite_file_is_refused() {
    let first = TestApp::spawn();
    if first.db.is_postgres() {
        eprintln!("SKIPPED a_second_instance_on_the_same_sqlite_file_is_refused: SQLite only");
        return;
    }
    let second = settings_for(&TestDatabase::shared(&first.db), false);
    let refused =
        actix_web::rt::System::new().block_on(async { Application::build(second).await.err() });
    let message = refused.map(|error| error.to_string()).unwrap_or_default();
    assert!(
        message.contains("Another company-access serve is already using"),
        "{message}"
    );
    assert_eq!(first.get("/ready").status, 200);
}

/// Every secured operation of the document, with its path filled with values that do not parse.
fn secured_operations(document: &Value) -> Vec<(String, String)> {
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if operation.get("security").is_none() {
                continue;
            }
            let bad_path: String = path
                .split('/')
                .map(|part| {
                    if part.starts_with('{') {
                        "not%20valid"
                    } else {
                        part
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            operations.push((method.to_ascii_uppercase(), bad_path));
        }
    }
    operations
}

#[test]
fn authentication_comes_before_any_look_at_the_request() {
    let app = TestApp::spawn_demo();
    let document = app.get("/openapi.json").body;
    let operations = secured_operations(&document);
    assert!(operations.len() > 20, "{operations:?}");
    let audit_before = app.audit_count();
    for (method, path) in &operations {
        let query = format!("{path}?no_such_parameter=%00&limit=-1");
        for key in [None, Some("not-a-key-anyone-issued")] {
            for body in [
                None,
                Some(("text/plain", "{")),
                Some(("application/json", "[1,")),
            ] {
                let answer = app.send(method, &query, key, body);
                assert_eq!(
                    answer.status, 401,
                    "{method} {query} {key:?} {body:?}: {}",
                    answer.text
                );
                assert_eq!(answer.code(), "unauthorized");
            }
        }
    }
    // Unknown paths and wrong methods too: a caller without a key learns nothing about the routes.
    for (method, path) in [
        ("GET", "/nowhere"),
        ("TRACE", "/users"),
        ("DELETE", "/stats"),
    ] {
        assert_eq!(
            app.send(method, path, None, None).status,
            401,
            "{method} {path}"
        );
    }
    assert_eq!(app.audit_count(), audit_before);
}

#[test]
fn a_body_that_trickles_in_is_cut_off_with_408() {
    let app = TestApp::spawn_on(TestDatabase::new(), |settings| {
        settings.body_timeout = Duration::from_secs(1);
    });
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "POST /access-check HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {MASTER_KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{{\"checks\": ["
    );
    stream.write_all(head.as_bytes()).unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    // A byte every 300 ms: never enough to finish within the timeout.
    loop {
        std::thread::sleep(Duration::from_millis(300));
        if stream.write_all(b" ").is_err() {
            break;
        }
        stream.set_nonblocking(true).unwrap();
        let read = stream.read(&mut buffer);
        stream.set_nonblocking(false).unwrap();
        match read {
            Ok(0) => break,
            Ok(n) => {
                answer.extend_from_slice(&buffer[..n]);
                break;
            }
            Err(_) if started.elapsed() < Duration::from_secs(8) => continue,
            Err(_) => break,
        }
    }
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("request_timeout"), "{text}");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(4),
        "{waited:?}"
    );
}

#[test]
fn a_postgresql_restart_costs_503s_and_never_a_stale_answer_past_the_bound_or_a_500() {
    if !postgres_or_skip(
        "a_postgresql_restart_costs_503s_and_never_a_stale_answer_past_the_bound_or_a_500",
    ) {
        return;
    }
    let a = TestApp::spawn_demo();
    let proxy = CuttableProxy::start("127.0.0.1:5432".parse().unwrap());
    let (b, sarah, nyc) = replica_through(&a, &proxy, |settings| {
        settings.feed_retry = Duration::from_millis(200);
    });

    proxy.go_down();
    a.client().revoke_company(sarah, nyc).unwrap();
    let check = format!("/access-check?user_id={sarah}&company_id={nyc}");
    let down_at = Instant::now();
    let (mut unavailable, mut right) = (0, 0);
    let mut went_up = false;
    while down_at.elapsed() < Duration::from_secs(20) {
        if !went_up && down_at.elapsed() > Duration::from_secs(2) {
            proxy.up();
            went_up = true;
        }
        let sent = Instant::now();
        let answer = b.get(&check);
        match answer.status {
            // Until B's feed notices its links are gone it may still answer from memory, as the
            // staleness bound allows; never past the bound.
            200 if answer.body["allowed"] != false => {
                assert!(
                    sent.duration_since(down_at) <= BOUND,
                    "a stale answer {:?} after the restart began: {}",
                    sent.duration_since(down_at),
                    answer.text
                );
            }
            200 => {
                right += 1;
                if went_up && right >= 20 {
                    break;
                }
            }
            503 => {
                assert!(answer.header("retry-after").is_some());
                unavailable += 1;
            }
            other => panic!("a check answered {other} around a restart: {}", answer.text),
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(unavailable > 0, "B never said it could not answer");
    assert!(
        right >= 20,
        "B did not come back: {right} answers after the restart"
    );
    // Every route works again on fresh connections: a write on B, seen by A.
    let write = b.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_id": nyc}),
    );
    assert_eq!(write.status, 201, "{}", write.text);
    assert!(a.allowed(sarah, nyc));
    assert!(b.wait_for_feed("listening", Duration::from_secs(10)));
    assert_eq!(b.send("GET", "/ready", None, None).status, 200);
}

#[test]
fn sqlite_copies_its_write_ahead_log_into_the_database_file_within_seconds() {
    let app = TestApp::spawn();
    if app.db.is_postgres() {
        eprintln!("SKIPPED sqlite_copies_its_write_ahead_log…: the write-ahead log is SQLite's");
        return;
    }
    for n in 0..100 {
        app.create_company(&format!("Logged {n:03}"));
    }
    // A commit only appends to the log; the database file holds every page once the background
    // checkpoint has copied them, and then the log starts over instead of growing.
    let file = app.db.data_dir().join("test.db");
    let pages = app.db.query_i64("PRAGMA page_count") * app.db.query_i64("PRAGMA page_size");
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut size = 0;
    while Instant::now() < deadline {
        size = std::fs::metadata(&file).unwrap().len() as i64;
        if size >= pages {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("after 10 s the database file has {size} bytes of the {pages} its pages take");
}
