//! `GET /metrics`: who may read it, that the counters move, and the keyless listener beside the service.
//! The text is read with a Prometheus text parser, as a scraper reads it.

use company_access_tests::{MASTER_KEY, TestApp, TestDatabase};
use prometheus_parse::{Sample, Scrape, Value};
use serde_json::json;

fn parse(text: &str) -> Scrape {
    Scrape::parse(text.lines().map(|line| Ok(line.to_owned()))).unwrap()
}

pub(crate) fn scrape(app: &TestApp) -> Scrape {
    let answer = app.get("/metrics");
    assert_eq!(answer.status, 200, "{}", answer.text);
    parse(&answer.text)
}

fn find<'a>(scrape: &'a Scrape, metric: &str, labels: &[(&str, &str)]) -> Option<&'a Sample> {
    scrape.samples.iter().find(|sample| {
        sample.metric == metric
            && labels
                .iter()
                .all(|(name, value)| sample.labels.get(name) == Some(*value))
    })
}

/// A counter's or gauge's value, 0 when the series is not there yet (a counter not yet moved).
pub(crate) fn value(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    match find(scrape, metric, labels).map(|sample| &sample.value) {
        Some(Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v)) => *v,
        Some(Value::Histogram(buckets)) => buckets.last().map_or(0.0, |bucket| bucket.count),
        Some(other) => panic!("{metric} is {other:?}"),
        None => 0.0,
    }
}

fn sum(scrape: &Scrape, metric: &str) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|sample| sample.metric == metric)
        .map(|sample| match sample.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => v,
            _ => 0.0,
        })
        .sum()
}

#[test]
fn metrics_need_a_key_of_scope_read() {
    let app = TestApp::spawn();
    let anonymous = app.send("GET", "/metrics", None, None);
    assert_eq!((anonymous.status, anonymous.code()), (401, "unauthorized"));
    let check = app.create_key("checker", "check");
    let below = app.send("GET", "/metrics", Some(&check), None);
    assert_eq!((below.status, below.code()), (403, "forbidden"));
    let read = app.create_key("reader", "read");
    assert_eq!(app.send("GET", "/metrics", Some(&read), None).status, 200);
    let master = app.send("GET", "/metrics", Some(MASTER_KEY), None);
    assert_eq!(master.status, 200);
    assert!(
        master.content_type.starts_with("text/plain; version=0.0.4"),
        "{}",
        master.content_type
    );
    let scrape = parse(&master.text);
    for metric in [
        "company_access_check_decisions_total",
        "company_access_cache_hits_total",
        "company_access_cache_misses_total",
        "company_access_cache_entries",
        "company_access_cache_distrust_total",
        "company_access_change_feed_up",
        "company_access_change_feed_lag_seconds",
        "company_access_db_pool_connections",
        "company_access_db_pool_max_connections",
        "company_access_audit_rows_total",
    ] {
        assert!(find(&scrape, metric, &[]).is_some(), "{metric} missing");
        assert!(scrape.docs.contains_key(metric), "{metric} has no HELP");
    }
    for reason in openapi::access::DecisionReason::ALL {
        let labels = [("reason", reason.as_str())];
        assert!(find(&scrape, "company_access_check_decisions_total", &labels).is_some());
    }
    assert_eq!(
        value(&scrape, "company_access_db_pool_max_connections", &[]),
        8.0
    );
}

#[test]
fn counters_move_with_requests_checks_and_changes() {
    let app = TestApp::spawn_demo();
    if app.db.is_postgres() {
        // Until the change feed listens the cache holds nothing, by design; the entries asserted below
        // would race it.
        assert!(app.wait_for_feed("listening", std::time::Duration::from_secs(10)));
    }
    let before = scrape(&app);
    let john = app.user_id("john_smith");
    let main = app.company_id("Main Office");
    let nyc = app.company_id("NYC");
    assert_eq!(app.get("/users").status, 200);
    assert_eq!(app.get(&format!("/users/{john}")).status, 200);
    assert_eq!(app.get("/no/such/route").status, 404);
    let single = format!("/access-check?user_id={john}&company_id={main}");
    for _ in 0..2 {
        assert_eq!(app.get(&single).body["reason"], "grant");
    }
    let batch = json!({"checks": [
        {"user_id": john, "company_id": main},
        {"user_id": john, "company_id": nyc},
        {"user_id": 999_999, "company_id": main},
    ]});
    assert_eq!(app.post("/access-check", &batch).status, 200);
    assert_eq!(
        app.post("/users", &json!({"username": "metrics_user"}))
            .status,
        201
    );
    let answer = app.get("/metrics");
    let after = parse(&answer.text);

    let requests = "company_access_http_requests_total";
    let users = [("route", "/users"), ("method", "GET"), ("status", "200")];
    assert!(value(&after, requests, &users) >= value(&before, requests, &users) + 1.0);
    let unmatched = [("route", "unmatched"), ("method", "GET"), ("status", "404")];
    assert!(value(&after, requests, &unmatched) >= 1.0);
    assert!(
        !answer.text.contains("/no/such/route"),
        "raw paths never become labels"
    );
    // The parser at hand cannot read label values holding braces; the series is there all the same.
    assert!(answer.text.contains(&format!(
        "{requests}{{route=\"/users/{{id}}\",method=\"GET\",status=\"200\"}} 1"
    )));
    let duration = "company_access_http_request_duration_seconds";
    let users_get = [("route", "/users"), ("method", "GET")];
    assert!(value(&after, duration, &users_get) >= 1.0);

    let decisions = "company_access_check_decisions_total";
    assert!(sum(&after, decisions) >= sum(&before, decisions) + 5.0);
    let grant = [("reason", "grant")];
    assert!(value(&after, decisions, &grant) >= value(&before, decisions, &grant) + 3.0);
    let unknown = [("reason", "unknown_user")];
    assert!(value(&after, decisions, &unknown) >= value(&before, decisions, &unknown) + 1.0);
    let lookups = |scrape: &Scrape| {
        value(scrape, "company_access_cache_hits_total", &[])
            + value(scrape, "company_access_cache_misses_total", &[])
    };
    assert!(lookups(&after) >= lookups(&before) + 5.0);
    assert!(
        value(&after, "company_access_audit_rows_total", &[])
            >= value(&before, "company_access_audit_rows_total", &[]) + 1.0
    );
    let users_cached = [("kind", "users")];
    assert!(value(&after, "company_access_cache_entries", &users_cached) >= 1.0);
    let pool = |state| {
        value(
            &after,
            "company_access_db_pool_connections",
            &[("state", state)],
        )
    };
    assert!(pool("in_use") + pool("idle") >= 1.0);
    if !app.db.is_postgres() {
        assert_eq!(value(&after, "company_access_change_feed_up", &[]), 1.0);
        assert_eq!(
            value(&after, "company_access_change_feed_lag_seconds", &[]),
            0.0
        );
    }
}

#[test]
fn the_separate_listener_serves_metrics_without_a_key_and_nothing_else() {
    let app = TestApp::spawn_on(TestDatabase::new(), |settings| {
        settings.metrics_bind = Some("127.0.0.1:0".parse().unwrap());
    });
    let port = app.metrics_port.expect("the metrics listener is bound");
    assert_ne!(port, 0);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .get(&format!("http://127.0.0.1:{port}/metrics"))
        .call()
        .unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers().get("content-type").unwrap();
    assert!(
        content_type
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let scrape = parse(&response.body_mut().read_to_string().unwrap());
    assert!(find(&scrape, "company_access_audit_rows_total", &[]).is_some());
    let other = agent
        .get(&format!("http://127.0.0.1:{port}/users"))
        .header("Authorization", format!("Bearer {MASTER_KEY}"))
        .call()
        .unwrap();
    assert_eq!(other.status(), 404, "only /metrics is served there");
    // Without the setting there is no such listener.
    assert_eq!(TestApp::spawn().metrics_port, None);
}
