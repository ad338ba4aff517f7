//! Settings of `serve`, read from the environment.

use crate::cache::CacheSettings;
use crate::otel::TraceSettings;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    pub bind: SocketAddr,
    /// From `COMPANY_ACCESS_METRICS_BIND`: a second listener serving only `GET /metrics`, without a key, for a
    /// scraper that holds none; bind it where only the scraper reaches (e.g. `127.0.0.1:9464`).
    pub metrics_bind: Option<SocketAddr>,
    /// Where the default SQLite file and the generated master key live.
    pub data_dir: PathBuf,
    /// From `COMPANY_ACCESS_MASTER_KEY`; when absent one is generated into `data_dir/master-key`.
    pub master_key: Option<String>,
    /// Load the seed's demo data into an empty database.
    pub demo: bool,
    /// HTTP worker threads (default: one per core).
    pub workers: Option<usize>,
    pub max_db_connections: u32,
    pub cache: CacheSettings,
    /// Wait between attempts to re-open the PostgreSQL change feed.
    pub feed_retry: Duration,
    /// From `COMPANY_ACCESS_CORS_ORIGINS`: the origins whose pages may call the API from a browser. Empty
    /// (the default) answers no preflight and sends no CORS headers.
    pub cors: CorsOrigins,
    /// From `COMPANY_ACCESS_DB_TIMEOUT_MS` (default 5000): how long a request waits for the database (a
    /// pooled connection, or the statements of an ordinary request) before it is answered 503.
    pub db_timeout: Duration,
    /// From `COMPANY_ACCESS_MAX_STALENESS_MS` (default 1000), PostgreSQL only: the longest an instance
    /// answers from memory without proof that its change feed still hears the database.
    pub max_staleness: Duration,
    /// From `COMPANY_ACCESS_BODY_TIMEOUT_SECS` (default 10): the longest a request body may take to arrive.
    pub body_timeout: Duration,
    /// From `COMPANY_ACCESS_LONG_POLL_MAX_SECS` (default 60): the longest a long poll of `GET /changes` waits.
    pub long_poll_max: Duration,
    /// From `COMPANY_ACCESS_LOG_SAMPLE` (default 1): one in this many request lines of answers below 400 is
    /// logged, so a busy check path can be turned down; every 4xx and 5xx line is logged whatever it says.
    pub log_sample: u64,
    /// OpenTelemetry trace export; `None` (the default) turns tracing off.
    pub traces: Option<TraceSettings>,
    /// From `COMPANY_ACCESS_PAGE_IDLE_MINUTES` (default 30, decimals allowed, at most a day): the page
    /// /manage-user-companies signs out after this long without input from the person using it.
    pub page_idle: Duration,
}

/// Defaults of the timing settings, shared by `from_env` and the tests.
pub const DEFAULT_DB_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_MAX_STALENESS: Duration = Duration::from_millis(1000);
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_PAGE_IDLE: Duration = Duration::from_secs(30 * 60);
/// The longest idle time the page accepts: a day.
const MAX_PAGE_IDLE_MINUTES: f64 = 24.0 * 60.0;

/// Which other origins' pages may call the API (CORS).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Same origin only: the page this service serves itself.
    #[default]
    None,
    /// `*`: any origin. Safe only because the API authenticates by a bearer key a page must hold, never
    /// by a cookie the browser would add on its own.
    Any,
    /// Exactly these origins (`https://hr.example.com`).
    List(Vec<String>),
}

impl CorsOrigins {
    /// Parses a comma-separated list of origins, or `*`.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let entries: Vec<&str> = text
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .collect();
        if entries.is_empty() {
            return Ok(CorsOrigins::None);
        }
        if entries == ["*"] {
            return Ok(CorsOrigins::Any);
        }
        let mut origins = Vec::with_capacity(entries.len());
        for entry in entries {
            let valid = ["http://", "https://"].iter().any(|scheme| {
                entry.strip_prefix(scheme).is_some_and(|host| {
                    !host.is_empty()
                        && !host.contains(['/', '?', '#', '*', ' '])
                        && !host.ends_with(':')
                })
            });
            if !valid {
                return Err(ConfigError(format!(
                    "COMPANY_ACCESS_CORS_ORIGINS must be `*` or origins such as https://hr.example.com \
                     separated by commas, without a path (got {entry:?})"
                )));
            }
            origins.push(entry.to_ascii_lowercase());
        }
        Ok(CorsOrigins::List(origins))
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

/// A duration in milliseconds from the environment, at least 1.
fn positive_millis(name: &str, default: Duration) -> Result<Duration, ConfigError> {
    match env(name) {
        None => Ok(default),
        Some(text) => match text.trim().parse::<u64>() {
            Ok(millis) if millis > 0 => Ok(Duration::from_millis(millis)),
            _ => Err(ConfigError(format!(
                "{name} must be a positive number of milliseconds (got {text:?})"
            ))),
        },
    }
}

/// The page's idle timeout from a number of minutes (decimals allowed: `0.5` is 30 s), at least a second.
pub fn page_idle_from(text: Option<&str>) -> Result<Duration, ConfigError> {
    let Some(text) = text else {
        return Ok(DEFAULT_PAGE_IDLE);
    };
    match text.trim().parse::<f64>() {
        Ok(minutes) if minutes.is_finite() && minutes > 0.0 && minutes <= MAX_PAGE_IDLE_MINUTES => {
            Ok(Duration::from_secs_f64(minutes * 60.0).max(Duration::from_secs(1)))
        }
        _ => Err(ConfigError(format!(
            "COMPANY_ACCESS_PAGE_IDLE_MINUTES must be a number of minutes above 0 and at most {MAX_PAGE_IDLE_MINUTES} \
             (got {text:?})"
        ))),
    }
}

impl Settings {
    /// Reads `DATABASE_URL`, `COMPANY_ACCESS_BIND`, `COMPANY_ACCESS_METRICS_BIND`, `COMPANY_ACCESS_DATA_DIR`, `COMPANY_ACCESS_MASTER_KEY`,
    /// `COMPANY_ACCESS_WORKERS`, `COMPANY_ACCESS_DB_CONNECTIONS`, `COMPANY_ACCESS_CACHE_CAPACITY` (users and
    /// companies held by the check cache; 0 turns it off), `COMPANY_ACCESS_CACHE_TTL_SECS` and
    /// `COMPANY_ACCESS_CORS_ORIGINS`, `COMPANY_ACCESS_DB_TIMEOUT_MS`, `COMPANY_ACCESS_MAX_STALENESS_MS` and
    /// `COMPANY_ACCESS_BODY_TIMEOUT_SECS` and `COMPANY_ACCESS_LONG_POLL_MAX_SECS`; and, for traces,
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (tracing is off without either,
    /// and nothing below is read), `OTEL_SDK_DISABLED`, `OTEL_TRACES_EXPORTER`,
    /// `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL`, `OTEL_EXPORTER_OTLP_(TRACES_)HEADERS`,
    /// `OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
    /// `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`, `OTEL_BSP_SCHEDULE_DELAY`,
    /// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` and `OTEL_BSP_MAX_QUEUE_SIZE` (see `otel::settings`).
    pub fn from_env(demo: bool) -> Result<Self, ConfigError> {
        let data_dir =
            PathBuf::from(env("COMPANY_ACCESS_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = env("DATABASE_URL").unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("company-access.db").display()
            )
        });
        let bind_text = env("COMPANY_ACCESS_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind = bind_text.parse().map_err(|_| {
            ConfigError(format!(
                "COMPANY_ACCESS_BIND must be an address and port such as 127.0.0.1:8080 (got {bind_text:?})"
            ))
        })?;
        let metrics_bind = match env("COMPANY_ACCESS_METRICS_BIND") {
            None => None,
            Some(text) => Some(text.trim().parse().map_err(|_| {
                ConfigError(format!(
                    "COMPANY_ACCESS_METRICS_BIND must be an address and port such as 127.0.0.1:9464 (got {text:?})"
                ))
            })?),
        };
        let workers =
            match env("COMPANY_ACCESS_WORKERS") {
                None => None,
                Some(text) => Some(text.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(
                    || {
                        ConfigError(format!(
                            "COMPANY_ACCESS_WORKERS must be a positive number (got {text:?})"
                        ))
                    },
                )?),
            };
        // SQLite has one writer, and each pooled connection keeps its own page cache and thread: a few
        // are enough for the readers and keep memory small. PostgreSQL connections are cheap to us.
        let default_connections = if database_url.starts_with("sqlite:") {
            4
        } else {
            16
        };
        let max_db_connections = match env("COMPANY_ACCESS_DB_CONNECTIONS") {
            None => default_connections,
            Some(text) => text.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                ConfigError(format!(
                    "COMPANY_ACCESS_DB_CONNECTIONS must be a positive number (got {text:?})"
                ))
            })?,
        };
        let number = |name: &str, default: u64| -> Result<u64, ConfigError> {
            match env(name) {
                None => Ok(default),
                Some(text) => text.trim().parse::<u64>().map_err(|_| {
                    ConfigError(format!("{name} must be a whole number (got {text:?})"))
                }),
            }
        };
        let cache = CacheSettings {
            capacity: number(
                "COMPANY_ACCESS_CACHE_CAPACITY",
                CacheSettings::default().capacity as u64,
            )? as usize,
            ttl: Duration::from_secs(number("COMPANY_ACCESS_CACHE_TTL_SECS", 60)?),
        };
        let master_key = env("COMPANY_ACCESS_MASTER_KEY");
        if let Some(key) = &master_key
            && key.trim().len() < 16
        {
            return Err(ConfigError(
                "COMPANY_ACCESS_MASTER_KEY must be at least 16 characters long".into(),
            ));
        }
        let traces = TraceSettings::from_env(env).map_err(ConfigError)?;
        Ok(Settings {
            database_url,
            bind,
            metrics_bind,
            data_dir,
            master_key: master_key.map(|key| key.trim().to_owned()),
            demo,
            workers,
            max_db_connections,
            cache,
            feed_retry: Duration::from_secs(1),
            cors: CorsOrigins::parse(&env("COMPANY_ACCESS_CORS_ORIGINS").unwrap_or_default())?,
            db_timeout: positive_millis("COMPANY_ACCESS_DB_TIMEOUT_MS", DEFAULT_DB_TIMEOUT)?,
            max_staleness: positive_millis(
                "COMPANY_ACCESS_MAX_STALENESS_MS",
                DEFAULT_MAX_STALENESS,
            )?,
            body_timeout: Duration::from_secs(
                number(
                    "COMPANY_ACCESS_BODY_TIMEOUT_SECS",
                    DEFAULT_BODY_TIMEOUT.as_secs(),
                )?
                .max(1),
            ),
            long_poll_max: Duration::from_secs(
                number(
                    "COMPANY_ACCESS_LONG_POLL_MAX_SECS",
                    openapi::changes::MAX_WAIT_SECS,
                )?
                .min(openapi::changes::MAX_WAIT_SECS),
            ),
            traces,
            log_sample: number("COMPANY_ACCESS_LOG_SAMPLE", 1)?.max(1),
            page_idle: page_idle_from(env("COMPANY_ACCESS_PAGE_IDLE_MINUTES").as_deref())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_idle_timeout_is_minutes_above_zero_up_to_a_day() {
        assert_eq!(page_idle_from(None), Ok(DEFAULT_PAGE_IDLE));
        assert_eq!(page_idle_from(Some("30")), Ok(Duration::from_secs(1800)));
        assert_eq!(page_idle_from(Some(" 0.5 ")), Ok(Duration::from_secs(30)));
        assert_eq!(page_idle_from(Some("0.001")), Ok(Duration::from_secs(1)));
        assert_eq!(
            page_idle_from(Some("1440")),
            Ok(Duration::from_secs(86_400))
        );
        for wrong in ["0", "-5", "1441", "NaN", "inf", "ten"] {
            let Err(error) = page_idle_from(Some(wrong)) else {
                panic!("{wrong} was accepted");
            };
            assert!(
                error.0.contains("COMPANY_ACCESS_PAGE_IDLE_MINUTES"),
                "{wrong}: {error}"
            );
        }
    }

    #[test]
    fn cors_origins_are_none_any_or_a_list_of_bare_origins() {
        assert_eq!(CorsOrigins::parse(""), Ok(CorsOrigins::None));
        assert_eq!(CorsOrigins::parse(" * "), Ok(CorsOrigins::Any));
        assert_eq!(
            CorsOrigins::parse("https://HR.example.com, http://localhost:3000"),
            Ok(CorsOrigins::List(vec![
                "https://hr.example.com".into(),
                "http://localhost:3000".into()
            ]))
        );
        for bad in [
            "hr.example.com",
            "https://hr.example.com/app",
            "https://*.example.com",
            "*, https://a.b",
        ] {
            assert!(CorsOrigins::parse(bad).is_err(), "{bad}");
        }
    }
}
