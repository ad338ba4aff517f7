//! API keys: made, listed and revoked by admins; verified on every request.

use crate::caller::{Caller, MASTER_KEY_NAME, RESERVED_ACTORS, SecretHash};
use crate::changes::Changes;
use crate::db::audit::Change;
use crate::db::constraint::{Constraint, OnConstraint};
use crate::db::lookups::{require_users, username_of};
use crate::db::store::Store;
use crate::error::AppError;
use chrono::Utc;
use entity::api_key;
use openapi::audit::AuditAction;
use openapi::keys::{ApiKey, CreateKey, CreatedKey, WhoAmI};
use openapi::{KeyName, ProblemCode, Scope};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use std::sync::Arc;
use uuid::Uuid;

/// Characters of a secret shown in lists, enough to tell keys apart, far too few to guess the rest.
const PREFIX_LEN: usize = 12;

/// A new secret: 256 random bits, hex-encoded, with a `cak_` prefix that secret scanners can recognise.
pub fn generate_secret() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|error| AppError::Internal(format!("no randomness for a key: {error}")))?;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(format!("cak_{hex}"))
}

fn to_api_key(model: api_key::Model) -> Result<ApiKey, AppError> {
    Ok(ApiKey {
        id: model.id,
        name: KeyName::parse(model.name)
            .map_err(|error| AppError::Internal(format!("stored key name: {error}")))?,
        scope: model
            .scope
            .parse()
            .map_err(|error| AppError::Internal(format!("stored key scope: {error}")))?,
        prefix: model.prefix,
        created_at: model.created_at,
        created_by: model.created_by,
        revoked_at: model.revoked_at,
        user_id: model.user_id,
    })
}

/// The master key, or a key the cache holds: answered without the database.
pub fn known_caller(store: &Store, master_key: &SecretHash, hash: &SecretHash) -> Option<Caller> {
    if hash.matches(master_key) {
        return Some(Caller {
            name: MASTER_CALLER_NAME.with(Arc::clone),
            scope: Scope::Admin,
            key_id: None,
            user_id: None,
        });
    }
    store.cache.key(&hash.0)
}

thread_local! {
    /// One per thread: a count shared by every thread would pass its cache line between cores on each
    /// request the master key makes.
    static MASTER_CALLER_NAME: Arc<str> = Arc::from(MASTER_KEY_NAME);
}

/// A key the cache does not hold, read from the database (and remembered if live).
pub async fn look_up(store: &Store, hash: SecretHash) -> Result<Option<Caller>, AppError> {
    let cache = &store.cache;
    let generation = cache.generation();
    let found = api_key::Entity::find()
        .filter(api_key::Column::SecretHash.eq(hash.to_hex()))
        .filter(api_key::Column::RevokedAt.is_null())
        .one(&store.db)
        .await
        .map_err(AppError::Unavailable)?;
    match found {
        // Unknown keys are not remembered: a flood of guesses must not fill memory.
        None => Ok(None),
        Some(model) => {
            let scope = model
                .scope
                .parse()
                .map_err(|error| AppError::Internal(format!("stored key scope: {error}")))?;
            let caller = Caller {
                name: model.name.into(),
                scope,
                key_id: Some(model.id),
                user_id: model.user_id,
            };
            cache.store_key(generation, hash.0, caller.clone());
            Ok(Some(caller))
        }
    }
}

/// A key bound to a user may make keys only for that user, of no higher scope than its own: what it
/// makes can never reach further than it does.
pub async fn create(
    store: &Store,
    caller: &Caller,
    request: CreateKey,
) -> Result<CreatedKey, AppError> {
    let actor = caller.actor();
    let user_id = match (caller.user_id, request.user_id) {
        (None, wanted) => wanted,
        (Some(own), None) => Some(own),
        (Some(own), Some(wanted)) if own == wanted => Some(own),
        (Some(own), Some(wanted)) => {
            return Err(AppError::OutOfReach(format!(
                "The key '{}' acts for user {own}: it may make keys only for that user, not for user \
                 {wanted}",
                caller.name
            )));
        }
    };
    if caller.user_id.is_some() && request.scope > caller.scope {
        return Err(AppError::OutOfReach(format!(
            "The key '{}' has scope '{}': it may not make a key of scope '{}', above its own",
            caller.name, caller.scope, request.scope
        )));
    }
    if let Some(reserved) = RESERVED_ACTORS
        .iter()
        .find(|reserved| request.name.as_str().eq_ignore_ascii_case(reserved))
    {
        return Err(AppError::Conflict {
            code: ProblemCode::KeyNameTaken,
            detail: format!(
                "The name '{reserved}' is reserved: the audit trail uses it for changes no key made"
            ),
        });
    }
    let secret = generate_secret()?;
    let model = api_key::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(request.name.as_str().to_owned()),
        scope: Set(request.scope.as_str().to_owned()),
        prefix: Set(secret.chars().take(PREFIX_LEN).collect()),
        secret_hash: Set(SecretHash::of(&secret).to_hex()),
        created_at: Set(Utc::now()),
        created_by: Set(actor.name.to_owned()),
        revoked_at: Set(None),
        user_id: Set(user_id),
    };
    let mut work = store.begin(actor).await?;
    if let Some(user_id) = user_id {
        require_users(work.db(), &[user_id]).await?;
    }
    let inserted = model
        .insert(work.db())
        .await
        .on_constraint(&[Constraint::KeyName], request.name.as_str())?;
    let key = to_api_key(inserted)?;
    work.record(Change::new(AuditAction::KeyCreate).after(&key));
    work.commit().await?;
    Ok(CreatedKey { key, secret })
}

/// Every key; for a key bound to a user, only the keys bound to that user.
pub async fn list(db: &DatabaseConnection, caller: &Caller) -> Result<Vec<ApiKey>, AppError> {
    let mut keys = api_key::Entity::find();
    if let Some(user_id) = caller.user_id {
        keys = keys.filter(api_key::Column::UserId.eq(user_id));
    }
    keys.order_by_asc(api_key::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(to_api_key)
        .collect()
}

/// Revokes a key at once; revoking a revoked key changes nothing. A key bound to a user may revoke
/// only that user's keys (itself included).
pub async fn revoke(store: &Store, caller: &Caller, id: Uuid) -> Result<(), AppError> {
    let mut work = store.begin(caller.actor()).await?;
    let model = api_key::Entity::find_by_id(id)
        .one(work.db())
        .await?
        .ok_or(AppError::NotFound {
            code: ProblemCode::KeyNotFound,
            detail: "Key not found".into(),
        })?;
    if let Some(own) = caller.user_id
        && model.user_id != Some(own)
    {
        return Err(AppError::OutOfReach(format!(
            "The key '{}' acts for user {own}: it may revoke only that user's keys, not '{}'",
            caller.name, model.name
        )));
    }
    if model.revoked_at.is_some() {
        return Ok(());
    }
    let before = to_api_key(model.clone())?;
    let mut active: api_key::ActiveModel = model.into();
    active.revoked_at = Set(Some(Utc::now()));
    let after = to_api_key(active.update(work.db()).await?)?;
    work.record(
        Change::new(AuditAction::KeyRevoke)
            .before(&before)
            .after(&after),
    );
    work.touch(Changes::keys());
    work.commit().await
}

/// The caller's key, and the user a bound key acts for.
pub async fn who_am_i(db: &DatabaseConnection, caller: &Caller) -> Result<WhoAmI, AppError> {
    let username = match caller.user_id {
        None => None,
        Some(user_id) => username_of(db, user_id).await?,
    };
    Ok(WhoAmI {
        name: caller.name.to_string(),
        scope: caller.scope,
        user_id: caller.user_id,
        username,
    })
}
