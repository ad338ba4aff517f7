//! Companies and the access review of who may act in one.

use crate::auth::{Authorized, ReadScope, WriteScope};
use crate::consistency::{Consistency, read_from_database};
use crate::error::AppError;
use crate::extract::{JsonBody, Query};
use crate::services::companies;
use crate::state::AppState;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use openapi::Problem;
use openapi::companies::{
    Company, CompanyMembers, CompanyPage, CreateCompany, ListCompaniesQuery, ListMembersQuery,
    UpdateCompany,
};
use openapi::consistency::ConsistencyHeader;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// List companies
///
/// Search by part of the name or find one by exact name, or list the direct branches of a company
/// (`parent_id`); creation order by default, or by name (`sort`), either way up (`order`), paginated.
#[utoipa::path(
    tag = "companies",
    params(ListCompaniesQuery),
    responses(
        (status = 200, description = "A page of companies", body = CompanyPage)
    ),
    security(("api_key" = ["read"]))
)]
#[get("/companies")]
pub async fn list_companies(
    key: Authorized<ReadScope>,
    state: web::Data<AppState>,
    query: Query<ListCompaniesQuery>,
) -> Result<web::Json<CompanyPage>, AppError> {
    Ok(web::Json(
        companies::list(&state.store.db, &key.caller, query.into_inner()).await?,
    ))
}

/// Create a company
///
/// The name must be new regardless of letter case; the company starts with no users. With `parent_id`
/// it is a branch of that company, and grants of its ancestors that include branches reach it at once.
#[utoipa::path(
    tag = "companies",
    request_body = CreateCompany,
    responses(
        (status = 201, description = "Created", body = Company,
            headers(("Location" = String, description = "The new company's address, `/companies/{id}`"))),
        (status = 404, description = "Parent company not found", body = Problem),
        (status = 409, description = "A company with this name exists, or the tree would be deeper than 16 levels (hierarchy_too_deep)", body = Problem)
    ),
    security(("api_key" = ["write"]))
)]
#[post("/companies")]
pub async fn create_company(
    key: Authorized<WriteScope>,
    state: web::Data<AppState>,
    body: JsonBody<CreateCompany>,
) -> Result<HttpResponse, AppError> {
    let company = companies::create(&state.store, &key.caller, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((LOCATION, format!("/companies/{}", company.id)))
        .json(company))
}

/// Show a company
///
/// With how many users have been granted it explicitly.
#[utoipa::path(
    tag = "companies",
    params(("id" = Uuid, Path, description = "Company id")),
    responses(
        (status = 200, description = "The company", body = Company),
        (status = 404, description = "Company not found", body = Problem)
    ),
    security(("api_key" = ["read"]))
)]
#[get("/companies/{id}")]
pub async fn get_company(
    key: Authorized<ReadScope>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Company>, AppError> {
    Ok(web::Json(
        companies::get_visible(&state.store.db, &key.caller, id.into_inner()).await?,
    ))
}

/// Rename or move a company
///
/// The new name must be free regardless of letter case; sending the current name changes nothing.
/// `parent_id` moves the company with its branches under another company (null: to the top); the
/// access that grants including branches give follows the move at once, on every instance.
#[utoipa::path(
    tag = "companies",
    params(("id" = Uuid, Path, description = "Company id")),
    request_body = UpdateCompany,
    responses(
        (status = 200, description = "The changed company", body = Company),
        (status = 404, description = "Company or parent company not found", body = Problem),
        (status = 409, description = "A company with this name exists, the new parent is the company or one of its branches (hierarchy_cycle), or the tree would be deeper than 16 levels (hierarchy_too_deep)", body = Problem)
    ),
    security(("api_key" = ["write"]))
)]
#[patch("/companies/{id}")]
pub async fn update_company(
    key: Authorized<WriteScope>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody<UpdateCompany>,
) -> Result<web::Json<Company>, AppError> {
    Ok(web::Json(
        companies::update(
            &state.store,
            &key.caller,
            id.into_inner(),
            body.into_inner(),
        )
        .await?,
    ))
}

/// Delete a company
///
/// Every user's access to it goes too; users whose home company it was keep no home company. Its
/// branches become top-level companies. The audit and the change stream get a row for every grant
/// removed and every branch made top-level, besides the deletion. A key bound to a user deletes only a
/// company without branches (top-level companies are beyond it).
#[utoipa::path(
    tag = "companies",
    params(("id" = Uuid, Path, description = "Company id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "Company not found", body = Problem)
    ),
    security(("api_key" = ["write"]))
)]
#[delete("/companies/{id}")]
pub async fn delete_company(
    key: Authorized<WriteScope>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    companies::delete(&state.store, &key.caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who can act in this company
///
/// The access review, as the access check decides at its instant: each user with the access they have
/// now, through their grant of the company, else the nearest active grant of a parent company that
/// includes its branches (`source: branch`), else the super admin role. Grants that have not started
/// are listed with `state: scheduled`: one of the company on a line of its own, so a user may have an
/// active line and a scheduled one, and for a user with no access yet the nearest such parent grant.
/// Expired grants are left out. Filter by name words or id (`q`), by the role held here (`role`) and
/// by where the access comes from (`source`), in the order asked for (`sort`, `order`); `total` counts
/// the filtered review, so its pages (and an export read page by page) hold exactly what the filters
/// leave, e.g.
/// `?q=sarah&role=admin&source=branch&sort=username&order=desc&limit=100&offset=100`.
#[utoipa::path(
    tag = "companies",
    params(("id" = Uuid, Path, description = "Company id"), ListMembersQuery, ConsistencyHeader),
    responses(
        (status = 200, description = "A page of the company's users", body = CompanyMembers),
        (status = 400, description = "A value in the path, a query value or the Company-Access-Consistency header is malformed; `detail` names which: an unknown `role`, `source`, `sort` or `order`, a control character in `q`, a `limit` outside 1 to 500, an `offset` that is not a number, or an unknown parameter", body = Problem),
        (status = 404, description = "Company not found", body = Problem)
    ),
    security(("api_key" = ["read"]))
)]
#[get("/companies/{id}/users")]
pub async fn list_company_users(
    key: Authorized<ReadScope>,
    state: web::Data<AppState>,
    consistency: Consistency,
    id: web::Path<Uuid>,
    query: Query<ListMembersQuery>,
) -> Result<web::Json<CompanyMembers>, AppError> {
    read_from_database(&state.store.cache, consistency);
    Ok(web::Json(
        companies::members(
            &state.store.db,
            &key.caller,
            id.into_inner(),
            query.into_inner(),
        )
        .await?,
    ))
}

/// Registers this module's routes, each documented where it is defined.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_companies)
        .service(create_company)
        .service(get_company)
        .service(update_company)
        .service(delete_company)
        .service(list_company_users);
}
