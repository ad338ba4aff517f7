//! `company-access menu`: the seed's interactive script, as a client of the running service.
//!
//! Input is read line by line from stdin (no raw mode), so the menu works the same typed at a
//! terminal, driven through a pseudo-terminal, or fed from a pipe.

mod input;
mod lists;
mod options;
mod terms;

use crate::client::{Api, CliError};
use crate::opts::ServerOpts;
use crate::print;
use crate::{errln, outln, select};
use clap::Args;
use input::Input;
use std::process::ExitCode;

const OPTIONS: [&str; 7] = [
    "View all users",
    "View all companies",
    "View companies for a user",
    "Add company to user",
    "Remove company from user",
    "Bulk add (all to all)",
    "Summary statistics",
];

#[derive(Debug, Args)]
pub struct MenuArgs {
    #[command(flatten)]
    pub server: ServerOpts,
    /// Rows per page in lists.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=500))]
    pub page_size: u64,
}

/// Why an option stopped early.
enum Flow {
    /// End of input: leave the menu.
    Quit,
    /// The server said no or could not be reached; tell the person and show the menu again.
    Api(CliError),
}

impl From<CliError> for Flow {
    fn from(err: CliError) -> Self {
        Flow::Api(err)
    }
}

type Step<T = ()> = Result<T, Flow>;

/// The outcome of picking from a list.
enum Pick<T> {
    Chosen(T),
    Cancelled,
    Empty,
}

pub fn menu(args: MenuArgs) -> ExitCode {
    // Without a handler Ctrl-C kills the process mid-line and leaves the prompt dangling.
    let _ = ctrlc::set_handler(|| {
        crate::output::out("\n");
        errln!("Interrupted.");
        std::process::exit(130);
    });
    let api = match Api::connect(&args.server.url) {
        Ok(api) => api,
        Err(err) => return print::report(&err, false),
    };
    // One request up front, so a server that is down or a wrong key is one sentence, not a menu
    // whose every option fails.
    let who = match api.whoami() {
        Ok(who) => who,
        Err(err) => return print::report(&err, false),
    };
    let acting_for = who
        .username
        .as_deref()
        .map(|user| format!(", acting for {user}"))
        .unwrap_or_default();
    outln!(
        "Company Access at {} (key {:?}, scope {}{acting_for})",
        api.base_url(),
        who.name,
        who.scope
    );
    let mut menu = Menu {
        api,
        input: Input::new(),
        page_size: args.page_size,
    };
    match menu.run() {
        Ok(()) | Err(Flow::Quit) => {
            outln!("Bye.");
            ExitCode::SUCCESS
        }
        Err(Flow::Api(err)) => print::report(&err, false),
    }
}

struct Menu {
    api: Api,
    input: Input,
    page_size: u64,
}

impl Menu {
    fn run(&mut self) -> Step {
        loop {
            outln!();
            outln!("Menu:");
            for (i, option) in OPTIONS.iter().enumerate() {
                outln!("  {}. {option}", i + 1);
            }
            outln!("  q. Quit");
            let choice = loop {
                let answer = self.input.ask("Select an option (1-7, q to quit): ")?;
                match answer.trim().to_ascii_lowercase().as_str() {
                    "q" | "quit" | "exit" => return Ok(()),
                    other => match select::number(other, OPTIONS.len()) {
                        Ok(n) => break n,
                        Err(_) => outln!(
                            "Please enter a number from 1 to {}, or q to quit.",
                            OPTIONS.len()
                        ),
                    },
                }
            };
            outln!();
            outln!("{}. {}", choice, OPTIONS[choice - 1]);
            let step = match choice {
                1 => self.view_users(),
                2 => self.view_companies(),
                3 => self.view_user_companies(),
                4 => self.add_companies(),
                5 => self.remove_companies(),
                6 => self.bulk_add(),
                _ => self.statistics(),
            };
            match step {
                Ok(()) => {}
                Err(Flow::Quit) => return Err(Flow::Quit),
                Err(Flow::Api(err)) => outln!("✗ {}", err.message),
            }
        }
    }
}
