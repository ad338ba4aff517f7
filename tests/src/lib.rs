//! Test harness: a real server built by the production app factory (`api::Application`), on a fresh
//! database per test: a SQLite file in a temporary folder, or, when `TEST_DATABASE_URL` names a PostgreSQL
//! server, a new database there that is dropped afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod binary;
pub mod proxy;

use api::{Application, Settings};
use company_access::client::Api;
use openapi::companies::{CreateCompany, ListCompaniesQuery};
use openapi::keys::CreateKey;
use openapi::users::{CreateUser, ListUsersQuery};
use openapi::{CompanyName, KeyName, Scope, Username};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;
use ureq::Agent;
use uuid::Uuid;

pub const MASTER_KEY: &str = "test-master-key-0123456789abcdef";

/// A database made for one test.
pub struct TestDatabase {
    pub url: String,
    /// For PostgreSQL: the server URL to drop the database through, and its name.
    postgres: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

/// True when PostgreSQL tests can run; otherwise says clearly that this test skips (CI sets the URL).
pub fn postgres_or_skip(test: &str) -> bool {
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty()) {
        return true;
    }
    eprintln!("SKIPPED {test}: needs PostgreSQL (set TEST_DATABASE_URL; CI runs it)");
    false
}

/// A runtime for the tests' own database work, beside the server's.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Replaces the database name (the path) of a PostgreSQL URL.
fn with_database(server_url: &str, name: &str) -> String {
    let (base, query) = server_url
        .split_once('?')
        .map_or((server_url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut url = format!("{}/{}", &base[..host_end], name);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

impl TestDatabase {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|url| !url.is_empty())
        {
            Some(server) => {
                let name = format!("ca_test_{}", uuid::Uuid::new_v4().simple());
                runtime().block_on(async {
                    let admin = sea_orm::Database::connect(&server)
                        .await
                        .expect("TEST_DATABASE_URL must reach PostgreSQL");
                    sea_orm::ConnectionTrait::execute_unprepared(
                        &admin,
                        &format!("CREATE DATABASE {name}"),
                    )
                    .await
                    .unwrap();
                    admin.close().await.unwrap();
                });
                TestDatabase {
                    url: with_database(&server, &name),
                    postgres: Some((server, name)),
                    _dir: dir,
                }
            }
            None => {
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                TestDatabase {
                    url,
                    postgres: None,
                    _dir: dir,
                }
            }
        }
    }

    /// The same database, for a second instance of the service; the first owner drops it.
    pub fn shared(other: &TestDatabase) -> Self {
        TestDatabase {
            url: other.url.clone(),
            postgres: None,
            _dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    pub fn data_dir(&self) -> std::path::PathBuf {
        self._dir.path().to_owned()
    }

    /// Runs SQL straight on the database, for checks the API cannot make (stored hashes, row counts).
    pub fn query_i64(&self, sql: &str) -> i64 {
        runtime().block_on(async {
            let db = sea_orm::Database::connect(&self.url).await.unwrap();
            let backend = db.get_database_backend();
            let row = sea_orm::ConnectionTrait::query_one_raw(
                &db,
                sea_orm::Statement::from_string(backend, sql),
            )
            .await
            .unwrap()
            .unwrap();
            let value: i64 = row.try_get_by_index(0).unwrap();
            db.close().await.unwrap();
            value
        })
    }

    /// Runs a statement straight on the database (to break things on purpose).
    pub fn execute(&self, sql: &str) {
        runtime().block_on(async {
            let db = sea_orm::Database::connect(&self.url).await.unwrap();
            sea_orm::ConnectionTrait::execute_unprepared(&db, sql)
                .await
                .unwrap();
            db.close().await.unwrap();
        })
    }

    pub fn query_strings(&self, sql: &str) -> Vec<String> {
        runtime().block_on(async {
            let db = sea_orm::Database::connect(&self.url).await.unwrap();
            let backend = db.get_database_backend();
            let rows = sea_orm::ConnectionTrait::query_all_raw(
                &db,
                sea_orm::Statement::from_string(backend, sql),
            )
            .await
            .unwrap();
            let values = rows
                .iter()
                .map(|row| row.try_get_by_index::<String>(0).unwrap())
                .collect();
            db.close().await.unwrap();
            values
        })
    }
}

impl Default for TestDatabase {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((server, name)) = self.postgres.take() {
            runtime().block_on(async {
                if let Ok(admin) = sea_orm::Database::connect(&server).await {
                    let _ = sea_orm::ConnectionTrait::execute_unprepared(
                        &admin,
                        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    )
                    .await;
                    let _ = admin.close().await;
                }
            });
        }
    }
}

/// A running server on port 0 of 127.0.0.1, stopped when dropped.
pub struct TestApp {
    pub address: String,
    /// The separate metrics listener's port, when the settings asked for one.
    pub metrics_port: Option<u16>,
    pub db: TestDatabase,
    agent: Agent,
    client: Api,
    handle: actix_web::dev::ServerHandle,
    thread: Option<JoinHandle<()>>,
}

/// An answer: status and parsed JSON body (`Value::Null` when empty or not JSON).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
    pub text: String,
    /// Every response header, names in lower case.
    pub headers: Vec<(String, String)>,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    /// The first value of a response header, by name in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

pub fn settings_for(db: &TestDatabase, demo: bool) -> Settings {
    Settings {
        database_url: db.url.clone(),
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        metrics_bind: None,
        data_dir: db.data_dir(),
        master_key: Some(MASTER_KEY.to_owned()),
        demo,
        workers: Some(2),
        max_db_connections: 8,
        cache: api::cache::CacheSettings::default(),
        feed_retry: Duration::from_secs(1),
        cors: api::config::CorsOrigins::None,
        db_timeout: api::config::DEFAULT_DB_TIMEOUT,
        max_staleness: api::config::DEFAULT_MAX_STALENESS,
        body_timeout: api::config::DEFAULT_BODY_TIMEOUT,
        long_poll_max: std::time::Duration::from_secs(60),
        log_sample: 1,
        traces: None,
        page_idle: api::config::DEFAULT_PAGE_IDLE,
    }
}

impl TestApp {
    pub fn spawn() -> Self {
        Self::spawn_with(false)
    }

    /// With the seed's demo data loaded.
    pub fn spawn_demo() -> Self {
        Self::spawn_with(true)
    }

    pub fn spawn_with(demo: bool) -> Self {
        let db = TestDatabase::new();
        Self::spawn_on(db, settings_for_demo(demo))
    }

    /// A second instance on this one's (PostgreSQL) database, its change feed listening.
    pub fn replica(&self) -> Self {
        let replica = Self::spawn_on(TestDatabase::shared(&self.db), |_| {});
        assert!(
            replica.wait_for_feed("listening", Duration::from_secs(10)),
            "the replica's change feed never listened"
        );
        replica
    }

    pub fn spawn_on(db: TestDatabase, tweak: impl FnOnce(&mut Settings) + Send + 'static) -> Self {
        let mut settings = settings_for(&db, false);
        tweak(&mut settings);
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                match Application::build(settings).await {
                    Ok(app) => {
                        sender
                            .send(Ok((app.port(), app.metrics_port(), app.handle())))
                            .unwrap();
                        app.run_until_stopped().await.unwrap();
                    }
                    Err(error) => sender.send(Err(error.to_string())).unwrap(),
                }
            });
        });
        let (port, metrics_port, handle) = receiver
            .recv_timeout(Duration::from_secs(60))
            .expect("server did not start in time")
            .expect("server failed to start");
        let agent: Agent = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let address = format!("http://127.0.0.1:{port}");
        TestApp {
            client: Api::new(&address, MASTER_KEY).unwrap(),
            address,
            metrics_port,
            db,
            agent,
            handle,
            thread: Some(thread),
        }
    }

    /// A request with extra headers and no body.
    pub fn send_headers(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = ureq::http::Request::builder()
            .method(method)
            .uri(self.url(path));
        if let Some(key) = key {
            request = request.header("Authorization", format!("Bearer {key}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Self::finish(self.agent.run(request.body(()).unwrap()))
    }

    fn finish(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
        let mut response = response.expect("request failed at the transport level");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    value.to_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            content_type,
            body,
            text,
            headers,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A request with any method, key and raw body.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<(&str, &str)>,
    ) -> Answer {
        let mut request = ureq::http::Request::builder()
            .method(method)
            .uri(self.url(path));
        if let Some(key) = key {
            request = request.header("Authorization", format!("Bearer {key}"));
        }
        let response = match body {
            Some((content_type, text)) => {
                let request = request
                    .header("Content-Type", content_type)
                    .body(text.to_owned())
                    .unwrap();
                self.agent.run(request)
            }
            None => self.agent.run(request.body(()).unwrap()),
        };
        Self::finish(response)
    }

    /// GET `path` with the master key, asking for at least the revision the write `written` answered.
    pub fn get_after(&self, path: &str, written: &Answer) -> Answer {
        let revision = written
            .header("company-access-revision")
            .expect("a write names its revision");
        let at_least = format!("at-least {revision}");
        self.send_headers(
            "GET",
            path,
            Some(MASTER_KEY),
            &[("Company-Access-Consistency", &at_least)],
        )
    }

    pub fn get_as(&self, key: &str, path: &str) -> Answer {
        self.send("GET", path, Some(key), None)
    }

    pub fn get(&self, path: &str) -> Answer {
        self.get_as(MASTER_KEY, path)
    }

    pub fn json_as(&self, key: &str, method: &str, path: &str, body: &Value) -> Answer {
        self.send(
            method,
            path,
            Some(key),
            Some(("application/json", &body.to_string())),
        )
    }

    pub fn post(&self, path: &str, body: &Value) -> Answer {
        self.json_as(MASTER_KEY, "POST", path, body)
    }

    pub fn put(&self, path: &str, body: &Value) -> Answer {
        self.json_as(MASTER_KEY, "PUT", path, body)
    }

    pub fn patch(&self, path: &str, body: &Value) -> Answer {
        self.json_as(MASTER_KEY, "PATCH", path, body)
    }

    pub fn delete(&self, path: &str) -> Answer {
        self.send("DELETE", path, Some(MASTER_KEY), None)
    }

    /// The typed client of this server, with the master key.
    pub fn client(&self) -> &Api {
        &self.client
    }

    /// The typed client of this server, with another key.
    pub fn client_as(&self, key: &str) -> Api {
        Api::new(&self.address, key).unwrap()
    }

    pub fn create_company(&self, name: &str) -> Uuid {
        let body = CreateCompany {
            name: CompanyName::parse(name).unwrap(),
            parent_id: None,
        };
        self.client.create_company(&body).unwrap().id
    }

    pub fn create_user(&self, username: &str, role: &str) -> i32 {
        let body = CreateUser {
            role: Some(role.parse().unwrap()),
            ..new_user(username)
        };
        self.client.create_user(&body).unwrap().id
    }

    /// A new key's secret.
    pub fn create_key(&self, name: &str, scope: &str) -> String {
        let body = new_key(name, scope.parse().unwrap());
        self.client.create_key(&body).unwrap().secret
    }

    /// The names `GET /companies?{query}` lists to `key`, in its order.
    pub fn company_names_listed(&self, key: &str, query: &str) -> Vec<String> {
        let page = self.get_as(key, &format!("/companies?{query}"));
        assert_eq!(page.status, 200, "{}", page.text);
        page.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|company| company["name"].as_str().unwrap().to_owned())
            .collect()
    }

    /// A new key's secret, the key acting for `user_id`.
    pub fn create_bound_key(&self, name: &str, scope: &str, user_id: i32) -> String {
        let body = CreateKey {
            user_id: Some(user_id),
            ..new_key(name, scope.parse().unwrap())
        };
        self.client.create_key(&body).unwrap().secret
    }

    /// Looks a demo user or company up by name.
    pub fn user_id(&self, username: &str) -> i32 {
        let query = ListUsersQuery {
            username: Some(username.to_owned()),
            ..ListUsersQuery::default()
        };
        let page = self.client.list_users(&query).unwrap();
        page.items
            .first()
            .unwrap_or_else(|| panic!("no user {username}"))
            .id
    }

    pub fn company_id(&self, name: &str) -> Uuid {
        let query = ListCompaniesQuery {
            name: Some(name.to_owned()),
            ..ListCompaniesQuery::default()
        };
        let page = self.client.list_companies(&query).unwrap();
        page.items
            .first()
            .unwrap_or_else(|| panic!("no company {name}"))
            .id
    }

    pub fn company_names_of(&self, user_id: i32) -> Vec<String> {
        let companies = self.client.user_companies(user_id).unwrap();
        companies
            .items
            .iter()
            .map(|item| item.company_name.to_string())
            .collect()
    }

    /// Polls `/ready` until the change feed is `listening` (200) or `down` (503: the instance cannot vouch
    /// for its memory); false if it never is within the timeout.
    pub fn wait_for_feed(&self, state: &str, timeout: Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < deadline {
            let ready = self.send("GET", "/ready", None, None);
            let reached = match state {
                "down" => ready.status == 503,
                _ => ready.status == 200 && ready.body["change_feed"] == state,
            };
            if reached {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn allowed(&self, user_id: i32, company_id: Uuid) -> bool {
        self.client.check(user_id, company_id).unwrap().allowed
    }

    pub fn audit_count(&self) -> u64 {
        let query = openapi::audit::AuditQuery {
            limit: Some(1),
            ..Default::default()
        };
        self.client.audit(&query).unwrap().total
    }
}

/// The body of a new user with nothing but a username; tests set the fields they care about.
pub fn new_user(username: &str) -> CreateUser {
    CreateUser {
        username: Username::parse(username).unwrap(),
        full_name: None,
        email: None,
        role: None,
        is_active: None,
        home_company_id: None,
    }
}

pub fn new_key(name: &str, scope: Scope) -> CreateKey {
    CreateKey {
        name: KeyName::parse(name).unwrap(),
        scope,
        user_id: None,
    }
}

fn settings_for_demo(demo: bool) -> impl FnOnce(&mut Settings) + Send + 'static {
    move |settings| settings.demo = demo
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let stop = self.handle.stop(false);
        runtime().block_on(stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
