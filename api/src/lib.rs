//! The Company Access service: app factory, routes and domain services.

pub mod auth;
pub mod background;
pub mod cache;
pub mod config;
pub mod db;
pub mod doc;
pub mod error;
pub mod extract;
pub mod feed;
pub mod routes;
pub mod services;
pub mod startup;
pub mod state;
pub mod store;

pub use config::Settings;
pub use startup::Application;
