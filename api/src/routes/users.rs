//! Users and their employee profile.

use crate::auth::{Authorized, ReadScope, WriteScope};
use crate::error::AppError;
use crate::extract::{JsonBody, Query};
use crate::services::users;
use crate::state::AppState;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use openapi::Problem;
use openapi::users::{CreateUser, ListUsersQuery, UpdateUser, User, UserPage};
use utoipa_actix_web::service_config::ServiceConfig;

/// List users
///
/// Search by part of a username or full name, find one by exact username, filter by role or by how many
/// companies they have (`min_companies=2` lists the multi-company users); ordered by id, paginated. A
/// key bound to a user finds every user, but asks who holds a company (`company_id`) only of companies
/// that user administers.
#[utoipa::path(
    tag = "users",
    params(ListUsersQuery),
    responses(
        (status = 200, description = "A page of users", body = UserPage)
    ),
    security(("api_key" = ["read"]))
)]
#[get("/users")]
pub async fn list_users(
    key: Authorized<ReadScope>,
    state: web::Data<AppState>,
    query: Query<ListUsersQuery>,
) -> Result<web::Json<UserPage>, AppError> {
    Ok(web::Json(
        users::list(&state.store.db, &key.caller, query.into_inner()).await?,
    ))
}

/// Create a user
///
/// With `home_company_id` (the employee profile's company) the user is granted that company as default.
#[utoipa::path(
    tag = "users",
    request_body = CreateUser,
    responses(
        (status = 201, description = "Created", body = User,
            headers(("Location" = String, description = "The new user's address, `/users/{id}`"))),
        (status = 404, description = "Company not found (home_company_id)", body = Problem),
        (status = 409, description = "Username taken", body = Problem)
    ),
    security(("api_key" = ["write"]))
)]
#[post("/users")]
pub async fn create_user(
    key: Authorized<WriteScope>,
    state: web::Data<AppState>,
    body: JsonBody<CreateUser>,
) -> Result<HttpResponse, AppError> {
    let user = users::create(&state.store, &key.caller, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((LOCATION, format!("/users/{}", user.id)))
        .json(user))
}

/// Show a user
///
/// With their home company and how many companies they have been granted explicitly.
#[utoipa::path(
    tag = "users",
    params(("id" = i32, Path, description = "User id")),
    responses(
        (status = 200, description = "The user", body = User),
        (status = 404, description = "User not found", body = Problem)
    ),
    security(("api_key" = ["read"]))
)]
#[get("/users/{id}")]
pub async fn get_user(
    key: Authorized<ReadScope>,
    state: web::Data<AppState>,
    id: web::Path<i32>,
) -> Result<web::Json<User>, AppError> {
    Ok(web::Json(
        users::get_visible(&state.store.db, &key.caller, id.into_inner()).await?,
    ))
}

/// Change a user
///
/// Only the fields sent change; `null` clears `email` or `home_company_id`. A new home company is granted.
#[utoipa::path(
    tag = "users",
    params(("id" = i32, Path, description = "User id")),
    request_body = UpdateUser,
    responses(
        (status = 200, description = "The changed user", body = User),
        (status = 404, description = "User or company not found", body = Problem),
        (status = 409, description = "Username taken", body = Problem)
    ),
    security(("api_key" = ["write"]))
)]
#[patch("/users/{id}")]
pub async fn update_user(
    key: Authorized<WriteScope>,
    state: web::Data<AppState>,
    id: web::Path<i32>,
    body: JsonBody<UpdateUser>,
) -> Result<web::Json<User>, AppError> {
    Ok(web::Json(
        users::update(
            &state.store,
            &key.caller,
            id.into_inner(),
            body.into_inner(),
        )
        .await?,
    ))
}

/// Delete a user
///
/// Their company access goes with them.
#[utoipa::path(
    tag = "users",
    params(("id" = i32, Path, description = "User id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "User not found", body = Problem)
    ),
    security(("api_key" = ["write"]))
)]
#[delete("/users/{id}")]
pub async fn delete_user(
    key: Authorized<WriteScope>,
    state: web::Data<AppState>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    users::delete(&state.store, &key.caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers this module's routes, each documented where it is defined.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(delete_user);
}
