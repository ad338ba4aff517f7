//! The scripting commands: JSON, tables, exit codes, keys and where the key comes from.

use crate::{access, closed_url, company_names, ok_json, with_token, without_token};
use company_access_tests::binary::{Server, ServerOptions};
use serde_json::{Value, json};

#[test]
fn users_and_companies_commands_with_json_and_exit_codes() {
    let server = Server::start();

    let all = ok_json(&server, &["users", "list", "--json"]);
    assert_eq!(all["total"], 6);
    assert_eq!(all["items"][4]["username"], "sarah");
    assert_eq!(all["items"][4]["id"], 5);
    let page = ok_json(
        &server,
        &["users", "list", "--limit", "2", "--offset", "1", "--json"],
    );
    assert_eq!(page["limit"], 2);
    assert_eq!(page["offset"], 1);
    assert_eq!(page["items"][0]["username"], "john_smith");
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let managers = ok_json(
        &server,
        &["users", "list", "--role", "hr_manager", "--json"],
    );
    assert_eq!(managers["total"], 3);
    let found = ok_json(&server, &["users", "list", "--search", "SAR", "--json"]);
    assert_eq!(found["items"][0]["username"], "sarah");
    let table = server.run(&["users", "list"]);
    table.expect_code(0);
    assert!(table.stdout.contains("sarah"), "{}", table.stdout);
    assert!(table.stdout.contains("6 users"), "{}", table.stdout);

    for who in ["sarah", "5", "SARAH"] {
        let sarah = ok_json(&server, &["users", "show", who, "--json"]);
        assert_eq!(sarah["id"], 5);
        assert_eq!(sarah["role"], "hr_manager");
    }
    let missing = server.run(&["users", "show", "nobody", "--json"]);
    missing.expect_code(3);
    assert_eq!(missing.error_json()["error"]["kind"], "not_found");
    assert_eq!(missing.stdout, "");
    let missing = server.run(&["users", "show", "999", "--json"]);
    missing.expect_code(3);
    assert_eq!(missing.error_json()["error"]["code"], "user_not_found");
    let text = server.run(&["users", "show", "999"]);
    text.expect_code(3);
    assert_eq!(text.stderr.trim(), "error: User 999 not found.");

    let bob = ok_json(
        &server,
        &[
            "users",
            "create",
            "bob",
            "--full-name",
            "Bob Builder",
            "--email",
            "bob@example.com",
            "--role",
            "finance_manager",
            "--home-company",
            "NYC",
            "--json",
        ],
    );
    assert_eq!(bob["username"], "bob");
    assert_eq!(bob["home_company_name"], "NYC");
    assert_eq!(bob["company_count"], 1);
    let taken = server.run(&["users", "create", "BOB", "--json"]);
    taken.expect_code(4);
    assert_eq!(taken.error_json()["error"]["code"], "username_taken");
    server
        .run(&["users", "create", "a b", "--json"])
        .expect_code(2);
    server
        .run(&["users", "create", "carol", "--email", "nope"])
        .expect_code(2);
    server
        .run(&["users", "create", "carol", "--role", "boss"])
        .expect_code(2);
    server
        .run(&["users", "create", "carol", "--home-company", "Atlantis"])
        .expect_code(3);
    let deleted = ok_json(&server, &["users", "delete", "bob", "--json"]);
    assert_eq!(deleted["deleted"]["username"], "bob");
    server.run(&["users", "show", "bob"]).expect_code(3);
    server.run(&["users", "delete", "bob"]).expect_code(3);

    let companies = ok_json(&server, &["companies", "list", "--json"]);
    assert_eq!(companies["total"], 11);
    assert_eq!(companies["items"][0]["name"], "NYC");
    assert_eq!(companies["items"][1]["name"], "LA");
    let nyc_id = companies["items"][0]["id"].as_str().unwrap().to_owned();
    let nyc = ok_json(&server, &["companies", "show", &nyc_id, "--json"]);
    assert_eq!(nyc["name"], "NYC");
    let nyc = ok_json(&server, &["companies", "show", "nyc", "--json"]);
    assert_eq!(nyc["id"], nyc_id.as_str());
    let searched = ok_json(
        &server,
        &["companies", "list", "--search", "branch", "--json"],
    );
    assert_eq!(searched["total"], 5);
    let paris = ok_json(&server, &["companies", "create", "Paris", "--json"]);
    assert_eq!(paris["name"], "Paris");
    assert_eq!(paris["user_count"], 0);
    let again = server.run(&["companies", "create", "paris", "--json"]);
    again.expect_code(4);
    assert_eq!(again.error_json()["error"]["code"], "company_name_taken");
    server.run(&["companies", "create", "   "]).expect_code(2);
    let deleted = ok_json(&server, &["companies", "delete", "Paris", "--json"]);
    assert_eq!(deleted["deleted"]["id"], paris["id"]);
    server
        .run(&["companies", "show", "Paris", "--json"])
        .expect_code(3);
    server
        .run(&[
            "companies",
            "delete",
            "00000000-0000-4000-8000-000000000000",
        ])
        .expect_code(3);
}

#[test]
fn access_commands_with_json_and_exit_codes() {
    let server = Server::start();

    let added = ok_json(
        &server,
        &access("add", "sarah", &["NYC", "LA"], &["--json"]),
    );
    let names: Vec<&str> = added["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["company_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["NYC", "LA"]);
    assert_eq!(added["already_present"], json!([]));

    let again = server.run(&access("add", "sarah", &["NYC"], &["--json"]));
    again.expect_code(4);
    assert_eq!(again.error_json()["error"]["code"], "already_has_access");
    let text = server.run(&access("add", "sarah", &["NYC"], &[]));
    text.expect_code(4);
    assert_eq!(
        text.stderr.trim(),
        "error: sarah already has access to NYC."
    );

    let mixed = ok_json(
        &server,
        &access("add", "5", &["NYC", "Main Office"], &["--json"]),
    );
    assert_eq!(mixed["added"][0]["company_name"], "Main Office");
    assert_eq!(mixed["already_present"].as_array().unwrap().len(), 1);
    let text = server.run(&access("add", "sarah", &["LA", "Branch_A"], &[]));
    text.expect_code(0);
    assert!(
        text.stdout.contains("Added Branch_A to sarah."),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("sarah already has access to LA."),
        "{}",
        text.stdout
    );

    server
        .run(&access("add", "nobody", &["NYC"], &[]))
        .expect_code(3);
    server
        .run(&access("add", "sarah", &["Atlantis"], &[]))
        .expect_code(3);
    // clap's own usage errors are 2 as well.
    server
        .run(&["access", "add", "--user", "sarah"])
        .expect_code(2);

    let list = ok_json(&server, &["access", "list", "--user", "sarah", "--json"]);
    let mut names = company_names(&list);
    names.sort();
    assert_eq!(names, ["Branch_A", "LA", "Main Office", "NYC"]);
    assert_eq!(list["user"]["username"], "sarah");
    assert_eq!(list["all_companies"], false);
    let members = ok_json(&server, &["access", "list", "--company", "NYC", "--json"]);
    assert_eq!(members["company"]["name"], "NYC");
    assert!(
        members["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["username"] == "sarah"),
        "{members}"
    );
    server.run(&["access", "list"]).expect_code(2);

    let allowed = ok_json(&server, &access("check", "sarah", &["NYC"], &["--json"]));
    assert_eq!(allowed["allowed"], true);
    assert_eq!(allowed["reason"], "grant");
    let denied = server.run(&access("check", "john_smith", &["NYC"], &["--json"]));
    denied.expect_code(5);
    assert_eq!(denied.json()["reason"], "no_grant");
    let text = server.run(&access("check", "sarah", &["LA"], &[]));
    text.expect_code(0);
    assert_eq!(text.stdout.trim(), "sarah may act in LA (granted).");
    let nyc_id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["company_name"] == "NYC")
        .unwrap()["company_id"]
        .as_str()
        .unwrap()
        .to_owned();
    server
        .run(&access("check", "999", &[nyc_id.as_str()], &[]))
        .expect_code(3);

    let removed = ok_json(
        &server,
        &access("remove", "sarah", &["Main Office"], &["--json"]),
    );
    assert_eq!(removed["removed"].as_array().unwrap().len(), 1);
    let gone = server.run(&access("remove", "sarah", &["Main Office"], &["--json"]));
    gone.expect_code(3);
    assert_eq!(gone.error_json()["error"]["code"], "access_not_found");
    let several = ok_json(
        &server,
        &access("remove", "sarah", &["Branch_A", "Main Office"], &["--json"]),
    );
    assert_eq!(several["removed"].as_array().unwrap().len(), 1);
    assert_eq!(several["not_present"].as_array().unwrap().len(), 1);

    let dry = ok_json(&server, &["access", "bulk-add", "--dry-run", "--json"]);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["pairs"], 66);
    let some = ok_json(
        &server,
        &[
            "access",
            "bulk-add",
            "--user",
            "sarah",
            "--user",
            "emp_001",
            "--company",
            "LA",
            "--company",
            "NYC",
            "--json",
        ],
    );
    assert_eq!(some["pairs"], 4);
    assert_eq!(some["added"], 2);
    assert_eq!(some["already_present"], 2);
    let all = ok_json(&server, &["access", "bulk-add", "--json"]);
    assert_eq!(
        all["added"].as_u64().unwrap() + all["already_present"].as_u64().unwrap(),
        66
    );
    assert_eq!(all["added"], dry["added"].as_u64().unwrap() - 2);
    let text = server.run(&["access", "bulk-add"]);
    text.expect_code(0);
    assert!(
        text.stdout
            .contains("6 users × 11 companies = 66 pairs: 0 added, 66 already there."),
        "{}",
        text.stdout
    );
    // Progress is drawn only on a terminal: piped stderr stays empty.
    assert_eq!(text.stderr, "");

    let populate = ok_json(&server, &["access", "populate", "--dry-run", "--json"]);
    assert_eq!(populate["dry_run"], true);
    for field in ["home_company_grants", "super_admin_grants", "defaults_set"] {
        assert!(populate[field].is_u64(), "{populate}");
    }
    ok_json(&server, &["access", "populate", "--json"]);
}

#[test]
fn stats_audit_keys_and_completions() {
    let server = Server::start();
    let stats = ok_json(&server, &["stats", "--json"]);
    assert_eq!(stats["users"], 6);
    assert_eq!(stats["companies"], 11);
    assert_eq!(stats["relationships"], 9);
    let text = server.run(&["stats"]);
    text.expect_code(0);
    assert!(
        text.stdout.contains("Summary statistics"),
        "{}",
        text.stdout
    );

    server
        .run(&access("add", "sarah", &["NYC"], &[]))
        .expect_code(0);
    let audit = ok_json(&server, &["audit", "--user", "sarah", "--json"]);
    assert_eq!(audit["items"][0]["action"], "access.grant");
    assert_eq!(audit["items"][0]["user_id"], 5);
    let filtered = ok_json(
        &server,
        &["audit", "--action", "access.", "--limit", "1", "--json"],
    );
    assert_eq!(filtered["limit"], 1);
    assert_eq!(filtered["items"].as_array().unwrap().len(), 1);
    server
        .run(&["audit", "--since", "yesterday"])
        .expect_code(2);
    let text = server.run(&["audit"]);
    text.expect_code(0);
    assert!(text.stdout.contains("access.grant"), "{}", text.stdout);

    let created = ok_json(
        &server,
        &["keys", "create", "reporting", "--scope", "read", "--json"],
    );
    assert_eq!(created["name"], "reporting");
    assert_eq!(created["scope"], "read");
    let secret = created["secret"].as_str().unwrap().to_owned();
    let keys = ok_json(&server, &["keys", "list", "--json"]);
    assert!(
        keys.as_array()
            .unwrap()
            .iter()
            .any(|k| k["name"] == "reporting"),
        "{keys}"
    );
    server
        .run(&["keys", "create", "reporting", "--scope", "read"])
        .expect_code(4);

    // A read key reads, but may not write: one sentence, exit 1.
    let read = with_token(&server, &secret, &["users", "list", "--json"]);
    assert_eq!(read.status.code(), Some(0));
    let output = with_token(&server, &secret, &access("add", "sarah", &["LA"], &[]));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("may not do this"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let revoked = ok_json(&server, &["keys", "revoke", "reporting", "--json"]);
    assert_eq!(revoked["revoked"]["name"], "reporting");
    server
        .run(&["keys", "revoke", "no-such-key"])
        .expect_code(3);
    let output = with_token(&server, &secret, &["users", "list"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("refused the API key in COMPANY_ACCESS_TOKEN"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    for shell in ["bash", "zsh", "fish"] {
        let script = server.run(&["completions", shell]);
        script.expect_code(0);
        assert!(script.stdout.contains("company-access"), "{shell}");
        assert!(script.stdout.contains("bulk-add"), "{shell}");
    }
    server.run(&["completions", "tcsh"]).expect_code(2);

    let help = server.run(&["access", "add", "--help"]);
    help.expect_code(0);
    assert!(help.stdout.contains("Exit codes:"), "{}", help.stdout);
    assert!(help.stdout.contains("4  conflict"), "{}", help.stdout);
}

#[test]
fn clients_use_the_master_key_file_of_a_local_server_and_report_a_server_that_is_down() {
    let server = Server::start_with(ServerOptions {
        master_key_in_env: false,
        ..ServerOptions::default()
    });

    // COMPANY_ACCESS_TOKEN unset: COMPANY_ACCESS_DATA_DIR/master-key is used.
    let mut command = server.cli();
    command
        .env_remove("COMPANY_ACCESS_TOKEN")
        .env("COMPANY_ACCESS_DATA_DIR", server.dir.path())
        .args(["users", "show", "sarah", "--json"]);
    let output = command.output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // ... or data/master-key below the working directory.
    let cwd = tempfile::tempdir().unwrap();
    std::fs::create_dir(cwd.path().join("data")).unwrap();
    std::fs::write(
        cwd.path().join("data/master-key"),
        format!("{}\n", server.key),
    )
    .unwrap();
    let output = without_token(&server, cwd.path(), &["stats", "--json"]);
    assert_eq!(output.status.code(), Some(0));

    // No key anywhere: one sentence naming what to set.
    let empty = tempfile::tempdir().unwrap();
    let output = without_token(&server, empty.path(), &["stats"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("No API key: set COMPANY_ACCESS_TOKEN"),
        "{stderr}"
    );

    let url = closed_url();
    let mut command = server.cli();
    command
        .env("COMPANY_ACCESS_URL", &url)
        .args(["users", "list", "--json"]);
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let error: Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(error["error"]["kind"], "failure");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Cannot reach the Company Access server"),
        "{error}"
    );

    let mut command = server.cli();
    command
        .env("COMPANY_ACCESS_URL", "ftp://example.com")
        .args(["users", "list"]);
    assert_eq!(command.output().unwrap().status.code(), Some(2));
}

#[test]
fn changes_lists_what_was_committed_and_consistency_is_checked_by_the_server() {
    let server = Server::start();
    let before = server.run(&["changes", "--json"]);
    before.expect_code(0);
    let start = before.stdout.lines().count();
    server
        .run(&["access", "add", "--user", "sarah", "--company", "NYC"])
        .expect_code(0);
    let after = server.run(&["changes", "--json"]);
    after.expect_code(0);
    let lines: Vec<Value> = after
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), start + 1, "{}", after.stdout);
    let last = lines.last().unwrap();
    assert_eq!(last["action"], "access.grant");
    assert_eq!(last["user_id"], 5);
    let revision = last["revision"].as_str().unwrap();
    let none_after = server.run(&["changes", "--after", revision]);
    none_after.expect_code(0);
    assert_eq!(none_after.stdout, "");
    let table = server.run(&["changes"]);
    assert!(table.stdout.contains("access.grant"), "{}", table.stdout);

    // An expiry is in the stream too, after the grant that set its end.
    let until = chrono::Utc::now() + chrono::Duration::milliseconds(800);
    server
        .run(&[
            "access",
            "add",
            "--user",
            "sarah",
            "--company",
            "LA",
            "--valid-until",
            &until.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        ])
        .expect_code(0);
    std::thread::sleep(std::time::Duration::from_millis(1_200));
    let expiry = server.run(&["changes", "--json", "--after", revision]);
    expiry.expect_code(0);
    let actions: Vec<String> = expiry
        .stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["action"].to_string())
        .collect();
    assert_eq!(
        actions,
        ["\"access.grant\"", "\"access.expire\""],
        "{}",
        expiry.stdout
    );
    let expired_table = server.run(&["changes", "--after", revision]);
    assert!(
        expired_table
            .stdout
            .contains("access.expire user 5 (sarah)"),
        "{}",
        expired_table.stdout
    );

    let exact = server.run(&[
        "access",
        "check",
        "--user",
        "5",
        "--company",
        "NYC",
        "--consistency",
        &format!("at-least {revision}"),
    ]);
    exact.expect_code(0);
    let bogus = server.run(&[
        "access",
        "check",
        "--user",
        "5",
        "--company",
        "NYC",
        "--consistency",
        "strong",
    ]);
    bogus.expect_code(2);
    assert!(
        bogus.stderr.contains("at-least <revision>"),
        "{}",
        bogus.stderr
    );
}
