//! Users and their employee profile.

use crate::cache::Changes;
use crate::db::like_pattern;
use crate::error::AppError;
use crate::services::access::{self, GrantDefault};
use crate::services::audit::{self, Change};
use crate::services::{PageRequest, Sql};
use crate::store::Store;
use chrono::{DateTime, Utc};
use entity::{company, user};
use openapi::audit::AuditAction;
use openapi::users::{CreateUser, ListUsersQuery, UpdateUser, User, UserPage};
use openapi::{CompanyName, ProblemCode, Role, Username};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    SqlErr,
};
use uuid::Uuid;

#[derive(Debug, FromQueryResult)]
struct UserRow {
    id: i32,
    username: String,
    full_name: String,
    email: Option<String>,
    role: String,
    is_active: bool,
    home_company_id: Option<Uuid>,
    home_company_name: Option<String>,
    company_count: i64,
    created_at: DateTime<Utc>,
    modified_at: DateTime<Utc>,
}

const SELECT_USERS: &str = "SELECT u.id, u.username, u.full_name, u.email, u.role, u.is_active, \
     u.home_company_id, c.name AS home_company_name, \
     (SELECT count(*) FROM hrm_user_company_access a WHERE a.user_id = u.id) AS company_count, \
     u.created_at, u.modified_at \
     FROM hrm_users u LEFT JOIN hrm_company c ON c.id = u.home_company_id";

pub(crate) fn stored<T, E: std::fmt::Display>(
    what: &str,
    parsed: Result<T, E>,
) -> Result<T, AppError> {
    parsed.map_err(|error| AppError::Internal(format!("stored {what} is invalid: {error}")))
}

impl UserRow {
    fn into_user(self) -> Result<User, AppError> {
        Ok(User {
            id: self.id,
            username: stored("username", Username::parse(self.username))?,
            full_name: self.full_name,
            email: self.email,
            role: stored("role", self.role.parse::<Role>())?,
            is_active: self.is_active,
            home_company_id: self.home_company_id,
            home_company_name: self
                .home_company_name
                .map(|name| stored("company name", CompanyName::parse(name)))
                .transpose()?,
            company_count: self.company_count,
            created_at: self.created_at,
            modified_at: self.modified_at,
        })
    }
}

pub async fn list(db: &impl ConnectionTrait, query: ListUsersQuery) -> Result<UserPage, AppError> {
    let page = PageRequest::parse(query.limit, query.offset)?;
    let backend = db.get_database_backend();
    let mut filter = Sql::new(backend, " WHERE 1 = 1");
    if let Some(text) = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
    {
        let pattern = filter.bind(like_pattern(text));
        filter.push(&format!(
            " AND (lower(u.username) LIKE {pattern} ESCAPE '\\' OR lower(u.full_name) LIKE {pattern} ESCAPE '\\')"
        ));
    }
    if let Some(username) = query
        .username
        .as_deref()
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        let name = filter.bind(username.to_lowercase());
        filter.push(&format!(" AND lower(u.username) = {name}"));
    }
    if let Some(role) = query.role {
        let role = filter.bind(role.as_str());
        filter.push(&format!(" AND u.role = {role}"));
    }
    if let Some(min) = query.min_companies.filter(|min| *min > 0) {
        let min = filter.bind(i64::from(min));
        filter.push(&format!(
            " AND (SELECT count(*) FROM hrm_user_company_access a WHERE a.user_id = u.id) >= {min}"
        ));
    }
    let where_clause = filter.statement();
    let mut count = Sql::new(backend, "SELECT count(*) AS total FROM hrm_users u");
    let mut rows = Sql::new(backend, SELECT_USERS);
    for sql in [&mut count, &mut rows] {
        sql.push(&where_clause.sql);
        for value in where_clause
            .values
            .iter()
            .flat_map(|values| values.0.iter())
        {
            sql.bind(value.clone());
        }
    }
    let limit = rows.bind(page.limit as i64);
    let offset = rows.bind(page.offset as i64);
    rows.push(&format!(" ORDER BY u.id LIMIT {limit} OFFSET {offset}"));
    let total = count_rows(db, count).await?;
    let items = UserRow::find_by_statement(rows.statement())
        .all(db)
        .await?
        .into_iter()
        .map(UserRow::into_user)
        .collect::<Result<_, _>>()?;
    Ok(UserPage {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

pub(crate) async fn count_rows(db: &impl ConnectionTrait, sql: Sql) -> Result<u64, AppError> {
    #[derive(FromQueryResult)]
    struct Total {
        total: i64,
    }
    let total = Total::find_by_statement(sql.statement())
        .one(db)
        .await?
        .map_or(0, |t| t.total);
    Ok(u64::try_from(total).unwrap_or(0))
}

/// The user as the API shows it, or `None`.
pub async fn find(db: &impl ConnectionTrait, id: i32) -> Result<Option<User>, AppError> {
    let mut sql = Sql::new(db.get_database_backend(), SELECT_USERS);
    let id = sql.bind(id);
    sql.push(&format!(" WHERE u.id = {id}"));
    UserRow::find_by_statement(sql.statement())
        .one(db)
        .await?
        .map(UserRow::into_user)
        .transpose()
}

pub async fn get(db: &impl ConnectionTrait, id: i32) -> Result<User, AppError> {
    find(db, id).await?.ok_or_else(AppError::user_not_found)
}

fn username_taken(username: &Username) -> AppError {
    AppError::Conflict {
        code: ProblemCode::UsernameTaken,
        detail: format!("Username '{username}' is already taken"),
    }
}

fn map_write_error(error: DbErr, username: &Username) -> AppError {
    match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => username_taken(username),
        // The home company was deleted between our check and the write.
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => AppError::company_not_found(),
        _ => AppError::Database(error),
    }
}

async fn ensure_company_exists(db: &impl ConnectionTrait, id: Uuid) -> Result<(), AppError> {
    match company::Entity::find_by_id(id).one(db).await? {
        Some(_) => Ok(()),
        None => Err(AppError::NotFound {
            code: ProblemCode::CompanyNotFound,
            detail: format!("Company not found: home_company_id {id}"),
        }),
    }
}

pub async fn create(store: &Store, actor: &str, request: CreateUser) -> Result<User, AppError> {
    let txn = store.begin_write().await?;
    if let Some(company_id) = request.home_company_id {
        ensure_company_exists(&txn, company_id).await?;
    }
    let now = Utc::now();
    let model = user::ActiveModel {
        username: Set(request.username.as_str().to_owned()),
        full_name: Set(request.full_name.map(String::from).unwrap_or_default()),
        email: Set(request.email.map(String::from)),
        role: Set(request.role.unwrap_or(Role::Employee).as_str().to_owned()),
        is_active: Set(request.is_active.unwrap_or(true)),
        home_company_id: Set(request.home_company_id),
        created_at: Set(now),
        modified_at: Set(now),
        ..Default::default()
    };
    let inserted = model
        .insert(&txn)
        .await
        .map_err(|error| map_write_error(error, &request.username))?;
    if let Some(company_id) = request.home_company_id {
        access::insert_grant(
            &txn,
            actor,
            inserted.id,
            company_id,
            GrantDefault::IfUserHasNone,
        )
        .await?;
    }
    let created = get(&txn, inserted.id).await?;
    audit::record(
        &txn,
        Change::new(actor, AuditAction::UserCreate)
            .user(created.id)
            .after(&created),
    )
    .await?;
    store.commit(txn, Changes::user(created.id)).await?;
    Ok(created)
}

pub async fn update(
    store: &Store,
    actor: &str,
    id: i32,
    request: UpdateUser,
) -> Result<User, AppError> {
    let txn = store.begin_write().await?;
    access::lock_user(&txn, id)
        .await?
        .ok_or_else(AppError::user_not_found)?;
    let before = get(&txn, id).await?;
    let model = user::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(AppError::user_not_found)?;
    let mut active: user::ActiveModel = model.into();
    let username = request
        .username
        .clone()
        .unwrap_or_else(|| before.username.clone());
    if let Some(name) = request.username {
        active.username = Set(name.into());
    }
    if let Some(full_name) = request.full_name {
        active.full_name = Set(full_name.into());
    }
    if let Some(email) = request.email {
        active.email = Set(email.map(String::from));
    }
    if let Some(role) = request.role {
        active.role = Set(role.as_str().to_owned());
    }
    if let Some(is_active) = request.is_active {
        active.is_active = Set(is_active);
    }
    let new_home = request.home_company_id.flatten();
    if let Some(home) = request.home_company_id {
        if let Some(company_id) = home {
            ensure_company_exists(&txn, company_id).await?;
        }
        active.home_company_id = Set(home);
    }
    active.modified_at = Set(Utc::now());
    active
        .update(&txn)
        .await
        .map_err(|error| map_write_error(error, &username))?;
    if let Some(company_id) = new_home.filter(|company| before.home_company_id != Some(*company)) {
        access::insert_grant(&txn, actor, id, company_id, GrantDefault::IfUserHasNone).await?;
    }
    let after = get(&txn, id).await?;
    audit::record(
        &txn,
        Change::new(actor, AuditAction::UserUpdate)
            .user(id)
            .before(&before)
            .after(&after),
    )
    .await?;
    store.commit(txn, Changes::user(id)).await?;
    Ok(after)
}

/// Deletes the user; their grants go with them (ON DELETE CASCADE), and the audit row keeps what they had.
pub async fn delete(store: &Store, actor: &str, id: i32) -> Result<(), AppError> {
    let txn = store.begin_write().await?;
    access::lock_user(&txn, id)
        .await?
        .ok_or_else(AppError::user_not_found)?;
    let before = get(&txn, id).await?;
    let companies = access::granted_company_ids(&txn, id).await?;
    user::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        Change::new(actor, AuditAction::UserDelete)
            .user(id)
            .before(serde_json::json!({ "user": before, "company_ids": companies })),
    )
    .await?;
    store.commit(txn, Changes::user(id)).await?;
    Ok(())
}
