//! End-to-end tests of the REST API through the production app factory, on SQLite by default and on
//! PostgreSQL when `TEST_DATABASE_URL` is set. One test binary keeps link time down.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod agreement;
mod audit;
mod auth;
mod bad_input;
mod bulk_revoke;
mod cache;
mod check;
mod companies;
mod concurrency;
mod consistency;
mod delegation;
mod faults;
mod health;
mod hierarchy;
mod http;
mod import;
mod metrics;
mod names;
mod review;
mod terms;
mod traces;
mod users;
