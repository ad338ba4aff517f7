//! The service's metrics in the Prometheus text format: on the service's port for keys of scope `read` or
//! above, and without a key on the separate listener `COMPANY_ACCESS_METRICS_BIND` when one is set.

use crate::auth::{ReadScope, Unbound};
use crate::metrics::CONTENT_TYPE;
use crate::services::metrics::exposition;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use utoipa_actix_web::service_config::ServiceConfig;

/// Metrics in the Prometheus text exposition format
///
/// Request counts and durations by route pattern, access decisions by reason, the check cache, the change
/// feed, the database pool and the audit rows written. Also served without a key on
/// `COMPANY_ACCESS_METRICS_BIND` when that is set.
#[utoipa::path(
    tag = "health",
    responses(
        (
            status = 200,
            description = "The metrics, in the text exposition format 0.0.4",
            content_type = "text/plain; version=0.0.4",
            body = String,
            example = "# HELP company_access_check_decisions_total Access decisions made, single and batch checks alike (one per pair), by reason.\n# TYPE company_access_check_decisions_total counter\ncompany_access_check_decisions_total{reason=\"grant\"} 42\n"
        )
    ),
    security(("api_key" = ["read"]))
)]
#[get("/metrics")]
pub async fn get_metrics(_key: Unbound<ReadScope>, state: web::Data<AppState>) -> HttpResponse {
    open_metrics(state).await
}

/// The same text without a key: registered only on the separate metrics listener, which an operator
/// binds where only the scraper can reach it.
pub async fn open_metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .body(exposition(&state.store))
}

/// Registers this module's routes, each documented where it is defined.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_metrics);
}
