//! The Company Access service: app factory, routes and domain services.

pub mod auth;
pub mod background;
pub mod cache;
pub mod caller;
pub mod changes;
pub mod config;
pub mod db;
pub mod decision;
pub mod doc;
pub mod error;
pub mod extract;
pub mod paging;
pub mod routes;
pub mod services;
pub mod startup;
pub mod state;

pub use config::Settings;
pub use startup::Application;
