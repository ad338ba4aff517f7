//! Beyond the Rust clients: the Python module against a real server, and `migrate`.

use company_access_tests::binary::{Server, workspace_dir};
use std::process::Command;

#[test]
fn python_module_runs_the_seed_examples() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    if Command::new(&python).arg("--version").output().is_err() {
        eprintln!("skipped: {python} is not installed");
        return;
    }
    let server = Server::start();
    let dir = workspace_dir().join("clients/python");
    let output = Command::new(&python)
        .args(["-m", "unittest", "-v", "test_add_user_companies"])
        .current_dir(&dir)
        .env("COMPANY_ACCESS_TEST_URL", &server.url)
        .env("COMPANY_ACCESS_TEST_TOKEN", &server.key)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "python tests failed:\n{stderr}");
    assert!(stderr.contains("OK"), "{stderr}");
}

/// `company-access migrate up|down|status` on the database `DATABASE_URL` names (SQLite, or PostgreSQL
/// when `TEST_DATABASE_URL` is set): every migration can be rolled back and applied again.
#[test]
fn migrate_up_status_down_and_up_again() {
    let database = company_access_tests::TestDatabase::new();
    let migrate = |args: &[&str]| {
        let output = company_access_tests::binary::clean_command()
            .arg("migrate")
            .args(args)
            .env("DATABASE_URL", &database.url)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "migrate {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let all = {
        use migration::MigratorTrait;
        migration::Migrator::migrations().len()
    };
    migrate(&["up"]);
    let status = migrate(&["status"]);
    assert_eq!(
        status
            .lines()
            .filter(|line| line.starts_with("Applied"))
            .count(),
        all,
        "{status}"
    );
    assert!(
        status.contains("m20261124_000003_create_user_company_access"),
        "{status}"
    );
    migrate(&["down", "--steps", &all.to_string()]);
    let status = migrate(&["status"]);
    assert_eq!(
        status
            .lines()
            .filter(|line| line.starts_with("Pending"))
            .count(),
        all,
        "{status}"
    );
    assert_eq!(
        database.query_i64("SELECT count(*) FROM seaql_migrations"),
        0
    );
    migrate(&["up"]);
    assert_eq!(
        database.query_i64("SELECT count(*) FROM hrm_user_company_access"),
        0
    );
}
