//! The one app factory: `serve` and every test build the service through `Application::build`.

use crate::background::Background;
use crate::cache::CheckCache;
use crate::cache::feed;
use crate::cache::refresher::warm_then_refresh_cache;
use crate::caller::SecretHash;
use crate::config::CorsOrigins;
use crate::config::Settings;
use crate::db::store::Store;
use crate::error::AppError;
use crate::methods::KnownPaths;
use crate::otel::{self, Exporting};
use crate::services::demo;
use crate::state::AppState;
use crate::{db, doc, extract, routes};
use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{
    AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue, LOCATION, RETRY_AFTER,
};
use actix_web::middleware::{Condition, DefaultHeaders, Next, from_fn};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, ResponseError, guard, web};
use migration::{Migrator, MigratorTrait};
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open the database {url}: {source}")]
    Database { url: String, source: sea_orm::DbErr },
    #[error("cannot migrate the database: {0}")]
    Migration(sea_orm::DbErr),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error("cannot prepare {path}: {source}")]
    Files {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot load the demo data: {0}")]
    Demo(AppError),
    #[error("{0}")]
    Other(String),
}

pub struct Application {
    /// Held while serving: the lock that keeps a second instance off this SQLite file.
    _sqlite_lock: Option<std::fs::File>,
    port: u16,
    server: Server,
    /// The separate metrics listener, when `COMPANY_ACCESS_METRICS_BIND` is set.
    metrics: Option<(u16, Server)>,
    background: Background,
    /// The trace exporter, flushed after the server stops.
    exporting: Option<Exporting>,
}

/// Where a SQLite URL keeps its file, so the folder can be made before the first start.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| PathBuf::from(path))
}

/// Makes the folder (and its parents) readable by this user only: it holds the database and the master key.
fn make_dir(path: &Path) -> Result<(), StartupError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path).map_err(|source| StartupError::Files {
        path: path.to_owned(),
        source,
    })
}

/// The SQLite file and its `-wal`/`-shm` companions readable and writable by this user only. SQLite
/// creates the companions with the database file's mode, so a file made here 0600 keeps all three so;
/// files an older version made are tightened.
fn secure_sqlite_files(file: &Path) -> Result<(), StartupError> {
    let files = |source| StartupError::Files {
        path: file.to_owned(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file).map_err(files)?;
    #[cfg(unix)]
    for suffix in ["", "-wal", "-shm"] {
        use std::os::unix::fs::PermissionsExt;
        let mut path = file.as_os_str().to_owned();
        path.push(suffix);
        match std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(files(error)),
            _ => {}
        }
    }
    Ok(())
}

/// One instance per SQLite file: its cache is exact only because it is the file's only writer, so a second
/// `serve` on the same file is refused at start instead of answering from a cache the first one's writes
/// never reach. The lock is the kernel's, so a killed process leaves no stale lock behind.
fn lock_sqlite_file(file: &Path) -> Result<std::fs::File, StartupError> {
    let mut path = file.as_os_str().to_owned();
    path.push(".lock");
    let path = PathBuf::from(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let lock = options.open(&path).map_err(|source| StartupError::Files {
        path: path.clone(),
        source,
    })?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => Err(StartupError::Other(format!(
            "Another company-access serve is already using {} (it holds {}). A SQLite database serves \
             one instance; stop the other one, or use PostgreSQL (DATABASE_URL=postgres://…) to run several.",
            file.display(),
            path.display()
        ))),
        Err(std::fs::TryLockError::Error(source)) => Err(StartupError::Files { path, source }),
    }
}

/// The master key from the environment, or from `data/master-key`, made on first start with mode 0600.
fn master_key_hash(settings: &Settings) -> Result<SecretHash, StartupError> {
    if let Some(key) = &settings.master_key {
        tracing::info!("Using the master key from COMPANY_ACCESS_MASTER_KEY");
        return Ok(SecretHash::of(key));
    }
    let path = settings.data_dir.join("master-key");
    let files = |source| StartupError::Files {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().len() >= 16 => {
            tracing::info!(path = %path.display(), "Using the master key stored in {}", path.display());
            return Ok(SecretHash::of(text.trim()));
        }
        Ok(_) => {
            return Err(StartupError::Other(format!(
                "{} is too short to be a master key; delete it to have a new one made",
                path.display()
            )));
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(files(error)),
    }
    make_dir(&settings.data_dir)?;
    let secret =
        crate::services::keys::generate_secret().map_err(|e| StartupError::Other(e.to_string()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(files)?;
    file.write_all(format!("{secret}\n").as_bytes())
        .map_err(files)?;
    file.sync_all().map_err(files)?;
    tracing::info!(
        path = %path.display(),
        "Generated a master key and wrote it to {} (readable by this user only)",
        path.display()
    );
    Ok(SecretHash::of(&secret))
}

/// No route matched: a known path asked with another method is a 405 with `Allow`, anything else a 404.
async fn unknown_route(request: HttpRequest) -> HttpResponse {
    let (method, path) = (request.method().as_str(), request.path());
    let allow = request
        .app_data::<web::Data<KnownPaths>>()
        .and_then(|known| known.allow_header(path));
    match allow {
        Some(allow) => AppError::method_not_allowed(method, path, allow),
        None => AppError::no_route(method, path),
    }
    .error_response()
}

/// `HEAD` wherever `GET` is: routed as `GET`. The connection still knows the request was `HEAD` and sends
/// the headers (with the body's length) but not the body.
async fn head_as_get(
    mut request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if request.method() == Method::HEAD {
        request.head_mut().method = Method::GET;
    }
    next.call(request).await
}

/// CORS for the origins the operator named; none by default, so a browser page elsewhere cannot call.
fn cors(origins: &CorsOrigins) -> Condition<Cors> {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        // A traced page sends its W3C trace context with every call; without tracing it is ignored.
        .allowed_headers([
            AUTHORIZATION,
            CONTENT_TYPE,
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("traceparent"),
            HeaderName::from_static("tracestate"),
        ])
        .expose_headers([
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("traceparent"),
            RETRY_AFTER,
            LOCATION,
        ])
        .max_age(600);
    match origins {
        CorsOrigins::None => {}
        CorsOrigins::Any => cors = cors.allow_any_origin(),
        CorsOrigins::List(list) => {
            for origin in list {
                cors = cors.allowed_origin(origin);
            }
        }
    }
    Condition::new(*origins != CorsOrigins::None, cors)
}

/// A caller's request id is kept only when it cannot forge a log line: 1 to 64 letters, digits, `-`, `_`, `.`.
fn is_safe_request_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Request lines of answers below 400 seen so far, for sampling them.
static ANSWERED_LINES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Whether this request's line is logged: every 4xx and 5xx, one in `sample` of the rest.
fn keeps_line(status: u16, sample: u64) -> bool {
    if status >= 400 || sample <= 1 {
        return true;
    }
    ANSWERED_LINES
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        .is_multiple_of(sample)
}

/// Counts every request in the metrics and logs its line (answers below 400 one in
/// `COMPANY_ACCESS_LOG_SAMPLE`), under a request id that is also returned as `X-Request-Id`.
async fn log_request(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .filter(|id| is_safe_request_id(id))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let state = request.app_data::<web::Data<AppState>>().cloned();
    // Tracing is off by default, and then this test (and the two below) is all it costs a request.
    let tracer = state.as_ref().and_then(|state| state.tracer.clone());
    let trace = tracer
        .as_ref()
        .map(|tracer| tracer.start(request.request()));
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %request.method(),
        path = %request.path()
    );
    let started = Instant::now();
    let method = request.method().clone();
    let mut response = match next.call(request).instrument(span.clone()).await {
        Ok(response) => response,
        // An answer that left as an error (the deadline's 503) is logged and counted all the same.
        Err(error) => {
            let status = error.as_response_error().status_code().as_u16();
            let elapsed = started.elapsed();
            span.in_scope(|| {
                tracing::info!(status, elapsed_us = elapsed.as_micros() as u64, "handled");
            });
            if let Some(state) = state.as_ref() {
                state
                    .store
                    .metrics
                    .record_request(None, method.as_str(), status, elapsed);
            }
            if let (Some(tracer), Some(trace)) = (&tracer, trace) {
                let status = error.as_response_error().status_code();
                tracer.finish(trace, None, status, elapsed, &request_id);
            }
            return Err(error);
        }
    };
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    // The answered request still carries the state and the method: nothing is copied before the call.
    let answered = response.request();
    let mut traceparent = None;
    if let Some(state) = answered.app_data::<web::Data<AppState>>() {
        // The pattern, never the path: one series per route however many ids are asked for.
        let route = answered.match_pattern();
        let method = answered.method().as_str();
        state
            .store
            .metrics
            .record_request(route.as_deref(), method, status, elapsed);
        if let (Some(tracer), Some(trace)) = (&tracer, trace) {
            let status = response.status();
            traceparent = tracer.finish(trace, route.as_deref(), status, elapsed, &request_id);
        }
    }
    let sample = state.as_ref().map_or(1, |state| state.log_sample);
    if keeps_line(status, sample) {
        span.in_scope(|| {
            tracing::info!(status, elapsed_us = elapsed.as_micros() as u64, "handled");
        });
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    if let Some(value) = traceparent {
        response
            .headers_mut()
            .insert(HeaderName::from_static("traceparent"), value);
    }
    Ok(response)
}

impl Application {
    /// Connects, migrates, prepares the master key (and demo data), and binds; `run_until_stopped` serves.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let mut sqlite_lock = None;
        if let Some(file) = sqlite_file(&settings.database_url) {
            if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
                make_dir(parent)?;
            }
            sqlite_lock = Some(lock_sqlite_file(&file)?);
            secure_sqlite_files(&file)?;
        }
        let db = db::connect(
            &settings.database_url,
            settings.max_db_connections,
            settings.db_timeout,
        )
        .await
        .map_err(|source| StartupError::Database {
            url: redact(&settings.database_url),
            source,
        })?;
        Migrator::up(&db, None)
            .await
            .map_err(StartupError::Migration)?;
        let master_key_hash = master_key_hash(&settings)?;
        let postgres = db.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        // SQLite has one writer, this process: its cache is exact from the start. On PostgreSQL other
        // instances may write too, so the cache is trusted only while the change feed listens.
        let cache = Arc::new(CheckCache::new(settings.cache, !postgres));
        let store = Store {
            db,
            cache: cache.clone(),
            metrics: Arc::default(),
        };
        cache.saw_revision(
            crate::db::store::current_revision(&store.db)
                .await
                .map_err(|error| StartupError::Other(error.to_string()))?,
        );
        let mut background = Background::default();
        if !postgres {
            background.spawn(crate::db::checkpoint::checkpoint_forever(store.db.clone()));
        }
        if postgres {
            feed::spawn(
                &mut background,
                store.db.get_postgres_connection_pool(),
                cache.clone(),
                settings.feed_retry,
                settings.max_staleness,
            )
            .map_err(|error| {
                StartupError::Other(format!("cannot start the change feed: {error}"))
            })?;
        }
        if settings.demo {
            if demo::load_if_empty(&store)
                .await
                .map_err(StartupError::Demo)?
            {
                tracing::info!(
                    "Loaded the demo data (john_smith, sarah, admin, hr_manager_1, finance_manager_1, emp_001)"
                );
            } else {
                tracing::info!("The database already has data; --demo left it as it is");
            }
        }
        // After the demo data, so that the warm-up sees it.
        if let Some(every) = cache.refresh_every() {
            background.spawn(warm_then_refresh_cache(store.clone(), every));
        }
        let (tracer, exporting) = match &settings.traces {
            Some(traces) => {
                let (tracer, exporting) =
                    otel::start(traces, store.metrics.clone()).map_err(StartupError::Other)?;
                // The headers' names only: their values are usually credentials.
                let headers: Vec<&str> = traces
                    .headers
                    .iter()
                    .map(|(name, _)| name.as_str())
                    .collect();
                tracing::info!(
                    endpoint = %traces.endpoint,
                    ?headers,
                    sampler = ?traces.sampler,
                    "Exporting traces to {}",
                    traces.endpoint
                );
                (Some(tracer), Some(exporting))
            }
            None => (None, None),
        };
        let state = web::Data::new(AppState {
            store,
            master_key_hash,
            longest_wait: settings.long_poll_max,
            log_sample: settings.log_sample,
            tracer,
        });
        let listener = TcpListener::bind(settings.bind).map_err(|source| StartupError::Bind {
            address: settings.bind.to_string(),
            source,
        })?;
        let address = listener.local_addr().map_err(|source| StartupError::Bind {
            address: settings.bind.to_string(),
            source,
        })?;
        let metrics_state = state.clone();
        let api_doc = doc::api_doc();
        let known_paths = web::Data::new(KnownPaths::from_document(&api_doc));
        let served_doc = web::Data::new(doc::ServedDoc::of(&api_doc).map_err(|error| {
            StartupError::Other(format!("cannot write the API document: {error}"))
        })?);
        drop(api_doc);
        let cors_origins = settings.cors.clone();
        let body_timeout = settings.body_timeout;
        let deadlines = crate::deadline::Deadlines::from_db_timeout(settings.db_timeout);
        let page_settings = crate::routes::page::PageSettings::new(settings.page_idle);
        let mut server = HttpServer::new(move || {
            App::new()
                // A state of its own for each worker (the parts inside it still shared): every request
                // takes a reference to it, and one count for all workers would move between cores on
                // each.
                .app_data(web::Data::new(AppState::clone(&state)))
                .app_data(known_paths.clone())
                .app_data(extract::BodyTimeout(body_timeout))
                .app_data(deadlines)
                .app_data(page_settings.clone())
                .app_data(web::PathConfig::default().error_handler(extract::path_error))
                .wrap(from_fn(crate::consistency::revision_header))
                .wrap(from_fn(crate::auth::authenticate_first))
                .wrap(from_fn(crate::deadline::within_deadline))
                .wrap(from_fn(head_as_get))
                .wrap(
                    DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("X-Frame-Options", "DENY"))
                        .add(("Referrer-Policy", "no-referrer")),
                )
                .wrap(cors(&cors_origins))
                .wrap(from_fn(log_request))
                .into_utoipa_app()
                .configure(routes::configure)
                .into_app()
                .service(
                    web::resource("/openapi.json")
                        .guard(guard::Get())
                        .app_data(served_doc.clone())
                        .to(doc::get_api_doc),
                )
                .service(
                    SwaggerUi::new("/swagger-ui/{_:.*}")
                        .config(SwaggerConfig::new(["/openapi.json"])),
                )
                .default_service(web::to(unknown_route))
        })
        .listen(listener)
        .map_err(|source| StartupError::Bind {
            address: address.to_string(),
            source,
        })?;
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        let metrics = match settings.metrics_bind {
            Some(bind) => Some(metrics_server(bind, metrics_state)?),
            None => None,
        };
        tracing::info!(%address, "Listening on http://{address}");
        Ok(Application {
            _sqlite_lock: sqlite_lock,
            port: address.port(),
            server: server.run(),
            metrics,
            background,
            exporting,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the separate metrics listener, when one was asked for.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(port, _)| *port)
    }

    /// A handle to stop the server from elsewhere (tests, signals).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until the main server stops; the metrics listener stops with it.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let metrics = self.metrics.map(|(_, server)| {
            let handle = server.handle();
            (handle, actix_web::rt::spawn(server))
        });
        let served = self.server.await;
        if let Some((handle, task)) = metrics {
            handle.stop(true).await;
            if let Ok(Err(error)) = task.await {
                tracing::warn!(%error, "The metrics listener failed");
            }
        }
        self.background.stop().await;
        // After the server: the last requests' spans are in the queue by now.
        if let Some(exporting) = self.exporting {
            exporting.shutdown().await;
        }
        served
    }
}

/// The separate metrics listener: `GET /metrics` without a key and nothing else, on one worker (a scraper
/// asks a few times a minute).
fn metrics_server(
    bind: std::net::SocketAddr,
    state: web::Data<AppState>,
) -> Result<(u16, Server), StartupError> {
    let failed = |source| StartupError::Bind {
        address: bind.to_string(),
        source,
    };
    let listener = TcpListener::bind(bind).map_err(failed)?;
    let address = listener.local_addr().map_err(failed)?;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(routes::metrics::open_metrics))
            .default_service(web::to(unknown_route))
    })
    .workers(1)
    .listen(listener)
    .map_err(failed)?
    .run();
    tracing::info!(%address, "Metrics on http://{address}/metrics");
    Ok((address.port(), server))
}

/// A database URL fit for a log line: the password is replaced.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampled_logging_keeps_every_error_line_and_one_in_n_others() {
        assert!((0..50).all(|_| keeps_line(200, 1)));
        assert!((0..50).all(|_| keeps_line(404, 1000) && keeps_line(503, 1000)));
        let kept = (0..1000).filter(|_| keeps_line(200, 100)).count();
        assert!((9..=11).contains(&kept), "{kept}");
    }

    #[test]
    fn redact_hides_passwords_only() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(
            redact("sqlite://data/a.db?mode=rwc"),
            "sqlite://data/a.db?mode=rwc"
        );
    }

    #[test]
    fn request_ids_that_could_forge_a_log_line_are_replaced() {
        assert!(is_safe_request_id("3f1c-req_7.a"));
        for forged in ["", "x}\"status=500", "a b", "a\nb", "é", &"x".repeat(65)] {
            assert!(!is_safe_request_id(forged), "{forged:?}");
        }
    }

    #[test]
    fn sqlite_file_is_found_in_urls() {
        assert_eq!(
            sqlite_file("sqlite://data/a.db?mode=rwc"),
            Some(PathBuf::from("data/a.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x"), None);
    }
}
