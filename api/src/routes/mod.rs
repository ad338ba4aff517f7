//! HTTP handlers: each parses its input, calls one service, and answers. No rule lives here.

pub mod access;
pub mod audit;
pub mod check;
pub mod companies;
pub mod health;
pub mod keys;
pub mod page;
pub mod stats;
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
        .service(access::list_user_companies)
        .service(access::add_user_companies)
        .service(access::replace_user_companies)
        .service(access::update_user_company)
        .service(access::remove_user_company)
        .service(companies::list_companies)
        .service(companies::create_company)
        .service(companies::get_company)
        .service(companies::update_company)
        .service(companies::delete_company)
        .service(companies::list_company_users)
        .service(access::bulk_grant)
        .service(access::populate_access)
        .service(stats::get_stats)
        .service(audit::list_audit)
        .service(keys::create_key)
        .service(keys::list_keys)
        .service(keys::revoke_key);
}
