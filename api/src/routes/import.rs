//! Grants in and out as CSV files.

use crate::auth::{Authorized, ReadScope, Unbound, WriteScope};
use crate::error::AppError;
use crate::extract::{CsvBody, Query};
use crate::services::access;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use openapi::Problem;
use openapi::import::{ImportQuery, ImportResult};
use utoipa_actix_web::service_config::ServiceConfig;

/// Import grants from CSV
///
/// One grant per line, after a header naming the columns (in any case): `username` or `user_id`,
/// `company` (its name) or `company_id`, and optionally `role`, `valid_from`, `valid_until` (RFC 3339)
/// and `include_branches` (true or false). A line may leave out trailing empty cells, never have more
/// cells than the header. A new pair is added; a pair whose terms differ is changed;
/// nothing is removed. All or nothing: one bad line refuses the file with every problem listed by
/// line and column, and writes nothing; the refusal's `report` says what the other lines would do.
/// `dry_run=true` reports what each line would do, with the grant's terms before and after. Each grant
/// added or changed is in the audit trail as its own `access.grant` or `access.update` row (with
/// `via: "import"` and the line), beside one `access.import` row with the counts. Up to 100,000 lines
/// (32 MiB).
#[utoipa::path(
    tag = "access",
    params(ImportQuery),
    request_body(
        content = String,
        content_type = "text/csv",
        description = "The grants, one per line, after a header line",
        example = "username,company,role,valid_from,valid_until,include_branches\nsarah,NYC,hr_manager,,2027-01-01T00:00:00Z,false\n"
    ),
    responses(
        (status = 200, description = "What was (or would be) added and changed", body = ImportResult),
        (status = 422, description = "A line cannot be imported, or the file cannot be read: each problem is named by line and column in `errors`; when the file could be read, `report` says what its other lines would do", body = Problem)
    ),
    security(("api_key" = ["write"]))
)]
#[post("/access/import")]
pub async fn import_access(
    key: Authorized<WriteScope>,
    state: web::Data<AppState>,
    query: Query<ImportQuery>,
    body: CsvBody,
) -> Result<web::Json<ImportResult>, AppError> {
    let dry_run = query.into_inner().dry_run;
    Ok(web::Json(
        access::import(&state.store, &key.caller, &body.0, dry_run).await?,
    ))
}

/// Export every grant as CSV
///
/// The columns an import reads, in the same order: importing the export changes nothing.
#[utoipa::path(
    tag = "access",
    responses(
        (
            status = 200,
            description = "Every grant, one per line, after a header line",
            content_type = "text/csv",
            body = String,
            example = "username,company,role,valid_from,valid_until,include_branches\nsarah,NYC,hr_manager,,2027-01-01T00:00:00Z,false\n"
        )
    ),
    security(("api_key" = ["read"]))
)]
#[get("/access/export")]
pub async fn export_access(
    _key: Unbound<ReadScope>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let csv = access::export(&state.store.db).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"company-access.csv\"",
        ))
        .body(csv))
}

/// Registers this module's routes, each documented where it is defined.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(import_access).service(export_access);
}
