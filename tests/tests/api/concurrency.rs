use company_access_tests::TestApp;
use openapi::audit::AuditQuery;
use std::sync::{Arc, Barrier};
use uuid::Uuid;

/// Sixty-four grants of the same pair at once: exactly one row, and only 201 or 409.
#[test]
fn sixty_four_concurrent_grants_of_one_pair_leave_one_row() {
    let app = Arc::new(TestApp::spawn_demo());
    let sarah = app.user_id("sarah");
    let nyc = app.company_id("NYC");
    let barrier = Arc::new(Barrier::new(64));
    let threads: Vec<_> = (0..64)
        .map(|_| {
            let (app, barrier) = (app.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                // Success is the 201 of a single grant; a refusal keeps its HTTP status.
                app.client()
                    .grant_company(sarah, nyc)
                    .map(drop)
                    .map_err(|err| err.problem.map(|p| p.status))
            })
        })
        .collect();
    let outcomes: Vec<Result<(), Option<u16>>> =
        threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(
        outcomes.iter().filter(|o| o.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|o| **o == Err(Some(409))).count(),
        63,
        "{outcomes:?}"
    );
    let rows = app.db.query_i64(&format!(
        "SELECT count(*) FROM hrm_user_company_access WHERE user_id = {sarah}"
    ));
    assert_eq!(rows, 1);
    let grants = AuditQuery {
        action: Some("access.grant".into()),
        user_id: Some(sarah),
        ..AuditQuery::default()
    };
    assert_eq!(app.client().audit(&grants).unwrap().total, 1);
}

/// Different companies granted at once to one user: every grant lands, and only one becomes the default.
#[test]
fn concurrent_grants_to_one_user_keep_one_default() {
    let app = Arc::new(TestApp::spawn());
    let user = app.create_user("busy_manager", "hr_manager");
    let companies: Vec<Uuid> = (0..16)
        .map(|i| app.create_company(&format!("Branch {i}")))
        .collect();
    let barrier = Arc::new(Barrier::new(companies.len()));
    let threads: Vec<_> = companies
        .into_iter()
        .map(|company| {
            let (app, barrier) = (app.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                app.client().grant_company(user, company).map(drop)
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap().unwrap();
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
