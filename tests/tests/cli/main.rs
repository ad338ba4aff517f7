//! End-to-end tests of the `company-access` clients: the real binary against a real server, each test
//! with a server and database of its own. This file holds the helpers the test files share.
//!
//! Needs the binary: `cargo build -p company-access && cargo test -p company-access-tests --test cli`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access_model;
mod bulk_remove;
mod crash;
mod menu_tests;
mod python_and_migrate;
mod scripting;

use company_access_tests::binary::Server;
use serde_json::Value;

/// Names in a `--json` list of user companies.
fn company_names(value: &Value) -> Vec<String> {
    value["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["company_name"].as_str().unwrap().to_owned())
        .collect()
}

/// Runs a command that must succeed and print JSON.
fn ok_json(server: &Server, args: &[&str]) -> Value {
    server.run(args).expect_code(0).json()
}

/// `access VERB --user USER --company C…` followed by `rest`.
fn access<'a>(
    verb: &'a str,
    user: &'a str,
    companies: &[&'a str],
    rest: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec!["access", verb, "--user", user];
    for company in companies {
        args.extend(["--company", company]);
    }
    args.extend(rest);
    args
}

/// A client command of `server` sending `token` instead of the master key.
fn with_token(server: &Server, token: &str, args: &[&str]) -> std::process::Output {
    let mut command = server.cli();
    command.env("COMPANY_ACCESS_TOKEN", token).args(args);
    command.output().unwrap()
}

/// A client command of `server` with no key in the environment, run in `dir`.
fn without_token(server: &Server, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut command = server.cli();
    command
        .env_remove("COMPANY_ACCESS_TOKEN")
        .current_dir(dir)
        .args(args);
    command.output().unwrap()
}

/// The URL of a port nobody listens on.
fn closed_url() -> String {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", closed.local_addr().unwrap())
}

fn assert_no_panic(text: &str) {
    assert!(
        !text.contains("panicked") && !text.contains("RUST_BACKTRACE"),
        "the program panicked:\n{text}"
    );
}
