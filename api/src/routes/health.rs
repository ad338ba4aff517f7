//! Liveness and readiness, open to every caller.

use crate::error::AppError;
use crate::state::AppState;
use actix_web::{get, web};
use openapi::base::Health;
use sea_orm::ConnectionTrait;
use utoipa_actix_web::service_config::ServiceConfig;

/// Liveness: the process answers.
///
/// Asks nothing of the database, so it stays up while the database is down; no key needed.
#[utoipa::path(tag = "health", responses((status = 200, description = "Alive", body = Health)))]
#[get("/health")]
pub async fn health() -> web::Json<Health> {
    web::Json(Health {
        status: "ok".into(),
        change_feed: None,
    })
}

/// Readiness: the database answers a query.
///
/// Also says whether access checks are served from memory (`change_feed`); no key needed.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database cannot be reached, or (PostgreSQL) the change feed has not heard it within the staleness bound", body = openapi::Problem)
    )
)]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<web::Json<Health>, AppError> {
    let db = &state.store.db;
    let postgres = db.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    // First, and without the database: a replica cut off from it must say so within the staleness bound,
    // not after a query has waited out its timeout.
    if postgres && !state.store.cache.is_trusted() {
        return Err(AppError::NotReady(
            "The change feed has not heard the database within the staleness bound; checks are answered \
             from the database until it does"
                .into(),
        ));
    }
    let probe = db.execute_unprepared("SELECT 1");
    match state.store.cache.feed_bound() {
        // A probe that outlasts the bound is as good as none: say so within it.
        Some(bound) => tokio::time::timeout(bound, probe)
            .await
            .map_err(|_| AppError::TimedOut(bound))?
            .map_err(AppError::Unavailable)?,
        None => probe.await.map_err(AppError::Unavailable)?,
    };
    Ok(web::Json(Health {
        status: "ready".into(),
        change_feed: Some(
            if postgres {
                "listening"
            } else {
                "single_instance"
            }
            .into(),
        ),
    }))
}

/// Registers this module's routes, each documented where it is defined.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health).service(ready);
}
