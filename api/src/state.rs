//! What every request handler shares.

use crate::caller::SecretHash;
use crate::db::store::Store;
use crate::otel::Tracer;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Only the hash of the master key is kept in memory; the key itself is dropped after start-up.
    pub master_key_hash: SecretHash,
    /// The longest a long poll of the change stream waits (`COMPANY_ACCESS_LONG_POLL_MAX_SECS`).
    pub longest_wait: std::time::Duration,
    /// Set only when traces are exported (`OTEL_EXPORTER_OTLP_ENDPOINT`).
    pub tracer: Option<Tracer>,
    /// One in this many request lines of answers below 400 is logged (`COMPANY_ACCESS_LOG_SAMPLE`).
    pub log_sample: u64,
}
