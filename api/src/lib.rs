//! The Company Access service: app factory, routes and domain services, in layers that import downwards only
//! (a test in `tests/tests/layers.rs` fails on any circle):
//!
//! - `startup` (the one app factory), `doc` (the OpenAPI document), `methods` (which methods each path
//!   answers, from the document), `config`, `background`, and `otel` (the optional OpenTelemetry traces:
//!   their settings, the server span, the exporter thread);
//! - `routes` (parse, call one service, answer) with `auth`, `extract`, `consistency` and `deadline` at
//!   the edge;
//! - `services` (every rule, once), reading through `db` and writing through its unit of work;
//! - `cache` (the check and key caches, their loading, the change feed and refresher) and `db` (every
//!   statement, the store and its commit, the constraint mapping);
//! - the vocabulary at the bottom, depending on nothing above it: `decision` (the facts and `decide`),
//!   `caller` (who calls, the secret's hash), `changes` (what a write touched, its payload), `revision`
//!   (points in the change history, and the one a request's answer reflects), `paging`,
//!   `error`, `metrics` (the counters and their text exposition).

pub mod auth;
pub mod background;
pub mod cache;
pub mod caller;
pub mod changes;
pub mod config;
pub mod consistency;
pub mod db;
pub mod deadline;
pub mod decision;
pub mod doc;
pub mod error;
pub mod extract;
pub mod methods;
pub mod metrics;
pub mod otel;
pub mod paging;
pub mod revision;
pub mod routes;
pub mod services;
pub mod startup;
pub mod state;

pub use config::Settings;
pub use startup::Application;
