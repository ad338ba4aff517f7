//! HTTP handlers: each parses its input, calls one service, and answers. No rule lives here.

pub mod audit;
pub mod check;
pub mod companies;
pub mod health;
pub mod keys;
pub mod page;
pub mod stats;
pub mod user_companies;
pub mod users;

use actix_web::web;

/// Registers every route of the API on an app or scope.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health::health)
        .service(health::ready)
        .service(page::manage_page)
        .service(page::asset)
        .service(check::check_access)
        .service(check::check_access_batch)
        .service(keys::whoami)
        .service(users::list_users)
        .service(users::create_user)
        .service(users::get_user)
        .service(users::update_user)
        .service(users::delete_user)
        .service(user_companies::list_user_companies)
        .service(user_companies::add_user_companies)
        .service(user_companies::replace_user_companies)
        .service(user_companies::update_user_company)
        .service(user_companies::remove_user_company)
        .service(companies::list_companies)
        .service(companies::create_company)
        .service(companies::get_company)
        .service(companies::update_company)
        .service(companies::delete_company)
        .service(companies::list_company_users)
        .service(user_companies::bulk_grant)
        .service(user_companies::populate_access)
        .service(stats::get_stats)
        .service(audit::list_audit)
        .service(keys::create_key)
        .service(keys::list_keys)
        .service(keys::revoke_key);
}
