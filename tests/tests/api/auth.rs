use company_access_tests::{MASTER_KEY, TestApp, new_key};
use openapi::Scope;
use openapi::audit::AuditQuery;
use serde_json::json;

const SCOPES: [&str; 4] = ["check", "read", "write", "admin"];

/// Every protected route with a body that would succeed, and the least scope it needs.
fn routes(
    app: &TestApp,
) -> Vec<(
    &'static str,
    String,
    Option<serde_json::Value>,
    &'static str,
)> {
    let sarah = app.user_id("sarah");
    let john = app.user_id("john_smith");
    let nyc = app.company_id("NYC");
    let main = app.company_id("Main Office");
    let spare = app.company_id("Company_A");
    let key_id = app
        .client()
        .create_key(&new_key("to-revoke", Scope::Read))
        .unwrap()
        .key
        .id;
    vec![
        (
            "GET",
            format!("/access-check?user_id={john}&company_id={main}"),
            None,
            "check",
        ),
        (
            "POST",
            "/access-check".into(),
            Some(json!({"checks": [{"user_id": john, "company_id": main}]})),
            "check",
        ),
        ("GET", "/whoami".into(), None, "check"),
        ("GET", "/users".into(), None, "read"),
        ("GET", format!("/users/{john}"), None, "read"),
        ("GET", format!("/users/{john}/companies"), None, "read"),
        ("GET", "/companies".into(), None, "read"),
        ("GET", format!("/companies/{main}"), None, "read"),
        ("GET", format!("/companies/{main}/users"), None, "read"),
        ("GET", "/stats".into(), None, "read"),
        ("GET", "/audit".into(), None, "read"),
        ("GET", "/audit/expired".into(), None, "read"),
        ("GET", "/access/export".into(), None, "read"),
        // A JSON string stands for a CSV body.
        (
            "POST",
            "/access/import?dry_run=true".into(),
            Some(json!("username,company\nsarah,NYC\n")),
            "write",
        ),
        ("GET", "/changes".into(), None, "read"),
        ("GET", "/metrics".into(), None, "read"),
        (
            "POST",
            "/users".into(),
            Some(json!({"username": "new_user"})),
            "write",
        ),
        (
            "PATCH",
            format!("/users/{sarah}"),
            Some(json!({"full_name": "Sarah C."})),
            "write",
        ),
        (
            "POST",
            "/companies".into(),
            Some(json!({"name": "New Co"})),
            "write",
        ),
        (
            "PATCH",
            format!("/companies/{spare}"),
            Some(json!({"name": "Company_A2"})),
            "write",
        ),
        (
            "POST",
            format!("/users/{sarah}/companies"),
            Some(json!({"company_id": nyc})),
            "write",
        ),
        (
            "PUT",
            format!("/users/{john}/companies"),
            Some(json!({"company_ids": [main]})),
            "write",
        ),
        (
            "PATCH",
            format!("/users/{john}/companies/{main}"),
            Some(json!({"is_default": true})),
            "write",
        ),
        (
            "DELETE",
            format!("/users/{sarah}/companies/{nyc}"),
            None,
            "write",
        ),
        (
            "POST",
            "/access/bulk".into(),
            Some(json!({"dry_run": true})),
            "write",
        ),
        (
            "POST",
            "/access/revoke".into(),
            Some(json!({"user_ids": [john], "company_ids": [nyc], "dry_run": true})),
            "write",
        ),
        (
            "POST",
            "/access/populate".into(),
            Some(json!({"dry_run": true})),
            "write",
        ),
        ("DELETE", format!("/companies/{spare}"), None, "write"),
        ("DELETE", format!("/users/{sarah}"), None, "write"),
        ("GET", "/keys".into(), None, "admin"),
        (
            "POST",
            "/keys".into(),
            Some(json!({"name": "made-in-matrix", "scope": "check"})),
            "admin",
        ),
        ("DELETE", format!("/keys/{key_id}"), None, "admin"),
    ]
}

#[test]
fn every_route_needs_a_key_of_the_right_scope() {
    let app = TestApp::spawn_demo();
    let keys: Vec<(&str, String)> = SCOPES
        .iter()
        .map(|scope| (*scope, app.create_key(&format!("{scope}-key"), scope)))
        .collect();
    let rank = |scope: &str| SCOPES.iter().position(|s| *s == scope).unwrap();
    for (method, path, body, needed) in routes(&app) {
        let body_text = body.as_ref().map(|body| match body {
            serde_json::Value::String(csv) => ("text/csv", csv.clone()),
            json => ("application/json", json.to_string()),
        });
        let send = |key: Option<&str>| {
            app.send(
                method,
                &path,
                key,
                body_text
                    .as_ref()
                    .map(|(content_type, text)| (*content_type, text.as_str())),
            )
        };
        let anonymous = send(None);
        assert_eq!(
            (anonymous.status, anonymous.code()),
            (401, "unauthorized"),
            "{method} {path} without a key"
        );
        let wrong = send(Some("cak_not-a-real-key"));
        assert_eq!(wrong.status, 401, "{method} {path} with an unknown key");
        for (scope, key) in &keys {
            if rank(scope) < rank(needed) {
                let answer = send(Some(key));
                assert_eq!(
                    (answer.status, answer.code()),
                    (403, "forbidden"),
                    "{method} {path} with {scope}"
                );
            }
        }
        // The least scope that may, succeeds (the first allowed key does the change).
        let (_, key) = &keys[rank(needed)];
        let answer = send(Some(key));
        assert!(
            answer.status < 300,
            "{method} {path} with {needed}: {} {}",
            answer.status,
            answer.text
        );
    }
}

/// The document states the scope each route enforces, and every operation that needs a key is in the
/// matrix above: router, rules and contract say the same thing.
#[test]
fn the_document_states_the_scope_each_route_enforces() {
    let app = TestApp::spawn_demo();
    let document = app.get("/openapi.json").body;
    let matches = |template: &str, path: &str| {
        let path = path.split('?').next().unwrap_or(path);
        let (template, path): (Vec<&str>, Vec<&str>) =
            (template.split('/').collect(), path.split('/').collect());
        template.len() == path.len()
            && template
                .iter()
                .zip(&path)
                .all(|(t, p)| t.starts_with('{') || t == p)
    };
    let mut covered = std::collections::BTreeSet::new();
    for (method, path, _, needed) in routes(&app) {
        let (template, operation) = document["paths"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(template, _)| matches(template, &path))
            .find_map(|(template, item)| {
                item.get(method.to_lowercase())
                    .map(|op| (template.clone(), op))
            })
            .unwrap_or_else(|| panic!("{method} {path} is not in the document"));
        assert_eq!(
            operation["security"][0]["api_key"],
            json!([needed]),
            "{method} {template}"
        );
        covered.insert(format!("{method} {template}"));
    }
    for (template, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if operation.get("security").is_some() {
                let name = format!("{} {template}", method.to_uppercase());
                assert!(covered.contains(&name), "{name} is missing from the matrix");
            }
        }
    }
}

#[test]
fn the_key_name_is_the_actor_in_the_audit_trail() {
    let app = TestApp::spawn_demo();
    let key = app.create_key("hr-portal", "write");
    let nyc = app.company_id("NYC");
    let granted = app.client_as(&key).grant_company(5, nyc).unwrap();
    assert_eq!(granted.granted_by.as_deref(), Some("hr-portal"));
    let last_grant = AuditQuery {
        action: Some("access.grant".into()),
        limit: Some(1),
        ..AuditQuery::default()
    };
    let audit = app.client().audit(&last_grant).unwrap();
    assert_eq!(audit.items[0].actor, "hr-portal");
    // The key's id stands beside its name; the master key and the demo data have none.
    let key_id = app
        .client()
        .list_keys()
        .unwrap()
        .into_iter()
        .find(|listed| listed.name.as_str() == "hr-portal")
        .map(|listed| listed.id);
    assert_eq!(audit.items[0].actor_key_id, key_id);
    assert!(key_id.is_some());
    app.client().revoke_company(5, nyc).unwrap();
    let revoke = AuditQuery {
        action: Some("access.revoke".into()),
        limit: Some(1),
        ..AuditQuery::default()
    };
    let by_master = app.client().audit(&revoke).unwrap();
    assert_eq!(
        (
            by_master.items[0].actor.as_str(),
            by_master.items[0].actor_key_id
        ),
        ("master", None)
    );
    let demo = app.client().audit(&AuditQuery {
        actor: Some("demo".into()),
        limit: Some(1),
        ..AuditQuery::default()
    });
    assert_eq!(demo.unwrap().items[0].actor_key_id, None);
}

#[test]
fn keys_are_listed_without_secrets_stored_as_hashes_and_revocable() {
    let app = TestApp::spawn();
    let client = app.client();
    let created = client
        .create_key(&new_key("reporting", Scope::Read))
        .unwrap();
    let secret = created.secret;
    let id = created.key.id;
    assert!(secret.starts_with(&created.key.prefix));
    // The answer as sent, so no field of any name can carry the secret.
    let listed = app.get("/keys");
    assert!(!listed.text.contains(&secret));
    assert_eq!(listed.body[0]["name"], "reporting");
    let stored = app.db.query_strings("SELECT secret_hash FROM hrm_api_keys");
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], secret);
    assert!(!stored[0].contains(&secret[4..]));
    assert_eq!(app.get_as(&secret, "/users").status, 200);
    let duplicate = app.post("/keys", &json!({"name": "reporting", "scope": "admin"}));
    assert_eq!(
        (duplicate.status, duplicate.code()),
        (409, "key_name_taken")
    );
    for reserved in ["master", "Demo"] {
        let taken = app.post("/keys", &json!({"name": reserved, "scope": "admin"}));
        assert_eq!(
            (taken.status, taken.code()),
            (409, "key_name_taken"),
            "{reserved}"
        );
    }
    client.revoke_key(id).unwrap();
    let revoked = app.get_as(&secret, "/users");
    assert_eq!(revoked.status, 401);
    assert_eq!(
        app.delete(&format!("/keys/{}", uuid::Uuid::new_v4()))
            .code(),
        "key_not_found"
    );
    // A revoked key's name stays its own: the audit trail's actor "reporting" means that key forever.
    let reused = app.post("/keys", &json!({"name": "Reporting", "scope": "read"}));
    assert_eq!((reused.status, reused.code()), (409, "key_name_taken"));
}

#[test]
fn an_admin_key_manages_keys_but_is_not_the_master() {
    let app = TestApp::spawn();
    let admin = app.create_key("ops", "admin");
    let made = app
        .client_as(&admin)
        .create_key(&new_key("svc", Scope::Check))
        .unwrap();
    assert_eq!(made.key.created_by, "ops");
    assert_eq!(app.client_as(MASTER_KEY).whoami().unwrap().name, "master");
}

#[test]
fn malformed_authorization_headers_are_401() {
    let app = TestApp::spawn();
    for header in ["Basic abc", "Bearer", "Bearer    ", MASTER_KEY] {
        let response = ureq::get(&app.url("/users"))
            .header("Authorization", header)
            .config()
            .http_status_as_error(false)
            .build()
            .call()
            .unwrap();
        assert_eq!(response.status().as_u16(), 401, "{header}");
        assert_eq!(
            response.headers().get("www-authenticate").unwrap(),
            "Bearer"
        );
    }
}

/// Older versions let a revoked key's name be given to a new key. The migration that makes names unique
/// forever renames such revoked namesakes and keeps the live key's name.
#[test]
fn the_migration_renames_revoked_namesakes_and_keeps_the_live_name() {
    use entity::api_key;
    use migration::{Migrator, MigratorTrait};
    use sea_orm::{ActiveValue::Set, EntityTrait, QueryOrder};
    let db = company_access_tests::TestDatabase::new();
    let names = company_access_tests::runtime().block_on(async {
        let connection = sea_orm::Database::connect(&db.url).await.unwrap();
        // The schema as it was before names became unique forever: the first five migrations.
        Migrator::up(&connection, Some(5)).await.unwrap();
        let key = |name: &str, revoked: bool, minutes: i64| api_key::ActiveModel {
            id: Set(uuid::Uuid::new_v4()),
            name: Set(name.to_owned()),
            scope: Set("read".into()),
            prefix: Set("cak_0000".into()),
            secret_hash: Set(uuid::Uuid::new_v4().to_string()),
            created_at: Set(chrono::Utc::now() - chrono::Duration::minutes(minutes)),
            created_by: Set("master".into()),
            revoked_at: Set(revoked.then(chrono::Utc::now)),
            // The column comes with a later migration than the one this table is at.
            user_id: sea_orm::ActiveValue::NotSet,
        };
        for (name, revoked, age) in [
            ("reporting", true, 30),
            ("Reporting", true, 20),
            ("reporting", false, 10),
            ("audit", true, 5),
        ] {
            // Without RETURNING, which would name every column of today's entity.
            api_key::Entity::insert(key(name, revoked, age))
                .exec_without_returning(&connection)
                .await
                .unwrap();
        }
        Migrator::up(&connection, None).await.unwrap();
        api_key::Entity::find()
            .order_by_asc(api_key::Column::CreatedAt)
            .all(&connection)
            .await
            .unwrap()
            .into_iter()
            .map(|key| key.name)
            .collect::<Vec<_>>()
    });
    assert_eq!(
        names,
        [
            "reporting (revoked 1)",
            "Reporting (revoked 2)",
            "reporting",
            "audit"
        ]
    );
}
