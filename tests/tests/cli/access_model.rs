//! The access model from the command line: roles and windows on grants, checks by role, the company
//! tree, and CSV import and export.

use crate::ok_json;
use company_access_tests::binary::Server;

#[test]
fn roles_windows_branches_and_csv_from_the_command_line() {
    let server = Server::start();
    let created = ok_json(&server, &["companies", "create", "East HQ", "--json"]);
    let east = created["id"].as_str().unwrap().to_owned();
    let branch = ok_json(
        &server,
        &[
            "companies",
            "create",
            "Harlem",
            "--parent",
            "East HQ",
            "--json",
        ],
    );
    assert_eq!(branch["parent_id"], east.as_str());

    let added = ok_json(
        &server,
        &[
            "access",
            "add",
            "--user",
            "sarah",
            "--company",
            "East HQ",
            "--role",
            "admin",
            "--valid-until",
            "2031-01-01",
            "--include-branches",
            "--json",
        ],
    );
    assert_eq!(added["added"][0]["role"], "admin");
    assert_eq!(added["added"][0]["valid_until"], "2031-01-01T00:00:00Z");
    let allowed = server.run(&[
        "access",
        "check",
        "--user",
        "sarah",
        "--company",
        "Harlem",
        "--role",
        "admin,hr_manager",
    ]);
    allowed.expect_code(0);
    assert!(
        allowed.stdout.contains("may act in Harlem"),
        "{}",
        allowed.stdout
    );
    let denied = server.run(&[
        "access",
        "check",
        "--user",
        "sarah",
        "--company",
        "Harlem",
        "--role",
        "employee",
    ]);
    denied.expect_code(5);
    assert!(
        denied
            .stdout
            .contains("may not act in Harlem as employee (holds admin there)"),
        "{}",
        denied.stdout
    );
    let bad_role = server.run(&[
        "access",
        "check",
        "--user",
        "sarah",
        "--company",
        "NYC",
        "--role",
        "boss",
    ]);
    bad_role.expect_code(2);

    let set = server.run(&[
        "access",
        "set",
        "--user",
        "sarah",
        "--company",
        "East HQ",
        "--role",
        "user",
        "--valid-until",
        "none",
    ]);
    set.expect_code(0);
    assert!(
        set.stdout.contains("holds East HQ as hr_manager (active)"),
        "{}",
        set.stdout
    );
    let nothing = server.run(&["access", "set", "--user", "sarah", "--company", "East HQ"]);
    nothing.expect_code(2);

    let moved = server.run(&["companies", "move", "Harlem", "--parent", "none"]);
    moved.expect_code(0);
    assert!(
        moved.stdout.contains("Harlem is now a top-level company"),
        "{}",
        moved.stdout
    );
    let cycle = server.run(&["companies", "move", "East HQ", "--parent", "East HQ"]);
    cycle.expect_code(4);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("grants.csv");
    let exported = server.run(&["access", "export", "--output", file.to_str().unwrap()]);
    exported.expect_code(0);
    let csv = std::fs::read_to_string(&file).unwrap();
    assert!(csv.contains("sarah,East HQ,,,,true"), "{csv}");
    let again = ok_json(
        &server,
        &["access", "import", file.to_str().unwrap(), "--json"],
    );
    assert_eq!(again["added"], 0);
    assert_eq!(again["changed"], 0);
    std::fs::write(
        &file,
        "username,company,role\njohn_smith,NYC,finance_manager\nnobody,NYC,\n",
    )
    .unwrap();
    let refused = server.run(&["access", "import", file.to_str().unwrap()]);
    refused.expect_code(2);
    assert!(
        refused.stderr.contains("line 3, column username"),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains("The other line would add 1, change 0 and leave 0 unchanged"),
        "{}",
        refused.stderr
    );
    std::fs::write(
        &file,
        "username,company,role\njohn_smith,NYC,finance_manager\n",
    )
    .unwrap();
    let dry = server.run(&["access", "import", file.to_str().unwrap(), "--dry-run"]);
    dry.expect_code(0);
    assert!(dry.stdout.contains("line 2: would add"), "{}", dry.stdout);
    assert!(
        dry.stdout.contains(": as finance_manager"),
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains("nothing was written"), "{}", dry.stdout);
    let done = server.run(&["access", "import", file.to_str().unwrap()]);
    done.expect_code(0);
    assert!(done.stdout.contains("1 added"), "{}", done.stdout);
    std::fs::write(
        &file,
        "username,company,role,valid_until\njohn_smith,NYC,hr_manager,2030-01-01T00:00:00Z\n",
    )
    .unwrap();
    let change = server.run(&["access", "import", file.to_str().unwrap(), "--dry-run"]);
    change.expect_code(0);
    assert!(
        change.stdout.contains("line 2: would change user"),
        "{}",
        change.stdout
    );
    assert!(
        change.stdout.contains(
            "role: finance_manager → hr_manager, valid_until: none → 2030-01-01T00:00:00Z"
        ),
        "{}",
        change.stdout
    );
}

#[test]
fn a_file_longer_than_one_request_is_checked_whole_then_imported_in_parts() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("grants.csv");
    let path = file.to_str().unwrap();
    // Five grant lines, two a request: three parts. CRLF line ends and a quoted line break in a cell
    // keep the file's line numbers apart from the parts' own.
    let bad = "username,company,role\r\n\
               sarah,NYC,\r\n\
               sarah,LA,\r\n\
               john_smith,NYC,\r\n\
               john_smith,\"Nowhere\r\nLand\",\r\n\
               emp_001,NYC,boss\r\n";
    std::fs::write(&file, bad).unwrap();
    let audit = |server: &Server| {
        ok_json(server, &["audit", "--limit", "1", "--json"])["total"]
            .as_u64()
            .unwrap()
    };
    let before = audit(&server);
    let refused = server.run(&["access", "import", path, "--lines-per-request", "2"]);
    refused.expect_code(2);
    for said in [
        "2 problems in the file (3 parts of at most 2 lines, each checked), nothing was imported",
        "line 5, column company",
        "line 7, column role",
        "The other 3 lines would add 3, change 0 and leave 0 unchanged",
    ] {
        assert!(refused.stderr.contains(said), "{said}: {}", refused.stderr);
    }
    assert_eq!(audit(&server), before, "no part was written");

    let good = "username,company\nsarah,NYC\nsarah,LA\njohn_smith,NYC\nemp_001,NYC\nemp_001,LA\n";
    std::fs::write(&file, good).unwrap();
    // The file in parts of two lines, with `--json`.
    let in_parts = |more: &[&str]| {
        let args = [
            &[
                "access",
                "import",
                path,
                "--lines-per-request",
                "2",
                "--json",
            ],
            more,
        ]
        .concat();
        ok_json(&server, &args)
    };
    let dry = in_parts(&["--dry-run"]);
    assert_eq!(dry["lines"], 5);
    assert_eq!(dry["dry_run"], true);
    let lines: Vec<u64> = dry["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["line"].as_u64().unwrap())
        .collect();
    assert_eq!(audit(&server), before, "a dry run writes nothing");
    let done = in_parts(&[]);
    assert_eq!(done["lines"], 5);
    assert_eq!(done["dry_run"], false);
    assert_eq!(
        done["added"].as_u64().unwrap() + done["changed"].as_u64().unwrap(),
        lines.len() as u64,
        "what the dry run said: {dry}"
    );
    assert!(lines.iter().all(|line| (2..=6).contains(line)), "{lines:?}");
    let again = in_parts(&[]);
    assert_eq!(
        (again["added"].as_u64(), again["changed"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(again["unchanged"], 5);
}
