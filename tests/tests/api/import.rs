//! Grants in and out as CSV: the round trip changes nothing, a bad line changes nothing, a dry run
//! writes nothing, and what an import writes is what the checks answer at once.

use company_access_tests::{Answer, MASTER_KEY, TestApp};
use serde_json::{Value, json};

fn import(app: &TestApp, csv: &str, dry_run: bool) -> Answer {
    let path = if dry_run {
        "/access/import?dry_run=true"
    } else {
        "/access/import"
    };
    app.send("POST", path, Some(MASTER_KEY), Some(("text/csv", csv)))
}

fn export(app: &TestApp) -> String {
    let answer = app.get("/access/export");
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(
        answer.content_type.starts_with("text/csv"),
        "{}",
        answer.content_type
    );
    answer.text
}

#[test]
fn exporting_then_importing_changes_nothing() {
    let app = TestApp::spawn_demo();
    let sarah = app.user_id("sarah");
    let nyc = app.company_id("NYC");
    // Terms of every kind, and a company name that needs quoting.
    let odd = app.create_company("Smith, Jones & Co \"East\"");
    let granted = app.post(
        &format!("/users/{sarah}/companies"),
        &json!({"company_ids": [nyc, odd], "role": "admin", "valid_from": "2026-01-01T00:00:00.123456Z",
                "valid_until": "2030-01-01T00:00:00Z", "include_branches": true}),
    );
    assert_eq!(granted.status, 200, "{}", granted.text);
    let csv = export(&app);
    assert!(csv.starts_with("username,company,role,valid_from,valid_until,include_branches\n"));
    assert!(
        csv.contains("sarah,\"Smith, Jones & Co \"\"East\"\"\",admin,2026-01-01T00:00:00.123456Z,2030-01-01T00:00:00Z,true"),
        "{csv}"
    );
    let grants = csv.lines().count() as u64 - 1;
    let audit_before = app.audit_count();
    let again = import(&app, &csv, false);
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body["lines"], grants);
    assert_eq!(again.body["unchanged"], grants, "{}", again.text);
    assert_eq!(
        (again.body["added"].as_u64(), again.body["changed"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(
        app.audit_count(),
        audit_before,
        "an import that changes nothing writes nothing"
    );
    assert_eq!(export(&app), csv);
}

#[test]
fn an_import_adds_and_changes_grants_that_the_checks_answer_at_once() {
    let app = TestApp::spawn_demo();
    let (sarah, john) = (app.user_id("sarah"), app.user_id("john_smith"));
    let (nyc, la, main) = (
        app.company_id("NYC"),
        app.company_id("LA"),
        app.company_id("Main Office"),
    );
    // john's cached entry is hot before the import changes his grant of Main Office.
    assert_eq!(
        app.get(&format!(
            "/access-check?user_id={john}&company_id={main}&role=admin"
        ))
        .body["reason"],
        "role_not_held"
    );
    let csv = format!(
        "username,company_id,role,valid_until\n\
         Sarah,{nyc},hr_manager,\n\
         sarah,{la},,2031-06-30T00:00:00Z\n\
         john_smith,{main},admin,\n"
    );
    let dry = import(&app, &csv, true);
    assert_eq!(dry.status, 200, "{}", dry.text);
    let actions: Vec<(u64, &str)> = dry.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["line"].as_u64().unwrap(),
                item["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [(2, "add"), (3, "add"), (4, "change")],
        "{}",
        dry.text
    );
    assert_eq!(dry.body["dry_run"], true);
    assert_eq!(dry.body["refused"], 0);
    // What each line would make of the grant, and for a change what the grant is now.
    assert_eq!(
        dry.body["items"][1]["after"],
        json!({"role": null, "valid_from": null, "valid_until": "2031-06-30T00:00:00Z",
               "include_branches": false}),
        "{}",
        dry.text
    );
    assert!(dry.body["items"][1].get("before").is_none(), "{}", dry.text);
    assert_eq!(dry.body["items"][2]["before"]["role"], Value::Null);
    assert_eq!(dry.body["items"][2]["after"]["role"], "admin");
    assert!(!app.allowed(sarah, nyc), "a dry run writes nothing");

    let done = import(&app, &csv, false);
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(
        (done.body["added"].as_u64(), done.body["changed"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(done.header("company-access-revision").is_some());
    assert!(app.allowed(sarah, nyc) && app.allowed(sarah, la));
    let check = app.get(&format!(
        "/access-check?user_id={john}&company_id={main}&role=admin"
    ));
    assert_eq!(check.body["reason"], "grant", "{}", check.text);
    let audit = app.get("/audit?action=access.import");
    assert_eq!(audit.body["total"], 1, "{}", audit.text);
    assert_eq!(audit.body["items"][0]["after"]["added"], 2);
    // Each grant is in its user's trail too: what it gave, from which line of the file.
    let sarahs = app.get(&format!("/audit?user_id={sarah}&action=access.grant"));
    assert_eq!(sarahs.body["total"], 2, "{}", sarahs.text);
    let mut lines: Vec<(String, Value)> = sarahs.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            assert_eq!(row["after"]["via"], "import", "{row}");
            (
                row["company_id"].as_str().unwrap().to_owned(),
                row["after"].clone(),
            )
        })
        .collect();
    lines.sort_by_key(|(_, after)| after["line"].as_u64());
    assert_eq!(
        lines,
        [
            (
                nyc.to_string(),
                json!({"role": "hr_manager", "valid_from": null, "valid_until": null,
                       "include_branches": false, "via": "import", "line": 2})
            ),
            (
                la.to_string(),
                json!({"role": null, "valid_from": null, "valid_until": "2031-06-30T00:00:00Z",
                       "include_branches": false, "via": "import", "line": 3})
            ),
        ]
    );
    let johns_trail = app.get(&format!(
        "/audit?user_id={john}&company_id={main}&action=access.update"
    ));
    assert_eq!(johns_trail.body["total"], 1, "{}", johns_trail.text);
    let row = &johns_trail.body["items"][0];
    assert_eq!(row["before"]["role"], Value::Null, "{row}");
    assert_eq!(row["after"]["role"], "admin", "{row}");
    assert_eq!(row["after"]["line"], 4, "{row}");
    assert_eq!(row["actor"], "master", "{row}");
    // The default company rule of single grants is kept: john's grant stays his default.
    let johns = app.client().user_companies(john).unwrap();
    assert!(
        johns
            .items
            .iter()
            .any(|item| item.company_id == main && item.is_default)
    );
}

#[test]
fn a_file_with_a_bad_line_changes_nothing_and_names_every_problem() {
    let app = TestApp::spawn_demo();
    let sarah = app.user_id("sarah");
    let nyc = app.company_id("NYC");
    let audit_before = app.audit_count();
    let csv = "username,company,role,valid_from,valid_until,include_branches\n\
               sarah,NYC,hr_manager,,,\n\
               sarah,LA,boss,,,\n\
               nobody_here,NYC,,,,\n\
               sarah,Atlantis,,,,\n\
               sarah,Main Office,,2027-02-01T00:00:00Z,2027-01-01T00:00:00Z,\n\
               sarah,Branch Office,,tomorrow,,maybe\n\
               sarah,nyc,,,,\n";
    let refused = import(&app, csv, false);
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.code(), "validation_failed");
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    for expected in [
        "line 3, column role",
        "line 4, column username",
        "line 5, column company",
        "line 6, column valid_until",
        "line 7, column valid_from",
        "line 7, column include_branches",
    ] {
        assert!(fields.contains(&expected), "{expected} in {fields:?}");
    }
    assert!(
        refused.text.contains("nothing was imported"),
        "{}",
        refused.text
    );
    // The good line 2 was not written either.
    assert!(!app.allowed(sarah, nyc));
    assert_eq!(app.audit_count(), audit_before);
    // A dry run of the same file names the same problems, and what the good line would do.
    let dry = import(&app, csv, true);
    assert_eq!(dry.status, 422, "{}", dry.text);
    assert_eq!(dry.body["errors"], refused.body["errors"]);
    let report = &dry.body["report"];
    assert_eq!(
        (
            report["lines"].as_u64(),
            report["added"].as_u64(),
            report["changed"].as_u64(),
            report["unchanged"].as_u64(),
            report["refused"].as_u64(),
            report["dry_run"].as_bool()
        ),
        (Some(7), Some(1), Some(0), Some(0), Some(6), Some(true)),
        "{}",
        dry.text
    );
    assert_eq!(
        report["items"],
        json!([{"line": 2, "user_id": sarah, "company_id": nyc, "action": "add",
                "after": {"role": "hr_manager", "valid_from": null, "valid_until": null,
                          "include_branches": false}}]),
        "{}",
        dry.text
    );
    assert_eq!(refused.body["report"], dry.body["report"]);
    assert!(!app.allowed(sarah, nyc));
    assert_eq!(app.audit_count(), audit_before);
    // Once the others are fixed, a pair named twice is still refused.
    let twice = import(
        &app,
        "\u{feff}username,company\nsarah,NYC\nsarah,nyc\n",
        false,
    );
    assert_eq!(twice.status, 422, "{}", twice.text);
    assert!(
        twice.text.contains("same user and company as line 2"),
        "{}",
        twice.text
    );
    for (csv, says) in [
        ("user,company\nsarah,NYC\n", "unknown column"),
        (
            "username,user_id,company\nsarah,5,NYC\n",
            "exactly one of username or user_id",
        ),
        ("", "the file is empty"),
    ] {
        let answer = import(&app, csv, false);
        assert_eq!(answer.status, 422, "{csv}: {}", answer.text);
        assert!(answer.text.contains(says), "{csv}: {}", answer.text);
    }
    let json_body = app.send(
        "POST",
        "/access/import",
        Some(MASTER_KEY),
        Some(("application/json", "{}")),
    );
    assert_eq!(
        (json_body.status, json_body.code()),
        (415, "unsupported_media_type")
    );
    let read_key = app.create_key("reader", "read");
    let forbidden = app.send(
        "POST",
        "/access/import",
        Some(&read_key),
        Some(("text/csv", "username,company\n")),
    );
    assert_eq!(forbidden.status, 403, "{}", forbidden.text);
}

#[test]
fn users_and_companies_named_by_id_are_checked_line_by_line() {
    let app = TestApp::spawn_demo();
    let sarah = app.user_id("sarah");
    let john = app.user_id("john_smith");
    let nyc = app.company_id("NYC");
    let main = app.company_id("Main Office");
    let nowhere = "00000000-0000-4000-8000-00000000abcd";
    // john already holds Main Office: unchanged. 999999 is no user: every line naming them says so,
    // and a repeat of such a line is not "the same pair". 999998, named once, beside a company that is
    // no company, is told too; john beside that company only for the company.
    let csv = format!(
        "user_id,company_id\n{sarah},{nyc}\n999999,{nyc}\n999998,{nowhere}\n999999,{nyc}\n\
         {john},{main}\n{john},{nowhere}\n"
    );
    let dry = import(&app, &csv, true);
    assert_eq!(dry.status, 422, "{}", dry.text);
    let problems: Vec<(&str, &str)> = dry.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| {
            (
                error["field"].as_str().unwrap(),
                error["message"].as_str().unwrap(),
            )
        })
        .collect();
    let no_company = format!("no company \"{nowhere}\"");
    assert_eq!(
        problems,
        [
            ("line 3, column user_id", "no user \"999999\""),
            ("line 4, column user_id", "no user \"999998\""),
            ("line 4, column company_id", no_company.as_str()),
            ("line 5, column user_id", "no user \"999999\""),
            ("line 7, column company_id", no_company.as_str()),
        ],
        "{}",
        dry.text
    );
    let report = &dry.body["report"];
    assert_eq!(
        (
            report["added"].as_u64(),
            report["unchanged"].as_u64(),
            report["refused"].as_u64()
        ),
        (Some(1), Some(1), Some(4)),
        "{}",
        dry.text
    );
    assert_eq!(report["items"][0]["user_id"], sarah, "{}", dry.text);
    // Without the bad lines it goes through, and a second time changes nothing.
    let good = format!("user_id,company_id\n{sarah},{nyc}\n{john},{main}\n");
    let done = import(&app, &good, false);
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(
        (done.body["added"].as_u64(), done.body["unchanged"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(app.allowed(sarah, nyc));
    let again = import(&app, &good, false);
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(
        (
            again.body["added"].as_u64(),
            again.body["unchanged"].as_u64()
        ),
        (Some(0), Some(2))
    );
}

#[test]
fn problems_name_the_lines_of_a_windows_file_in_order_and_refuse_a_line_with_extra_fields() {
    let app = TestApp::spawn_demo();
    let audit_before = app.audit_count();
    // Saved by a spreadsheet: CRLF line ends, a capitalised header, a quoted newline inside a cell.
    let csv = "Username,Company,Role\r\n\
               sarah,NYC,hr_manager\r\n\
               sarah,\"Main\r\nOffice\",\r\n\
               nobody_here,LA,\r\n\
               sarah,Atlantis,boss\r\n\
               sarah,Atlantis,\r\n\
               sarah,Branch Office,admin,extra\r\n";
    let refused = import(&app, csv, true);
    assert_eq!(refused.status, 422, "{}", refused.text);
    let errors: Vec<(String, String)> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| {
            (
                error["field"].as_str().unwrap().to_owned(),
                error["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let fields: Vec<&str> = errors.iter().map(|(field, _)| field.as_str()).collect();
    // The company cell of line 3 runs on to line 4; the lines after it keep their own numbers, and the
    // problems come in line order although a line's format is checked before names are looked up.
    assert_eq!(
        fields,
        [
            "line 3, column company",
            "line 5, column username",
            "line 6, column role",
            "line 7, column company",
            "line 8, column line",
        ],
        "{}",
        refused.text
    );
    assert!(
        errors[0].1.contains(r"Main\r\nOffice"),
        "the company as the file spells it: {errors:?}"
    );
    assert!(errors[3].1.contains("\"Atlantis\""), "{errors:?}");
    assert!(errors[2].1.contains("boss"), "{errors:?}");
    assert!(
        errors[4].1.contains("4 fields, the header has 3"),
        "{errors:?}"
    );
    assert_eq!(app.audit_count(), audit_before);
    let mistyped = import(&app, "user_id,company_id\nabc,not-a-uuid\n", false);
    assert_eq!(mistyped.status, 422, "{}", mistyped.text);
    assert!(
        mistyped.text.contains("is not a user id (a whole number)")
            && mistyped.text.contains("is not a company id (a UUID)"),
        "{}",
        mistyped.text
    );
}

#[test]
fn a_large_import_leaves_a_row_per_grant_in_the_trail_of_each_user() {
    let app = TestApp::spawn();
    // 10,100 grants: more than one audit statement holds (10,000 rows).
    let users: Vec<String> = (0..101).map(|n| format!("importee_{n:03}")).collect();
    for name in &users {
        app.create_user(name, "employee");
    }
    let companies: Vec<String> = (0..100).map(|n| format!("Site {n:03}")).collect();
    for name in &companies {
        app.create_company(name);
    }
    let mut csv = String::from("username,company,role\n");
    for user in &users {
        for company in &companies {
            csv.push_str(&format!("{user},{company},hr_manager\n"));
        }
    }
    let done = import(&app, &csv, false);
    assert_eq!(
        done.status,
        200,
        "{}",
        &done.text[..done.text.len().min(500)]
    );
    assert_eq!(done.body["added"], 10_100);
    let grants = app.get("/audit?action=access.grant&limit=1");
    assert_eq!(grants.body["total"], 10_100, "{}", grants.text);
    let last = app.user_id(&users[100]);
    let trail = app.get(&format!(
        "/audit?user_id={last}&action=access.grant&limit=200"
    ));
    assert_eq!(trail.body["total"], 100, "{}", trail.text);
    let mut lines: Vec<u64> = trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            assert_eq!(row["after"]["role"], "hr_manager", "{row}");
            row["after"]["line"].as_u64().unwrap()
        })
        .collect();
    lines.sort_unstable();
    assert_eq!(lines, (10_002..10_102).collect::<Vec<u64>>());
    let site = app.company_id("Site 042");
    let of_site = app.get(&format!(
        "/audit?company_id={site}&action=access.grant&limit=1"
    ));
    assert_eq!(of_site.body["total"], 101, "{}", of_site.text);
}
