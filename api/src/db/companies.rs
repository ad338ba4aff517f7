//! Companies as the API shows them (with user count): reading one, the filtered list, and the access
//! review of who may act in a company (hand-written: two index-driven branches in one UNION ALL, so a
//! review stays fast however many users there are).

use crate::db::grants::{grant_count, held_role};
use crate::db::sql::{Sql, count_rows, like_pattern, search_key};
use crate::db::stored;
use crate::error::AppError;
use crate::paging::PageRequest;
use chrono::{DateTime, Utc};
use entity::{company, user_company_access as access};
use openapi::companies::{
    AccessSource, Company, CompanyMember, CompanyMembers, CompanyPage, CompanySort,
    ListCompaniesQuery,
};
use openapi::terms::{GrantRole, Window};
use openapi::{Role, Username};
use sea_orm::sea_query::LikeExpr;
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
    created_at: DateTime<Utc>,
    modified_at: DateTime<Utc>,
}

impl CompanyRow {
    fn into_company(self) -> Result<Company, AppError> {
        Ok(Company {
            id: self.id,
            name: self.name,
            user_count: self.user_count,
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

/// One page of the companies matching the query (search, exact name), in the order asked.
pub async fn list(
    db: &impl ConnectionTrait,
    query: &ListCompaniesQuery,
    page: PageRequest,
) -> Result<CompanyPage, AppError> {
    let by_name = query.sort == Some(CompanySort::Name);
    let mut filter = Condition::all();
    if let Some(key) = query.q.as_deref().and_then(search_key) {
        filter = filter
            .add(company::Column::NameKey.like(LikeExpr::new(like_pattern(&key)).escape('\\')));
    }
    if let Some(key) = query.name.as_deref().and_then(search_key) {
        filter = filter.add(company::Column::NameKey.eq(key));
    }
    let total = company::Entity::find()
        .filter(filter.clone())
        .count(db)
        .await?;
    let mut rows = select_companies().filter(filter);
    rows = if by_name {
        rows.order_by_asc(company::Column::NameKey)
    } else {
        rows.order_by_asc(company::Column::CreatedAt)
    };
    let items = rows
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

#[derive(Debug, FromQueryResult)]
struct MemberRow {
    user_id: i32,
    username: String,
    full_name: String,
    role: String,
    is_active: bool,
    granted: bool,
    is_default: bool,
    granted_at: Option<DateTime<Utc>>,
    granted_by: Option<String>,
    granted_role: Option<String>,
    valid_from: Option<DateTime<Utc>>,
    valid_until: Option<DateTime<Utc>>,
}

/// Everyone who may act in the company, now or (`scheduled`) later: explicit grants, and super admins through their role.
pub async fn members(
    db: &impl ConnectionTrait,
    company: Company,
    page: PageRequest,
) -> Result<CompanyMembers, AppError> {
    let id = company.id;
    let backend = db.get_database_backend();
    // Grants of the company, then super admins without one: two index-driven branches, so an access
    // review stays fast however many users the system has.
    // Expired grants are left out: they give no access, and an access review lists who has some.
    let now = Utc::now();
    let members = |sql: &mut Sql| {
        let company = sql.bind(id);
        let now = sql.bind(now);
        let role = sql.bind(Role::SuperAdmin.as_str());
        sql.push(&format!(
            " FROM (SELECT u.id AS user_id, u.username, u.full_name, u.role, u.is_active, \
                 true AS granted, a.is_default, a.created_at AS granted_at, a.granted_by, \
                 a.role AS granted_role, a.valid_from, a.valid_until \
               FROM hrm_user_company_access a JOIN hrm_users u ON u.id = a.user_id \
               WHERE a.company_id = {company} AND (a.valid_until IS NULL OR a.valid_until > {now}) \
             UNION ALL \
             SELECT u.id, u.username, u.full_name, u.role, u.is_active, false, false, NULL, NULL, \
                 NULL, NULL, NULL \
               FROM hrm_users u WHERE u.role = {role} AND NOT EXISTS \
                 (SELECT 1 FROM hrm_user_company_access a \
                  WHERE a.user_id = u.id AND a.company_id = {company})) members"
        ));
    };
    let mut count = Sql::new(backend, "SELECT count(*) AS total");
    members(&mut count);
    let mut rows = Sql::new(
        backend,
        "SELECT user_id, username, full_name, role, is_active, granted, is_default, granted_at, \
         granted_by, granted_role, valid_from, valid_until",
    );
    members(&mut rows);
    let limit = rows.bind(page.limit as i64);
    let offset = rows.bind(page.offset as i64);
    rows.push(&format!(" ORDER BY user_id LIMIT {limit} OFFSET {offset}"));
    let total = count_rows(db, count).await?;
    let items = MemberRow::find_by_statement(rows.statement())
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            let role = stored("role", row.role.parse::<Role>())?;
            let granted_role = row
                .granted_role
                .as_deref()
                .map(|text| stored("grant role", text.parse::<GrantRole>()))
                .transpose()?;
            let window = Window {
                valid_from: row.valid_from,
                valid_until: row.valid_until,
            };
            Ok(CompanyMember {
                user_id: row.user_id,
                username: stored("username", Username::parse(row.username))?,
                full_name: row.full_name,
                role,
                role_here: held_role(role, granted_role),
                granted_role,
                valid_from: row.valid_from,
                valid_until: row.valid_until,
                state: window.state_at(now),
                is_active: row.is_active,
                source: if row.granted {
                    AccessSource::Grant
                } else {
                    AccessSource::SuperAdmin
                },
                is_default: row.is_default,
                granted_at: row.granted_at,
                granted_by: row.granted_by,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(CompanyMembers {
        company,
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}
