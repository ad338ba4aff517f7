//! The real `company-access` binary, for end-to-end tests: a server on a fresh database of its own,
//! and client commands pointed at it.
//!
//! The binary is not built by `cargo test -p company-access-tests` (Cargo only provides
//! `CARGO_BIN_EXE_*` to tests of the crate that owns the binary): run `cargo build -p company-access`
//! first, or set `COMPANY_ACCESS_BIN` to a binary built elsewhere.
//!
//! With `TEST_DATABASE_URL` set to a PostgreSQL server URL (`postgres://postgres@127.0.0.1:5432/postgres`)
//! each server gets a fresh database `ca_test_<uuid>` there, made and dropped with `psql`;
//! otherwise a SQLite file in the server's temporary directory.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tempfile::TempDir;

/// How long a server may take to migrate and start listening.
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// The workspace root: the parent of this crate.
pub fn workspace_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// `COMPANY_ACCESS_BIN`, else `$CARGO_TARGET_DIR/debug/company-access`, else
/// `<workspace>/target/debug/company-access`.
pub fn binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("COMPANY_ACCESS_BIN").filter(|b| !b.is_empty()) {
        return PathBuf::from(bin);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|t| !t.is_empty())
        .map(PathBuf::from)
        .map(|t| {
            if t.is_relative() {
                workspace_dir().join(t)
            } else {
                t
            }
        })
        .unwrap_or_else(|| workspace_dir().join("target"));
    let bin = target.join("debug").join("company-access");
    assert!(
        bin.exists(),
        "{} does not exist: run `cargo build -p company-access` before these tests (or set COMPANY_ACCESS_BIN)",
        bin.display()
    );
    bin
}

/// Every variable the binary reads, so the caller's environment cannot leak into a test.
const ENV_VARS: &[&str] = &[
    "COMPANY_ACCESS_URL",
    "COMPANY_ACCESS_TOKEN",
    "COMPANY_ACCESS_DATA_DIR",
    "COMPANY_ACCESS_BIND",
    "COMPANY_ACCESS_MASTER_KEY",
    "COMPANY_ACCESS_LOG_FORMAT",
    "DATABASE_URL",
    "http_proxy",
    "HTTP_PROXY",
    "all_proxy",
    "ALL_PROXY",
];

/// A command for the binary with none of the caller's `COMPANY_ACCESS_*` settings.
pub fn clean_command() -> Command {
    let mut command = Command::new(binary());
    for var in ENV_VARS {
        command.env_remove(var);
    }
    command.env("NO_COLOR", "1");
    command
}

/// How to start a server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Load the demo data (`serve --demo`).
    pub demo: bool,
    /// Pass the master key in `COMPANY_ACCESS_MASTER_KEY`; when false the server generates one
    /// into `<data dir>/master-key`.
    pub master_key_in_env: bool,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            demo: true,
            master_key_in_env: true,
        }
    }
}

/// A PostgreSQL database made for one server.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    fn create(admin_url: &str) -> (PgDatabase, String) {
        let name = format!("ca_test_{}", uuid::Uuid::new_v4().simple());
        psql(admin_url, &format!("CREATE DATABASE {name}"));
        let url = with_database(admin_url, &name);
        (
            PgDatabase {
                admin_url: admin_url.to_owned(),
                name,
            },
            url,
        )
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .arg(&self.admin_url)
            .args(["-v", "ON_ERROR_STOP=1", "-q", "-c"])
            .arg(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .output();
    }
}

fn psql(url: &str, sql: &str) {
    let output = Command::new("psql")
        .arg(url)
        .args(["-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .unwrap_or_else(|e| panic!("cannot run psql (is it installed?): {e}"));
    assert!(
        output.status.success(),
        "psql {sql:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `postgres://u@h:5432/postgres?x=y` with the database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{root}/{name}?{query}"),
        None => format!("{root}/{name}"),
    }
}

/// A running `company-access serve`, killed (and its database dropped) on drop.
pub struct Server {
    child: Child,
    pub url: String,
    /// The master key (from the environment or the key file the server wrote).
    pub key: String,
    /// The server's data directory (and SQLite file); also the clients' working directory.
    pub dir: TempDir,
    log: Arc<Mutex<String>>,
    database_url: String,
    options: ServerOptions,
    // Dropped after the child is killed, so the database is no longer in use.
    _database: Option<PgDatabase>,
}

impl Server {
    /// A server with the demo data and a known master key.
    pub fn start() -> Server {
        Server::start_with(ServerOptions::default())
    }

    pub fn start_with(options: ServerOptions) -> Server {
        let dir = tempfile::Builder::new()
            .prefix("company-access-test-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot make a temporary directory: {e}"));
        let (database, database_url) = match std::env::var("TEST_DATABASE_URL") {
            Ok(admin) if !admin.trim().is_empty() => {
                let (db, url) = PgDatabase::create(admin.trim());
                (Some(db), url)
            }
            _ => (None, format!("sqlite://{}/t.db", dir.path().display())),
        };
        let env_key = format!("test-master-{}", uuid::Uuid::new_v4().simple());
        let (child, url, log) = spawn_server(&database_url, dir.path(), &options, &env_key);
        let key = if options.master_key_in_env {
            env_key
        } else {
            std::fs::read_to_string(dir.path().join("master-key"))
                .unwrap_or_else(|e| panic!("the server wrote no master-key file: {e}"))
                .trim()
                .to_owned()
        };
        Server {
            child,
            url,
            key,
            dir,
            log,
            database_url,
            options,
            _database: database,
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the server at once (SIGKILL: no shutdown, no flush, whatever it was doing).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the server again on the same database and data directory, with the same master key; it
    /// may listen on another port (`url` follows).
    pub fn start_again(&mut self) {
        self.kill();
        let mut options = self.options.clone();
        // The data is already there, and the key is the one the first start used.
        options.demo = false;
        let (child, url, log) =
            spawn_server(&self.database_url, self.dir.path(), &options, &self.key);
        (self.child, self.url, self.log) = (child, url, log);
    }

    /// Everything the server logged so far.
    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// A client command pointed at this server with its master key, run in its data directory.
    pub fn cli(&self) -> Command {
        let mut command = clean_command();
        command
            .env("COMPANY_ACCESS_URL", &self.url)
            .env("COMPANY_ACCESS_TOKEN", &self.key)
            .current_dir(self.dir.path());
        command
    }

    /// Runs a client command to the end with empty stdin.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::of(self.cli().args(args).stdin(Stdio::null()).output(), args)
    }

    /// Runs a client command feeding `input` on stdin (a pipe, not a terminal).
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Run {
        let mut child = self
            .cli()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {args:?}: {e}"));
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write;
            // The program may stop reading early (it quit); that is its business.
            let _ = stdin.write_all(input.as_bytes());
        }
        Run::of(child.wait_with_output(), args)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` and waits until it listens: the child, its URL and its log as it grows.
fn spawn_server(
    database_url: &str,
    dir: &Path,
    options: &ServerOptions,
    key: &str,
) -> (Child, String, Arc<Mutex<String>>) {
    let mut command = clean_command();
    command
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("COMPANY_ACCESS_BIND", "127.0.0.1:0")
        .env("COMPANY_ACCESS_DATA_DIR", dir)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if options.demo {
        command.arg("--demo");
    }
    if options.master_key_in_env {
        command.env("COMPANY_ACCESS_MASTER_KEY", key);
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary().display()));
    let log = Arc::new(Mutex::new(String::new()));
    let (found, listening) = mpsc::channel();
    if let Some(stderr) = child.stderr.take() {
        let log = Arc::clone(&log);
        // Reads for the server's whole life: a full pipe would block its logging.
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut line = String::new();
            let mut sent = false;
            loop {
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                if let Ok(mut log) = log.lock() {
                    log.push_str(&line);
                }
                if !sent && let Some(url) = listening_url(&line) {
                    let _ = found.send(url);
                    sent = true;
                }
            }
        });
    }
    match listening.recv_timeout(START_TIMEOUT) {
        Ok(url) => (child, url, log),
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            let log = log.lock().map(|l| l.clone()).unwrap_or_default();
            panic!("the server did not start listening within {START_TIMEOUT:?}; its log:\n{log}");
        }
    }
}

fn listening_url(line: &str) -> Option<String> {
    let start = line.find("Listening on http://")? + "Listening on ".len();
    let url: String = line[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\\' | '\u{1b}' | ','))
        .collect();
    Some(url.trim_end_matches(['/', '.']).to_owned())
}

/// The outcome of a finished client command.
#[derive(Debug)]
pub struct Run {
    pub args: Vec<String>,
    /// The exit code; `None` when a signal ended the process.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn of(output: std::io::Result<Output>, args: &[&str]) -> Run {
        let output = output.unwrap_or_else(|e| panic!("cannot run {args:?}: {e}"));
        Run {
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Asserts the exit code, showing the whole run when it differs.
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(code),
            "{:?} exited with {:?}, expected {code}\nstdout:\n{}\nstderr:\n{}",
            self.args,
            self.code,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Parses stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "{:?} printed no JSON ({e}):\n{}\nstderr:\n{}",
                self.args, self.stdout, self.stderr
            )
        })
    }

    /// Parses stderr as the JSON error `--json` prints.
    pub fn error_json(&self) -> serde_json::Value {
        serde_json::from_str(self.stderr.trim()).unwrap_or_else(|e| {
            panic!(
                "{:?} printed no JSON error ({e}):\n{}",
                self.args, self.stderr
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_replace_the_path_and_keep_the_query() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
    }

    #[test]
    fn the_listening_line_is_found_in_plain_and_json_logs() {
        assert_eq!(
            listening_url("2026 INFO api: Listening on http://127.0.0.1:4321\n"),
            Some("http://127.0.0.1:4321".to_owned())
        );
        assert_eq!(
            listening_url(r#"{"fields":{"message":"Listening on http://127.0.0.1:4321"}}"#),
            Some("http://127.0.0.1:4321".to_owned())
        );
        assert_eq!(listening_url("starting"), None);
    }
}
