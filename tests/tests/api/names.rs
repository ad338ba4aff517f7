//! Names in every script, alike on SQLite and PostgreSQL: unique and searched regardless of letter case by
//! full Unicode case folding, stored in NFC with single spaces, refused with invisible characters or white
//! space at either end.

use company_access_tests::{TestApp, TestDatabase, runtime};
use serde_json::json;

fn names_matching(app: &TestApp, query: &str) -> Vec<String> {
    app.company_names_listed(company_access_tests::MASTER_KEY, query)
}

#[test]
fn names_differing_only_in_letter_case_are_one_company_on_either_database() {
    let app = TestApp::spawn();
    for (first, second) in [
        ("Übersee", "übersee"),
        ("Straße", "STRASSE"),
        ("İSTANBUL", "istanbul"),
        ("LA Office", "la\u{00A0}\u{00A0}OFFICE"),
    ] {
        app.create_company(first);
        let clash = app.post("/companies", &json!({ "name": second }));
        assert_eq!(
            (clash.status, clash.code()),
            (409, "company_name_taken"),
            "{second:?} after {first:?}: {}",
            clash.text
        );
    }
}

#[test]
fn search_and_lookup_by_name_fold_letter_case_in_every_script() {
    let app = TestApp::spawn();
    app.create_company("İSTANBUL");
    app.create_company("Übersee Hafen");
    app.create_company("NYC");
    assert_eq!(names_matching(&app, "q=istanbul"), ["İSTANBUL"]);
    assert_eq!(names_matching(&app, "q=%C3%BCbersee"), ["Übersee Hafen"]);
    assert_eq!(names_matching(&app, "name=istanbul"), ["İSTANBUL"]);
    assert_eq!(
        names_matching(&app, "name=%C3%BCbersee%C2%A0%C2%A0hafen"),
        ["Übersee Hafen"]
    );
    assert!(
        names_matching(&app, "q=%25").is_empty(),
        "% is a letter here"
    );

    let created = app.post(
        "/users",
        &json!({"username": "ozgur", "full_name": "ÖZGÜR İNCE"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let found = app.get("/users?q=%C3%B6zg%C3%BCr%20ince");
    assert_eq!(found.body["total"], 1, "{}", found.text);
    assert_eq!(found.body["items"][0]["username"], "ozgur");
}

#[test]
fn decomposed_input_is_stored_composed_and_found_either_way() {
    let app = TestApp::spawn();
    let created = app.post(
        "/companies",
        &json!({"name": "Cafe\u{0301}\u{00A0}\u{00A0}Paris"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["name"], "Caf\u{00E9} Paris");
    assert_eq!(
        app.db.query_strings("SELECT name FROM hrm_company"),
        ["Caf\u{00E9} Paris"]
    );
    assert_eq!(names_matching(&app, "q=CAFE%CC%81"), ["Caf\u{00E9} Paris"]);
    assert_eq!(names_matching(&app, "q=caf%C3%A9"), ["Caf\u{00E9} Paris"]);
    let clash = app.post("/companies", &json!({"name": "CAF\u{00C9} PARIS"}));
    assert_eq!(clash.status, 409, "{}", clash.text);
}

#[test]
fn an_invisible_character_in_a_name_is_refused_by_name_and_writes_nothing() {
    let app = TestApp::spawn();
    let audit_before = app.audit_count();
    let refused = app.post("/companies", &json!({"name": "NY\u{200B}C"}));
    assert_eq!((refused.status, refused.code()), (422, "validation_failed"));
    assert_eq!(refused.body["errors"][0]["field"], "name");
    let message = refused.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("U+200B zero width space"), "{message}");
    assert_eq!(app.db.query_i64("SELECT count(*) FROM hrm_company"), 0);
    assert_eq!(app.audit_count(), audit_before);

    let user = app.post(
        "/users",
        &json!({"username": "sarah", "full_name": "Sarah\u{202E}Connor"}),
    );
    assert_eq!(user.status, 422, "{}", user.text);
    assert_eq!(app.db.query_i64("SELECT count(*) FROM hrm_users"), 0);
}

#[test]
fn white_space_at_either_end_is_refused_not_trimmed() {
    let app = TestApp::spawn();
    for (path, body) in [
        ("/companies", json!({"name": " NYC"})),
        ("/companies", json!({"name": "NYC\u{00A0}"})),
        ("/users", json!({"username": "sarah "})),
        (
            "/users",
            json!({"username": "sarah", "full_name": "Sarah "}),
        ),
        (
            "/users",
            json!({"username": "sarah", "email": " s@example.com"}),
        ),
        ("/keys", json!({"name": "hr-portal ", "scope": "read"})),
    ] {
        let refused = app.post(path, &body);
        assert_eq!(refused.status, 422, "{path} {body}: {}", refused.text);
        let message = refused.body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("remove it"), "{path} {body}: {message}");
    }
}

/// 200 characters as sent are a valid name even when NFC makes them 400, and the database keeps them.
#[test]
fn a_name_that_grows_in_nfc_is_stored_whole() {
    let app = TestApp::spawn();
    let name = "\u{0958}".repeat(200);
    let created = app.post("/companies", &json!({ "name": name }));
    assert_eq!(created.status, 201, "{}", created.text);
    let stored = created.body["name"].as_str().unwrap();
    assert_eq!(stored.chars().count(), 400);
    let user = app.post(
        "/users",
        &json!({"username": "devanagari", "full_name": name}),
    );
    assert_eq!(user.status, 201, "{}", user.text);
    let id = created.body["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/companies/{id}")).body["name"], stored);
    assert_eq!(app.get("/users?q=devanagari").body["total"], 1);
}

/// The migration that brings in the keys: names are brought to their stored form, a company whose name
/// now means the same as an older one's is renamed, and every key is filled in.
#[test]
fn the_migration_fills_the_keys_and_renames_companies_that_now_clash() {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::{ConnectionTrait, Statement, Value};
    let db = TestDatabase::new();
    runtime().block_on(async {
        let connection = sea_orm::Database::connect(&db.url).await.unwrap();
        // The schema before the keys: the first seven migrations.
        Migrator::up(&connection, Some(7)).await.unwrap();
        let backend = connection.get_database_backend();
        let start = chrono::Utc::now() - chrono::Duration::hours(1);
        // Names `lower()` told apart on both databases, which folding does not.
        for (minute, name) in ["Straße", "STRASSE", "LA\u{00A0}\u{00A0}Office", "LA Office"]
            .into_iter()
            .enumerate()
        {
            let at = start + chrono::Duration::minutes(minute as i64);
            let values: [Value; 3] = [uuid::Uuid::new_v4().into(), name.into(), at.into()];
            connection
                .execute_raw(Statement::from_sql_and_values(
                    backend,
                    "INSERT INTO hrm_company (id, name, created_at, modified_at) VALUES ($1, $2, $3, $3)",
                    values,
                ))
                .await
                .unwrap();
        }
        for (username, full_name) in [("ozgur", "ÖZGÜR  İNCE"), ("sarah", "")] {
            let values: [Value; 3] = [username.into(), full_name.into(), start.into()];
            connection
                .execute_raw(Statement::from_sql_and_values(
                    backend,
                    "INSERT INTO hrm_users (username, full_name, role, is_active, created_at, modified_at) \
                     VALUES ($1, $2, 'employee', true, $3, $3)",
                    values,
                ))
                .await
                .unwrap();
        }
        Migrator::up(&connection, None).await.unwrap();
        // Down and up again: the keys are dropped and filled in anew.
        Migrator::down(&connection, Some(1)).await.unwrap();
        Migrator::up(&connection, None).await.unwrap();
        connection.close().await.unwrap();
    });
    let names = db.query_strings("SELECT name FROM hrm_company ORDER BY created_at");
    let keys = db.query_strings("SELECT name_key FROM hrm_company ORDER BY created_at");
    let full_names = db
        .query_strings("SELECT full_name || '|' || full_name_key FROM hrm_users ORDER BY username");
    assert_eq!(
        names,
        ["Straße", "STRASSE (2)", "LA Office", "LA Office (2)"]
    );
    assert_eq!(
        keys,
        ["strasse", "strasse (2)", "la office", "la office (2)"]
    );
    assert_eq!(full_names, ["ÖZGÜR İNCE|özgür ince", "|"]);
    let app = TestApp::spawn_on(db, |_| {});
    let other = app.post("/companies", &json!({"name": "Strasse (3)"}));
    assert_eq!(other.status, 201, "{}", other.text);
    let clash = app.post("/companies", &json!({"name": "STRAẞE"}));
    assert_eq!(clash.status, 409, "{}", clash.text);
}
