//! What every client subcommand, the menu included, shares: where the server is, and how an instant is
//! typed.

use crate::client::DEFAULT_URL;
use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;

/// Where the server is.
#[derive(Debug, Clone, Args)]
pub struct ServerOpts {
    /// URL of the Company Access server.
    #[arg(long, global = true, env = "COMPANY_ACCESS_URL", default_value = DEFAULT_URL, value_name = "URL")]
    pub url: String,
}

/// An instant as a person types it: RFC 3339, or a date (midnight UTC).
pub fn instant(text: &str) -> std::result::Result<DateTime<Utc>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
        .ok_or_else(|| format!("{text:?} is not an instant: give RFC 3339 (2027-01-01T09:00:00Z) or a date (2027-01-01)"))
}
