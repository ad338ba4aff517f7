//! The audit trail.

use crate::auth::{ReadScope, Unbound};
use crate::error::AppError;
use crate::extract::Query;
use crate::services::audit;
use crate::state::AppState;
use actix_web::{get, web};
use openapi::audit::{AuditPage, AuditQuery, ExpiredPage, ExpiredQuery};
use utoipa_actix_web::service_config::ServiceConfig;

/// The audit trail
///
/// Every change, newest first, filtered by user, company, action (or an action prefix such as `access.`),
/// actor and time.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of entries", body = AuditPage)
    ),
    security(("api_key" = ["read"]))
)]
#[get("/audit")]
pub async fn list_audit(
    _key: Unbound<ReadScope>,
    state: web::Data<AppState>,
    query: Query<AuditQuery>,
) -> Result<web::Json<AuditPage>, AppError> {
    Ok(web::Json(
        audit::list(&state.store.db, query.into_inner()).await?,
    ))
}

/// Grants that have expired
///
/// An expiry writes no audit row: the grant simply stops giving access at its `valid_until`. This view
/// lists the grants whose end has passed, latest first, filtered by user, company and when they ended.
#[utoipa::path(
    tag = "audit",
    params(ExpiredQuery),
    responses(
        (status = 200, description = "A page of expired grants", body = ExpiredPage)
    ),
    security(("api_key" = ["read"]))
)]
#[get("/audit/expired")]
pub async fn list_expired_grants(
    _key: Unbound<ReadScope>,
    state: web::Data<AppState>,
    query: Query<ExpiredQuery>,
) -> Result<web::Json<ExpiredPage>, AppError> {
    Ok(web::Json(
        audit::expired(&state.store.db, query.into_inner()).await?,
    ))
}

/// Registers this module's routes, each documented where it is defined.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_audit).service(list_expired_grants);
}
