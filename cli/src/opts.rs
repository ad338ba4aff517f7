//! The option every client subcommand, the menu included, shares: where the server is.

use crate::client::DEFAULT_URL;
use clap::Args;

/// Where the server is.
#[derive(Debug, Clone, Args)]
pub struct ServerOpts {
    /// URL of the Company Access server.
    #[arg(long, global = true, env = "COMPANY_ACCESS_URL", default_value = DEFAULT_URL, value_name = "URL")]
    pub url: String,
}
