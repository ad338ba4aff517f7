use crate::auth::{Authorized, ReadScope};
use crate::error::AppError;
use crate::services::stats;
use crate::state::AppState;
use actix_web::{get, web};
use openapi::Problem;
use openapi::stats::Stats;

/// Summary statistics (menu option 7)
#[utoipa::path(
    tag = "stats",
    responses(
        (status = 200, description = "The figures", body = Stats),
        (status = 401, description = "No valid key", body = Problem),
        (status = 403, description = "The key's scope is below `read`", body = Problem)
    ),
    security(("api_key" = []))
)]
#[get("/stats")]
pub async fn get_stats(
    _key: Authorized<ReadScope>,
    state: web::Data<AppState>,
) -> Result<web::Json<Stats>, AppError> {
    Ok(web::Json(stats::summary(&state.store.db).await?))
}
