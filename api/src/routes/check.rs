//! "May user U act in company C?": one pair from the query string, or many in a body.

use crate::auth::{Authorized, CheckScope};
use crate::consistency::Consistency;
use crate::error::AppError;
use crate::extract::{CheckBatchBody, CheckQuery};
use crate::routes::respond::json_bytes;
use crate::services::check;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use openapi::Problem;
use openapi::access::{AccessCheckBatch, AccessCheckQuery, AccessCheckResults, AccessDecision};
use openapi::check_wire::results_json;
use openapi::consistency::ConsistencyHeader;
use utoipa_actix_web::service_config::ServiceConfig;

/// May user U act in company C?
///
/// Always 200 for well-formed ids: an unknown user or company is `allowed: false` with the reason.
/// Decided at the instant of the request: a grant outside its window is `not_yet_valid` or `expired`.
/// With `role`, allowed only where the user holds one of those roles (`role_not_held` otherwise).
/// A key bound to a user asks only about companies that user administers (403 `out_of_reach`).
#[utoipa::path(
    tag = "check",
    params(AccessCheckQuery, ConsistencyHeader),
    responses(
        (status = 200, description = "The decision", body = AccessDecision),
        (status = 403, description = "The key is bound to a user who does not administer the company", body = Problem)
    ),
    security(("api_key" = ["check"]))
)]
#[get("/access-check")]
pub async fn check_access(
    key: Authorized<CheckScope>,
    state: web::Data<AppState>,
    consistency: Consistency,
    query: CheckQuery,
) -> Result<HttpResponse, AppError> {
    let AccessCheckQuery {
        user_id,
        company_id,
        role,
    } = query.0;
    let source = check::source_for(&state.store, consistency).await;
    let decision =
        check::check(&state.store, &key.caller, user_id, company_id, role, source).await?;
    Ok(json_bytes(decision.to_json()))
}

/// Check many pairs at once
///
/// Up to 10,000 pairs; one decision per pair, in the order asked. A key bound to a user asks only about
/// companies that user administers: one pair beyond them refuses the batch (403 `out_of_reach`).
#[utoipa::path(
    tag = "check",
    params(ConsistencyHeader),
    request_body = AccessCheckBatch,
    responses(
        (status = 200, description = "The decisions", body = AccessCheckResults),
        (status = 403, description = "The key is bound to a user who does not administer a company asked about", body = Problem),
        (status = 422, description = "A pair is not valid, or more than 10,000 pairs", body = Problem)
    ),
    security(("api_key" = ["check"]))
)]
#[post("/access-check")]
pub async fn check_access_batch(
    key: Authorized<CheckScope>,
    state: web::Data<AppState>,
    consistency: Consistency,
    body: CheckBatchBody,
) -> Result<HttpResponse, AppError> {
    let source = check::source_for(&state.store, consistency).await;
    let results = check::check_many(&state.store, &key.caller, &body.0.checks, source).await?;
    Ok(json_bytes(results_json(&results)))
}

/// Registers this module's routes, each documented where it is defined.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(check_access).service(check_access_batch);
}
