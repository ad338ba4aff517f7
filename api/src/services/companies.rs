//! Companies, and who can act in each (the access review).

use crate::caller::Caller;
use crate::changes::Changes;
use crate::db::audit::Change;
use crate::db::companies as rows;
use crate::db::constraint::{Constraint, OnConstraint};
use crate::db::grants::grants_of_pairs;
use crate::db::hierarchy;
use crate::db::members;
use crate::db::store::Store;
use crate::error::AppError;
use crate::paging::PageRequest;
use crate::services::delegation;
use chrono::Utc;
use entity::company;
use openapi::ProblemCode;
use openapi::audit::AuditAction;
use openapi::companies::{
    Company, CompanyMembers, CompanyPage, CreateCompany, ListCompaniesQuery, ListMembersQuery,
    MAX_DEPTH, UpdateCompany,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait,
};
use uuid::Uuid;

/// A key bound to a user lists only the companies that user administers.
pub async fn list(
    db: &DatabaseConnection,
    caller: &Caller,
    query: ListCompaniesQuery,
) -> Result<CompanyPage, AppError> {
    let page = PageRequest::parse(query.limit, query.offset)?;
    let only = match delegation::of(db, caller).await? {
        Some(delegate) => delegate.managed.ids(),
        None => None,
    };
    rows::list(db, &query, only.as_deref(), page).await
}

/// A company as `caller` may see it: a key bound to a user sees only the companies that user
/// administers.
pub async fn get_visible(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<Company, AppError> {
    if let Some(delegate) = delegation::of(db, caller).await? {
        delegate.require(db, [(id, false)]).await?;
    }
    get(db, id).await
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Company>, AppError> {
    rows::find(db, id).await
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Company, AppError> {
    find(db, id).await?.ok_or_else(AppError::company_not_found)
}

/// A branch (with `parent_id`) is at most [`MAX_DEPTH`] levels down.
pub async fn create(
    store: &Store,
    caller: &Caller,
    request: CreateCompany,
) -> Result<Company, AppError> {
    let actor = caller.actor();
    let now = Utc::now();
    let id = Uuid::new_v4();
    let model = company::ActiveModel {
        id: Set(id),
        name: Set(request.name.as_str().to_owned()),
        name_key: Set(names::fold(request.name.as_str())),
        created_at: Set(now),
        modified_at: Set(now),
        parent_id: Set(request.parent_id),
    };
    if let Some(delegate) = delegation::of(&store.db, caller).await? {
        let Some(parent) = request.parent_id else {
            return Err(AppError::OutOfReach(format!(
                "A top-level company is beyond the companies {} administers: create it as a branch \
                 (parent_id) of one they administer with its branches",
                delegate.username
            )));
        };
        delegate.require(&store.db, [(parent, true)]).await?;
    }
    let mut work = store.begin(actor).await?;
    if let Some(parent) = request.parent_id {
        lock_tree(work.db()).await?;
        check_move(work.db(), id, parent).await?;
    }
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
/// Moving (`parent_id`) changes who reaches the company and every branch below it through grants that
/// include branches: all of them are forgotten by every cache, in the same commit.
pub async fn update(
    store: &Store,
    caller: &Caller,
    id: Uuid,
    request: UpdateCompany,
) -> Result<Company, AppError> {
    let actor = caller.actor();
    if let Some(delegate) = delegation::of(&store.db, caller).await? {
        // Moving a company moves the access of everyone who reaches it and its branches.
        let new_parent = match request.parent_id {
            Some(None) => {
                return Err(AppError::OutOfReach(format!(
                    "A top-level company is beyond the companies {} administers: move it under one \
                     they administer with its branches instead",
                    delegate.username
                )));
            }
            Some(Some(parent)) => Some((parent, true)),
            None => None,
        };
        let moving = new_parent.is_some();
        let wanted = std::iter::once((id, moving)).chain(new_parent);
        delegate.require(&store.db, wanted).await?;
    }
    let mut work = store.begin(actor).await?;
    let before = get(work.db(), id).await?;
    let name = request.name.filter(|name| name.as_str() != before.name);
    let parent = request
        .parent_id
        .filter(|parent| *parent != before.parent_id);
    // Nothing to change: no write, no audit row, and `modified_at` keeps saying when it last changed.
    if name.is_none() && parent.is_none() {
        return Ok(before);
    }
    if let Some(Some(parent)) = parent {
        lock_tree(work.db()).await?;
        check_move(work.db(), id, parent).await?;
    }
    let model = company::Entity::find_by_id(id)
        .one(work.db())
        .await?
        .ok_or_else(AppError::company_not_found)?;
    let mut active: company::ActiveModel = model.into();
    if let Some(name) = &name {
        active.name = Set(name.as_str().to_owned());
        active.name_key = Set(names::fold(name.as_str()));
    }
    if let Some(parent) = parent {
        active.parent_id = Set(parent);
    }
    active.modified_at = Set(Utc::now());
    let taken = name.as_ref().map_or("", |name| name.as_str()).to_owned();
    active
        .update(work.db())
        .await
        .on_constraint(&[Constraint::CompanyName], &taken)?;
    let after = get(work.db(), id).await?;
    work.record(
        Change::new(AuditAction::CompanyUpdate)
            .company(id)
            .before(&before)
            .after(&after),
    );
    if parent.is_some() {
        work.touch(subtree(work.db(), id).await?);
    }
    work.commit().await?;
    Ok(after)
}

/// The company and every branch below it, as a change: their ancestors are what moved.
async fn subtree(db: &impl ConnectionTrait, id: Uuid) -> Result<Changes, AppError> {
    let mut companies: Vec<Uuid> = hierarchy::descendants(db, id)
        .await?
        .into_iter()
        .map(|(branch, _)| branch)
        .collect();
    companies.push(id);
    Ok(Changes {
        companies,
        ..Changes::default()
    })
}

/// Tree changes are made one at a time, so two concurrent moves cannot close a cycle between them.
/// SQLite has one writer already; PostgreSQL takes a transaction-scoped advisory lock.
async fn lock_tree(db: &impl ConnectionTrait) -> Result<(), AppError> {
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        db.execute_unprepared("SELECT pg_advisory_xact_lock(7460105537213221)")
            .await?;
    }
    Ok(())
}

/// Whether `id` (with whatever is below it) may hang under `parent`: the parent exists, is neither
/// the company nor one of its branches, and the tree stays within [`MAX_DEPTH`] levels.
async fn check_move(db: &impl ConnectionTrait, id: Uuid, parent: Uuid) -> Result<(), AppError> {
    let Some(parent_company) = find(db, parent).await? else {
        return Err(AppError::NotFound {
            code: ProblemCode::CompanyNotFound,
            detail: format!("Parent company not found: no company has the id {parent}"),
        });
    };
    let below = hierarchy::descendants(db, id).await?;
    if parent == id || below.iter().any(|(branch, _)| *branch == parent) {
        return Err(AppError::Conflict {
            code: ProblemCode::HierarchyCycle,
            detail: format!(
                "{} cannot be placed under {}: {} is the company itself or one of its branches",
                company_name(db, id).await?,
                parent_company.name,
                parent_company.name
            ),
        });
    }
    let parent_depth = hierarchy::ancestors(db, &[parent])
        .await?
        .remove(&parent)
        .map_or(1, |up| up.len() + 1);
    let height = below.iter().map(|(_, depth)| *depth).max().unwrap_or(0) + 1;
    if parent_depth + height > MAX_DEPTH {
        return Err(AppError::Conflict {
            code: ProblemCode::HierarchyTooDeep,
            detail: format!(
                "placed under {} the tree would be {} levels deep; at most {MAX_DEPTH} are allowed",
                parent_company.name,
                parent_depth + height
            ),
        });
    }
    Ok(())
}

/// The company's name for a message; a company being created has none stored yet.
async fn company_name(db: &impl ConnectionTrait, id: Uuid) -> Result<String, AppError> {
    Ok(find(db, id)
        .await?
        .map_or_else(|| "The new company".to_owned(), |company| company.name))
}

/// Deletes the company; grants of it go too (ON DELETE CASCADE) and home companies pointing at it are cleared.
/// Its branches become top-level (ON DELETE SET NULL): they and everything below them are forgotten
/// by every cache, since what reached them through the deleted company no longer does.
/// Every grant removed and every branch made top-level is written to the audit and the change stream
/// as its own row, as if revoked or moved by hand, so that a reader of either sees each access change.
pub async fn delete(store: &Store, caller: &Caller, id: Uuid) -> Result<(), AppError> {
    let actor = caller.actor();
    let delegate = delegation::of(&store.db, caller).await?;
    if let Some(delegate) = &delegate {
        delegate.require(&store.db, [(id, true)]).await?;
    }
    let mut work = store.begin(actor).await?;
    let before = get(work.db(), id).await?;
    lock_tree(work.db()).await?;
    let branches = rows::branches_of(work.db(), id).await?;
    if let (Some(delegate), Some(first)) = (&delegate, branches.first()) {
        // Its branches would become top-level companies, which only an unbound key may make.
        return Err(AppError::OutOfReach(format!(
            "Deleting '{}' ({id}) would make its {} top-level companies, beyond the companies {} \
             administers: move or delete its branches first",
            before.name,
            match branches.len() {
                1 => format!("branch '{}'", first.name),
                n => format!("{n} branches ('{}' and others)", first.name),
            },
            delegate.username
        )));
    }
    let grantees = rows::grantees_of(work.db(), id).await?;
    let grants = grants_of_pairs(work.db(), &grantees, &[id]).await?;
    let moved = subtree(work.db(), id).await?;
    company::Entity::delete_by_id(id).exec(work.db()).await?;
    for (user_id, grant) in &grants {
        work.record(
            Change::new(AuditAction::AccessRevoke)
                .user(*user_id)
                .company(id)
                .before(grant),
        );
    }
    for branch in &branches {
        let after = Company {
            parent_id: None,
            ..branch.clone()
        };
        work.record(
            Change::new(AuditAction::CompanyUpdate)
                .company(branch.id)
                .before(branch)
                .after(&after),
        );
    }
    work.record(
        Change::new(AuditAction::CompanyDelete)
            .company(id)
            .before(&before),
    );
    // The users' cached grants of the company need no forgetting: a company that no longer exists
    // decides the check before any grant is looked at.
    work.touch(moved);
    work.commit().await
}

/// Everyone who may act in the company: explicit grants, and super admins through their role.
pub async fn members(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    query: ListMembersQuery,
) -> Result<CompanyMembers, AppError> {
    let page = PageRequest::parse(query.limit, query.offset)?;
    if let Some(delegate) = delegation::of(db, caller).await? {
        delegate.require(db, [(id, false)]).await?;
    }
    let company = get(db, id).await?;
    let filter = members::MemberFilter {
        q: query.q.as_deref(),
        role: query.role,
        source: query.source,
        sort: query.sort,
        order: query.order,
    };
    members::members(db, company, &filter, page).await
}
