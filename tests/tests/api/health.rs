use company_access_tests::TestApp;

#[test]
fn health_and_ready_are_public() {
    let app = TestApp::spawn();
    let health = app.send("GET", "/health", None, None);
    assert_eq!(
        (health.status, health.body["status"].as_str()),
        (200, Some("ok"))
    );
    // On PostgreSQL an instance is ready once its change feed listens; on SQLite at once.
    let state = if app.db.is_postgres() {
        "listening"
    } else {
        "single_instance"
    };
    assert!(app.wait_for_feed(state, std::time::Duration::from_secs(10)));
    let ready = app.send("GET", "/ready", None, None);
    assert_eq!(
        (ready.status, ready.body["status"].as_str()),
        (200, Some("ready"))
    );
}

#[test]
fn responses_carry_a_request_id_and_safety_headers() {
    let app = TestApp::spawn();
    let response = ureq::get(&app.url("/health"))
        .header("X-Request-Id", "trace-42")
        .call()
        .unwrap();
    assert_eq!(response.headers().get("x-request-id").unwrap(), "trace-42");
    assert_eq!(
        response.headers().get("x-content-type-options").unwrap(),
        "nosniff"
    );
    let response = ureq::get(&app.url("/health")).call().unwrap();
    assert_eq!(response.headers().get("x-request-id").unwrap().len(), 36);
    // An id that could forge a log line is replaced by one of the server's own.
    let response = ureq::get(&app.url("/health"))
        .header("X-Request-Id", "x}\"status=500")
        .call()
        .unwrap();
    assert_eq!(response.headers().get("x-request-id").unwrap().len(), 36);
}

#[test]
fn served_openapi_document_matches_the_committed_one() {
    let app = TestApp::spawn();
    let served = app.send("GET", "/openapi.json", None, None);
    assert_eq!(served.status, 200);
    let committed_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let committed = std::fs::read_to_string(committed_path).unwrap_or_default();
    let committed: serde_json::Value = serde_json::from_str(&committed).unwrap_or_default();
    assert!(
        served.body == committed,
        "openapi/openapi.json is out of date: run `cargo run -q -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn openapi_documents_every_route_and_the_key_scheme() {
    let app = TestApp::spawn();
    let doc = app.send("GET", "/openapi.json", None, None).body;
    for path in [
        "/health",
        "/ready",
        "/users",
        "/users/{id}",
        "/users/{id}/companies",
        "/users/{id}/companies/{company_id}",
        "/companies",
        "/companies/{id}",
        "/companies/{id}/users",
        "/access-check",
        "/access/bulk",
        "/access/populate",
        "/stats",
        "/audit",
        "/keys",
        "/keys/{id}",
        "/whoami",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is not documented");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["api_key"]["scheme"],
        "bearer"
    );
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    let list_users = &doc["paths"]["/users"]["get"];
    assert!(
        list_users["description"]
            .as_str()
            .unwrap_or("")
            .contains("Search")
    );
}

#[test]
fn swagger_ui_is_served_without_a_key() {
    let app = TestApp::spawn();
    let page = app.send("GET", "/swagger-ui/", None, None);
    assert_eq!(page.status, 200);
    assert!(page.text.contains("swagger"), "{}", page.text);
    let config = app.send("GET", "/swagger-ui/swagger-initializer.js", None, None);
    assert_eq!(config.status, 200);
    assert!(config.text.contains("/openapi.json"));
}

#[test]
fn unknown_routes_answer_problem_json() {
    let app = TestApp::spawn();
    let answer = app.get("/no/such/route");
    assert_eq!(answer.status, 404);
    assert_eq!(answer.code(), "not_found");
    assert!(answer.content_type.starts_with("application/problem+json"));
}

/// The database and the master key are readable by the service's user only: the data folder it makes
/// is 0700, the SQLite file and its -wal/-shm files 0600 (even where an older file was looser).
#[cfg(unix)]
#[test]
fn the_data_folder_and_sqlite_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let db = company_access_tests::TestDatabase::new();
    if db.is_postgres() {
        eprintln!("SKIPPED the_data_folder_and_sqlite_files_are_private: SQLite files only");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("fresh").join("data");
    let file = data.join("company-access.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let (data_for_app, url_for_app) = (data.clone(), url.clone());
    let app = TestApp::spawn_on(db, move |settings| {
        settings.data_dir = data_for_app;
        settings.database_url = url_for_app;
    });
    app.create_company("NYC");
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    for suffix in ["", "-wal", "-shm"] {
        let path = std::path::PathBuf::from(format!("{}{suffix}", file.display()));
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    drop(app);
    // A file an older version left world-readable is tightened at the next start.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let again = company_access_tests::TestDatabase::new();
    let _app = TestApp::spawn_on(again, move |settings| {
        settings.data_dir = data;
        settings.database_url = url;
    });
    assert_eq!(mode(&file), 0o600);
}

/// Every `$ref` in the document names a schema it defines: a dangling one breaks client generators.
#[test]
fn every_reference_in_the_document_resolves() {
    fn refs<'a>(value: &'a serde_json::Value, found: &mut Vec<&'a str>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::String(target)) = map.get("$ref") {
                    found.push(target);
                }
                map.values().for_each(|v| refs(v, found));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let app = TestApp::spawn();
    let document = app.get("/openapi.json").body;
    let mut found = Vec::new();
    refs(&document, &mut found);
    assert!(!found.is_empty());
    for target in found {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected reference {target}"));
        assert!(
            document["components"]["schemas"].get(name).is_some(),
            "{target} is not defined"
        );
    }
}

/// Clients branch on `code`: every error answer of the document names the codes it can carry, each one
/// the service has.
#[test]
fn every_error_answer_names_its_problem_codes() {
    let app = TestApp::spawn();
    let document = app.get("/openapi.json").body;
    let known = document["components"]["schemas"]["ProblemCode"]["enum"]
        .as_array()
        .unwrap()
        .clone();
    let mut answers = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                if status.as_str() < "400" {
                    continue;
                }
                answers += 1;
                let description = response["description"].as_str().unwrap();
                let (_, codes) = description
                    .rsplit_once("(code ")
                    .unwrap_or_else(|| panic!("{method} {path} {status}: {description}"));
                for code in codes.trim_end_matches(')').split(" or ") {
                    let code = code.trim_matches('`');
                    assert!(
                        known.iter().any(|k| k == code),
                        "{method} {path} {status}: unknown code {code}"
                    );
                }
            }
        }
    }
    assert!(answers > 100, "{answers}");
}
