//! `company-access stats`: the summary statistics.

use super::{ClientOpts, run};
use crate::output::print_json;
use crate::print::print_stats;
use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub opts: ClientOpts,
}

pub fn stats(args: StatsArgs) -> ExitCode {
    run(&args.opts, |api, json| {
        let stats = api.stats()?;
        if json {
            print_json(&stats);
        } else {
            print_stats(&stats);
        }
        Ok(())
    })
}
