//! What every client subcommand, the menu included, shares: where the server is, and how an instant is
//! typed.

use crate::client::DEFAULT_URL;
use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use openapi::instant::Instant;

/// Where the server is.
#[derive(Debug, Clone, Args)]
pub struct ServerOpts {
    /// URL of the Company Access server.
    #[arg(long, global = true, env = "COMPANY_ACCESS_URL", default_value = DEFAULT_URL, value_name = "URL")]
    pub url: String,
}

/// An instant as a person types it: RFC 3339, or a date (midnight UTC).
pub fn instant(text: &str) -> std::result::Result<DateTime<Utc>, String> {
    if let Some(midnight) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
    {
        return Ok(midnight.and_utc());
    }
    // The server's own reading of an instant, so that what it would refuse is refused here first.
    Instant::parse(text)
        .map(Instant::into_inner)
        .map_err(|error| format!("{}; or give a date such as 2027-01-01", error.0))
}
