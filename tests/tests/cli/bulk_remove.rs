//! `access bulk-remove` (POST /access/revoke) and the order of `companies list`.

use crate::{access, company_names, ok_json, with_token};
use company_access_tests::binary::Server;
use serde_json::{Value, json};

/// `access bulk-remove --user U… --company C…` followed by `rest`.
fn bulk_remove<'a>(users: &[&'a str], companies: &[&'a str], rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["access", "bulk-remove"];
    for user in users {
        args.extend(["--user", user]);
    }
    for company in companies {
        args.extend(["--company", company]);
    }
    args.extend(rest);
    args
}

fn companies_of(server: &Server, user: &str) -> Vec<String> {
    company_names(&ok_json(
        server,
        &["access", "list", "--user", user, "--json"],
    ))
}

/// The grants an answer names, as (user id, company id) pairs.
fn items(result: &Value) -> Vec<(i64, String)> {
    result["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["user_id"].as_i64().unwrap(),
                item["company_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn company_id(server: &Server, name: &str) -> String {
    ok_json(server, &["companies", "show", name, "--json"])["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn bulk_remove_lists_what_a_dry_run_would_remove_then_removes_exactly_that() {
    let server = Server::start();
    ok_json(
        &server,
        &access("add", "sarah", &["NYC", "LA"], &["--json"]),
    );
    ok_json(&server, &access("add", "emp_001", &["LA"], &["--json"]));
    let nyc = company_id(&server, "NYC");
    let la = company_id(&server, "LA");
    let sarah = ok_json(&server, &["users", "show", "sarah", "--json"])["id"]
        .as_i64()
        .unwrap();
    let emp = ok_json(&server, &["users", "show", "emp_001", "--json"])["id"]
        .as_i64()
        .unwrap();
    let emp_before = companies_of(&server, "emp_001");
    assert!(!emp_before.contains(&"NYC".to_owned()), "{emp_before:?}");
    let sarah_before = companies_of(&server, "sarah");

    // Names and ids mix; a user named twice counts once.
    let who = ["sarah", "emp_001", &sarah.to_string()].map(str::to_owned);
    let who: Vec<&str> = who.iter().map(String::as_str).collect();
    let dry = ok_json(
        &server,
        &bulk_remove(&who, &["NYC", &la], &["--dry-run", "--json"]),
    );
    assert_eq!(
        (&dry["users"], &dry["companies"], &dry["pairs"]),
        (&json!(2), &json!(2), &json!(4))
    );
    assert_eq!(
        (&dry["removed"], &dry["not_granted"]),
        (&json!(3), &json!(1))
    );
    assert_eq!(dry["dry_run"], true);
    let expected = vec![(sarah, nyc.clone()), (sarah, la.clone()), (emp, la.clone())];
    assert_eq!(items(&dry), expected);
    assert_eq!(companies_of(&server, "sarah"), sarah_before);
    assert_eq!(companies_of(&server, "emp_001"), emp_before);

    let text = server.run(&bulk_remove(
        &["sarah", "emp_001"],
        &["NYC", "LA"],
        &["--dry-run"],
    ));
    text.expect_code(0);
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["USER", "ID", "USERNAME", "COMPANY"]
    );
    let rows: Vec<Vec<&str>> = lines[2..5]
        .iter()
        .map(|line| line.split_whitespace().collect())
        .collect();
    let sarah_id = sarah.to_string();
    let emp_id = emp.to_string();
    assert_eq!(
        rows,
        [
            vec![sarah_id.as_str(), "sarah", "NYC"],
            vec![sarah_id.as_str(), "sarah", "LA"],
            vec![emp_id.as_str(), "emp_001", "LA"],
        ],
        "{}",
        text.stdout
    );
    assert_eq!(
        lines[5],
        "2 users × 2 companies = 4 pairs: 3 would be removed, 1 not granted; nothing was removed (dry run).",
    );
    assert_eq!(text.stderr, "");

    let done = server.run(&bulk_remove(&["sarah", "emp_001"], &["NYC", "LA"], &[]));
    done.expect_code(0);
    assert!(
        done.stdout
            .ends_with("2 users × 2 companies = 4 pairs: 3 removed, 1 not granted.\n"),
        "{}",
        done.stdout
    );
    assert!(done.stdout.contains("emp_001"), "{}", done.stdout);
    let left = |before: &[String]| -> Vec<String> {
        before
            .iter()
            .filter(|name| *name != "NYC" && *name != "LA")
            .cloned()
            .collect()
    };
    assert_eq!(companies_of(&server, "sarah"), left(&sarah_before));
    assert_eq!(companies_of(&server, "emp_001"), left(&emp_before));
    let revoked = ok_json(&server, &["audit", "--action", "access.revoke", "--json"]);
    assert_eq!(revoked["total"], 3, "{revoked}");

    let again = ok_json(
        &server,
        &bulk_remove(&["sarah", "emp_001"], &["NYC", "LA"], &["--json"]),
    );
    assert_eq!(
        (&again["removed"], &again["not_granted"]),
        (&json!(0), &json!(4))
    );
    assert_eq!(again["dry_run"], false);
    let nothing = server.run(&bulk_remove(&["sarah"], &["NYC"], &[]));
    nothing.expect_code(0);
    assert_eq!(
        nothing.stdout,
        "1 user × 1 company = 1 pair: 0 removed, 1 not granted.\n"
    );
}

#[test]
fn bulk_remove_changes_nothing_when_a_name_is_unknown_and_needs_both_lists() {
    let server = Server::start();
    ok_json(&server, &access("add", "sarah", &["NYC"], &["--json"]));

    let user = server.run(&bulk_remove(&["sarah", "nobody"], &["NYC"], &["--json"]));
    user.expect_code(3);
    assert_eq!(user.error_json()["error"]["kind"], "not_found");
    assert_eq!(user.stdout, "");
    let company = server.run(&bulk_remove(&["sarah"], &["NYC", "Atlantis"], &[]));
    company.expect_code(3);
    assert_eq!(
        company.stderr.trim(),
        "error: Company not found: no company named \"Atlantis\"."
    );
    let missing = server.run(&bulk_remove(
        &["sarah"],
        &["NYC", "00000000-0000-4000-8000-000000000000"],
        &["--json"],
    ));
    missing.expect_code(3);
    assert_eq!(missing.error_json()["error"]["code"], "company_not_found");
    assert!(companies_of(&server, "sarah").contains(&"NYC".to_owned()));

    // No list never means everyone: clap refuses before anything is sent.
    for args in [
        bulk_remove(&["sarah"], &[], &[]),
        bulk_remove(&[], &["NYC"], &[]),
    ] {
        let refused = server.run(&args);
        refused.expect_code(2);
        assert!(refused.stderr.contains("--"), "{}", refused.stderr);
    }
    assert!(companies_of(&server, "sarah").contains(&"NYC".to_owned()));
}

#[test]
fn companies_list_takes_a_direction_for_its_order() {
    let server = Server::start();
    let names = |args: &[&str]| -> Vec<String> {
        let page = ok_json(&server, &[&["companies", "list", "--json"], args].concat());
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|company| company["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let created = names(&[]);
    assert_eq!(created[0], "NYC");
    let newest_first = names(&["--order", "desc"]);
    assert_eq!(
        newest_first,
        created.iter().rev().cloned().collect::<Vec<_>>()
    );
    assert_eq!(names(&["--sort", "created", "--order", "asc"]), created);
    let by_name = names(&["--sort", "name"]);
    let mut z_first = by_name.clone();
    z_first.reverse();
    assert_eq!(names(&["--sort", "name", "--order", "desc"]), z_first);
    // A page of the reversed order is the reversed list's page.
    let page = names(&[
        "--sort", "name", "--order", "desc", "--limit", "2", "--offset", "1",
    ]);
    assert_eq!(page, z_first[1..3]);

    let refused = server.run(&["companies", "list", "--order", "up"]);
    refused.expect_code(2);
    assert!(
        refused.stderr.contains("order must be one of asc, desc"),
        "{}",
        refused.stderr
    );
}

#[test]
fn bulk_remove_with_a_key_bound_to_a_user_reaches_only_the_companies_they_administer() {
    let server = Server::start();
    ok_json(
        &server,
        &access("add", "sarah", &["LA"], &["--role", "admin", "--json"]),
    );
    ok_json(
        &server,
        &access("add", "emp_001", &["LA", "NYC"], &["--json"]),
    );
    let before = companies_of(&server, "emp_001");
    let key = ok_json(
        &server,
        &[
            "keys", "create", "sarahs", "--scope", "write", "--user", "sarah", "--json",
        ],
    );
    let secret = key["secret"].as_str().unwrap();

    // The key's user does not see NYC, so its name is unknown to them; its id reaches the server.
    let by_name = with_token(
        &server,
        secret,
        &bulk_remove(&["emp_001"], &["LA", "NYC"], &["--json"]),
    );
    assert_eq!(by_name.status.code(), Some(3));
    let nyc = company_id(&server, "NYC");
    let beyond = with_token(
        &server,
        secret,
        &bulk_remove(&["emp_001"], &["LA", &nyc], &["--json"]),
    );
    assert_eq!(
        beyond.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&beyond.stderr)
    );
    let error: Value = serde_json::from_slice(&beyond.stderr).unwrap();
    assert_eq!(error["error"]["code"], "out_of_reach", "{error}");
    assert_eq!(companies_of(&server, "emp_001"), before);

    let within = with_token(
        &server,
        secret,
        &bulk_remove(&["emp_001"], &["LA"], &["--json"]),
    );
    assert_eq!(within.status.code(), Some(0), "{within:?}");
    let result: Value = serde_json::from_slice(&within.stdout).unwrap();
    assert_eq!(result["removed"], 1);
    let without_la: Vec<String> = before.into_iter().filter(|name| name != "LA").collect();
    assert_eq!(companies_of(&server, "emp_001"), without_la);
}
