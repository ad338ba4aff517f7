//! End-to-end tests of the `company-access` clients: the real binary against a real server, each test
//! with a server and database of its own.
//!
//! Needs the binary: `cargo build -p company-access && cargo test -p company-access-tests --test cli`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use company_access_tests::binary::{Server, ServerOptions, workspace_dir};
use rexpect::process::WaitStatus;
use rexpect::reader::Options;
use rexpect::session::PtySession;
use serde_json::{Value, json};
use std::process::Command;

const SEED_WORKFLOW: &str = "1\n2\n4\nsarah\n1\n1, 2\n3\nsarah\n1\nq\n";

/// The menu in a pseudo-terminal, as a person would run it.
fn menu_in_pty(command: Command) -> PtySession {
    rexpect::spawn_with_options(
        command,
        Options::new()
            .timeout_ms(Some(30_000))
            .strip_ansi_escape_codes(true),
    )
    .expect("cannot start the menu in a pseudo-terminal")
}

fn menu(server: &Server) -> PtySession {
    let mut command = server.cli();
    command.arg("menu");
    menu_in_pty(command)
}

fn exit_code(session: &mut PtySession) -> i32 {
    match session.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("the menu did not exit normally: {other:?}"),
    }
}

/// Names in a `--json` list of user companies.
fn company_names(value: &Value) -> Vec<String> {
    value["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["company_name"].as_str().unwrap().to_owned())
        .collect()
}

/// Types `line` and waits for `reply`.
fn say(p: &mut PtySession, line: &str, reply: &str) {
    p.send_line(line).unwrap();
    p.exp_string(reply).unwrap();
}

/// Opens a menu option that starts by picking a user, and picks sarah, the one match of "sarah".
fn pick_sarah(p: &mut PtySession, option: &str) {
    say(p, option, "Search users");
    say(p, "sarah", "Select user");
    p.send_line("1").unwrap();
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

// ------------------------------------------------------------------ the menu

#[test]
fn menu_runs_the_seed_workflow_in_a_terminal() {
    let server = Server::start();
    let mut p = menu(&server);
    p.exp_string("Select an option").unwrap();

    // Option 1 → View all users → Find sarah (ID: 5)
    p.send_line("1").unwrap();
    p.exp_regex(r"\n\s*5\s+sarah\s+Sarah").unwrap();
    p.exp_string("Select an option").unwrap();

    // Option 2 → View all companies → Find NYC (UUID: xxx), LA (UUID: yyy)
    p.send_line("2").unwrap();
    p.exp_regex(r"[0-9a-f-]{36}\s+NYC").unwrap();
    p.exp_regex(r"[0-9a-f-]{36}\s+LA").unwrap();
    p.exp_string("Select an option").unwrap();

    // Option 4 → Select user: 1 (sarah) → Select companies: 1, 2 (NYC and LA) → Done!
    say(&mut p, "4", "Search users (part of name, Enter for all)");
    p.send_line("sarah").unwrap();
    p.exp_regex(r"\n1  sarah").unwrap();
    p.exp_string("Select user").unwrap();
    p.send_line("1").unwrap();
    p.exp_regex(r"\n\s*1\s+NYC\s").unwrap();
    p.exp_regex(r"\n\s*2\s+LA\s").unwrap();
    p.exp_string("Select companies").unwrap();
    say(&mut p, "1, 2", "Adding NYC and LA to sarah");
    p.exp_string("Done! Added NYC and LA to sarah.").unwrap();
    p.exp_string("Select an option").unwrap();

    // Option 3 → Shows: sarah has access to NYC and LA
    pick_sarah(&mut p, "3");
    p.exp_string("sarah has access to 2 companies: NYC and LA")
        .unwrap();
    p.exp_string("Select an option").unwrap();

    // Adding one she already has says so (the seed's "UNIQUE constraint failed").
    pick_sarah(&mut p, "4");
    p.exp_string("sarah has NYC and LA").unwrap();
    p.exp_string("Select companies").unwrap();
    say(&mut p, "NYC", "sarah already has access to NYC.");
    p.exp_string("Select companies").unwrap();
    say(&mut p, "q", "Select an option");

    say(&mut p, "q", "Bye.");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 0);

    let sarah = ok_json(&server, &["access", "list", "--user", "sarah", "--json"]);
    let mut names = company_names(&sarah);
    names.sort();
    assert_eq!(names, ["LA", "NYC"]);
}

#[test]
fn menu_reasks_on_bad_input_and_leaves_cleanly_on_ctrl_c() {
    let server = Server::start();
    let mut p = menu(&server);
    p.exp_string("Select an option").unwrap();
    for bad in ["x", "9", "0", "", "-1", "1.5"] {
        say(
            &mut p,
            bad,
            "Please enter a number from 1 to 7, or q to quit.",
        );
        p.exp_string("Select an option").unwrap();
    }

    say(&mut p, "4", "Search users");
    say(
        &mut p,
        "nobody-like-this",
        "No users found matching \"nobody-like-this\"",
    );
    p.exp_string("Search users").unwrap();
    p.send_line("sarah").unwrap();
    p.exp_string("Select user (1-1; q cancel)").unwrap();
    say(&mut p, "x", "\"x\" is not a number: enter 1.");
    say(&mut p, "7", "7 is out of range: enter 1.");
    say(&mut p, "", "Enter 1.");
    say(&mut p, "1", "Select companies");
    say(
        &mut p,
        "abc",
        "\"abc\" is not a number: enter a number from 1 to 11.",
    );
    say(&mut p, "12", "12 is out of range");
    say(&mut p, "3-1", "is not a range");
    say(&mut p, "", "Enter a number from 1 to 11.");
    say(&mut p, "q", "Select an option");

    // Ctrl-C at a prompt: a short message and exit status 130, no trace.
    p.send_control('c').unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("Interrupted."), "{rest}");
    assert_no_panic(&rest);
    assert_eq!(exit_code(&mut p), 130);

    // Ctrl-D (end of input) in the middle of an option leaves as quitting does.
    let mut p = menu(&server);
    p.exp_string("Select an option").unwrap();
    say(&mut p, "3", "Search users");
    p.send_control('d').unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("Bye."), "{rest}");
    assert_eq!(exit_code(&mut p), 0);

    // Nothing was changed by any of that.
    let sarah = ok_json(&server, &["access", "list", "--user", "sarah", "--json"]);
    assert_eq!(company_names(&sarah), Vec::<String>::new());
}

#[test]
fn menu_bulk_add_remove_and_statistics_in_a_terminal() {
    let server = Server::start();
    let mut p = menu(&server);
    p.exp_string("Select an option").unwrap();

    // The demo has 9 grants of 6 × 11 pairs.
    p.send_line("6").unwrap();
    // rexpect reads bytes as Latin-1, so the "×" is matched by `.+`.
    p.exp_regex(r"6 users .+ 11 companies = 66 pairs\.")
        .unwrap();
    p.exp_string("57 will be added; 9 are already there.")
        .unwrap();
    p.exp_string("Proceed? [y/N]").unwrap();
    say(&mut p, "maybe", "Please answer y or n.");
    say(&mut p, "", "Nothing changed.");
    p.exp_string("Select an option").unwrap();
    say(&mut p, "6", "Proceed? [y/N]");
    p.send_line("y").unwrap();
    p.exp_string("Done! Added 57 relationships; 9 were already there.")
        .unwrap();
    p.exp_string("Select an option").unwrap();
    say(
        &mut p,
        "6",
        "Nothing to do: every user already has every company.",
    );
    p.exp_string("Select an option").unwrap();

    // Option 5 shows what will change, asks, and shows what changed.
    pick_sarah(&mut p, "5");
    p.exp_string("sarah has access to:").unwrap();
    p.exp_string("Select companies").unwrap();
    // By name: after a bulk grant the order of her grants is not the companies' order.
    say(&mut p, "NYC, LA", "This removes NYC and LA from sarah.");
    p.exp_string("Remove? [y/N]").unwrap();
    say(&mut p, "n", "Nothing changed.");
    p.exp_string("Select an option").unwrap();
    pick_sarah(&mut p, "5");
    p.exp_string("Select companies").unwrap();
    say(&mut p, "nyc", "Remove? [y/N]");
    say(&mut p, "y", "Done! Removed NYC from sarah.");
    p.exp_string("Select an option").unwrap();

    say(&mut p, "7", "Summary statistics");
    p.exp_regex(r"User-company relationships\s+65").unwrap();
    p.exp_regex(r"Average companies per user\s+10\.83").unwrap();
    p.exp_string("Select an option").unwrap();
    p.send_line("q").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 0);
}

#[test]
fn menu_works_with_piped_input_and_ends_at_end_of_input() {
    let server = Server::start();
    // The seed's workflow, a few mistakes, then end of input half-way through option 4.
    let input = format!(
        "{}x\n\n42\n4\nsarah\n",
        SEED_WORKFLOW.trim_end_matches("q\n")
    );
    let run = server.run_with_input(&["menu"], &input);
    run.expect_code(0);
    assert_no_panic(&run.stderr);
    let out = &run.stdout;
    assert!(out.contains("\n1  sarah"), "{out}");
    assert!(out.contains("Done! Added NYC and LA to sarah."), "{out}");
    assert!(
        out.contains("sarah has access to 2 companies: NYC and LA"),
        "{out}"
    );
    assert_eq!(
        out.matches("Please enter a number from 1 to 7, or q to quit.")
            .count(),
        3,
        "{out}"
    );
    assert!(out.trim_end().ends_with("Bye."), "{out}");
    // Piped answers are echoed after their prompts, so the transcript reads like a session.
    assert!(out.contains("Select companies (e.g. 1, 2 or 1-3 or all; q cancel): 1, 2\n"));
}

#[test]
fn menu_says_no_users_found_on_an_empty_database() {
    let server = Server::start_with(ServerOptions {
        demo: false,
        ..ServerOptions::default()
    });
    let run = server.run_with_input(&["menu"], "1\n2\n3\n\n4\n\n5\n\n6\n7\nq\n");
    run.expect_code(0);
    let out = &run.stdout;
    assert_eq!(out.matches("No users found\n").count(), 5, "{out}");
    assert!(out.contains("No companies found"), "{out}");
    assert!(out.contains("User-company relationships     0"), "{out}");
}

#[test]
fn menu_pages_and_searches_thousands_of_users() {
    let server = Server::start();
    // More than two pages of 20: enough to page forward, back, and pick from an unseen page.
    for i in 1..=45 {
        let name = format!("test_user_{i:02}");
        server
            .run(&["users", "create", &name, "--json"])
            .expect_code(0);
    }
    let input =
        "1\nn\nn\nn\np\nx\n\n3\ntest_user\n25\n3\ntest_user\nn\n41\n3\ntest\nTEST_USER_05\nq\n";
    let run = server.run_with_input(&["menu"], input);
    run.expect_code(0);
    let out = &run.stdout;
    assert!(out.contains("Page 1 of 3 (51 users)"), "{out}");
    assert!(out.contains("Page 3 of 3 (51 users)"), "{out}");
    assert!(out.contains("This is the last page."), "{out}");
    assert!(
        out.contains("Type n or p to turn the page, or press Enter to return."),
        "{out}"
    );
    // Number 25 of the search is on page 2, which was never shown: it is still the 25th match.
    assert!(out.contains("test_user_25 has no companies yet."), "{out}");
    assert!(out.contains("\n21  test_user_21"), "{out}");
    assert!(out.contains("test_user_41 has no companies yet."), "{out}");
    // A username on the page shown may be typed instead of its number.
    assert!(out.contains("test_user_05 has no companies yet."), "{out}");
}

#[test]
fn menu_gives_one_sentence_when_the_server_is_down_or_the_key_is_wrong() {
    let server = Server::start();

    let output = with_token(&server, "not-the-key", &["menu"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("refused the API key"), "{stderr}");
    assert!(
        !String::from_utf8_lossy(&output.stdout).contains("Menu:"),
        "the menu was shown"
    );

    let url = closed_url();
    let mut down = server.cli();
    down.env("COMPANY_ACCESS_URL", &url).arg("menu");
    let output = down.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("Cannot reach the Company Access server at {url}")),
        "{stderr}"
    );
    assert_no_panic(&stderr);

    // Through a terminal it is the same sentence.
    let mut command = server.cli();
    command.env("COMPANY_ACCESS_URL", &url).arg("menu");
    let mut p = menu_in_pty(command);
    p.exp_string("Cannot reach the Company Access server")
        .unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 1);
}

// ------------------------------------------------------------------ scripting commands

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

// ------------------------------------------------------------------ the Python module

#[test]
fn python_module_runs_the_seed_examples() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    if Command::new(&python).arg("--version").output().is_err() {
        eprintln!("skipped: {python} is not installed");
        return;
    }
    let server = Server::start();
    let dir = workspace_dir().join("clients/python");
    let output = Command::new(&python)
        .args(["-m", "unittest", "-v", "test_add_user_companies"])
        .current_dir(&dir)
        .env("COMPANY_ACCESS_TEST_URL", &server.url)
        .env("COMPANY_ACCESS_TEST_TOKEN", &server.key)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "python tests failed:\n{stderr}");
    assert!(stderr.contains("OK"), "{stderr}");
}

/// `company-access migrate up|down|status` on the database `DATABASE_URL` names (SQLite, or PostgreSQL
/// when `TEST_DATABASE_URL` is set): every migration can be rolled back and applied again.
#[test]
fn migrate_up_status_down_and_up_again() {
    let database = company_access_tests::TestDatabase::new();
    let migrate = |args: &[&str]| {
        let output = company_access_tests::binary::clean_command()
            .arg("migrate")
            .args(args)
            .env("DATABASE_URL", &database.url)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "migrate {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    migrate(&["up"]);
    let status = migrate(&["status"]);
    assert_eq!(
        status
            .lines()
            .filter(|line| line.starts_with("Applied"))
            .count(),
        5,
        "{status}"
    );
    assert!(
        status.contains("m20261124_000003_create_user_company_access"),
        "{status}"
    );
    migrate(&["down", "--steps", "5"]);
    let status = migrate(&["status"]);
    assert_eq!(
        status
            .lines()
            .filter(|line| line.starts_with("Pending"))
            .count(),
        5,
        "{status}"
    );
    assert_eq!(
        database.query_i64("SELECT count(*) FROM seaql_migrations"),
        0
    );
    migrate(&["up"]);
    assert_eq!(
        database.query_i64("SELECT count(*) FROM hrm_user_company_access"),
        0
    );
}
