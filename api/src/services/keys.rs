//! API keys: made, listed and revoked by admins; verified on every request.

use crate::caller::Actor;
use crate::caller::{Caller, MASTER_KEY_NAME, RESERVED_ACTORS, SecretHash};
use crate::changes::Changes;
use crate::db::audit::Change;
use crate::db::constraint::{Constraint, OnConstraint};
use crate::db::store::Store;
use crate::error::AppError;
use chrono::Utc;
use entity::api_key;
use openapi::audit::AuditAction;
use openapi::keys::{ApiKey, CreateKey, CreatedKey};
use openapi::{KeyName, ProblemCode, Scope};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use std::sync::{Arc, LazyLock};
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
    })
}

/// The master key, or a key the cache holds: answered without the database.
pub fn known_caller(store: &Store, master_key: &SecretHash, hash: &SecretHash) -> Option<Caller> {
    if hash.matches(master_key) {
        return Some(Caller {
            name: Arc::clone(&MASTER_CALLER_NAME),
            scope: Scope::Admin,
            key_id: None,
        });
    }
    store.cache.key(&hash.0)
}

static MASTER_CALLER_NAME: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from(MASTER_KEY_NAME));

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
            };
            cache.store_key(generation, hash.0, caller.clone());
            Ok(Some(caller))
        }
    }
}

pub async fn create(
    store: &Store,
    actor: Actor<'_>,
    request: CreateKey,
) -> Result<CreatedKey, AppError> {
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
    };
    let mut work = store.begin(actor).await?;
    let inserted = model
        .insert(work.db())
        .await
        .on_constraint(&[Constraint::KeyName], request.name.as_str())?;
    let key = to_api_key(inserted)?;
    work.record(Change::new(AuditAction::KeyCreate).after(&key));
    work.commit().await?;
    Ok(CreatedKey { key, secret })
}

pub async fn list(db: &DatabaseConnection) -> Result<Vec<ApiKey>, AppError> {
    api_key::Entity::find()
        .order_by_asc(api_key::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(to_api_key)
        .collect()
}

/// Revokes a key at once; revoking a revoked key changes nothing.
pub async fn revoke(store: &Store, actor: Actor<'_>, id: Uuid) -> Result<(), AppError> {
    let mut work = store.begin(actor).await?;
    let model = api_key::Entity::find_by_id(id)
        .one(work.db())
        .await?
        .ok_or(AppError::NotFound {
            code: ProblemCode::KeyNotFound,
            detail: "Key not found".into(),
        })?;
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
