//! Who may act in which company: list, grant one or several, replace, default, revoke, bulk add, bulk revoke, populate.

use crate::auth::{Authorized, ReadScope, Unbound, WriteScope};
use crate::consistency::{Consistency, read_from_database};
use crate::error::AppError;
use crate::extract::{JsonBody, Query};
use crate::services::access;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use openapi::Problem;
use openapi::access::{
    BulkGrantRequest, BulkGrantResult, BulkRevokeRequest, BulkRevokeResult, GrantBody,
    GrantManyResult, GrantRequest, PopulateRequest, PopulateResult, ReplaceCompanies,
    ReplaceResult, UpdateGrant, UserCompanies, UserCompaniesQuery, UserCompany,
};
use openapi::consistency::ConsistencyHeader;
use openapi::terms::{GrantTerms, Window};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// List the companies a user may act in
///
/// Explicit grants, default first; then the branches their grants that include branches reach
/// (`source: branch`); for a super admin, every company no grant of theirs gives access to now
/// (`source: super_admin`). Each line shows the role, window and `state` at the instant of the answer,
/// as the access check decides then: a branch is listed through the grant that gives access there now
/// (active before scheduled, then the nearest), so a grant that has not started may stand beside the
/// access that reaches its company another way. Expired grants are left out unless
/// `include_expired=true`, which only adds them. A key bound to a user sees only the companies that
/// user administers.
#[utoipa::path(
    tag = "access",
    params(("id" = i32, Path, description = "User id"), UserCompaniesQuery, ConsistencyHeader),
    responses(
        (status = 200, description = "The user's companies", body = UserCompanies),
        (status = 404, description = "User not found", body = Problem)
    ),
    security(("api_key" = ["read"]))
)]
#[get("/users/{id}/companies")]
pub async fn list_user_companies(
    key: Authorized<ReadScope>,
    state: web::Data<AppState>,
    consistency: Consistency,
    id: web::Path<i32>,
    query: Query<UserCompaniesQuery>,
) -> Result<web::Json<UserCompanies>, AppError> {
    read_from_database(&state.store.cache, consistency);
    let include_expired = query.into_inner().include_expired;
    Ok(web::Json(
        access::list_visible(
            &state.store.db,
            &key.caller,
            id.into_inner(),
            include_expired,
        )
        .await?,
    ))
}

/// Grant a user one company or several
///
/// `{"company_id"}` grants one company and answers 201, or 409 "User already has access to this company".
/// `{"company_ids": [...]}` grants several, all or nothing, and answers 200 with what was added and what the
/// user already had. The first company a user gets becomes their default.
#[utoipa::path(
    tag = "access",
    params(("id" = i32, Path, description = "User id")),
    request_body = GrantBody,
    responses(
        (status = 201, description = "One company granted", body = UserCompany),
        (status = 200, description = "Several companies granted", body = GrantManyResult),
        (status = 404, description = "User not found / Company not found", body = Problem),
        (status = 409, description = "User already has access to this company", body = Problem),
        (status = 422, description = "Neither or both of company_id and company_ids, a bad id, or a window that ends before it starts", body = Problem)
    ),
    security(("api_key" = ["write"]))
)]
#[post("/users/{id}/companies")]
pub async fn add_user_companies(
    key: Authorized<WriteScope>,
    state: web::Data<AppState>,
    id: web::Path<i32>,
    body: JsonBody<GrantRequest>,
) -> Result<HttpResponse, AppError> {
    let user_id = id.into_inner();
    let GrantRequest {
        company_id,
        company_ids,
        role,
        valid_from,
        valid_until,
        include_branches,
    } = body.into_inner();
    let terms = GrantTerms {
        role,
        window: Window::unchecked(valid_from, valid_until),
        include_branches,
    };
    match (company_id, company_ids) {
        (Some(company_id), None) => {
            let grant =
                access::grant_one(&state.store, &key.caller, user_id, company_id, &terms).await?;
            Ok(HttpResponse::Created().json(grant))
        }
        (None, Some(company_ids)) => {
            let result =
                access::grant_many(&state.store, &key.caller, user_id, &company_ids, &terms)
                    .await?;
            Ok(HttpResponse::Ok().json(result))
        }
        _ => Err(AppError::validation(
            "body",
            "send exactly one of `company_id` (one company) or `company_ids` (a list)",
        )),
    }
}

/// Replace a user's companies
///
/// The user ends up with exactly `company_ids`; the answer says what was added and removed.
#[utoipa::path(
    tag = "access",
    params(("id" = i32, Path, description = "User id")),
    request_body = ReplaceCompanies,
    responses(
        (status = 200, description = "The new set", body = ReplaceResult),
        (status = 404, description = "User not found / Company not found", body = Problem)
    ),
    security(("api_key" = ["write"]))
)]
#[put("/users/{id}/companies")]
pub async fn replace_user_companies(
    key: Authorized<WriteScope>,
    state: web::Data<AppState>,
    id: web::Path<i32>,
    body: JsonBody<ReplaceCompanies>,
) -> Result<web::Json<ReplaceResult>, AppError> {
    Ok(web::Json(
        access::replace(
            &state.store,
            &key.caller,
            id.into_inner(),
            body.into_inner(),
        )
        .await?,
    ))
}

/// Change one grant: the default company, the role it gives, its window
///
/// The user must already have access to the company. `is_default: true` makes it their one default,
/// `false` leaves them with none. `role` sets the role the grant gives (null: the user's own role);
/// `valid_from` and `valid_until` set or (with null) clear either end of its window, which must still
/// end after it starts. Only the fields sent change, all or nothing.
#[utoipa::path(
    tag = "access",
    params(
        ("id" = i32, Path, description = "User id"),
        ("company_id" = Uuid, Path, description = "Company id")
    ),
    request_body = UpdateGrant,
    responses(
        (status = 200, description = "The grant", body = UserCompany),
        (status = 404, description = "User, company or access not found", body = Problem),
        (status = 422, description = "No field to change, or a window that ends before it starts", body = Problem)
    ),
    security(("api_key" = ["write"]))
)]
#[patch("/users/{id}/companies/{company_id}")]
pub async fn update_user_company(
    key: Authorized<WriteScope>,
    state: web::Data<AppState>,
    path: web::Path<(i32, Uuid)>,
    body: JsonBody<UpdateGrant>,
) -> Result<web::Json<UserCompany>, AppError> {
    let (user_id, company_id) = path.into_inner();
    Ok(web::Json(
        access::update_grant(
            &state.store,
            &key.caller,
            user_id,
            company_id,
            body.into_inner(),
        )
        .await?,
    ))
}

/// Revoke a user's access to a company
///
/// Removes the explicit grant; a super admin still may act in the company through their role.
#[utoipa::path(
    tag = "access",
    params(
        ("id" = i32, Path, description = "User id"),
        ("company_id" = Uuid, Path, description = "Company id")
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "User not found / Company not found / User does not have access to this company", body = Problem)
    ),
    security(("api_key" = ["write"]))
)]
#[delete("/users/{id}/companies/{company_id}")]
pub async fn remove_user_company(
    key: Authorized<WriteScope>,
    state: web::Data<AppState>,
    path: web::Path<(i32, Uuid)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, company_id) = path.into_inner();
    access::revoke(&state.store, &key.caller, user_id, company_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Grant many users many companies at once
///
/// Grants every listed user every listed company in one statement; an absent list means all, so `{}` is all
/// users × all companies. Every new grant gets the same role, window and branches; pairs that exist are
/// counted, not refused, and keep their own terms.
#[utoipa::path(
    tag = "access",
    request_body = BulkGrantRequest,
    responses(
        (status = 200, description = "What was added", body = BulkGrantResult),
        (status = 404, description = "A listed user or company does not exist", body = Problem),
        (status = 422, description = "More than 10,000 ids, a bad id or role, or a window that ends before it starts", body = Problem)
    ),
    security(("api_key" = ["write"]))
)]
#[post("/access/bulk")]
pub async fn bulk_grant(
    key: Authorized<WriteScope>,
    state: web::Data<AppState>,
    body: JsonBody<BulkGrantRequest>,
) -> Result<web::Json<BulkGrantResult>, AppError> {
    Ok(web::Json(
        access::bulk_grant(&state.store, &key.caller, body.into_inner()).await?,
    ))
}

/// Revoke many users' grants of many companies at once
///
/// Every listed user loses their grant of every listed company, in one transaction: all or nothing.
/// Pairs without a grant are counted in `not_granted`, not refused; access through the super admin role
/// or a parent's grant that includes branches is not a grant of the company and stays. `items` names
/// every grant removed, so `dry_run: true` is the report to confirm before the change. Both lists are
/// required (1 to 10,000 ids each): no list means nobody, never everybody. Each grant removed is an
/// `access.revoke` entry in the audit trail. A key bound to a user needs every listed company to be one
/// they administer (403 `out_of_reach` otherwise).
#[utoipa::path(
    tag = "access",
    request_body = BulkRevokeRequest,
    responses(
        (status = 200, description = "What was (or would be) removed", body = BulkRevokeResult),
        (status = 404, description = "A listed user or company does not exist (code `user_not_found` or `company_not_found`); nothing was removed", body = Problem),
        (status = 422, description = "An empty list, more than 10,000 ids or a malformed id (code `validation_failed`); nothing was removed", body = Problem)
    ),
    security(("api_key" = ["write"]))
)]
#[post("/access/revoke")]
pub async fn bulk_revoke(
    key: Authorized<WriteScope>,
    state: web::Data<AppState>,
    body: JsonBody<BulkRevokeRequest>,
) -> Result<web::Json<BulkRevokeResult>, AppError> {
    Ok(web::Json(
        access::revoke_many(&state.store, &key.caller, body.into_inner()).await?,
    ))
}

/// Populate from employee profiles
///
/// Each user gets their profile's home company (as default when they have none), super admins every
/// company. Running it again adds nothing. `dry_run` counts without changing anything.
#[utoipa::path(
    tag = "access",
    request_body = PopulateRequest,
    responses(
        (status = 200, description = "What was added", body = PopulateResult)
    ),
    security(("api_key" = ["write"]))
)]
#[post("/access/populate")]
pub async fn populate_access(
    key: Unbound<WriteScope>,
    state: web::Data<AppState>,
    body: JsonBody<PopulateRequest>,
) -> Result<web::Json<PopulateResult>, AppError> {
    Ok(web::Json(
        access::populate(&state.store, key.0.actor(), body.into_inner().dry_run).await?,
    ))
}

/// Registers this module's routes, each documented where it is defined.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_user_companies)
        .service(add_user_companies)
        .service(replace_user_companies)
        .service(update_user_company)
        .service(remove_user_company)
        .service(bulk_grant)
        .service(bulk_revoke)
        .service(populate_access);
}
