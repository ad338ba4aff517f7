//! HTTP handlers: each parses its input, calls one service, and answers. No rule lives here. Each module
//! registers its own routes, and each route is documented where it is defined: the OpenAPI document is
//! gathered from the same registrations the server routes by, so the two cannot disagree.

pub mod access;
pub mod audit;
pub mod changes;
pub mod check;
pub mod companies;
pub mod health;
pub mod import;
pub mod keys;
pub mod metrics;
pub mod page;
pub mod respond;
pub mod stats;
pub mod users;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every route of the service.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(health::configure)
        .configure(check::configure)
        .configure(keys::configure)
        .configure(users::configure)
        .configure(access::configure)
        .configure(import::configure)
        .configure(companies::configure)
        .configure(stats::configure)
        .configure(audit::configure)
        .configure(changes::configure)
        .configure(metrics::configure)
        // The page is not part of the API: registered, not documented.
        .map(|cfg| cfg.service(page::manage_page).service(page::asset));
}
