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
///
/// glibc also raises its threshold for giving large blocks their own mapping each time such a block is
/// freed, up to 32 MiB: once the check cache's table had grown past a few MiB, every later block below
/// that size stayed in the arenas, and after a million checks the process held 10–12 MiB more (the
/// memory measure of `bench/run`). A fixed threshold, glibc's own starting one, keeps large blocks
/// mapped and returned when freed; `MALLOC_MMAP_THRESHOLD_` in the environment still decides when set.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn tune_malloc() {
    const MMAP_THRESHOLD: libc::c_int = 128 * 1024;
    let arenas = std::env::var_os("MALLOC_ARENA_MAX").is_none();
    let threshold = std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none();
    // SAFETY: mallopt changes allocator tuning only, and no other thread exists yet.
    unsafe {
        if arenas {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
        if threshold {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_malloc() {}

/// The environment setting that asks glibc's malloc for transparent huge pages.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const HUGE_PAGES_TUNABLE: &str = "glibc.malloc.hugetlb";

/// Starts `serve` again with glibc's malloc asking for transparent huge pages, unless the environment
/// already says either way (`GLIBC_TUNABLES` naming `glibc.malloc.hugetlb`) or
/// `COMPANY_ACCESS_HUGE_PAGES=0`. The check cache is read at random: 100,000 users are some 15 MiB spread
/// over thousands of 4 KiB pages, more than the processor's address cache holds, so most checks waited on
/// a page-table walk (dearest in a virtual machine). On 2 MiB pages single checks ran about 9 % faster
/// (docs/PERFORMANCE.md). glibc reads the setting only when a process starts, hence the new start; it is
/// the same process (`exec`), so supervisors see nothing. Returns only when the new start is not made.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn restart_with_huge_pages() {
    use std::os::unix::process::CommandExt;
    let tunables = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
    if tunables.contains(HUGE_PAGES_TUNABLE)
        || std::env::var_os("COMPANY_ACCESS_HUGE_PAGES").is_some_and(|value| value == "0")
    {
        return;
    }
    let Ok(program) = std::env::current_exe() else {
        return;
    };
    let tunables = if tunables.is_empty() {
        format!("{HUGE_PAGES_TUNABLE}=1")
    } else {
        format!("{tunables}:{HUGE_PAGES_TUNABLE}=1")
    };
    let error = std::process::Command::new(program)
        .args(std::env::args_os().skip(1))
        .env("GLIBC_TUNABLES", tunables)
        .exec();
    // Only on failure: serve on ordinary pages.
    eprintln!("company-access: serving without huge pages ({error})");
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn restart_with_huge_pages() {}

pub fn serve(args: ServeArgs) -> ExitCode {
    restart_with_huge_pages();
    tune_malloc();
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
