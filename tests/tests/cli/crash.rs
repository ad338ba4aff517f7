//! A server killed in the middle of writes (SIGKILL: what the OOM killer or an operator's `kill -9`
//! does) loses nothing it acknowledged and leaves no half-done write behind: every grant has its audit
//! entry, a bulk grant is there whole or not at all, and a restart on the same database serves at once
//! (on SQLite the instance lock died with the process).

use company_access_tests::binary::Server;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use ureq::Agent;

fn agent() -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// (status, body); `None` when the server is gone.
fn call(server: &Server, method: &str, path: &str, body: Option<&Value>) -> Option<(u16, Value)> {
    let request = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", server.url))
        .header("Authorization", format!("Bearer {}", server.key));
    let response = match body {
        Some(body) => agent().run(
            request
                .header("Content-Type", "application/json")
                .body(body.to_string())
                .ok()?,
        ),
        None => agent().run(request.body(()).ok()?),
    };
    let mut response = response.ok()?;
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().ok()?;
    Some((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

fn made(server: &Server, path: &str, body: Value) -> Value {
    let (status, created) = call(server, "POST", path, Some(&body)).expect("server up");
    assert_eq!(status, 201, "{created}");
    created
}

/// The `company_id`s of one page (grants or audit entries), read with the master key.
fn company_ids(server: &Server, path: &str) -> BTreeSet<String> {
    let (status, page) = call(server, "GET", path, None).expect("server up");
    assert_eq!(status, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["company_id"].as_str().unwrap().to_owned())
        .collect()
}

/// The companies granted to `user`, by id.
fn granted(server: &Server, user: i64) -> BTreeSet<String> {
    company_ids(
        server,
        &format!("/users/{user}/companies?include_expired=true"),
    )
}

/// The companies the audit says were granted to `user`.
fn audited(server: &Server, user: i64) -> BTreeSet<String> {
    company_ids(
        server,
        &format!("/audit?user_id={user}&action=access.grant&limit=500"),
    )
}

#[test]
fn a_server_killed_mid_write_loses_nothing_acknowledged_and_leaves_no_half_write() {
    let mut server = Server::start();
    let companies: Vec<String> = (0..60)
        .map(|n| {
            made(
                &server,
                "/companies",
                json!({"name": format!("Crash Co {n}")}),
            )["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let user = |name: String| {
        made(&server, "/users", json!({"username": name}))["id"]
            .as_i64()
            .unwrap()
    };
    let singles: Vec<i64> = (0..10).map(|n| user(format!("crash_single_{n}"))).collect();
    let bulk: Vec<i64> = (0..10).map(|n| user(format!("crash_bulk_{n}"))).collect();
    let pairs: Vec<(i64, String)> = singles
        .iter()
        .flat_map(|user| {
            companies
                .iter()
                .map(move |company| (*user, company.clone()))
        })
        .collect();

    let acknowledged = Mutex::new(Vec::new());
    let attempted = AtomicUsize::new(0);
    let bulk_answer = Mutex::new(None);
    std::thread::scope(|scope| {
        let writers = 6;
        for writer in 0..writers {
            let (pairs, acknowledged, attempted, server) =
                (&pairs, &acknowledged, &attempted, &server);
            scope.spawn(move || {
                for (user, company) in pairs.iter().skip(writer).step_by(writers) {
                    attempted.fetch_add(1, Ordering::SeqCst);
                    let body = json!({"company_id": company});
                    match call(
                        server,
                        "POST",
                        &format!("/users/{user}/companies"),
                        Some(&body),
                    ) {
                        Some((201, _)) => {
                            acknowledged.lock().unwrap().push((*user, company.clone()))
                        }
                        Some((status, body)) => panic!("grant answered {status}: {body}"),
                        None => return,
                    }
                }
            });
        }
        let (bulk, companies, bulk_answer, server) = (&bulk, &companies, &bulk_answer, &server);
        scope.spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            let body = json!({"user_ids": bulk, "company_ids": companies});
            *bulk_answer.lock().unwrap() = call(server, "POST", "/access/bulk", Some(&body));
        });
        // Kill while the writers are in full flow.
        while acknowledged.lock().unwrap().len() < 40 {
            std::thread::sleep(Duration::from_millis(1));
        }
        // SIGKILL through the process id: the writers still hold the server.
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &server.pid().to_string()])
            .status();
        assert!(killed.is_ok_and(|status| status.success()));
    });
    server.kill();
    let acknowledged = acknowledged.into_inner().unwrap();
    let attempted = attempted.into_inner();
    assert!(
        acknowledged.len() < pairs.len() && attempted > acknowledged.len(),
        "the kill came after the writes ({} of {} acknowledged, {attempted} attempted)",
        acknowledged.len(),
        pairs.len()
    );

    server.start_again();
    for user in &singles {
        let grants = granted(&server, *user);
        assert_eq!(
            grants,
            audited(&server, *user),
            "user {user}: a grant without its audit entry, or the reverse"
        );
        for (_, company) in acknowledged.iter().filter(|(u, _)| u == user) {
            assert!(grants.contains(company), "an acknowledged grant was lost");
        }
    }
    let bulk_grants: usize = bulk.iter().map(|user| granted(&server, *user).len()).sum();
    let whole = bulk.len() * companies.len();
    assert!(
        bulk_grants == 0 || bulk_grants == whole,
        "a bulk grant half done: {bulk_grants} of {whole}"
    );
    match bulk_answer.into_inner().unwrap() {
        Some((200 | 201, _)) => {
            assert_eq!(bulk_grants, whole, "an acknowledged bulk grant was lost")
        }
        Some((status, body)) => panic!("bulk answered {status}: {body}"),
        None => {}
    }
    // And the restarted server takes writes at once.
    let body = json!({"company_id": companies[0]});
    let (status, answer) = call(
        &server,
        "POST",
        &format!("/users/{}/companies", bulk[0]),
        Some(&body),
    )
    .expect("up");
    assert!(matches!(status, 201 | 409), "{status}: {answer}");
}
