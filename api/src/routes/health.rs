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
        (status = 503, description = "The database cannot be reached", body = openapi::Problem)
    )
)]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<web::Json<Health>, AppError> {
    let db = &state.store.db;
    db.execute_unprepared("SELECT 1")
        .await
        .map_err(AppError::Unavailable)?;
    let change_feed = match (db.get_database_backend(), state.store.cache.is_trusted()) {
        (sea_orm::DatabaseBackend::Postgres, true) => "listening",
        (sea_orm::DatabaseBackend::Postgres, false) => "down",
        _ => "single_instance",
    };
    Ok(web::Json(Health {
        status: "ready".into(),
        change_feed: Some(change_feed.into()),
    }))
}

/// Registers this module's routes, each documented where it is defined.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health).service(ready);
}
