//! Users as the API shows them (with home company name and company count): reading one, and the
//! filtered, paged list with case-insensitive search (usernames are ASCII, so `lower()` folds them on
//! both databases; full names are matched by their key, `names::fold`).

use crate::db::grants::grant_count_among;
use crate::db::sql::{like_pattern, like_prefix, search_key};
use crate::db::stored;
use crate::error::AppError;
use crate::paging::PageRequest;
use chrono::{DateTime, Utc};
use entity::{company, user, user_company_access as access};
use openapi::users::{ListUsersQuery, SortOrder, User, UserPage, UserSort};
use openapi::{Role, Username};
use sea_orm::Order;
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

/// The companies whose grants a reader may count: `None`, every company; else only these (a
/// delegated key's, which may not learn of grants beyond its reach).
pub type Counted<'a> = Option<&'a [Uuid]>;

/// How many companies the user has been granted, among the `counted` ones.
fn company_count(counted: Counted<'_>) -> Expr {
    grant_count_among(
        access::Column::UserId,
        (user::Entity, user::Column::Id),
        counted,
    )
}

/// Users with their home company's name and how many companies they have.
fn select_users(counted: Counted<'_>) -> Select<user::Entity> {
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
        .expr_as(company_count(counted), "company_count")
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

/// What `q` asks for: its folded words, each to be found in the username or the full name, and the id
/// it names when it is a number.
struct Search {
    key: String,
    id: Option<i32>,
}

impl Search {
    fn parse(q: Option<&str>) -> Option<Search> {
        let key = search_key(q?)?;
        let id = key.parse::<i32>().ok().filter(|id| *id > 0);
        Some(Search { key, id })
    }

    /// Every word in the username or the full name, in any order; or the id.
    fn filter(&self) -> Condition {
        let words = self.key.split(' ').fold(Condition::all(), |all, word| {
            let pattern = || LikeExpr::new(like_pattern(word)).escape('\\');
            all.add(
                Condition::any()
                    .add(lower(user::Column::Username).like(pattern()))
                    .add(user::Column::FullNameKey.like(pattern())),
            )
        });
        match self.id {
            Some(id) => Condition::any().add(user::Column::Id.eq(id)).add(words),
            None => words,
        }
    }

    /// 0 for the id or the exact username, 1 for a username or full name that starts with the text, 2
    /// for the rest.
    fn rank(&self) -> Expr {
        let prefix = || LikeExpr::new(like_prefix(&self.key)).escape('\\');
        let mut exact = Condition::any().add(lower(user::Column::Username).eq(self.key.as_str()));
        if let Some(id) = self.id {
            exact = exact.add(user::Column::Id.eq(id));
        }
        Expr::case(exact, 0)
            .case(
                Condition::any()
                    .add(lower(user::Column::Username).like(prefix()))
                    .add(user::Column::FullNameKey.like(prefix())),
                1,
            )
            .finally(2)
            .into()
    }
}

/// The column or expression a [`UserSort`] orders by.
fn sort_key(sort: UserSort, counted: Counted<'_>) -> Expr {
    match sort {
        UserSort::Id => Expr::col((user::Entity, user::Column::Id)),
        UserSort::Username => lower(user::Column::Username),
        UserSort::FullName => Expr::col((user::Entity, user::Column::FullNameKey)),
        UserSort::CompanyCount => company_count(counted),
        UserSort::Created => Expr::col((user::Entity, user::Column::CreatedAt)),
    }
}

/// One page of the users matching the query (search, exact username, role, activity, company, least
/// company count), in the order asked for: by relevance for a search without `sort`, else by id.
/// Company counts are of the `counted` companies.
pub async fn list(
    db: &impl ConnectionTrait,
    query: &ListUsersQuery,
    page: PageRequest,
    counted: Counted<'_>,
) -> Result<UserPage, AppError> {
    let mut filter = Condition::all();
    let search = Search::parse(query.q.as_deref());
    if let Some(search) = &search {
        filter = filter.add(search.filter());
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
    if let Some(active) = query.is_active {
        filter = filter.add(user::Column::IsActive.eq(active));
    }
    if let Some(company_id) = query.company_id {
        filter = filter.add(
            user::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(access::Column::UserId)
                    .from(access::Entity)
                    .and_where(access::Column::CompanyId.eq(company_id))
                    .to_owned(),
            ),
        );
    }
    if let Some(min) = query.min_companies.filter(|min| *min > 0) {
        filter = filter.add(company_count(counted).gte(i64::from(min)));
    }
    let direction = match query.order {
        Some(SortOrder::Desc) => Order::Desc,
        _ => Order::Asc,
    };
    let total = user::Entity::find()
        .filter(filter.clone())
        .count(db)
        .await?;
    let items = select_users(counted).filter(filter);
    let ordered = match (query.sort, &search) {
        (Some(sort), _) => items.order_by(sort_key(sort, counted), direction),
        (None, Some(search)) => items
            .order_by(search.rank(), Order::Asc)
            .order_by(lower(user::Column::Username), Order::Asc),
        (None, None) => items.order_by(sort_key(UserSort::Id, counted), direction),
    };
    let items = ordered
        .order_by(user::Column::Id, Order::Asc)
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

/// The user as the API shows it, its company count of the `counted` companies, or `None`.
pub async fn find(
    db: &impl ConnectionTrait,
    id: i32,
    counted: Counted<'_>,
) -> Result<Option<User>, AppError> {
    select_users(counted)
        .filter(user::Column::Id.eq(id))
        .into_model::<UserRow>()
        .one(db)
        .await?
        .map(UserRow::into_user)
        .transpose()
}
