//! `serve`, `migrate` and `openapi`: the subcommands that touch the database or the contract directly.

use api::{Application, Settings};
use clap::{Args, Subcommand};
use migration::{Migrator, MigratorTrait};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Load the seed's demo data (john_smith, sarah, NYC, LA, …) when the database is empty.
    #[arg(long)]
    demo: bool,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(subcommand)]
    action: MigrateAction,
}

#[derive(Debug, Subcommand)]
enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Roll back the last migration (or `--steps N`).
    Down {
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
}

/// Logs go to stderr: human-readable by default, JSON lines with `COMPANY_ACCESS_LOG_FORMAT=json`.
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("COMPANY_ACCESS_LOG_FORMAT")
        .is_ok_and(|format| format.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| {
            eprintln!("company-access: cannot start the async runtime: {error}");
            ExitCode::FAILURE
        })
}

/// glibc gives each thread that allocates its own malloc arena (up to eight per core) and keeps what each
/// has freed; the server's threads (HTTP workers, one per SQLite connection, the runtime's) held about
/// 15 MiB more that way after a long benchmark, at the same throughput (docs/PERFORMANCE.md). Must run
/// before any other thread starts; `MALLOC_ARENA_MAX` in the environment still decides when set.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt changes allocator tuning only, and no other thread exists yet.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

pub fn serve(args: ServeArgs) -> ExitCode {
    limit_malloc_arenas();
    init_logging();
    let settings = match Settings::from_env(args.demo) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("company-access: {error}");
            return ExitCode::from(2);
        }
    };
    let result = actix_web::rt::System::new().block_on(async move {
        let application = Application::build(settings)
            .await
            .map_err(|error| error.to_string())?;
        application
            .run_until_stopped()
            .await
            .map_err(|error| error.to_string())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            eprintln!("company-access: {error}");
            ExitCode::FAILURE
        }
    }
}

pub fn migrate(args: MigrateArgs) -> ExitCode {
    init_logging();
    let settings = match Settings::from_env(false) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("company-access: {error}");
            return ExitCode::from(2);
        }
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let result: Result<(), String> = runtime.block_on(async move {
        if let Some(parent) = settings
            .database_url
            .strip_prefix("sqlite://")
            .and_then(|rest| rest.split('?').next())
            .and_then(|path| std::path::Path::new(path).parent())
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)
                .map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
        }
        let db = api::db::connect(&settings.database_url, 1, settings.db_timeout)
            .await
            .map_err(|error| format!("cannot open the database: {error}"))?;
        match args.action {
            MigrateAction::Up => Migrator::up(&db, None).await.map_err(|e| e.to_string())?,
            MigrateAction::Down { steps } => Migrator::down(&db, Some(steps))
                .await
                .map_err(|e| e.to_string())?,
            MigrateAction::Status => {
                for migration in Migrator::get_migration_with_status(&db)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    println!(
                        "{:<8} {}",
                        format!("{:?}", migration.status()),
                        migration.name()
                    );
                }
            }
        }
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("company-access: {error}");
            ExitCode::FAILURE
        }
    }
}

pub fn print_openapi() -> ExitCode {
    match api::doc::api_doc_json() {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("company-access: {error}");
            ExitCode::FAILURE
        }
    }
}
