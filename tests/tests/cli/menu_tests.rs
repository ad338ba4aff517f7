//! The interactive menu, in a pseudo-terminal and fed from a pipe.

use crate::{assert_no_panic, closed_url, company_names, ok_json, with_token};
use company_access_tests::binary::{Server, ServerOptions};
use rexpect::process::WaitStatus;
use rexpect::reader::Options;
use rexpect::session::PtySession;
use std::process::Command;

/// The seed's workflow; the Enter after "1, 2" keeps the grants' terms plain (the user's role, no window).
const SEED_WORKFLOW: &str = "1\n2\n4\nsarah\n1\n1, 2\n\n3\nsarah\n1\nq\n";

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
    say(
        &mut p,
        "1, 2",
        "Give them a role or a window of their own? [y/N]",
    );
    say(&mut p, "", "Adding NYC and LA to sarah");
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
    say(&mut p, "", "Proceed? [y/N]");
    say(&mut p, "maybe", "Please answer y or n.");
    say(&mut p, "", "Nothing changed.");
    p.exp_string("Select an option").unwrap();
    say(
        &mut p,
        "6",
        "Give them a role or a window of their own? [y/N]",
    );
    say(&mut p, "", "Proceed? [y/N]");
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
    let figure = |label: &str| {
        out.lines()
            .find(|line| line.trim_start().starts_with(label))
            .map(|line| {
                line[line.find(label).unwrap_or(0) + label.len()..]
                    .trim()
                    .to_owned()
            })
    };
    assert_eq!(
        figure("User-company relationships").as_deref(),
        Some("0"),
        "{out}"
    );
    assert_eq!(
        figure("Users without companies (super admins apart)").as_deref(),
        Some("0"),
        "{out}"
    );
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

#[test]
fn menu_options_ask_for_roles_windows_and_branches() {
    let server = Server::start();
    server.run(&["companies", "create", "West"]).expect_code(0);
    server
        .run(&["companies", "create", "West Branch", "--parent", "West"])
        .expect_code(0);
    server
        .run(&[
            "access",
            "add",
            "--user",
            "sarah",
            "--company",
            "LA",
            "--valid-until",
            "2020-01-01",
        ])
        .expect_code(0);
    let input = [
        // Option 4: NYC as employee from 2027 on; each wrong answer is asked again.
        "4",
        "sarah",
        "1",
        "NYC",
        "y",
        "super_admin",
        "boss",
        "employee",
        "not-a-date",
        "2027-01-01",
        "2026-06-01",
        "2028-01-01",
        "n",
        // Option 4: West with its branches.
        "4",
        "sarah",
        "1",
        "West",
        "y",
        "",
        "",
        "",
        "y",
        // Option 3: the expired LA is listed and said to be expired.
        "3",
        "sarah",
        "1",
        // Option 5: the expired grant is there to remove.
        "5",
        "sarah",
        "1",
        "LA",
        "y",
        // Option 6: every new grant as finance_manager until 2030.
        "6",
        "y",
        "finance_manager",
        "",
        "2030-01-01",
        "n",
        "y",
        "q",
    ]
    .join("\n")
        + "\n";
    let run = server.run_with_input(&["menu"], &input);
    run.expect_code(0);
    let out = &run.stdout;
    for said in [
        "Give them a role, a window or their branches? [y/N]",
        "super_admin is a user's role everywhere, never granted company by company",
        "\"boss\" is not a role; pick one of admin, hr_manager, finance_manager, employee.",
        "\"not-a-date\" is not an RFC 3339 instant such as 2027-01-01T00:00:00Z",
        "The end (2026-06-01 00:00 UTC) must be later than the start (2027-01-01 00:00 UTC).",
        "Adding NYC to sarah as employee, from 2027-01-01 00:00 UTC, until 2028-01-01 00:00 UTC…",
        "Done! Added NYC to sarah.",
        "Adding West to sarah with their branches…",
        "1 grant listed below has expired and no longer gives access.",
        "Done! Removed LA from sarah.",
        "relationships as finance_manager, until 2030-01-01 00:00 UTC…",
    ] {
        assert!(out.contains(said), "{said:?} not in:\n{out}");
    }
    let nyc = ok_json(&server, &["access", "list", "--user", "sarah", "--json"]);
    let grant = nyc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|grant| grant["company_name"] == "NYC")
        .cloned()
        .unwrap_or_else(|| panic!("no NYC: {nyc}"));
    assert_eq!(grant["granted_role"], "employee");
    assert_eq!(grant["state"], "scheduled");
    assert_eq!(grant["valid_until"], "2028-01-01T00:00:00Z");
    let branch = ok_json(
        &server,
        &[
            "access",
            "check",
            "--user",
            "sarah",
            "--company",
            "West Branch",
            "--json",
        ],
    );
    assert_eq!(branch["allowed"], true, "{branch}");
    let bulk = ok_json(
        &server,
        &[
            "access",
            "check",
            "--user",
            "hr_manager_1",
            "--company",
            "NYC",
            "--role",
            "finance_manager",
            "--json",
        ],
    );
    assert_eq!(bulk["allowed"], true, "{bulk}");
}
