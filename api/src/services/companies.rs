//! Companies, and who can act in each (the access review).

use crate::caller::Actor;
use crate::changes::Changes;
use crate::db::audit::Change;
use crate::db::companies as rows;
use crate::db::constraint::{Constraint, OnConstraint};
use crate::db::store::Store;
use crate::error::AppError;
use crate::paging::PageRequest;
use chrono::Utc;
use entity::company;
use openapi::audit::AuditAction;
use openapi::companies::{
    Company, CompanyMembers, CompanyPage, CreateCompany, ListCompaniesQuery, ListMembersQuery,
    UpdateCompany,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

pub async fn list(
    db: &impl ConnectionTrait,
    query: ListCompaniesQuery,
) -> Result<CompanyPage, AppError> {
    let page = PageRequest::parse(query.limit, query.offset)?;
    rows::list(db, &query, page).await
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Company>, AppError> {
    rows::find(db, id).await
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Company, AppError> {
    find(db, id).await?.ok_or_else(AppError::company_not_found)
}

pub async fn create(
    store: &Store,
    actor: Actor<'_>,
    request: CreateCompany,
) -> Result<Company, AppError> {
    let now = Utc::now();
    let model = company::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(request.name.as_str().to_owned()),
        name_key: Set(names::fold(request.name.as_str())),
        created_at: Set(now),
        modified_at: Set(now),
    };
    let mut work = store.begin(actor).await?;
    let inserted = model
        .insert(work.db())
        .await
        .on_constraint(&[Constraint::CompanyName], request.name.as_str())?;
    let created = get(work.db(), inserted.id).await?;
    work.record(
        Change::new(AuditAction::CompanyCreate)
            .company(created.id)
            .after(&created),
    );
    work.touch(Changes::company(created.id));
    work.commit().await?;
    Ok(created)
}

/// Renaming changes no one's access, so no cache forgets anything; the same name again changes nothing.
pub async fn update(
    store: &Store,
    actor: Actor<'_>,
    id: Uuid,
    request: UpdateCompany,
) -> Result<Company, AppError> {
    let mut work = store.begin(actor).await?;
    let before = get(work.db(), id).await?;
    // Nothing to change: no write, no audit row, and `modified_at` keeps saying when it last changed.
    let Some(name) = request.name.filter(|name| name.as_str() != before.name) else {
        return Ok(before);
    };
    let model = company::Entity::find_by_id(id)
        .one(work.db())
        .await?
        .ok_or_else(AppError::company_not_found)?;
    let mut active: company::ActiveModel = model.into();
    active.name = Set(name.as_str().to_owned());
    active.name_key = Set(names::fold(name.as_str()));
    active.modified_at = Set(Utc::now());
    active
        .update(work.db())
        .await
        .on_constraint(&[Constraint::CompanyName], name.as_str())?;
    let after = get(work.db(), id).await?;
    work.record(
        Change::new(AuditAction::CompanyUpdate)
            .company(id)
            .before(&before)
            .after(&after),
    );
    work.commit().await?;
    Ok(after)
}

/// Deletes the company; grants of it go too (ON DELETE CASCADE) and home companies pointing at it are cleared.
pub async fn delete(store: &Store, actor: Actor<'_>, id: Uuid) -> Result<(), AppError> {
    let mut work = store.begin(actor).await?;
    let before = get(work.db(), id).await?;
    company::Entity::delete_by_id(id).exec(work.db()).await?;
    work.record(
        Change::new(AuditAction::CompanyDelete)
            .company(id)
            .before(&before),
    );
    work.touch(Changes::company(id));
    work.commit().await
}

/// Everyone who may act in the company: explicit grants, and super admins through their role.
pub async fn members(
    db: &impl ConnectionTrait,
    id: Uuid,
    query: ListMembersQuery,
) -> Result<CompanyMembers, AppError> {
    let page = PageRequest::parse(query.limit, query.offset)?;
    let company = get(db, id).await?;
    rows::members(db, company, page).await
}
