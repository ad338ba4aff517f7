use crate::auth::{Authorized, ReadScope};
use crate::error::AppError;
use crate::extract::Query;
use crate::services::audit;
use crate::state::AppState;
use actix_web::{get, web};
use openapi::Problem;
use openapi::audit::{AuditPage, AuditQuery};

/// The audit trail
///
/// Every change, newest first, filtered by user, company, action (or an action prefix such as `access.`),
/// actor and time.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of entries", body = AuditPage),
        (status = 400, description = "A query value is not valid", body = Problem),
        (status = 401, description = "No valid key", body = Problem),
        (status = 403, description = "The key's scope is below `read`", body = Problem)
    ),
    security(("api_key" = []))
)]
#[get("/audit")]
pub async fn list_audit(
    _key: Authorized<ReadScope>,
    state: web::Data<AppState>,
    query: Query<AuditQuery>,
) -> Result<web::Json<AuditPage>, AppError> {
    Ok(web::Json(
        audit::list(&state.store.db, query.into_inner()).await?,
    ))
}
