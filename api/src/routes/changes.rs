//! The change stream.

use crate::auth::{ReadScope, Unbound};
use crate::error::AppError;
use crate::extract::Query;
use crate::services::changes;
use crate::state::AppState;
use actix_web::{get, web};
use openapi::changes::{ChangePage, ChangesQuery};
use utoipa_actix_web::service_config::ServiceConfig;

/// The changes committed after a revision
///
/// Grants, revokes, defaults, users, companies and keys, oldest first, each with its actor, time and the
/// record before and after; and, in `expired`, the grants whose window has ended since `expired_after`
/// (an expiry is the clock passing, not a write, so it has no revision). Keep `next` and
/// `expired_next` and ask `after` and `expired_after` them to resume, also after a restart; with `wait`,
/// the answer comes as soon as there is something new, a change or an expiry (a long poll).
#[utoipa::path(
    tag = "audit",
    params(ChangesQuery),
    responses(
        (status = 200, description = "A page of changes", body = ChangePage)
    ),
    security(("api_key" = ["read"]))
)]
#[get("/changes")]
pub async fn list_changes(
    _key: Unbound<ReadScope>,
    state: web::Data<AppState>,
    query: Query<ChangesQuery>,
) -> Result<web::Json<ChangePage>, AppError> {
    Ok(web::Json(
        changes::list(&state.store, query.into_inner(), state.longest_wait).await?,
    ))
}

/// Registers this module's routes, each documented where it is defined.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_changes);
}
