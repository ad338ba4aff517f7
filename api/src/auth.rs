//! Bearer keys and scopes. A handler states the scope it needs by the type of its `Authorized<_>` argument.

use crate::error::AppError;
use crate::services::keys;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::{Either, LocalBoxFuture};
use openapi::Scope;
use sha2::{Digest, Sha256};
use std::future::{Ready, ready};
use std::marker::PhantomData;
use std::sync::Arc;

/// SHA-256 of a key's secret: what is stored and compared, never the secret itself.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SecretHash(pub [u8; 32]);

impl SecretHash {
    pub fn of(secret: &str) -> Self {
        Self(Sha256::digest(secret.as_bytes()).into())
    }

    pub fn to_hex(self) -> String {
        self.0.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// Compares without an early exit, so timing says nothing about how much of a guess was right.
    pub fn matches(&self, other: &SecretHash) -> bool {
        self.0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl std::fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretHash(..)")
    }
}

/// The key a request was made with: its name is the actor in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Shared, so that answering a request from the key cache copies no string.
    pub name: Arc<str>,
    pub scope: Scope,
}

pub const MASTER_KEY_NAME: &str = "master";

pub trait RequiredScope {
    const SCOPE: Scope;
}

/// Access checks only.
pub struct CheckScope;
/// Reading users, companies, grants, statistics and the audit trail.
pub struct ReadScope;
/// Changing users, companies and grants.
pub struct WriteScope;
/// Managing keys.
pub struct AdminScope;

impl RequiredScope for CheckScope {
    const SCOPE: Scope = Scope::Check;
}
impl RequiredScope for ReadScope {
    const SCOPE: Scope = Scope::Read;
}
impl RequiredScope for WriteScope {
    const SCOPE: Scope = Scope::Write;
}
impl RequiredScope for AdminScope {
    const SCOPE: Scope = Scope::Admin;
}

/// A request made with a live key whose scope includes `S`.
pub struct Authorized<S: RequiredScope> {
    pub caller: Caller,
    _scope: PhantomData<S>,
}

impl<S: RequiredScope> Authorized<S> {
    pub fn actor(&self) -> &str {
        &self.caller.name
    }

    fn of(caller: Caller) -> Result<Self, AppError> {
        if caller.scope < S::SCOPE {
            return Err(AppError::Forbidden(format!(
                "The key '{}' has scope '{}'; this route needs '{}' or higher",
                caller.name,
                caller.scope,
                S::SCOPE
            )));
        }
        Ok(Authorized {
            caller,
            _scope: PhantomData,
        })
    }
}

fn bearer_secret(request: &HttpRequest) -> Result<&str, AppError> {
    let header = request.headers().get(AUTHORIZATION).ok_or_else(|| {
        AppError::Unauthorized(
            "This route needs an API key: send the header `Authorization: Bearer <key>`".into(),
        )
    })?;
    let text = header.to_str().map_err(|_| {
        AppError::Unauthorized("The Authorization header is not readable text".into())
    })?;
    let (scheme, secret) = text.split_once(' ').unwrap_or((text, ""));
    let secret = secret.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || secret.is_empty() {
        return Err(AppError::Unauthorized(
            "The Authorization header must be `Bearer <key>`".into(),
        ));
    }
    Ok(secret)
}

fn unknown_key() -> AppError {
    AppError::Unauthorized("The API key is not valid or has been revoked".into())
}

impl<S: RequiredScope + 'static> FromRequest for Authorized<S> {
    type Error = AppError;
    type Future =
        Either<Ready<Result<Self, AppError>>, LocalBoxFuture<'static, Result<Self, AppError>>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let secret = match bearer_secret(request) {
            Ok(secret) => secret,
            Err(error) => return Either::Left(ready(Err(error))),
        };
        let Some(state) = request.app_data::<web::Data<AppState>>() else {
            return Either::Left(ready(Err(AppError::Internal(
                "application state missing".into(),
            ))));
        };
        // The master key and cached keys are answered at once: no allocation, no task.
        let hash = SecretHash::of(secret);
        if let Some(caller) = keys::known_caller(state, &hash) {
            return Either::Left(ready(Self::of(caller)));
        }
        let state = state.clone();
        Either::Right(Box::pin(async move {
            let caller = keys::look_up(&state, hash).await?.ok_or_else(unknown_key)?;
            Self::of(caller)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_compare_by_value_and_print_nothing() {
        let a = SecretHash::of("cak_secret");
        assert!(a.matches(&SecretHash::of("cak_secret")));
        assert!(!a.matches(&SecretHash::of("cak_secreT")));
        assert_eq!(format!("{a:?}"), "SecretHash(..)");
        assert_eq!(a.to_hex().len(), 64);
    }
}
