//! OpenTelemetry traces end to end: a fake OTLP/HTTP collector in the test records what the service
//! exports, and requests go through the production app factory with tracing on, off, sampled out, or
//! pointed at a collector that is down or never answers.

use api::config::CorsOrigins;
use api::otel::TraceSettings;
use api::otel::sampler::{Root, Sampler};
use company_access_tests::{Answer, MASTER_KEY, TestApp, TestDatabase};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT: &str = "00f067aa0ba902b7";

/// One POST the collector received.
#[derive(Debug, Clone)]
struct Export {
    path: String,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Export {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// A fake collector: a plain HTTP/1.1 server on port 0 that answers every request `200 {}` and keeps
/// its JSON body. Connections are kept alive, as the exporter's client expects.
struct Collector {
    port: u16,
    exports: Arc<Mutex<Vec<Export>>>,
}

fn serve_connection(stream: TcpStream, exports: &Mutex<Vec<Export>>) -> Option<()> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let path = line.split_whitespace().nth(1)?.to_owned();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).ok()?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (key, value) = line.split_once(':')?;
            headers.push((key.trim().to_owned(), value.trim().to_owned()));
        }
        let length: usize = headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body).ok()?;
        exports.lock().unwrap().push(Export {
            path,
            headers,
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        });
        writer
            .write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
            )
            .ok()?;
    }
}

impl Collector {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let exports = Arc::new(Mutex::new(Vec::new()));
        let kept = exports.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let exports = kept.clone();
                std::thread::spawn(move || serve_connection(stream, &exports));
            }
        });
        Collector { port, exports }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/v1/traces", self.port)
    }

    fn exports(&self) -> Vec<Export> {
        self.exports.lock().unwrap().clone()
    }

    /// Every span received so far, with the export that carried it.
    fn spans(&self) -> Vec<(Export, Value)> {
        let mut spans = Vec::new();
        for export in self.exports() {
            for resource in export.body["resourceSpans"]
                .as_array()
                .into_iter()
                .flatten()
            {
                for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
                    for span in scope["spans"].as_array().into_iter().flatten() {
                        spans.push((export.clone(), span.clone()));
                    }
                }
            }
        }
        spans
    }

    /// The first span of `trace_id`, waiting for its batch.
    fn wait_for_trace(&self, trace_id: &str) -> (Export, Value) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(found) = self
                .spans()
                .into_iter()
                .find(|(_, span)| span["traceId"] == trace_id)
            {
                return found;
            }
            assert!(Instant::now() < deadline, "no span of trace {trace_id}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A service exporting to `endpoint` in batches sent every 50 ms.
fn traced(endpoint: String, tweak: impl FnOnce(&mut TraceSettings) + Send + 'static) -> TestApp {
    traced_with(endpoint, tweak, |_| {})
}

fn traced_with(
    endpoint: String,
    tweak: impl FnOnce(&mut TraceSettings) + Send + 'static,
    also: impl FnOnce(&mut api::Settings) + Send + 'static,
) -> TestApp {
    let mut traces = TraceSettings::new(endpoint);
    traces.schedule_delay = Duration::from_millis(50);
    tweak(&mut traces);
    TestApp::spawn_on(TestDatabase::new(), move |settings| {
        settings.traces = Some(traces);
        also(settings);
    })
}

fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Answer {
    app.send_headers("GET", path, Some(MASTER_KEY), headers)
}

/// The answered `traceparent`, split into trace id, span id and flags.
fn traceparent(answer: &Answer) -> (String, String, String) {
    let value = answer
        .header("traceparent")
        .expect("no traceparent answered");
    let parts: Vec<&str> = value.split('-').collect();
    assert_eq!((parts.len(), parts[0]), (4, "00"), "{value}");
    (parts[1].into(), parts[2].into(), parts[3].into())
}

/// An attribute's value object (`{"stringValue": …}` or `{"intValue": …}`), `Null` when absent.
fn attribute(span: &Value, key: &str) -> Value {
    span["attributes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|attribute| attribute["key"] == key)
        .map_or(Value::Null, |attribute| attribute["value"].clone())
}

fn string(span: &Value, key: &str) -> Option<String> {
    attribute(span, key)["stringValue"]
        .as_str()
        .map(str::to_owned)
}

fn counter(app: &TestApp, name: &str) -> f64 {
    let text = app.get("/metrics").text;
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{name} not in the metrics"))
}

/// Waits for a counter to move off 0.
fn wait_for_counter(app: &TestApp, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while counter(app, name) == 0.0 {
        assert!(Instant::now() < deadline, "{name} stayed 0");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_request_is_exported_as_a_server_span_in_the_callers_trace() {
    let collector = Collector::start();
    let app = traced(collector.endpoint(), |traces| {
        traces.headers = vec![("Authorization".into(), "Bearer collector-key".into())];
    });
    let user = app.create_user("traced_user", "employee");
    let path = format!("/users/{user}/companies");
    let response = get(
        &app,
        &path,
        &[
            ("traceparent", &format!("00-{TRACE}-{PARENT}-01")),
            ("tracestate", "vendor=opaque"),
            ("X-Request-Id", "trace-req-1"),
        ],
    );
    assert_eq!(response.status, 200);
    let (trace_id, span_id, flags) = traceparent(&response);
    assert_eq!((trace_id.as_str(), flags.as_str()), (TRACE, "01"));
    assert_ne!(span_id, PARENT);

    let (export, span) = collector.wait_for_trace(TRACE);
    assert_eq!(export.path, "/v1/traces");
    assert_eq!(export.header("content-type"), Some("application/json"));
    assert_eq!(export.header("authorization"), Some("Bearer collector-key"));
    let resource = &export.body["resourceSpans"][0]["resource"];
    let service = |key| string(resource, key);
    assert_eq!(service("service.name").as_deref(), Some("company-access"));
    assert_eq!(
        service("service.version").as_deref(),
        Some(env!("CARGO_PKG_VERSION"))
    );

    assert_eq!(span["name"], "GET /users/{id}/companies");
    assert_eq!(span["kind"], 2);
    assert_eq!(span["spanId"], span_id.as_str());
    assert_eq!(span["parentSpanId"], PARENT);
    assert_eq!(span["traceState"], "vendor=opaque");
    assert!(span.get("status").is_none(), "{span}");
    let start: u64 = span["startTimeUnixNano"].as_str().unwrap().parse().unwrap();
    let end: u64 = span["endTimeUnixNano"].as_str().unwrap().parse().unwrap();
    assert!(start > 1_600_000_000_000_000_000 && start <= end, "{span}");
    assert_eq!(string(&span, "http.request.method").as_deref(), Some("GET"));
    assert_eq!(
        string(&span, "http.route").as_deref(),
        Some("/users/{id}/companies")
    );
    assert_eq!(string(&span, "url.path"), Some(path));
    assert_eq!(
        attribute(&span, "http.response.status_code")["intValue"],
        "200"
    );
    assert_eq!(
        string(&span, "company_access.request_id").as_deref(),
        response.header("x-request-id")
    );
    assert_eq!(response.header("x-request-id"), Some("trace-req-1"));
    let port = app.address.rsplit(':').next().unwrap();
    assert_eq!(attribute(&span, "server.port")["intValue"], port);
    assert_eq!(
        string(&span, "server.address").as_deref(),
        Some("127.0.0.1")
    );
    assert!(string(&span, "user_agent.original").is_some(), "{span}");
    assert_eq!(attribute(&span, "error.type"), Value::Null);
    // Counted once the collector has answered, a moment after it kept the body.
    wait_for_counter(&app, "company_access_trace_spans_exported_total");
}

#[test]
fn unmatched_failed_and_untraced_requests_get_spans_of_their_own() {
    let collector = Collector::start();
    let app = traced(collector.endpoint(), |_| {});
    // An uppercase id is not a valid traceparent: it is ignored and a new trace starts.
    let invalid = format!("00-{}-{PARENT}-01", TRACE.to_uppercase());
    let unmatched = get(&app, "/no/such/route", &[("traceparent", &invalid)]);
    assert_eq!(unmatched.status, 404);
    let (trace_id, _, flags) = traceparent(&unmatched);
    assert_ne!(trace_id.to_uppercase(), TRACE.to_uppercase());
    assert_eq!(flags, "01");
    let (_, span) = collector.wait_for_trace(&trace_id);
    assert_eq!(span["name"], "GET");
    assert!(span.get("parentSpanId").is_none(), "{span}");
    assert_eq!(attribute(&span, "http.route"), Value::Null);
    assert_eq!(
        attribute(&span, "http.response.status_code")["intValue"],
        "404"
    );
    assert!(
        span.get("status").is_none(),
        "a 404 is not the server's error"
    );
    // The generated request id, as answered.
    let request_id = unmatched.header("x-request-id").unwrap();
    assert_eq!(request_id.len(), 36);
    assert_eq!(
        string(&span, "company_access.request_id").as_deref(),
        Some(request_id)
    );

    // Break the schema under the running server: the next read is a 500.
    app.db.execute("DROP TABLE hrm_audit_log");
    let failed = get(&app, "/audit", &[]);
    assert_eq!(failed.status, 500);
    let (trace_id, _, _) = traceparent(&failed);
    let (_, span) = collector.wait_for_trace(&trace_id);
    assert_eq!(span["name"], "GET /audit");
    assert_eq!(span["status"]["code"], 2);
    assert_eq!(string(&span, "error.type").as_deref(), Some("500"));
}

#[test]
fn a_request_cut_off_by_its_deadline_has_its_span_too() {
    let collector = Collector::start();
    let app = traced_with(
        collector.endpoint(),
        |_| {},
        |settings| settings.db_timeout = Duration::from_millis(300),
    );
    // Another connection holds the write lock, so the next write waits past the deadline.
    let runtime = company_access_tests::runtime();
    let holder = runtime.block_on(async {
        use sea_orm::{ConnectionTrait, TransactionTrait};
        let db = sea_orm::Database::connect(&app.db.url).await.unwrap();
        let lock = if app.db.is_postgres() {
            "LOCK TABLE hrm_users IN EXCLUSIVE MODE"
        } else {
            "UPDATE hrm_users SET full_name = full_name"
        };
        let transaction = db.begin().await.unwrap();
        transaction.execute_unprepared(lock).await.unwrap();
        (db, transaction)
    });
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let answer = agent
        .post(app.url("/users"))
        .header("Authorization", format!("Bearer {MASTER_KEY}"))
        .header("traceparent", format!("00-{TRACE}-{PARENT}-01"))
        .content_type("application/json")
        .send(r#"{"username": "late_user"}"#);
    let mut answer = answer.unwrap();
    let status = answer.status().as_u16();
    let text = answer.body_mut().read_to_string().unwrap_or_default();
    runtime.block_on(async {
        let (db, transaction) = holder;
        transaction.rollback().await.unwrap();
        db.close().await.unwrap();
    });
    assert_eq!(status, 503, "{text}");
    let (_, span) = collector.wait_for_trace(TRACE);
    // The deadline answers for the whole chain, past the router: the span knows the method, not the route.
    assert_eq!(span["name"], "POST");
    assert_eq!(span["parentSpanId"], PARENT);
    assert_eq!(span["status"]["code"], 2);
    assert_eq!(string(&span, "error.type").as_deref(), Some("503"));
    assert_eq!(string(&span, "url.path").as_deref(), Some("/users"));
}

#[test]
fn sampling_follows_the_callers_flag_and_always_off_exports_nothing() {
    let collector = Collector::start();
    let app = traced(collector.endpoint(), |_| {});
    // The default, parentbased_always_on: a caller that sampled its trace out is followed.
    let unsampled_trace = "11111111111111111111111111111111";
    let response = get(
        &app,
        "/health",
        &[("traceparent", &format!("00-{unsampled_trace}-{PARENT}-00"))],
    );
    let (trace_id, _, flags) = traceparent(&response);
    assert_eq!((trace_id.as_str(), flags.as_str()), (unsampled_trace, "00"));
    let sampled = get(
        &app,
        "/health",
        &[("traceparent", &format!("00-{TRACE}-{PARENT}-01"))],
    );
    assert_eq!(traceparent(&sampled).2, "01");
    collector.wait_for_trace(TRACE);
    // Stopping flushes whatever is left: the unsampled request had its chance.
    drop(app);
    let traces: Vec<_> = collector
        .spans()
        .iter()
        .map(|(_, span)| span["traceId"].clone())
        .collect();
    assert_eq!(traces, [TRACE]);

    let silent = Collector::start();
    let app = traced(silent.endpoint(), |traces| {
        traces.sampler = Sampler {
            root: Root::AlwaysOff,
            parent_based: false,
        };
    });
    for _ in 0..5 {
        let response = get(
            &app,
            "/health",
            &[("traceparent", &format!("00-{TRACE}-{PARENT}-01"))],
        );
        assert_eq!(response.status, 200);
        assert_eq!(traceparent(&response).2, "00");
    }
    drop(app);
    assert!(silent.exports().is_empty(), "{:?}", silent.exports());
}

#[test]
fn without_an_endpoint_nothing_is_traced() {
    let app = TestApp::spawn();
    let response = get(
        &app,
        "/health",
        &[("traceparent", &format!("00-{TRACE}-{PARENT}-01"))],
    );
    assert_eq!(response.status, 200);
    assert_eq!(response.header("traceparent"), None);
    for name in [
        "company_access_trace_spans_dropped_total",
        "company_access_trace_spans_exported_total",
        "company_access_trace_spans_failed_total",
    ] {
        assert_eq!(counter(&app, name), 0.0, "{name}");
    }
}

#[test]
fn the_last_spans_are_sent_when_the_service_stops() {
    let collector = Collector::start();
    let app = traced(collector.endpoint(), |traces| {
        traces.schedule_delay = Duration::from_secs(3600);
    });
    let response = get(&app, "/health", &[]);
    let (trace_id, _, _) = traceparent(&response);
    assert!(collector.exports().is_empty());
    drop(app);
    let spans = collector.spans();
    assert_eq!(spans.len(), 1, "{spans:?}");
    assert_eq!(spans[0].1["traceId"], trace_id.as_str());
}

#[test]
fn a_browser_page_of_an_allowed_origin_may_send_and_read_the_trace_context() {
    let collector = Collector::start();
    let app = traced_with(
        collector.endpoint(),
        |_| {},
        |settings| settings.cors = CorsOrigins::List(vec!["https://hr.example.com".into()]),
    );
    let preflight = app.send_headers(
        "OPTIONS",
        "/users",
        None,
        &[
            ("Origin", "https://hr.example.com"),
            ("Access-Control-Request-Method", "GET"),
            (
                "Access-Control-Request-Headers",
                "authorization, traceparent, tracestate",
            ),
        ],
    );
    assert!(
        preflight.status < 300,
        "{} {}",
        preflight.status,
        preflight.text
    );
    let allowed = preflight
        .header("access-control-allow-headers")
        .unwrap_or("")
        .to_ascii_lowercase();
    assert!(
        allowed.contains("traceparent") && allowed.contains("tracestate"),
        "{allowed}"
    );
    let answer = get(
        &app,
        "/users",
        &[
            ("Origin", "https://hr.example.com"),
            ("traceparent", &format!("00-{TRACE}-{PARENT}-01")),
        ],
    );
    assert_eq!(answer.status, 200);
    let exposed = answer
        .header("access-control-expose-headers")
        .unwrap_or("")
        .to_ascii_lowercase();
    assert!(exposed.contains("traceparent"), "{exposed}");
    assert_eq!(traceparent(&answer).0, TRACE);
    collector.wait_for_trace(TRACE);
}

/// Every request answered 200 well within `limit`, although the exporter behind them is stuck.
fn all_fast(app: &TestApp, requests: usize, limit: Duration) {
    for _ in 0..requests {
        let started = Instant::now();
        assert_eq!(get(app, "/health", &[]).status, 200);
        let took = started.elapsed();
        assert!(took < limit, "a request took {took:?}");
    }
}

#[test]
fn a_collector_that_is_down_or_silent_slows_no_request() {
    // Down: nothing listens on the port any more.
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let app = traced(format!("http://127.0.0.1:{port}/v1/traces"), |traces| {
        traces.schedule_delay = Duration::from_millis(10);
    });
    all_fast(&app, 50, Duration::from_secs(1));
    wait_for_counter(&app, "company_access_trace_spans_failed_total");
    assert_eq!(
        counter(&app, "company_access_trace_spans_exported_total"),
        0.0
    );
    drop(app);

    // Silent: it takes connections and never answers, so each export waits for its timeout while the
    // small queue fills and the rest is dropped.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}/v1/traces", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let held: Vec<TcpStream> = listener.incoming().flatten().collect();
        drop(held);
    });
    let timeout = Duration::from_secs(3);
    let app = traced(endpoint, move |traces| {
        traces.schedule_delay = Duration::from_millis(10);
        traces.max_queue = 4;
        traces.max_batch = 2;
        traces.export_timeout = timeout;
    });
    all_fast(&app, 60, Duration::from_secs(1));
    assert!(counter(&app, "company_access_trace_spans_dropped_total") > 0.0);
    // Stopping does not hang on a collector that never answers: it waits at most one export timeout. The
    // margin is for the rest of a stop (the server, the change feed, dropping the test database) on a
    // loaded machine.
    let stopping = Instant::now();
    drop(app);
    assert!(
        stopping.elapsed() < timeout + Duration::from_secs(10),
        "{:?}",
        stopping.elapsed()
    );
}
