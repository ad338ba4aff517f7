//! The grant statements: inserting grants set-based, the default company, reading grants back, and removing
//! them. Inserts are hand-written (`INSERT … SELECT` with a random UUID per row, `ON CONFLICT DO NOTHING`);
//! the rest use SeaORM's query builder.

use crate::db::constraint::{Constraint, OnConstraint};
use crate::db::sql::{Sql, random_uuid_sql};
use crate::db::stored;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use entity::user_company_access as access;
use openapi::CompanyName;
use openapi::access::{MAX_IDS_PER_REQUEST, UserCompany};
use openapi::companies::AccessSource;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, sea_query::Expr,
};
use uuid::Uuid;

/// Columns written by every grant, in this order.
pub const GRANT_COLUMNS: &str = "INSERT INTO hrm_user_company_access \
     (id, user_id, company_id, is_default, granted_by, created_at, modified_at) ";

/// Inserts grants of `company_ids` to the user in one statement; pairs that exist are left alone.
/// Returns how many rows were added.
pub async fn insert_grants(
    db: &impl ConnectionTrait,
    actor: &str,
    user_id: i32,
    company_ids: &[Uuid],
) -> Result<u64, AppError> {
    let backend = db.get_database_backend();
    let mut added = 0;
    for chunk in company_ids.chunks(MAX_IDS_PER_REQUEST) {
        let mut sql = Sql::new(backend, GRANT_COLUMNS);
        let user = sql.bind(user_id);
        let actor = sql.bind(actor);
        let now = sql.bind(Utc::now());
        sql.push(&format!(
            "SELECT {}, {user}, c.id, false, {actor}, {now}, {now} FROM hrm_company c WHERE c.id IN ",
            random_uuid_sql(backend)
        ));
        let list = sql.bind_list(chunk.iter().copied());
        sql.push(&list)
            .push(" ON CONFLICT (user_id, company_id) DO NOTHING");
        added += db
            .execute_raw(sql.statement())
            .await
            .on_constraint(&[Constraint::GrantedCompany], "")?
            .rows_affected();
    }
    Ok(added)
}

/// Makes `company_id` the user's default if the user has a grant of it and no default yet.
pub async fn default_if_none(
    db: &impl ConnectionTrait,
    user_id: i32,
    company_id: Uuid,
) -> Result<bool, DbErr> {
    let mut sql = Sql::new(
        db.get_database_backend(),
        "UPDATE hrm_user_company_access SET is_default = true, modified_at = ",
    );
    let now = sql.bind(Utc::now());
    let user = sql.bind(user_id);
    let company = sql.bind(company_id);
    sql.push(&format!(
        "{now} WHERE user_id = {user} AND company_id = {company} AND NOT EXISTS \
         (SELECT 1 FROM hrm_user_company_access d WHERE d.user_id = {user} AND d.is_default)"
    ));
    Ok(db.execute_raw(sql.statement()).await?.rows_affected() > 0)
}

/// Grants one company inside the caller's transaction (the user row must be locked); it becomes the
/// user's default when they have none yet. `Ok(false)` when the user already had it.
pub async fn insert_grant(
    db: &impl ConnectionTrait,
    actor: &str,
    user_id: i32,
    company_id: Uuid,
) -> Result<bool, AppError> {
    let added = insert_grants(db, actor, user_id, &[company_id]).await? > 0;
    if added {
        default_if_none(db, user_id, company_id).await?;
    }
    Ok(added)
}

/// Sets or clears the default flag; setting it clears it on the user's other grants first, so the
/// one-default index never sees two.
pub async fn set_default_flag(
    db: &impl ConnectionTrait,
    user_id: i32,
    company_id: Uuid,
    is_default: bool,
) -> Result<(), DbErr> {
    let now = Utc::now();
    if is_default {
        access::Entity::update_many()
            .col_expr(access::Column::IsDefault, Expr::value(false))
            .col_expr(access::Column::ModifiedAt, Expr::value(now))
            .filter(access::Column::UserId.eq(user_id))
            .filter(access::Column::IsDefault.eq(true))
            .filter(access::Column::CompanyId.ne(company_id))
            .exec(db)
            .await?;
    }
    access::Entity::update_many()
        .col_expr(access::Column::IsDefault, Expr::value(is_default))
        .col_expr(access::Column::ModifiedAt, Expr::value(now))
        .filter(access::Column::UserId.eq(user_id))
        .filter(access::Column::CompanyId.eq(company_id))
        .exec(db)
        .await?;
    Ok(())
}

#[derive(Debug, FromQueryResult)]
struct GrantRow {
    company_id: Uuid,
    company_name: String,
    is_default: bool,
    granted_at: DateTime<Utc>,
    granted_by: Option<String>,
}

impl GrantRow {
    fn into_user_company(self) -> Result<UserCompany, AppError> {
        Ok(UserCompany {
            company_id: self.company_id,
            company_name: stored("company name", CompanyName::parse(self.company_name))?,
            is_default: self.is_default,
            source: AccessSource::Grant,
            granted_at: Some(self.granted_at),
            granted_by: self.granted_by,
        })
    }
}

/// The user's grants with their company names (only those of `only`, when given), default first.
pub async fn grant_rows(
    db: &impl ConnectionTrait,
    user_id: i32,
    only: Option<&[Uuid]>,
) -> Result<Vec<UserCompany>, AppError> {
    let mut sql = Sql::new(
        db.get_database_backend(),
        "SELECT a.company_id, c.name AS company_name, a.is_default, a.created_at AS granted_at, a.granted_by \
         FROM hrm_user_company_access a JOIN hrm_company c ON c.id = a.company_id WHERE a.user_id = ",
    );
    let user = sql.bind(user_id);
    sql.push(&user);
    if let Some(ids) = only {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = sql.bind_list(ids.iter().copied());
        sql.push(" AND a.company_id IN ").push(&list);
    }
    sql.push(" ORDER BY a.is_default DESC, a.created_at, lower(c.name)");
    GrantRow::find_by_statement(sql.statement())
        .all(db)
        .await?
        .into_iter()
        .map(GrantRow::into_user_company)
        .collect()
}

/// One grant of the user, if there is one.
pub async fn grant_of(
    db: &impl ConnectionTrait,
    user_id: i32,
    company_id: Uuid,
) -> Result<Option<UserCompany>, AppError> {
    Ok(grant_rows(db, user_id, Some(&[company_id]))
        .await?
        .into_iter()
        .next())
}

/// Removes the user's grants of these companies.
pub async fn delete_grants(
    db: &impl ConnectionTrait,
    user_id: i32,
    company_ids: &[Uuid],
) -> Result<(), DbErr> {
    for chunk in company_ids.chunks(MAX_IDS_PER_REQUEST) {
        access::Entity::delete_many()
            .filter(access::Column::UserId.eq(user_id))
            .filter(access::Column::CompanyId.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Every company for a super admin that they hold no grant of, oldest first.
pub async fn companies_without_grant(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Vec<UserCompany>, AppError> {
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
        name: String,
    }
    let mut sql = Sql::new(
        db.get_database_backend(),
        "SELECT c.id, c.name FROM hrm_company c WHERE NOT EXISTS \
         (SELECT 1 FROM hrm_user_company_access a WHERE a.company_id = c.id AND a.user_id = ",
    );
    let id = sql.bind(user_id);
    sql.push(&id).push(") ORDER BY c.created_at, c.id");
    Row::find_by_statement(sql.statement())
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            Ok(UserCompany {
                company_id: row.id,
                company_name: stored("company name", CompanyName::parse(row.name))?,
                is_default: false,
                source: AccessSource::SuperAdmin,
                granted_at: None,
                granted_by: None,
            })
        })
        .collect()
}
