//! Companies as the API shows them (with user count and parent): reading one, and the filtered list.
//! Who may act in a company is `db::members`.

use crate::db::grants::grant_count;
use crate::db::sql::{like_pattern, search_key};
use crate::error::AppError;
use crate::paging::PageRequest;
use chrono::{DateTime, Utc};
use entity::{company, user_company_access as access};
use openapi::companies::{Company, CompanyPage, CompanySort, ListCompaniesQuery};
use openapi::users::SortOrder;
use sea_orm::sea_query::{LikeExpr, Order};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

#[derive(Debug, FromQueryResult)]
struct CompanyRow {
    id: Uuid,
    name: String,
    user_count: i64,
    parent_id: Option<Uuid>,
    created_at: DateTime<Utc>,
    modified_at: DateTime<Utc>,
}

impl CompanyRow {
    fn into_company(self) -> Result<Company, AppError> {
        Ok(Company {
            id: self.id,
            name: self.name,
            user_count: self.user_count,
            parent_id: self.parent_id,
            created_at: self.created_at,
            modified_at: self.modified_at,
        })
    }
}

/// Companies with how many users hold a grant of each.
fn select_companies() -> Select<company::Entity> {
    company::Entity::find()
        .select_only()
        .columns([
            company::Column::Id,
            company::Column::Name,
            company::Column::ParentId,
            company::Column::CreatedAt,
            company::Column::ModifiedAt,
        ])
        .expr_as(
            grant_count(
                access::Column::CompanyId,
                (company::Entity, company::Column::Id),
            ),
            "user_count",
        )
}

/// One page of the companies matching the query (search, exact name), among `only` when given, in the
/// order asked.
pub async fn list(
    db: &impl ConnectionTrait,
    query: &ListCompaniesQuery,
    only: Option<&[Uuid]>,
    page: PageRequest,
) -> Result<CompanyPage, AppError> {
    let by_name = query.sort == Some(CompanySort::Name);
    let mut filter = Condition::all();
    if let Some(ids) = only {
        filter = filter.add(company::Column::Id.is_in(ids.iter().copied()));
    }
    if let Some(key) = query.q.as_deref().and_then(search_key) {
        filter = filter
            .add(company::Column::NameKey.like(LikeExpr::new(like_pattern(&key)).escape('\\')));
    }
    if let Some(key) = query.name.as_deref().and_then(search_key) {
        filter = filter.add(company::Column::NameKey.eq(key));
    }
    if let Some(parent) = query.parent_id {
        filter = filter.add(company::Column::ParentId.eq(parent));
    }
    let total = company::Entity::find()
        .filter(filter.clone())
        .count(db)
        .await?;
    let direction = match query.order {
        Some(SortOrder::Desc) => Order::Desc,
        _ => Order::Asc,
    };
    let sort_column = if by_name {
        company::Column::NameKey
    } else {
        company::Column::CreatedAt
    };
    let items = select_companies()
        .filter(filter)
        .order_by(sort_column, direction)
        .order_by_asc(company::Column::Id)
        .limit(page.limit)
        .offset(page.offset)
        .into_model::<CompanyRow>()
        .all(db)
        .await?
        .into_iter()
        .map(CompanyRow::into_company)
        .collect::<Result<_, _>>()?;
    Ok(CompanyPage {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Company>, AppError> {
    select_companies()
        .filter(company::Column::Id.eq(id))
        .into_model::<CompanyRow>()
        .one(db)
        .await?
        .map(CompanyRow::into_company)
        .transpose()
}

/// The direct branches of a company, as the API shows them: what its deletion makes top-level.
pub async fn branches_of(db: &impl ConnectionTrait, id: Uuid) -> Result<Vec<Company>, AppError> {
    select_companies()
        .filter(company::Column::ParentId.eq(id))
        .order_by_asc(company::Column::Id)
        .into_model::<CompanyRow>()
        .all(db)
        .await?
        .into_iter()
        .map(CompanyRow::into_company)
        .collect()
}

/// The users holding a grant of the company, in id order.
pub async fn grantees_of(db: &impl ConnectionTrait, id: Uuid) -> Result<Vec<i32>, AppError> {
    Ok(access::Entity::find()
        .select_only()
        .column(access::Column::UserId)
        .filter(access::Column::CompanyId.eq(id))
        .order_by_asc(access::Column::UserId)
        .into_tuple::<i32>()
        .all(db)
        .await?)
}
