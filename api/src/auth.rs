//! Bearer keys and scopes. A handler states the scope it needs by the type of its `Authorized<_>` argument.

use crate::caller::{Actor, Caller, SecretHash};
use crate::error::AppError;
use crate::services::keys;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::{Either, LocalBoxFuture};
use openapi::Scope;
use std::future::{Ready, ready};
use std::marker::PhantomData;

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
    pub fn actor(&self) -> Actor<'_> {
        self.caller.actor()
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
        if let Some(caller) = keys::known_caller(&state.store, &state.master_key_hash, &hash) {
            return Either::Left(ready(Self::of(caller)));
        }
        let state = state.clone();
        Either::Right(Box::pin(async move {
            let caller = keys::look_up(&state.store, hash)
                .await?
                .ok_or_else(unknown_key)?;
            Self::of(caller)
        }))
    }
}
