//! Users as the API shows them (with home company name and company count): reading one, and the
//! filtered, paged list with case-insensitive search (usernames are ASCII, so `lower()` folds them on
//! both databases; full names are matched by their key, `names::fold`).

use crate::db::grants::grant_count;
use crate::db::sql::{like_pattern, search_key};
use crate::db::stored;
use crate::error::AppError;
use crate::paging::PageRequest;
use chrono::{DateTime, Utc};
use entity::{company, user, user_company_access as access};
use openapi::users::{ListUsersQuery, User, UserPage};
use openapi::{Role, Username};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, JoinType,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait, Select,
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

/// How many companies the user has been granted.
fn company_count() -> Expr {
    grant_count(access::Column::UserId, (user::Entity, user::Column::Id))
}

/// Users with their home company's name and how many companies they have.
fn select_users() -> Select<user::Entity> {
    user::Entity::find()
        .select_only()
        .columns([
            user::Column::Id,
            user::Column::Username,
            user::Column::FullName,
            user::Column::Email,
            user::Column::Role,
            user::Column::IsActive,
            user::Column::HomeCompanyId,
            user::Column::CreatedAt,
            user::Column::ModifiedAt,
        ])
        .column_as(company::Column::Name, "home_company_name")
        .expr_as(company_count(), "company_count")
        .join(JoinType::LeftJoin, user::Relation::HomeCompany.def())
}

fn lower(column: user::Column) -> Expr {
    Func::lower(Expr::col((user::Entity, column))).into()
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
            home_company_name: self.home_company_name,
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
    let mut filter = Condition::all();
    if let Some(key) = query.q.as_deref().and_then(search_key) {
        let pattern = || LikeExpr::new(like_pattern(&key)).escape('\\');
        filter = filter.add(
            Condition::any()
                .add(lower(user::Column::Username).like(pattern()))
                .add(user::Column::FullNameKey.like(pattern())),
        );
    }
    if let Some(username) = query
        .username
        .as_deref()
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        filter = filter.add(lower(user::Column::Username).eq(username.to_lowercase()));
    }
    if let Some(role) = query.role {
        filter = filter.add(user::Column::Role.eq(role.as_str()));
    }
    if let Some(min) = query.min_companies.filter(|min| *min > 0) {
        filter = filter.add(company_count().gte(i64::from(min)));
    }
    let total = user::Entity::find()
        .filter(filter.clone())
        .count(db)
        .await?;
    let items = select_users()
        .filter(filter)
        .order_by_asc(user::Column::Id)
        .limit(page.limit)
        .offset(page.offset)
        .into_model::<UserRow>()
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
    select_users()
        .filter(user::Column::Id.eq(id))
        .into_model::<UserRow>()
        .one(db)
        .await?
        .map(UserRow::into_user)
        .transpose()
}
