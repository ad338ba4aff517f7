//! Delegated administration end to end: a key bound to a user acts as that user, reaching only the
//! companies the user administers (an `admin` grant, directly or through a parent's grant that includes
//! branches). Each forbidden thing is tried, and each must be a 403 `out_of_reach` that names what is out
//! of reach and changes nothing.

use company_access_tests::{MASTER_KEY, TestApp};
use serde_json::{Value, json};
use uuid::Uuid;

/// A region with two branches that dana administers through one grant including branches, and a
/// company beyond her reach.
struct Tenant {
    app: TestApp,
    region: Uuid,
    branch_a: Uuid,
    branch_b: Uuid,
    other: Uuid,
    dana: i32,
    eve: i32,
    frank: i32,
    root: i32,
    /// A write key acting for dana.
    key: String,
}

fn tenant() -> Tenant {
    let app = TestApp::spawn();
    let region = app.create_company("Region North");
    let company = |name: &str, parent: Uuid| -> Uuid {
        let made = app.post("/companies", &json!({"name": name, "parent_id": parent}));
        assert_eq!(made.status, 201, "{}", made.text);
        made.body["id"].as_str().unwrap().parse().unwrap()
    };
    let branch_a = company("Branch A", region);
    let branch_b = company("Branch B", region);
    let other = app.create_company("Other Co");
    let dana = app.create_user("dana", "hr_manager");
    let eve = app.create_user("eve", "employee");
    let frank = app.create_user("frank", "employee");
    let root = app.create_user("root", "super_admin");
    let grant = |user: i32, body: Value| {
        let made = app.post(&format!("/users/{user}/companies"), &body);
        assert_eq!(made.status, 201, "{}", made.text);
    };
    grant(
        dana,
        json!({"company_id": region, "role": "admin", "include_branches": true}),
    );
    grant(eve, json!({"company_id": other}));
    grant(frank, json!({"company_id": branch_a}));
    grant(frank, json!({"company_id": other}));
    let key = app.create_bound_key("dana-portal", "write", dana);
    Tenant {
        app,
        region,
        branch_a,
        branch_b,
        other,
        dana,
        eve,
        frank,
        root,
        key,
    }
}

impl Tenant {
    fn send(&self, method: &str, path: &str, body: &Value) -> company_access_tests::Answer {
        self.app.json_as(&self.key, method, path, body)
    }

    fn get(&self, path: &str) -> company_access_tests::Answer {
        self.app.get_as(&self.key, path)
    }

    /// The 403 a bound key gets, saying what is out of reach; and the audit trail did not grow.
    fn refused(&self, answer: company_access_tests::Answer, says: &str, audit_before: u64) {
        assert_eq!(answer.status, 403, "{}", answer.text);
        assert_eq!(answer.code(), "out_of_reach", "{}", answer.text);
        let detail = answer.body["detail"].as_str().unwrap_or("");
        assert!(detail.contains(says), "{detail:?} should name {says:?}");
        assert_eq!(self.app.audit_count(), audit_before, "nothing is written");
    }

    fn company_names(&self, key: &str) -> Vec<String> {
        self.app.company_names_listed(key, "sort=name")
    }
}

#[test]
fn a_bound_key_sees_and_changes_grants_only_in_the_companies_its_user_administers() {
    let t = tenant();
    let who = t.get("/whoami");
    assert_eq!(
        (&who.body["user_id"], &who.body["username"]),
        (&json!(t.dana), &json!("dana"))
    );
    assert_eq!(
        t.company_names(&t.key),
        ["Branch A", "Branch B", "Region North"],
        "the branches come with the region's grant; Other Co is not listed"
    );
    let audit = t.app.audit_count();
    t.refused(t.get(&format!("/companies/{}", t.other)), "Other Co", audit);
    t.refused(
        t.get(&format!("/companies/{}/users", t.other)),
        "Other Co",
        audit,
    );
    assert_eq!(
        t.get(&format!("/companies/{}/users", t.branch_a)).status,
        200
    );

    // Granting in a branch she reaches through the region, with a role no higher than her own there.
    let granted = t.send(
        "POST",
        &format!("/users/{}/companies", t.eve),
        &json!({"company_id": t.branch_b, "role": "admin"}),
    );
    assert_eq!(granted.status, 201, "{}", granted.text);
    let entry = t.app.get("/audit?action=access.grant&limit=1");
    let entry = &entry.body["items"][0];
    assert_eq!(
        (&entry["actor"], &entry["actor_user_id"]),
        (&json!("dana-portal"), &json!(t.dana)),
        "the audit names the key and the user it acted for"
    );
    assert!(entry["actor_key_id"].is_string());

    let audit = t.app.audit_count();
    let eve_companies = format!("/users/{}/companies", t.eve);
    t.refused(
        t.send("POST", &eve_companies, &json!({"company_id": t.other})),
        "'Other Co'",
        audit,
    );
    t.refused(
        t.send(
            "POST",
            &eve_companies,
            &json!({"company_ids": [t.branch_a, t.other]}),
        ),
        "'Other Co'",
        audit,
    );
    assert_eq!(
        t.app.company_names_of(t.eve),
        ["Other Co", "Branch B"],
        "a refused batch adds nothing"
    );
    t.refused(
        t.send(
            "DELETE",
            &format!("{eve_companies}/{}", t.other),
            &json!({}),
        ),
        "'Other Co'",
        audit,
    );
    t.refused(
        t.send(
            "PATCH",
            &format!("{eve_companies}/{}", t.other),
            &json!({"role": "admin"}),
        ),
        "'Other Co'",
        audit,
    );
    // She sees only the grants in companies she administers.
    let seen = t.get(&eve_companies);
    let seen: Vec<&Value> = seen.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| &item["company_id"])
        .collect();
    assert_eq!(seen, [&json!(t.branch_b)]);

    // Replacing a user's companies replaces those she administers and keeps the others.
    let replaced = t.send(
        "PUT",
        &format!("/users/{}/companies", t.frank),
        &json!({"company_ids": [t.branch_b]}),
    );
    assert_eq!(replaced.status, 200, "{}", replaced.text);
    assert_eq!(replaced.body["removed"], json!([t.branch_a]));
    let mut frank = t.app.company_names_of(t.frank);
    frank.sort();
    assert_eq!(frank, ["Branch B", "Other Co"]);

    // Bulk grants name their companies, all administered.
    let audit = t.app.audit_count();
    t.refused(
        t.send("POST", "/access/bulk", &json!({"user_ids": [t.eve]})),
        "company_ids",
        audit,
    );
    t.refused(
        t.send(
            "POST",
            "/access/bulk",
            &json!({"user_ids": [t.frank], "company_ids": [t.region, t.other]}),
        ),
        "'Other Co'",
        audit,
    );
    let bulk = t.send(
        "POST",
        "/access/bulk",
        &json!({"user_ids": [t.eve, t.frank], "company_ids": [t.region]}),
    );
    assert_eq!(bulk.status, 200, "{}", bulk.text);
}

#[test]
fn a_bound_key_checks_only_in_its_companies_and_routes_over_every_company_are_refused() {
    let t = tenant();
    let check = |company: Uuid| {
        t.get(&format!(
            "/access-check?user_id={}&company_id={company}",
            t.eve
        ))
    };
    let audit = t.app.audit_count();
    assert_eq!(check(t.branch_a).status, 200);
    t.refused(check(t.other), &t.other.to_string(), audit);
    let batch = |companies: &[Uuid]| {
        let checks: Vec<Value> = companies
            .iter()
            .map(|company| json!({"user_id": t.eve, "company_id": company}))
            .collect();
        t.send("POST", "/access-check", &json!({ "checks": checks }))
    };
    assert_eq!(batch(&[t.branch_a, t.region]).status, 200);
    t.refused(batch(&[t.branch_a, t.other]), &t.other.to_string(), audit);

    for path in [
        "/stats",
        "/audit",
        "/audit/expired",
        "/changes",
        "/metrics",
        "/access/export",
    ] {
        t.refused(t.get(path), path, audit);
    }
    t.refused(
        t.send("POST", "/access/populate", &json!({})),
        "/access/populate",
        audit,
    );
    // A CSV import may name only administered companies: one line beyond them refuses the file.
    let import = |text: &str| {
        t.app.send(
            "POST",
            "/access/import",
            Some(&t.key),
            Some(("text/csv", text)),
        )
    };
    t.refused(
        import("username,company\neve,Branch A\nfrank,Other Co\n"),
        "'Other Co'",
        audit,
    );
    assert!(!t.app.allowed(t.eve, t.branch_a));
    // With a bad line too, the problems are told, and what the other lines would do only when every
    // one of them is within reach.
    let beyond = import("username,company\neve,Branch A\nfrank,Other Co\nnobody,Branch A\n");
    assert_eq!(beyond.status, 422, "{}", beyond.text);
    assert!(beyond.body.get("report").is_none(), "{}", beyond.text);
    let within = import("username,company\neve,Branch A\nnobody,Branch A\n");
    assert_eq!(within.status, 422, "{}", within.text);
    assert_eq!(within.body["report"]["added"], 1, "{}", within.text);
    let imported = import("username,company,role\neve,Branch A,hr_manager\n");
    assert_eq!(imported.status, 200, "{}", imported.text);
    assert_eq!(imported.body["added"], 1);
}

#[test]
fn a_bound_key_counts_only_the_grants_within_its_reach() {
    let t = tenant();
    // frank holds Branch A (below dana's region) and Other Co; eve holds Other Co alone.
    let counts = |key: &str, query: &str| -> Vec<(String, i64)> {
        let listed = t.app.get_as(key, &format!("/users?{query}"));
        assert_eq!(listed.status, 200, "{}", listed.text);
        listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|user| {
                (
                    user["username"].as_str().unwrap().to_owned(),
                    user["company_count"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let everyone = |counts: Vec<(String, i64)>| -> Vec<(String, i64)> {
        counts
            .into_iter()
            .filter(|(name, _)| ["eve", "frank"].contains(&name.as_str()))
            .collect()
    };
    assert_eq!(
        everyone(counts(MASTER_KEY, "sort=username")),
        [("eve".to_owned(), 1), ("frank".to_owned(), 2)]
    );
    assert_eq!(
        everyone(counts(&t.key, "sort=username")),
        [("eve".to_owned(), 0), ("frank".to_owned(), 1)]
    );
    // The filter and the order count the same way.
    assert_eq!(
        everyone(counts(MASTER_KEY, "sort=username&min_companies=2")),
        [("frank".to_owned(), 2)]
    );
    assert_eq!(
        everyone(counts(&t.key, "sort=username&min_companies=2")),
        []
    );
    // By the full count frank (2) would come first; within dana's reach he ties with her, and ties go by id.
    let named = |pairs: &[(&str, i64)]| -> Vec<(String, i64)> {
        pairs
            .iter()
            .map(|(name, n)| ((*name).to_owned(), *n))
            .collect()
    };
    assert_eq!(
        counts(&t.key, "sort=company_count&order=desc"),
        named(&[("dana", 1), ("frank", 1), ("eve", 0), ("root", 0)])
    );
    assert_eq!(
        counts(MASTER_KEY, "sort=company_count&order=desc"),
        named(&[("frank", 2), ("dana", 1), ("eve", 1), ("root", 0)])
    );
    // One user read alone is counted the same way.
    let frank = |key: &str| t.app.get_as(key, &format!("/users/{}", t.frank));
    assert_eq!(frank(MASTER_KEY).body["company_count"], 2);
    assert_eq!(frank(&t.key).body["company_count"], 1);
}

#[test]
fn a_bound_key_makes_no_super_admin_and_changes_only_users_wholly_in_its_companies() {
    let t = tenant();
    let audit = t.app.audit_count();
    t.refused(
        t.send(
            "POST",
            "/users",
            &json!({"username": "mallory", "role": "super_admin"}),
        ),
        "super_admin",
        audit,
    );
    t.refused(
        t.send(
            "POST",
            "/users",
            &json!({"username": "mallory", "home_company_id": t.other}),
        ),
        "'Other Co'",
        audit,
    );
    let made = t.send(
        "POST",
        "/users",
        &json!({"username": "gina", "role": "admin", "home_company_id": t.branch_a}),
    );
    assert_eq!(made.status, 201, "{}", made.text);
    let gina = made.body["id"].as_i64().unwrap();
    let audit = t.app.audit_count();
    t.refused(
        t.send(
            "PATCH",
            &format!("/users/{gina}"),
            &json!({"role": "super_admin"}),
        ),
        "super_admin",
        audit,
    );
    t.refused(
        t.send(
            "PATCH",
            &format!("/users/{}", t.root),
            &json!({"full_name": "Not Root"}),
        ),
        "User 'root' is super_admin",
        audit,
    );
    // eve also works in Other Co: deactivating or deleting her reaches beyond dana's companies.
    t.refused(
        t.send(
            "PATCH",
            &format!("/users/{}", t.eve),
            &json!({"is_active": false}),
        ),
        "'Other Co'",
        audit,
    );
    t.refused(
        t.send("DELETE", &format!("/users/{}", t.eve), &json!({})),
        "'Other Co'",
        audit,
    );
    let renamed = t.send(
        "PATCH",
        &format!("/users/{gina}"),
        &json!({"full_name": "Gina Lopez", "is_active": false}),
    );
    assert_eq!(renamed.status, 200, "{}", renamed.text);

    // Companies: branches of what she administers with its branches, nothing at the top.
    let audit = t.app.audit_count();
    t.refused(
        t.send("POST", "/companies", &json!({"name": "Top Co"})),
        "top-level",
        audit,
    );
    t.refused(
        t.send(
            "POST",
            "/companies",
            &json!({"name": "Beyond", "parent_id": t.other}),
        ),
        "'Other Co'",
        audit,
    );
    t.refused(
        t.send(
            "PATCH",
            &format!("/companies/{}", t.branch_b),
            &json!({"parent_id": null}),
        ),
        "top-level",
        audit,
    );
    t.refused(
        t.send(
            "PATCH",
            &format!("/companies/{}", t.branch_b),
            &json!({"parent_id": t.other}),
        ),
        "'Other Co'",
        audit,
    );
    t.refused(
        t.send("DELETE", &format!("/companies/{}", t.other), &json!({})),
        "'Other Co'",
        audit,
    );
    let branch = t.send(
        "POST",
        "/companies",
        &json!({"name": "Branch C", "parent_id": t.branch_a}),
    );
    assert_eq!(branch.status, 201, "{}", branch.text);
    let renamed = t.send(
        "PATCH",
        &format!("/companies/{}", t.branch_b),
        &json!({"name": "Branch B East"}),
    );
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert!(t.company_names(&t.key).contains(&"Branch C".to_owned()));
}

#[test]
fn an_administrator_without_branches_grants_none_and_keys_stay_within_their_user() {
    let t = tenant();
    // frank administers Branch A alone, without its branches.
    let made = t.app.post(
        &format!("/users/{}/companies", t.frank),
        &json!({"company_id": t.branch_b, "role": "admin"}),
    );
    assert_eq!(made.status, 201, "{}", made.text);
    let frank_key = t.app.create_bound_key("frank-admin", "admin", t.frank);
    let as_frank =
        |method: &str, path: &str, body: Value| t.app.json_as(&frank_key, method, path, &body);
    let audit = t.app.audit_count();
    t.refused(
        as_frank(
            "POST",
            &format!("/users/{}/companies", t.eve),
            json!({"company_id": t.branch_b, "include_branches": true}),
        ),
        "not its branches",
        audit,
    );
    t.refused(
        as_frank(
            "POST",
            "/access/bulk",
            json!({"user_ids": [t.eve], "company_ids": [t.branch_b], "include_branches": true}),
        ),
        "not its branches",
        audit,
    );
    let plain = as_frank(
        "POST",
        &format!("/users/{}/companies", t.eve),
        json!({"company_id": t.branch_b}),
    );
    assert_eq!(plain.status, 201, "{}", plain.text);

    // Keys: only for frank, listed and revoked only among frank's.
    let audit = t.app.audit_count();
    t.refused(
        as_frank(
            "POST",
            "/keys",
            json!({"name": "for-eve", "scope": "read", "user_id": t.eve}),
        ),
        &format!("user {}", t.eve),
        audit,
    );
    let own = as_frank(
        "POST",
        "/keys",
        json!({"name": "frank-read", "scope": "read"}),
    );
    assert_eq!(own.status, 201, "{}", own.text);
    assert_eq!(
        own.body["user_id"],
        json!(t.frank),
        "bound to frank by default"
    );
    let listed = t.app.get_as(&frank_key, "/keys");
    let names: Vec<&Value> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|k| &k["name"])
        .collect();
    assert_eq!(names, [&json!("frank-admin"), &json!("frank-read")]);
    let all = t.app.get("/keys");
    let dana_key = all
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["name"] == "dana-portal")
        .map(|key| key["id"].as_str().unwrap().to_owned())
        .unwrap();
    let audit = t.app.audit_count();
    t.refused(
        as_frank("DELETE", &format!("/keys/{dana_key}"), json!({})),
        "dana-portal",
        audit,
    );
}

#[test]
fn a_key_reaches_nothing_once_its_users_admin_grant_ends_or_the_user_is_inactive_or_gone() {
    let t = tenant();
    let grant_a = |key: &str| {
        t.app.json_as(
            key,
            "POST",
            &format!("/users/{}/companies", t.eve),
            &json!({"company_id": t.branch_a}),
        )
    };
    // The admin grant ends: the key's reach ends with it, at once.
    let ended = t.app.patch(
        &format!("/users/{}/companies/{}", t.dana, t.region),
        &json!({"valid_until": "2020-01-01T00:00:00Z"}),
    );
    assert_eq!(ended.status, 200, "{}", ended.text);
    let audit = t.app.audit_count();
    t.refused(grant_a(&t.key), "out of reach", audit);
    assert!(t.company_names(&t.key).is_empty());
    let back = t.app.patch(
        &format!("/users/{}/companies/{}", t.dana, t.region),
        &json!({"valid_until": null}),
    );
    assert_eq!(back.status, 200, "{}", back.text);
    assert_eq!(t.company_names(&t.key).len(), 3);

    let inactive = t
        .app
        .patch(&format!("/users/{}", t.dana), &json!({"is_active": false}));
    assert_eq!(inactive.status, 200, "{}", inactive.text);
    let audit = t.app.audit_count();
    t.refused(t.get("/companies"), "inactive", audit);
    t.refused(grant_a(&t.key), "inactive", audit);

    // Deleting the user deletes the keys that acted for them, on the next request.
    let deleted = t.app.delete(&format!("/users/{}", t.dana));
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    assert_eq!(t.get("/whoami").status, 401);
    // An unbound key is not touched by any of this.
    assert_eq!(grant_a(company_access_tests::MASTER_KEY).status, 201);
}

#[test]
fn a_bound_key_orphans_no_branch_moves_no_default_beyond_reach_and_lists_no_holders_beyond_it() {
    let t = tenant();
    let audit = t.app.audit_count();
    // A check beyond reach is refused in the words of every other refusal: the company and the user.
    let check = t.get(&format!(
        "/access-check?user_id={}&company_id={}",
        t.eve, t.other
    ));
    t.refused(check, "'Other Co'", audit);
    let again = t.get(&format!(
        "/access-check?user_id={}&company_id={}",
        t.eve, t.other
    ));
    assert!(again.text.contains("acts for dana"), "{}", again.text);
    // Who holds a company is listed only for companies in reach; everyone may still be found by name.
    t.refused(
        t.get(&format!("/users?company_id={}", t.other)),
        "'Other Co'",
        audit,
    );
    let held = t.get(&format!("/users?company_id={}", t.branch_a));
    assert_eq!(held.status, 200, "{}", held.text);
    assert_eq!(held.body["total"], 1, "{}", held.text);
    assert_eq!(t.get("/users?q=eve").body["total"], 1);
    // eve's default is Other Co: making Branch B her default would take the flag from it.
    let granted = t.send(
        "POST",
        &format!("/users/{}/companies", t.eve),
        &json!({"company_id": t.branch_b}),
    );
    assert_eq!(granted.status, 201, "{}", granted.text);
    let audit = t.app.audit_count();
    t.refused(
        t.send(
            "PATCH",
            &format!("/users/{}/companies/{}", t.eve, t.branch_b),
            &json!({"is_default": true}),
        ),
        "'Other Co'",
        audit,
    );
    // frank's default, Branch A, is in reach: his default may move within dana's companies.
    let frank_grant = t.send(
        "POST",
        &format!("/users/{}/companies", t.frank),
        &json!({"company_id": t.branch_b}),
    );
    assert_eq!(frank_grant.status, 201, "{}", frank_grant.text);
    let moved = t.send(
        "PATCH",
        &format!("/users/{}/companies/{}", t.frank, t.branch_b),
        &json!({"is_default": true}),
    );
    assert_eq!(moved.status, 200, "{}", moved.text);
    // Deleting the region would make its branches top-level companies, which only an unbound key makes.
    let audit = t.app.audit_count();
    t.refused(
        t.app.send(
            "DELETE",
            &format!("/companies/{}", t.region),
            Some(&t.key),
            None,
        ),
        "move or delete its branches first",
        audit,
    );
    assert_eq!(t.app.get(&format!("/companies/{}", t.region)).status, 200);
    assert!(t.app.allowed(t.frank, t.branch_b));
}

#[test]
fn deleting_a_company_records_every_grant_it_removes_and_every_branch_it_makes_top_level() {
    let t = tenant();
    let last = t.app.get("/audit?limit=1").body["items"][0]["id"]
        .as_u64()
        .unwrap();
    let deleted = t.app.delete(&format!("/companies/{}", t.region));
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let entries = t.app.get("/audit?limit=10");
    assert_eq!(entries.status, 200, "{}", entries.text);
    let items = entries.body["items"].as_array().unwrap();
    let new: Vec<(String, Value, Value)> = items
        .iter()
        .filter(|entry| entry["id"].as_u64().unwrap() > last)
        .map(|entry| {
            (
                entry["action"].as_str().unwrap().to_owned(),
                entry["user_id"].clone(),
                entry["company_id"].clone(),
            )
        })
        .collect();
    let has = |action: &str, user: Value, company: Uuid| {
        new.contains(&(action.to_owned(), user, json!(company)))
    };
    assert!(has("company.delete", Value::Null, t.region), "{new:?}");
    assert!(has("access.revoke", json!(t.dana), t.region), "{new:?}");
    assert!(has("company.update", Value::Null, t.branch_a), "{new:?}");
    assert!(has("company.update", Value::Null, t.branch_b), "{new:?}");
    assert_eq!(new.len(), 4, "{new:?}");
    let branch = t.app.get(&format!("/companies/{}", t.branch_a));
    assert_eq!(branch.body["parent_id"], Value::Null, "{}", branch.text);
    assert!(!t.app.allowed(t.dana, t.branch_a));
}
