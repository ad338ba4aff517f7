//! Summary statistics.

use crate::auth::{ReadScope, Unbound};
use crate::error::AppError;
use crate::services::stats;
use crate::state::AppState;
use actix_web::{get, web};
use openapi::stats::Stats;
use utoipa_actix_web::service_config::ServiceConfig;

/// Summary statistics
///
/// How many users, companies and grants there are, the busiest companies and how many companies users have.
#[utoipa::path(
    tag = "stats",
    responses(
        (status = 200, description = "The figures", body = Stats)
    ),
    security(("api_key" = ["read"]))
)]
#[get("/stats")]
pub async fn get_stats(
    _key: Unbound<ReadScope>,
    state: web::Data<AppState>,
) -> Result<web::Json<Stats>, AppError> {
    Ok(web::Json(stats::summary(&state.store.db).await?))
}

/// Registers this module's routes, each documented where it is defined.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_stats);
}
