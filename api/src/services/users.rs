//! Users and their employee profile. A user's home company is granted (as default when they have none)
//! when it is set.

use crate::caller::Caller;
use crate::changes::Changes;
use crate::db::audit::Change;
use crate::db::constraint::{Constraint, OnConstraint};
use crate::db::grants::insert_grant;
use crate::db::lookups::{granted_company_ids, lock_user, require_companies};
use crate::db::store::Store;
use crate::db::users as rows;
use crate::error::AppError;
use crate::paging::PageRequest;
use crate::services::delegation;
use chrono::Utc;
use entity::user;
use openapi::Role;
use openapi::audit::AuditAction;
use openapi::users::{CreateUser, ListUsersQuery, UpdateUser, User, UserPage};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait,
};

/// The constraints a user's write can run into.
const USER_CONSTRAINTS: &[Constraint] = &[Constraint::Username, Constraint::HomeCompany];

/// Every user may be listed by any key that reads, so that a delegate can find the people to grant
/// their companies to; who holds a company, and how many, is told only of companies the key reaches.
pub async fn list(
    db: &DatabaseConnection,
    caller: &Caller,
    query: ListUsersQuery,
) -> Result<UserPage, AppError> {
    let page = PageRequest::parse(query.limit, query.offset)?;
    let delegate = delegation::of(db, caller).await?;
    if let (Some(company), Some(delegate)) = (query.company_id, &delegate) {
        delegate.require(db, [(company, false)]).await?;
    }
    let counted = delegate.and_then(|delegate| delegate.managed.ids());
    rows::list(db, &query, page, counted.as_deref()).await
}

/// The user as `caller` may see them: for a key bound to a user, the company count is of the
/// companies that user administers.
pub async fn get_visible(
    db: &DatabaseConnection,
    caller: &Caller,
    id: i32,
) -> Result<User, AppError> {
    let counted = delegation::of(db, caller)
        .await?
        .and_then(|delegate| delegate.managed.ids());
    rows::find(db, id, counted.as_deref())
        .await?
        .ok_or_else(AppError::user_not_found)
}

/// The user as the API shows it, or `None`.
pub async fn find(db: &impl ConnectionTrait, id: i32) -> Result<Option<User>, AppError> {
    rows::find(db, id, None).await
}

pub async fn get(db: &impl ConnectionTrait, id: i32) -> Result<User, AppError> {
    find(db, id).await?.ok_or_else(AppError::user_not_found)
}

pub async fn create(store: &Store, caller: &Caller, request: CreateUser) -> Result<User, AppError> {
    let actor = caller.actor();
    if let Some(delegate) = delegation::of(&store.db, caller).await? {
        delegate
            .refuse_super_admin(request.role.unwrap_or(Role::Employee), "The role asked for")?;
        delegate
            .require(&store.db, request.home_company_id.map(|home| (home, false)))
            .await?;
    }
    let mut work = store.begin(actor).await?;
    if let Some(company_id) = request.home_company_id {
        require_companies(work.db(), &[company_id]).await?;
    }
    let now = Utc::now();
    let full_name = request.full_name.map(String::from).unwrap_or_default();
    let model = user::ActiveModel {
        username: Set(request.username.as_str().to_owned()),
        full_name_key: Set(names::fold(&full_name)),
        full_name: Set(full_name),
        email: Set(request.email.map(String::from)),
        role: Set(request.role.unwrap_or(Role::Employee).as_str().to_owned()),
        is_active: Set(request.is_active.unwrap_or(true)),
        home_company_id: Set(request.home_company_id),
        created_at: Set(now),
        modified_at: Set(now),
        ..Default::default()
    };
    let inserted = model
        .insert(work.db())
        .await
        .on_constraint(USER_CONSTRAINTS, request.username.as_str())?;
    if let Some(company_id) = request.home_company_id {
        insert_grant(
            work.db(),
            actor.name,
            inserted.id,
            company_id,
            &Default::default(),
        )
        .await?;
    }
    let created = get(work.db(), inserted.id).await?;
    work.record(
        Change::new(AuditAction::UserCreate)
            .user(created.id)
            .after(&created),
    );
    work.touch(Changes::user(created.id));
    work.commit().await?;
    Ok(created)
}

pub async fn update(
    store: &Store,
    caller: &Caller,
    id: i32,
    request: UpdateUser,
) -> Result<User, AppError> {
    let actor = caller.actor();
    let delegate = delegation::of(&store.db, caller).await?;
    let mut work = store.begin(actor).await?;
    lock_user(work.db(), id).await?;
    let before = get(work.db(), id).await?;
    if let Some(delegate) = &delegate {
        let granted = granted_company_ids(work.db(), id).await?;
        delegate
            .require_user(work.db(), before.username.as_str(), before.role, &granted)
            .await?;
        if let Some(role) = request.role {
            delegate.refuse_super_admin(role, "The role asked for")?;
        }
        if let Some(Some(home)) = request.home_company_id {
            delegate.require(work.db(), [(home, false)]).await?;
        }
    }
    let model = user::Entity::find_by_id(id)
        .one(work.db())
        .await?
        .ok_or_else(AppError::user_not_found)?;
    let mut active: user::ActiveModel = model.into();
    let username = request
        .username
        .clone()
        .unwrap_or_else(|| before.username.clone());
    if let Some(name) = request.username.filter(|name| *name != before.username) {
        active.username = Set(name.into());
    }
    if let Some(full_name) = request
        .full_name
        .filter(|name| name.as_str() != before.full_name)
    {
        active.full_name_key = Set(names::fold(full_name.as_str()));
        active.full_name = Set(full_name.into());
    }
    if let Some(email) = request
        .email
        .filter(|email| email.as_ref().map(|e| e.as_str()) != before.email.as_deref())
    {
        active.email = Set(email.map(String::from));
    }
    if let Some(role) = request.role.filter(|role| *role != before.role) {
        active.role = Set(role.as_str().to_owned());
    }
    if let Some(is_active) = request.is_active.filter(|flag| *flag != before.is_active) {
        active.is_active = Set(is_active);
    }
    let new_home = request
        .home_company_id
        .filter(|home| *home != before.home_company_id);
    if let Some(home) = new_home {
        if let Some(company_id) = home {
            require_companies(work.db(), &[company_id]).await?;
        }
        active.home_company_id = Set(home);
    }
    // Nothing to change: no write, no audit row, and `modified_at` keeps saying when it last changed.
    if !active.is_changed() {
        return Ok(before);
    }
    active.modified_at = Set(Utc::now());
    active
        .update(work.db())
        .await
        .on_constraint(USER_CONSTRAINTS, username.as_str())?;
    if let Some(company_id) = new_home.flatten() {
        insert_grant(work.db(), actor.name, id, company_id, &Default::default()).await?;
    }
    let after = get(work.db(), id).await?;
    work.record(
        Change::new(AuditAction::UserUpdate)
            .user(id)
            .before(&before)
            .after(&after),
    );
    work.touch(Changes::user(id));
    work.commit().await?;
    Ok(after)
}

/// Deletes the user; their grants go with them (ON DELETE CASCADE), and the audit row keeps what they had.
pub async fn delete(store: &Store, caller: &Caller, id: i32) -> Result<(), AppError> {
    let actor = caller.actor();
    let delegate = delegation::of(&store.db, caller).await?;
    let mut work = store.begin(actor).await?;
    lock_user(work.db(), id).await?;
    let before = get(work.db(), id).await?;
    let companies = granted_company_ids(work.db(), id).await?;
    if let Some(delegate) = &delegate {
        delegate
            .require_user(work.db(), before.username.as_str(), before.role, &companies)
            .await?;
    }
    user::Entity::delete_by_id(id).exec(work.db()).await?;
    work.record(
        Change::new(AuditAction::UserDelete)
            .user(id)
            .before(serde_json::json!({ "user": before, "company_ids": companies })),
    );
    // The keys that acted for the user went with them (ON DELETE CASCADE): no cache may still know them.
    work.touch(Changes::user(id));
    work.touch(Changes::keys());
    work.commit().await
}
