//! The statements of a CSV import and export, set-based: names and ids resolved a thousand at a time,
//! the grants of every user named read in the same way, and the new or changed grants written as
//! multi-row upserts.

use crate::db::sql::{Sql, random_uuid_sql};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use entity::{company, user, user_company_access as access};
use openapi::terms::GrantTerms;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

const PER_QUERY: usize = 1_000;
/// Rows per upsert statement: 11 values each stays under SQLite's and PostgreSQL's bound-value limits.
const ROWS_PER_UPSERT: usize = 500;

/// User ids by lower-cased username, for the names given (already lower-cased).
pub async fn users_by_name(
    db: &impl ConnectionTrait,
    names: &[String],
) -> Result<HashMap<String, i32>, AppError> {
    let mut found = HashMap::new();
    for chunk in names.chunks(PER_QUERY) {
        let rows: Vec<(i32, String)> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::Username)
            .filter(
                Expr::expr(Func::lower(Expr::col(user::Column::Username)))
                    .is_in(chunk.iter().cloned()),
            )
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows.into_iter().map(|(id, name)| (name.to_lowercase(), id)));
    }
    Ok(found)
}

/// Which of these user ids exist.
pub async fn existing_users(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<std::collections::HashSet<i32>, AppError> {
    let mut found = std::collections::HashSet::new();
    for chunk in ids.chunks(PER_QUERY) {
        let rows: Vec<i32> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}

/// Company ids by name key (`names::fold`), for the keys given.
pub async fn companies_by_key(
    db: &impl ConnectionTrait,
    keys: &[String],
) -> Result<HashMap<String, Uuid>, AppError> {
    let mut found = HashMap::new();
    for chunk in keys.chunks(PER_QUERY) {
        let rows: Vec<(Uuid, String)> = company::Entity::find()
            .select_only()
            .column(company::Column::Id)
            .column(company::Column::NameKey)
            .filter(company::Column::NameKey.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows.into_iter().map(|(id, key)| (key, id)));
    }
    Ok(found)
}

/// A grant as stored, for comparing with a line.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct StoredGrant {
    pub user_id: i32,
    pub company_id: Uuid,
    pub role: Option<String>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    pub include_branches: bool,
}

/// Every grant of these users, by (user, company).
pub async fn grants_of(
    db: &impl ConnectionTrait,
    users: &[i32],
) -> Result<HashMap<(i32, Uuid), StoredGrant>, AppError> {
    let mut found = HashMap::new();
    for chunk in users.chunks(PER_QUERY) {
        let rows = access::Entity::find()
            .select_only()
            .columns([
                access::Column::UserId,
                access::Column::CompanyId,
                access::Column::Role,
                access::Column::ValidFrom,
                access::Column::ValidUntil,
                access::Column::IncludeBranches,
            ])
            .filter(access::Column::UserId.is_in(chunk.iter().copied()))
            .into_model::<StoredGrant>()
            .all(db)
            .await?;
        found.extend(
            rows.into_iter()
                .map(|row| ((row.user_id, row.company_id), row)),
        );
    }
    Ok(found)
}

/// Writes each grant with its terms: added where the pair is new, its terms replaced where it exists
/// (the default flag, the grant's age and who made it stay).
pub async fn upsert_grants(
    db: &impl ConnectionTrait,
    actor: &str,
    grants: &[(i32, Uuid, GrantTerms)],
) -> Result<(), AppError> {
    let backend = db.get_database_backend();
    let now = Utc::now();
    for chunk in grants.chunks(ROWS_PER_UPSERT) {
        let mut sql = Sql::new(
            backend,
            "INSERT INTO hrm_user_company_access (id, user_id, company_id, is_default, granted_by, \
             created_at, modified_at, role, valid_from, valid_until, include_branches) VALUES ",
        );
        let actor = sql.bind(actor);
        let at = sql.bind(now);
        let rows: Vec<String> = chunk
            .iter()
            .map(|(user, company, terms)| {
                let values = [
                    sql.bind(*user),
                    sql.bind(*company),
                    sql.bind(terms.role.map(|role| role.as_str().to_owned())),
                    sql.bind(terms.window.valid_from),
                    sql.bind(terms.window.valid_until),
                    sql.bind(terms.include_branches),
                ];
                format!(
                    "({}, {}, {}, false, {actor}, {at}, {at}, {}, {}, {}, {})",
                    random_uuid_sql(backend),
                    values[0],
                    values[1],
                    values[2],
                    values[3],
                    values[4],
                    values[5]
                )
            })
            .collect();
        sql.push(&rows.join(", ")).push(
            " ON CONFLICT (user_id, company_id) DO UPDATE SET role = excluded.role, \
             valid_from = excluded.valid_from, valid_until = excluded.valid_until, \
             include_branches = excluded.include_branches, modified_at = excluded.modified_at",
        );
        db.execute_raw(sql.statement()).await?;
    }
    Ok(())
}

/// One line of an export.
#[derive(Debug, FromQueryResult)]
pub struct ExportRow {
    pub username: String,
    pub company: String,
    pub role: Option<String>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    pub include_branches: bool,
}

/// One page of every grant, by user id then company id: exports read the table a page at a time.
pub async fn export_page(
    db: &impl ConnectionTrait,
    after: Option<(i32, Uuid)>,
    limit: u64,
) -> Result<Vec<(i32, Uuid, ExportRow)>, AppError> {
    #[derive(FromQueryResult)]
    struct Row {
        user_id: i32,
        company_id: Uuid,
        username: String,
        company: String,
        role: Option<String>,
        valid_from: Option<DateTime<Utc>>,
        valid_until: Option<DateTime<Utc>>,
        include_branches: bool,
    }
    let mut select = access::Entity::find()
        .select_only()
        .column(access::Column::UserId)
        .column(access::Column::CompanyId)
        .column(user::Column::Username)
        .column_as(company::Column::Name, "company")
        .column(access::Column::Role)
        .column(access::Column::ValidFrom)
        .column(access::Column::ValidUntil)
        .column(access::Column::IncludeBranches)
        .inner_join(user::Entity)
        .inner_join(company::Entity);
    if let Some((user, company)) = after {
        select = select.filter(
            access::Column::UserId.gt(user).or(access::Column::UserId
                .eq(user)
                .and(access::Column::CompanyId.gt(company))),
        );
    }
    Ok(select
        .order_by_asc(access::Column::UserId)
        .order_by_asc(access::Column::CompanyId)
        .limit(limit)
        .into_model::<Row>()
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            (
                row.user_id,
                row.company_id,
                ExportRow {
                    username: row.username,
                    company: row.company,
                    role: row.role,
                    valid_from: row.valid_from,
                    valid_until: row.valid_until,
                    include_branches: row.include_branches,
                },
            )
        })
        .collect())
}
