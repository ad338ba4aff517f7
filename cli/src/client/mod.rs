//! The HTTP side of every client subcommand: where the server is, which key to send, one typed
//! method per API operation, and how its answers and failures become values and exit codes.

use chrono::{DateTime, Utc};
use openapi::audit::{AuditPage, AuditQuery};
use openapi::base::Health;
use openapi::changes::ChangePage;
use openapi::companies::{
    Company, CompanyMembers, CompanyPage, CreateCompany, ListCompaniesQuery, ListMembersQuery,
    UpdateCompany,
};
use openapi::keys::{ApiKey, CreateKey, CreatedKey, WhoAmI};
use openapi::stats::Stats;
use openapi::users::{CreateUser, ListUsersQuery, UpdateUser, User, UserPage};
use openapi::{Problem, ProblemCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use uuid::Uuid;

pub const DEFAULT_URL: &str = "http://127.0.0.1:8080";

mod access;
mod error;

pub use error::{CliError, Kind, Result};

/// Where the key came from, so a refused key can be explained.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// Handed to [`Api::new`] by the program itself.
    Given,
    Env,
    MasterKeyFile(PathBuf),
    None {
        looked_in: Option<PathBuf>,
    },
}

/// A client of one running server.
pub struct Api {
    agent: ureq::Agent,
    base: String,
    token: Option<String>,
    key_source: KeySource,
    /// The latest revision this client has written or been answered at; later checks and reads ask to
    /// see at least it, so a person never misses their own change (nor sees time go backwards),
    /// whichever instance answers.
    last_seen: AtomicI64,
    /// `Company-Access-Consistency` the caller chose (`--consistency`), instead of the above.
    consistency: Option<String>,
}

/// `true` for the hosts a server's own data directory can be next to: the key file is only worth
/// reading when the server runs on this machine, and it is never sent anywhere else.
pub fn is_local_url(url: &str) -> bool {
    host_of(url).is_some_and(|host| {
        host.eq_ignore_ascii_case("localhost")
            || host == "::1"
            || host.starts_with("127.")
            || host == "[::1]"
    })
}

fn host_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    if let Some(bracketed) = authority.strip_prefix('[') {
        return bracketed.split(']').next();
    }
    authority.split(':').next()
}

impl Api {
    /// Reads `COMPANY_ACCESS_URL` (or `--url`), `COMPANY_ACCESS_TOKEN`, and for a server on this
    /// machine `<COMPANY_ACCESS_DATA_DIR>/master-key`.
    pub fn connect(url: &str) -> Result<Api> {
        let base = checked_base(url)?;
        let (token, key_source) = find_key(&base);
        Ok(Self::with_key(base, token, key_source))
    }

    /// A client of the server at `url` that sends `token`, whatever the environment says.
    pub fn new(url: &str, token: &str) -> Result<Api> {
        let base = checked_base(url)?;
        Ok(Self::with_key(
            base,
            Some(token.to_owned()),
            KeySource::Given,
        ))
    }

    fn with_key(base: String, token: Option<String>, key_source: KeySource) -> Api {
        let local = is_local_url(&base);
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_global(Some(Duration::from_secs(600)))
            .user_agent(concat!("company-access/", env!("CARGO_PKG_VERSION")));
        if local {
            // A proxy from the environment would route loopback traffic away from this machine.
            config = config.proxy(None);
        }
        Api {
            agent: config.build().into(),
            base,
            token,
            key_source,
            last_seen: AtomicI64::new(-1),
            consistency: None,
        }
    }

    /// Sends this `Company-Access-Consistency` with every check and read instead of the default.
    pub fn with_consistency(mut self, consistency: Option<String>) -> Self {
        self.consistency = consistency;
        self
    }

    /// The consistency a check or read asks for: the caller's choice, else at least the latest revision
    /// this client has seen, else none (the server's `minimize-latency`).
    fn consistency(&self) -> Option<String> {
        if let Some(chosen) = &self.consistency {
            return Some(chosen.clone());
        }
        let seen = self.last_seen.load(Ordering::Acquire);
        (seen >= 0).then(|| format!("at-least {seen}"))
    }

    /// The latest revision this client has written or been answered at, if any.
    pub fn last_seen(&self) -> Option<i64> {
        Some(self.last_seen.load(Ordering::Acquire)).filter(|revision| *revision >= 0)
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> Result<T> {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        if let Some(consistency) = self.consistency() {
            request = request.header("Company-Access-Consistency", consistency);
        }
        for (key, value) in query {
            request = request.query(*key, value);
        }
        let body = self.finish(self.authorize(request).call())?;
        parse(&body)
    }

    fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> Result<T> {
        let url = format!("{}{path}", self.base);
        let request = match method {
            Method::Post => self.agent.post(url),
            Method::Put => self.agent.put(url),
            Method::Patch => self.agent.patch(url),
        };
        let body = self.finish(self.authorize(request).send_json(body))?;
        parse(&body)
    }

    /// Sends a CSV file read from `body` (so the caller can count the bytes as they go); the answer's text.
    fn post_csv(
        &self,
        path: &str,
        query: &[(&str, String)],
        body: &mut dyn std::io::Read,
    ) -> Result<String> {
        let mut request = self
            .agent
            .post(format!("{}{path}", self.base))
            .content_type("text/csv");
        for (key, value) in query {
            request = request.query(*key, value);
        }
        self.finish(
            self.authorize(request)
                .send(ureq::SendBody::from_reader(body)),
        )
    }

    /// A GET whose answer is text, not JSON.
    fn get_text(&self, path: &str) -> Result<String> {
        let request = self.agent.get(format!("{}{path}", self.base));
        self.finish(self.authorize(request).call())
    }

    fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T> {
        self.send(Method::Post, path, body)
    }

    fn delete(&self, path: &str) -> Result<()> {
        let request = self.agent.delete(format!("{}{path}", self.base));
        self.finish(self.authorize(request).call()).map(drop)
    }

    fn authorize<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.token {
            Some(token) => request.header("Authorization", format!("Bearer {token}")),
            None => request,
        }
    }

    // ------------------------------------------------------------ users

    pub fn list_users(&self, query: &ListUsersQuery) -> Result<UserPage> {
        let mut pairs = Pairs::default();
        pairs.add("q", &query.q);
        pairs.add("username", &query.username);
        pairs.add("role", &query.role.map(|r| r.as_str()));
        pairs.add("min_companies", &query.min_companies);
        pairs.add("limit", &query.limit);
        pairs.add("offset", &query.offset);
        self.get("/users", &pairs.0)
    }

    pub fn get_user(&self, id: i32) -> Result<User> {
        self.get(&format!("/users/{}", segment(id)), &[])
    }

    pub fn create_user(&self, body: &CreateUser) -> Result<User> {
        self.post("/users", body)
    }

    pub fn update_user(&self, id: i32, body: &UpdateUser) -> Result<User> {
        self.send(Method::Patch, &format!("/users/{}", segment(id)), body)
    }

    /// Deletes the user and the user's grants.
    pub fn delete_user(&self, id: i32) -> Result<()> {
        self.delete(&format!("/users/{}", segment(id)))
    }

    // ------------------------------------------------------------ companies

    pub fn list_companies(&self, query: &ListCompaniesQuery) -> Result<CompanyPage> {
        let mut pairs = Pairs::default();
        pairs.add("q", &query.q);
        pairs.add("name", &query.name);
        pairs.add("sort", &query.sort);
        pairs.add("order", &query.order.map(|o| o.as_str()));
        pairs.add("limit", &query.limit);
        pairs.add("offset", &query.offset);
        self.get("/companies", &pairs.0)
    }

    pub fn get_company(&self, id: Uuid) -> Result<Company> {
        self.get(&format!("/companies/{}", segment(id)), &[])
    }

    pub fn create_company(&self, body: &CreateCompany) -> Result<Company> {
        self.post("/companies", body)
    }

    pub fn update_company(&self, id: Uuid, body: &UpdateCompany) -> Result<Company> {
        self.send(Method::Patch, &format!("/companies/{}", segment(id)), body)
    }

    /// Deletes the company and every grant of it.
    pub fn delete_company(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("/companies/{}", segment(id)))
    }

    /// One page of the users who may act in the company.
    pub fn company_members(&self, id: Uuid, query: &ListMembersQuery) -> Result<CompanyMembers> {
        let mut pairs = Pairs::default();
        pairs.add("q", &query.q);
        pairs.add("role", &query.role.map(|r| r.as_str()));
        pairs.add("source", &query.source.map(|s| s.as_str()));
        pairs.add("sort", &query.sort.map(|s| s.as_str()));
        pairs.add("order", &query.order.map(|o| o.as_str()));
        pairs.add("limit", &query.limit);
        pairs.add("offset", &query.offset);
        self.get(&format!("/companies/{}/users", segment(id)), &pairs.0)
    }

    // ------------------------------------------------------------ stats, audit

    pub fn stats(&self) -> Result<Stats> {
        self.get("/stats", &[])
    }

    /// The changes committed after `after` and the expiries after `expired_after`, oldest first; with
    /// `wait`, a long poll of that many seconds.
    pub fn changes(
        &self,
        after: Option<&str>,
        expired_after: Option<DateTime<Utc>>,
        limit: u64,
        wait: u64,
    ) -> Result<ChangePage> {
        let mut query = vec![("limit", limit.to_string()), ("wait", wait.to_string())];
        if let Some(after) = after {
            query.push(("after", after.to_owned()));
        }
        if let Some(instant) = expired_after {
            query.push((
                "expired_after",
                instant.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            ));
        }
        self.get("/changes", &query)
    }

    pub fn audit(&self, query: &AuditQuery) -> Result<AuditPage> {
        let mut pairs = Pairs::default();
        pairs.add("limit", &query.limit);
        pairs.add("offset", &query.offset);
        pairs.add("user_id", &query.user_id);
        pairs.add("company_id", &query.company_id);
        pairs.add("action", &query.action);
        pairs.add("actor", &query.actor);
        pairs.add("since", &query.since.map(|t| t.to_rfc3339()));
        pairs.add("until", &query.until.map(|t| t.to_rfc3339()));
        self.get("/audit", &pairs.0)
    }

    // ------------------------------------------------------------ keys

    /// The answer holds the secret, which the server never shows again.
    pub fn create_key(&self, body: &CreateKey) -> Result<CreatedKey> {
        self.post("/keys", body)
    }

    /// Every key, revoked ones included; never their secrets.
    pub fn list_keys(&self) -> Result<Vec<ApiKey>> {
        self.get("/keys", &[])
    }

    pub fn revoke_key(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("/keys/{}", segment(id)))
    }

    /// The name and scope of the key this client sends.
    pub fn whoami(&self) -> Result<WhoAmI> {
        self.get("/whoami", &[])
    }

    // ------------------------------------------------------------ health

    pub fn health(&self) -> Result<Health> {
        self.get("/health", &[])
    }

    /// Fails with the server's problem (503) while the database cannot be reached.
    pub fn ready(&self) -> Result<Health> {
        self.get("/ready", &[])
    }

    fn finish(
        &self,
        result: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<String> {
        let mut response = result.map_err(|err| self.transport_error(&err))?;
        let status = response.status().as_u16();
        let revision = response
            .headers()
            .get("company-access-revision")
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.parse::<i64>().ok());
        if let (Some(revision), None) = (revision, &self.consistency) {
            self.last_seen.fetch_max(revision, Ordering::AcqRel);
        }
        let text = response
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()
            .map_err(|err| self.transport_error(&err))?;
        if (200..300).contains(&status) {
            return Ok(text);
        }
        let problem = serde_json::from_str::<Problem>(&text).ok();
        Err(self.status_error(status, problem))
    }

    fn transport_error(&self, err: &ureq::Error) -> CliError {
        let why = match err {
            ureq::Error::Io(io) => io.to_string(),
            ureq::Error::Timeout(_) => "timed out".to_owned(),
            ureq::Error::HostNotFound => "host not found".to_owned(),
            ureq::Error::ConnectionFailed => "connection failed".to_owned(),
            other => other.to_string(),
        };
        CliError::failure(format!(
            "Cannot reach the Company Access server at {} ({why}): is it running? Start it with `company-access serve` or set COMPANY_ACCESS_URL.",
            self.base
        ))
    }

    fn status_error(&self, status: u16, problem: Option<Problem>) -> CliError {
        let detail = problem
            .as_ref()
            .map(|p| {
                let mut detail = p.detail.clone();
                // One problem a line; the detail often quotes the first already.
                for field in &p.errors {
                    let problem = format!("{}: {}", field.field, field.message);
                    if !detail.contains(&problem) {
                        detail.push_str(&format!("\n  {problem}"));
                    }
                }
                detail
            })
            .unwrap_or_else(|| format!("the server answered HTTP {status}"));
        let (kind, message) = match status {
            401 => (Kind::Failure, self.unauthorized_message()),
            // A bound key's user lacks the admin role there: no scope would help.
            403 if problem
                .as_ref()
                .is_some_and(|p| p.code == ProblemCode::OutOfReach) =>
            {
                (Kind::Failure, detail)
            }
            403 => (
                Kind::Failure,
                format!("The API key may not do this ({detail}): use a key with a larger scope."),
            ),
            404 => (Kind::NotFound, detail),
            409 => (Kind::Conflict, detail),
            400 | 405 | 413 | 415 | 422 => (Kind::Usage, detail),
            503 => (
                Kind::Failure,
                format!(
                    "The Company Access server at {} is not ready ({detail}).",
                    self.base
                ),
            ),
            _ => (
                Kind::Failure,
                format!(
                    "The Company Access server at {} failed (HTTP {status}): {detail}",
                    self.base
                ),
            ),
        };
        CliError {
            kind,
            message,
            problem: problem.map(Box::new),
        }
    }

    fn unauthorized_message(&self) -> String {
        match &self.key_source {
            KeySource::Given => format!(
                "The server at {} refused the API key this client was given.",
                self.base
            ),
            KeySource::Env => format!(
                "The server at {} refused the API key in COMPANY_ACCESS_TOKEN: set it to a valid key.",
                self.base
            ),
            KeySource::MasterKeyFile(path) => format!(
                "The server at {} refused the master key read from {}: set COMPANY_ACCESS_TOKEN to a valid key.",
                self.base,
                path.display()
            ),
            KeySource::None {
                looked_in: Some(path),
            } => format!(
                "No API key: set COMPANY_ACCESS_TOKEN (no master key was found at {}).",
                path.display()
            ),
            KeySource::None { looked_in: None } => format!(
                "No API key for {}: set COMPANY_ACCESS_TOKEN to a key of that server.",
                self.base
            ),
        }
    }
}

fn checked_base(url: &str) -> Result<String> {
    let base = url.trim().trim_end_matches('/').to_owned();
    let scheme_ok = base.starts_with("http://") || base.starts_with("https://");
    if !scheme_ok || host_of(&base).is_none_or(str::is_empty) {
        return Err(CliError::usage(format!(
            "COMPANY_ACCESS_URL must look like http://HOST:PORT or https://HOST (got {base:?})."
        )));
    }
    Ok(base)
}

/// The methods that carry a JSON body.
#[derive(Debug, Clone, Copy)]
enum Method {
    Post,
    Put,
    Patch,
}

/// Query pairs of the values that are set; an unset filter is left out, not sent empty.
#[derive(Default)]
struct Pairs(Vec<(&'static str, String)>);

impl Pairs {
    fn add<T: fmt::Display>(&mut self, key: &'static str, value: &Option<T>) {
        if let Some(value) = value {
            self.0.push((key, value.to_string()));
        }
    }
}

fn find_key(base: &str) -> (Option<String>, KeySource) {
    if let Ok(token) = std::env::var("COMPANY_ACCESS_TOKEN") {
        let token = token.trim().to_owned();
        if !token.is_empty() {
            return (Some(token), KeySource::Env);
        }
    }
    if !is_local_url(base) {
        return (None, KeySource::None { looked_in: None });
    }
    let dir = std::env::var_os("COMPANY_ACCESS_DATA_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("data"));
    let path = dir.join("master-key");
    match std::fs::read_to_string(&path) {
        Ok(key) if !key.trim().is_empty() => {
            (Some(key.trim().to_owned()), KeySource::MasterKeyFile(path))
        }
        _ => (
            None,
            KeySource::None {
                looked_in: Some(path),
            },
        ),
    }
}

fn parse<T: DeserializeOwned>(body: &str) -> Result<T> {
    // 204 answers have no body; callers that expect one never get 204.
    let body = if body.trim().is_empty() { "null" } else { body };
    serde_json::from_str(body).map_err(|err| {
        CliError::failure(format!(
            "The server's answer did not have the expected shape ({err}); are client and server the same version?"
        ))
    })
}

/// Percent-encodes one path segment (ids are plain, but names of keys may not be).
fn segment(value: impl fmt::Display) -> String {
    let raw = value.to_string();
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_hosts_are_recognised() {
        for url in [
            "http://127.0.0.1:8080",
            "http://localhost",
            "http://LOCALHOST:1/x",
            "http://[::1]:8080/",
            "http://127.0.0.2:9",
        ] {
            assert!(is_local_url(url), "{url}");
        }
        for url in [
            "http://example.com",
            "http://10.0.0.1:8080",
            "http://localhost.example.com",
            "nonsense",
        ] {
            assert!(!is_local_url(url), "{url}");
        }
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(segment("a b/c"), "a%20b%2Fc");
        assert_eq!(segment(42), "42");
    }

    #[test]
    fn exit_codes_are_distinct() {
        let codes = [
            Kind::Failure,
            Kind::Usage,
            Kind::NotFound,
            Kind::Conflict,
            Kind::Denied,
        ]
        .map(Kind::exit_code);
        assert_eq!(codes, [1, 2, 3, 4, 5]);
    }
}
