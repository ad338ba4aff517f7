//! Every request is answered within the database timeout: a database that has stopped answering (a
//! dropped TCP link never errors by itself) yields a 503 with `Retry-After`, not a hang. The clock starts
//! when the request's body has arrived, so a slow upload meets the body timeout (408) instead.

use crate::error::AppError;
use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The deadlines the operator set: one for every request, a longer one for the bulk operations that may
/// write many thousands of rows in one statement.
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    pub request: Duration,
    pub bulk: Duration,
}

impl Deadlines {
    pub fn from_db_timeout(timeout: Duration) -> Self {
        Deadlines {
            request: timeout,
            bulk: timeout * 12,
        }
    }

    fn for_path(&self, path: &str) -> Duration {
        match path {
            // An import of 100,000 lines or an export of every grant takes seconds by design.
            "/access/bulk" | "/access/populate" | "/access/import" | "/access/export" => self.bulk,
            // A long poll waits on purpose, up to its longest wait.
            "/changes" => self.request + Duration::from_secs(openapi::changes::MAX_WAIT_SECS),
            _ => self.request,
        }
    }
}

/// Shared between this middleware and the body reader: whether the body is still arriving, and when it
/// finished (milliseconds after the request started).
#[derive(Debug, Default)]
pub struct BodyClock {
    reading: AtomicBool,
    finished_after_ms: AtomicU64,
    started: std::sync::OnceLock<Instant>,
}

impl BodyClock {
    pub fn reading(&self) {
        self.reading.store(true, Ordering::Release);
    }

    pub fn finished(&self) {
        if let Some(started) = self.started.get() {
            self.finished_after_ms
                .store(started.elapsed().as_millis() as u64, Ordering::Release);
        }
        self.reading.store(false, Ordering::Release);
    }
}

/// Waits until the deadline has passed with no body arriving in the meantime.
async fn expired(clock: &BodyClock, started: Instant, limit: Duration) {
    let mut until = started + limit;
    loop {
        tokio::time::sleep_until(until.into()).await;
        if clock.reading.load(Ordering::Acquire) {
            // The body timeout governs while the body arrives.
            until = Instant::now() + limit;
            continue;
        }
        let body_done =
            started + Duration::from_millis(clock.finished_after_ms.load(Ordering::Acquire));
        if body_done + limit > Instant::now() {
            until = body_done + limit;
            continue;
        }
        return;
    }
}

/// The answer on time, or a 503 once the deadline passes. The 503 travels as an error: the request itself
/// went into the router, which must hold it alone, so there is none left to build a response around; the
/// server turns the error into the same problem body any handler's 503 has.
pub async fn within_deadline(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(deadlines) = request.app_data::<Deadlines>().copied() else {
        return next.call(request).await;
    };
    let limit = deadlines.for_path(request.path());
    let started = Instant::now();
    let clock = Arc::new(BodyClock::default());
    let _ = clock.started.set(started);
    request.extensions_mut().insert(clock.clone());
    tokio::select! {
        answered = next.call(request) => answered,
        () = expired(&clock, started, limit) => {
            tracing::warn!(limit_ms = limit.as_millis() as u64, "The database did not answer in time");
            Err(AppError::TimedOut(limit).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operations_over_many_rows_get_the_long_deadline() {
        let deadlines = Deadlines::from_db_timeout(Duration::from_secs(5));
        for path in [
            "/access/bulk",
            "/access/populate",
            "/access/import",
            "/access/export",
        ] {
            assert_eq!(deadlines.for_path(path), Duration::from_secs(60), "{path}");
        }
        assert_eq!(deadlines.for_path("/access-check"), Duration::from_secs(5));
        assert_eq!(deadlines.for_path("/changes"), Duration::from_secs(65));
    }
}
