//! Bearer keys and scopes. A handler states the scope it needs by the type of its `Authorized<_>` argument.

use crate::caller::{Actor, Caller, SecretHash};
use crate::error::AppError;
use crate::services::keys;
use crate::state::AppState;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, ResponseError, web};
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

/// A request with a key of scope `S` that is not bound to a user: routes that span every company
/// (populate, the export, statistics, the audit trail, the change stream, metrics) are beyond any one
/// administrator's companies.
pub struct Unbound<S: RequiredScope>(pub Authorized<S>);

impl<S: RequiredScope> Unbound<S> {
    fn of(key: Authorized<S>, path: &str) -> Result<Self, AppError> {
        if key.caller.user_id.is_some() {
            return Err(AppError::OutOfReach(format!(
                "{path} covers every company, beyond those the user the key '{}' acts for \
                 administers: ask with a key not bound to a user",
                key.caller.name
            )));
        }
        Ok(Unbound(key))
    }
}

impl<S: RequiredScope + 'static> FromRequest for Unbound<S> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let key = Authorized::<S>::from_request(request, payload);
        let path = request.path().to_owned();
        Box::pin(async move { Self::of(key.await?, &path) })
    }
}

/// Paths anyone may ask: liveness and readiness, the API document and its viewer, the page and its assets.
/// Everything else, known or not, needs a key first.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/health" | "/ready" | "/openapi.json" | "/manage-user-companies" | "/swagger-ui"
    ) || path.starts_with("/swagger-ui/")
        || path.starts_with("/assets/")
}

/// Authentication before any other look at a request: no path value, query, body or route is examined
/// until the key is known, so a caller without one learns nothing (not even which fields a body has) and
/// no unauthenticated body is read. The caller is left in the request for [`Authorized`] to check scope.
pub async fn authenticate_first(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if is_public(request.path()) {
        return next
            .call(request)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let caller = match request.app_data::<web::Data<AppState>>() {
        Some(state) => authenticate(state, request.request()).await,
        None => Err(AppError::Internal("application state missing".into())),
    };
    match caller {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.call(request)
                .await
                .map(ServiceResponse::map_into_left_body)
        }
        Err(error) => Ok(request
            .into_response(error.error_response())
            .map_into_right_body()),
    }
}

/// The caller a request's key names: the master key and cached keys at once, others from the database.
async fn authenticate(
    state: &web::Data<AppState>,
    request: &HttpRequest,
) -> Result<Caller, AppError> {
    let hash = SecretHash::of(bearer_secret(request)?);
    if let Some(caller) = keys::known_caller(&state.store, &state.master_key_hash, &hash) {
        return Ok(caller);
    }
    keys::look_up(&state.store, hash)
        .await?
        .ok_or_else(unknown_key)
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
        // Authenticated already by `authenticate_first`: only the scope is left to check. Taken rather
        // than cloned: every request of one key would otherwise bump the same shared count twice.
        if let Some(caller) = request.extensions_mut().remove::<Caller>() {
            return Either::Left(ready(Self::of(caller)));
        }
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

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn only_health_the_document_and_the_page_are_public() {
        for path in [
            "/health",
            "/ready",
            "/openapi.json",
            "/swagger-ui/",
            "/assets/manage.js",
            "/manage-user-companies",
        ] {
            assert!(is_public(path), "{path}");
        }
        for path in [
            "/users",
            "/metrics",
            "/whoami",
            "/nowhere",
            "/healthz",
            "/assets",
            "/openapi.json/x",
        ] {
            assert!(!is_public(path), "{path}");
        }
    }
}
