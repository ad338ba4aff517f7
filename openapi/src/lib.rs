//! The API contract of Company Access: the types that travel over HTTP, shared by the server and its
//! clients, the RFC 9457 error body, and the base OpenAPI document the server completes with its paths.

#[macro_use]
mod string_enum;

pub mod access;
pub mod audit;
pub mod base;
pub mod changes;
pub mod check_wire;
pub mod companies;
pub mod consistency;
pub mod domain;
pub mod import;
pub mod instant;
pub mod json;
pub mod keys;
pub mod problem;
pub mod stats;
pub mod terms;
pub mod users;

pub use domain::{CompanyName, Email, FullName, KeyName, Role, Scope, Username};
pub use problem::{FieldError, Problem, ProblemCode};

/// Lets PATCH bodies tell "field absent" (outer `None`) from "field set to null" (`Some(None)`).
pub fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Option::<T>::deserialize(deserializer).map(Some)
}
