//! `company-access`: `serve` runs the service; every other subcommand is an HTTP client of a running server.

mod commands;
mod lookup;
mod menu;
mod opts;
mod output;
mod print;
mod progress;
mod select;
mod serve;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use company_access::client;
use std::process::ExitCode;

/// Company Access: who may act in which company of the HR system.
#[derive(Debug, Parser)]
#[command(name = "company-access", version, about, long_about = None, after_help = commands::EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP service (migrations run first).
    Serve(serve::ServeArgs),
    /// Apply, roll back or list schema migrations directly on the database.
    Migrate(serve::MigrateArgs),
    /// Print the OpenAPI document the server serves at /openapi.json.
    Openapi,
    /// The interactive menu: view users and companies, add and remove access, statistics.
    Menu(menu::MenuArgs),
    /// List, show, create and delete users.
    Users(commands::Users),
    /// List, show, create and delete companies.
    Companies(commands::Companies),
    /// Which companies a user may act in: list, add, remove, check, bulk-add, populate.
    Access(commands::Access),
    /// Summary statistics.
    Stats(commands::StatsArgs),
    /// The audit trail, newest first.
    Audit(commands::AuditArgs),
    /// The changes committed after a revision, oldest first; `--follow` waits for new ones.
    Changes(commands::ChangesArgs),
    /// Create, list and revoke API keys (needs an admin key).
    Keys(commands::Keys),
    /// Print a shell completion script: `company-access completions bash > /etc/bash_completion.d/company-access`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// The clients' exit codes and environment belong on every client command's `--help`, nested ones too.
fn with_exit_codes(command: clap::Command) -> clap::Command {
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    names
        .iter()
        .fold(command.after_help(commands::EXIT_CODES), |command, name| {
            command.mut_subcommand(name, with_exit_codes)
        })
}

fn main() -> ExitCode {
    let mut command = Cli::command();
    let clients = [
        "menu",
        "users",
        "companies",
        "access",
        "stats",
        "audit",
        "changes",
        "keys",
    ];
    for name in clients {
        command = command.mut_subcommand(name, with_exit_codes);
    }
    let cli = match Cli::from_arg_matches(&command.get_matches()) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    match cli.command {
        Command::Serve(args) => serve::serve(args),
        Command::Migrate(args) => serve::migrate(args),
        Command::Openapi => serve::print_openapi(),
        Command::Menu(args) => menu::menu(args),
        Command::Users(args) => commands::users(args),
        Command::Companies(args) => commands::companies(args),
        Command::Access(args) => commands::access(args),
        Command::Stats(args) => commands::stats(args),
        Command::Audit(args) => commands::audit(args),
        Command::Changes(args) => commands::changes(args),
        Command::Keys(args) => commands::keys(args),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "company-access", &mut script);
            output::out(&String::from_utf8_lossy(&script));
            ExitCode::SUCCESS
        }
    }
}
