//! Users as the API shows them (with home company name and company count): reading one, and the
//! filtered, paged list with case-insensitive search.

use crate::db::sql::{Sql, count_rows, like_pattern};
use crate::db::stored;
use crate::error::AppError;
use crate::paging::PageRequest;
use chrono::{DateTime, Utc};
use openapi::users::{ListUsersQuery, User, UserPage};
use openapi::{CompanyName, Role, Username};
use sea_orm::{ConnectionTrait, FromQueryResult};
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

/// One page of the users matching the query (search, exact username, role, least company count), by id.
pub async fn list(
    db: &impl ConnectionTrait,
    query: &ListUsersQuery,
    page: PageRequest,
) -> Result<UserPage, AppError> {
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
