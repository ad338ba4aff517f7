//! API keys, and which key a request was made with.

use crate::auth::{AdminScope, Authorized, CheckScope};
use crate::error::AppError;
use crate::extract::JsonBody;
use crate::services::keys;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, post, web};
use openapi::Problem;
use openapi::keys::{ApiKey, CreateKey, CreatedKey, WhoAmI};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The key this request was made with
///
/// Its name and scope, and for a key bound to a user that user, so a client can tell what it may do;
/// any live key may ask.
#[utoipa::path(
    tag = "keys",
    responses(
        (status = 200, description = "Name and scope of the key", body = WhoAmI)
    ),
    security(("api_key" = ["check"]))
)]
#[get("/whoami")]
pub async fn whoami(
    key: Authorized<CheckScope>,
    state: web::Data<AppState>,
) -> Result<web::Json<WhoAmI>, AppError> {
    Ok(web::Json(
        keys::who_am_i(&state.store.db, &key.caller).await?,
    ))
}

/// Create a key
///
/// The answer holds the secret, shown this once; only its hash is stored. With `user_id` the key acts
/// for that user and reaches only the companies they administer; a key bound to a user makes keys only
/// for that user and of no higher scope.
#[utoipa::path(
    tag = "keys",
    request_body = CreateKey,
    responses(
        (status = 201, description = "Created", body = CreatedKey),
        (status = 404, description = "No user has the `user_id` named", body = Problem),
        (status = 409, description = "A key has or had this name, or the name is reserved (`master`, `demo`)", body = Problem)
    ),
    security(("api_key" = ["admin"]))
)]
#[post("/keys")]
pub async fn create_key(
    key: Authorized<AdminScope>,
    state: web::Data<AppState>,
    body: JsonBody<CreateKey>,
) -> Result<HttpResponse, AppError> {
    let created = keys::create(&state.store, &key.caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(created))
}

/// List keys
///
/// Names, scopes and the first characters of each key; never the secrets. A key bound to a user sees
/// only that user's keys.
#[utoipa::path(
    tag = "keys",
    responses(
        (status = 200, description = "Every key, revoked ones included", body = Vec<ApiKey>,
            example = json!([
                {"id": "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f", "name": "hr-portal", "scope": "write",
                 "prefix": "cak_3f9a2c7d", "created_at": "2026-01-05T09:30:00Z", "created_by": "master", "revoked_at": null},
                {"id": "0b7e5c1a-9d3f-4e2b-8a6c-5f4d3e2c1b0a", "name": "old-report", "scope": "read",
                 "prefix": "cak_81c0d2e4", "created_at": "2025-11-02T08:00:00Z", "created_by": "master",
                 "revoked_at": "2026-01-04T17:00:00Z"}
            ]))
    ),
    security(("api_key" = ["admin"]))
)]
#[get("/keys")]
pub async fn list_keys(
    key: Authorized<AdminScope>,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<ApiKey>>, AppError> {
    Ok(web::Json(keys::list(&state.store.db, &key.caller).await?))
}

/// Revoke a key
///
/// Takes effect on the next request made with it. A key bound to a user revokes only that user's keys.
#[utoipa::path(
    tag = "keys",
    params(("id" = Uuid, Path, description = "Key id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "Key not found", body = Problem)
    ),
    security(("api_key" = ["admin"]))
)]
#[delete("/keys/{id}")]
pub async fn revoke_key(
    key: Authorized<AdminScope>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    keys::revoke(&state.store, &key.caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers this module's routes, each documented where it is defined.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(whoami)
        .service(create_key)
        .service(list_keys)
        .service(revoke_key);
}
