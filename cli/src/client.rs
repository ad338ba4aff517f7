//! The HTTP side of every client subcommand: where the server is, which key to send, and how its
//! answers and failures become values and exit codes.

use openapi::Problem;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

pub const DEFAULT_URL: &str = "http://127.0.0.1:8080";

/// What kind of failure ended a command; decides the exit code scripts branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Server unreachable, key refused, server error, unexpected answer.
    Failure,
    /// The request itself was wrong (bad id, bad value, refused input).
    Usage,
    NotFound,
    /// Already exists, or the user already has that access.
    Conflict,
    /// `access check` answered "not allowed": not an error, but scripts must be able to tell.
    Denied,
}

impl Kind {
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Failure => 1,
            Kind::Usage => 2,
            Kind::NotFound => 3,
            Kind::Conflict => 4,
            Kind::Denied => 5,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Failure => "failure",
            Kind::Usage => "usage",
            Kind::NotFound => "not_found",
            Kind::Conflict => "conflict",
            Kind::Denied => "denied",
        }
    }
}

/// A failed command: one sentence for a person, and the server's problem body when there was one.
#[derive(Debug, Clone)]
pub struct CliError {
    pub kind: Kind,
    pub message: String,
    pub problem: Option<Box<Problem>>,
}

impl CliError {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            problem: None,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Kind::NotFound, message)
    }

    pub fn failure(message: impl Into<String>) -> Self {
        Self::new(Kind::Failure, message)
    }

    /// The server's machine code (`user_not_found`, …), if the server answered with a problem.
    pub fn code(&self) -> Option<&'static str> {
        self.problem.as_ref().map(|p| p.code.as_str())
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.kind.exit_code())
    }

    /// The error as scripts using `--json` read it from stderr.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "message": self.message,
                "kind": self.kind.label(),
                "exit_code": self.kind.exit_code(),
                "status": self.problem.as_ref().map(|p| p.status),
                "code": self.code(),
                "problem": self.problem,
            }
        })
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

pub type Result<T, E = CliError> = std::result::Result<T, E>;

/// Where the key came from, so a refused key can be explained.
#[derive(Debug, Clone)]
pub enum KeySource {
    Env,
    MasterKeyFile(PathBuf),
    None { looked_in: Option<PathBuf> },
}

/// A client of one running server.
pub struct Api {
    agent: ureq::Agent,
    base: String,
    token: Option<String>,
    key_source: KeySource,
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
        let base = url.trim().trim_end_matches('/').to_owned();
        let scheme_ok = base.starts_with("http://") || base.starts_with("https://");
        if !scheme_ok || host_of(&base).is_none_or(str::is_empty) {
            return Err(CliError::usage(format!(
                "COMPANY_ACCESS_URL must look like http://HOST:PORT or https://HOST (got {base:?})."
            )));
        }
        let (token, key_source) = find_key(&base);
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
        Ok(Api {
            agent: config.build().into(),
            base,
            token,
            key_source,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> Result<T> {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        for (key, value) in query {
            request = request.query(*key, value);
        }
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let body = self.finish(request.call())?;
        parse(&body)
    }

    pub fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T> {
        let mut request = self.agent.post(format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let body = self.finish(request.send_json(body))?;
        parse(&body)
    }

    pub fn delete(&self, path: &str) -> Result<()> {
        let mut request = self.agent.delete(format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        self.finish(request.call()).map(drop)
    }

    fn finish(
        &self,
        result: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<String> {
        let mut response = result.map_err(|err| self.transport_error(&err))?;
        let status = response.status().as_u16();
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
                for field in &p.errors {
                    detail.push_str(&format!("; {}: {}", field.field, field.message));
                }
                detail
            })
            .unwrap_or_else(|| format!("the server answered HTTP {status}"));
        let (kind, message) = match status {
            401 => (Kind::Failure, self.unauthorized_message()),
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
pub fn segment(value: impl fmt::Display) -> String {
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
