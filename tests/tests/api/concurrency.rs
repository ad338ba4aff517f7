use company_access_tests::TestApp;
use serde_json::json;
use std::sync::{Arc, Barrier};

/// Sixty-four grants of the same pair at once: exactly one row, and only 201 or 409.
#[test]
fn sixty_four_concurrent_grants_of_one_pair_leave_one_row() {
    let app = Arc::new(TestApp::spawn_demo());
    let sarah = app.user_id("sarah");
    let nyc = app.company_id("NYC");
    let barrier = Arc::new(Barrier::new(64));
    let threads: Vec<_> = (0..64)
        .map(|_| {
            let (app, barrier, nyc) = (app.clone(), barrier.clone(), nyc.clone());
            std::thread::spawn(move || {
                barrier.wait();
                app.post(
                    &format!("/users/{sarah}/companies"),
                    &json!({"company_id": nyc}),
                )
                .status
            })
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        63,
        "{statuses:?}"
    );
    let rows = app.db.query_i64(&format!(
        "SELECT count(*) FROM hrm_user_company_access WHERE user_id = {sarah}"
    ));
    assert_eq!(rows, 1);
    assert_eq!(
        app.get(&format!("/audit?action=access.grant&user_id={sarah}"))
            .body["total"],
        1
    );
}

/// Different companies granted at once to one user: every grant lands, and only one becomes the default.
#[test]
fn concurrent_grants_to_one_user_keep_one_default() {
    let app = Arc::new(TestApp::spawn());
    let user = app.create_user("busy_manager", "hr_manager");
    let companies: Vec<String> = (0..16)
        .map(|i| app.create_company(&format!("Branch {i}")))
        .collect();
    let barrier = Arc::new(Barrier::new(companies.len()));
    let threads: Vec<_> = companies
        .into_iter()
        .map(|company| {
            let (app, barrier) = (app.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                app.post(
                    &format!("/users/{user}/companies"),
                    &json!({"company_id": company}),
                )
                .status
            })
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap(), 201);
    }
    assert_eq!(
        app.db.query_i64(&format!(
            "SELECT count(*) FROM hrm_user_company_access WHERE user_id = {user}"
        )),
        16
    );
    assert_eq!(
        app.db.query_i64(&format!(
            "SELECT count(*) FROM hrm_user_company_access WHERE user_id = {user} AND is_default"
        )),
        1
    );
}
