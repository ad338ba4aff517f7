//! The OpenAPI document: the contract crate's base document completed with every route of this server.

use crate::routes::{access, audit, check, companies, health, keys, stats, users};
use openapi::base::BaseDoc;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(paths(
    health::health,
    health::ready,
    check::check_access,
    check::check_access_batch,
    users::list_users,
    users::create_user,
    users::get_user,
    users::update_user,
    users::delete_user,
    access::list_user_companies,
    access::add_user_companies,
    access::replace_user_companies,
    access::update_user_company,
    access::remove_user_company,
    access::bulk_grant,
    access::populate_access,
    companies::list_companies,
    companies::create_company,
    companies::get_company,
    companies::update_company,
    companies::delete_company,
    companies::list_company_users,
    stats::get_stats,
    audit::list_audit,
    keys::whoami,
    keys::create_key,
    keys::list_keys,
    keys::revoke_key
))]
struct ApiPaths;

/// The document served at /openapi.json and committed as `openapi/openapi.json`.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut document = BaseDoc::openapi();
    document.info.version = env!("CARGO_PKG_VERSION").to_owned();
    document.merge(ApiPaths::openapi());
    document
}

/// The document as committed: pretty JSON with a final newline.
pub fn api_doc_json() -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&api_doc()).map(|mut text| {
        text.push('\n');
        text
    })
}
