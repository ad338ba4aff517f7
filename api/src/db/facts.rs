//! The facts behind access decisions, loaded set-based for the check cache: one row per user with its
//! grants aggregated in SQL, and which companies exist. Hand-written for speed: the refresh reloads every
//! busy user once a TTL, and decoding a tenth of the rows is most of its cost.

use crate::db::lookups::existing_companies;
use crate::db::sql::Sql;
use crate::decision::UserFacts;
use crate::error::AppError;
use openapi::Role;
use sea_orm::sqlx::PgPool;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, FromQueryResult, RuntimeErr,
};
use std::collections::HashMap;
use uuid::Uuid;

const USERS_PER_QUERY: usize = 1_000;

/// Users' flags and grants, one set-based query per thousand users; ids with no user come back as
/// unknown. Each user is one row, the grants aggregated in SQL: the refresh reloads every busy user once
/// a TTL, and decoding a tenth of the rows is most of its cost.
pub async fn load_users(
    db: &DatabaseConnection,
    ids: &[i32],
) -> Result<HashMap<i32, UserFacts>, AppError> {
    let mut found: HashMap<i32, UserFacts> = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(USERS_PER_QUERY) {
        match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                load_users_postgres(db.get_postgres_connection_pool(), chunk, &mut found).await?
            }
            _ => load_users_sqlite(db, chunk, &mut found).await?,
        }
    }
    for id in ids {
        found.entry(*id).or_default();
    }
    Ok(found)
}

/// One statement whatever the number of ids (an array parameter), the grants as a binary `uuid[]`.
async fn load_users_postgres(
    pool: &PgPool,
    ids: &[i32],
    found: &mut HashMap<i32, UserFacts>,
) -> Result<(), AppError> {
    let rows: Vec<(i32, bool, bool, Option<Vec<Uuid>>)> = sea_orm::sqlx::query_as(
        "SELECT u.id, u.is_active, u.role = $2, \
         array_agg(a.company_id) FILTER (WHERE a.company_id IS NOT NULL) \
         FROM hrm_users u LEFT JOIN hrm_user_company_access a ON a.user_id = u.id \
         WHERE u.id = ANY($1) GROUP BY u.id",
    )
    .bind(ids)
    .bind(Role::SuperAdmin.as_str())
    .fetch_all(pool)
    .await
    .map_err(|error| AppError::Unavailable(DbErr::Query(RuntimeErr::SqlxError(error.into()))))?;
    for (id, is_active, is_super_admin, grants) in rows {
        found.insert(
            id,
            UserFacts::existing(is_active, is_super_admin, grants.unwrap_or_default()),
        );
    }
    Ok(())
}

/// The grants as hex of the 16-byte blobs, comma-separated.
async fn load_users_sqlite(
    db: &DatabaseConnection,
    ids: &[i32],
    found: &mut HashMap<i32, UserFacts>,
) -> Result<(), AppError> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i32,
        is_active: bool,
        is_super_admin: bool,
        grants: Option<String>,
    }
    let mut sql = Sql::new(
        DatabaseBackend::Sqlite,
        &format!(
            "SELECT u.id, u.is_active, u.role = '{}' AS is_super_admin, \
             group_concat(hex(a.company_id), ',') AS grants \
             FROM hrm_users u LEFT JOIN hrm_user_company_access a ON a.user_id = u.id WHERE u.id IN ",
            Role::SuperAdmin.as_str()
        ),
    );
    let list = sql.bind_list_padded(ids);
    sql.push(&list).push(" GROUP BY u.id");
    for row in Row::find_by_statement(sql.statement())
        .all(db)
        .await
        .map_err(AppError::Unavailable)?
    {
        let grants = row
            .grants
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter(|id| !id.is_empty())
            .map(Uuid::try_parse)
            .collect::<Result<Vec<Uuid>, _>>()
            .map_err(|error| AppError::Internal(format!("a stored company id: {error}")))?;
        found.insert(
            row.id,
            UserFacts::existing(row.is_active, row.is_super_admin, grants),
        );
    }
    Ok(())
}

pub async fn load_companies(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, bool>, AppError> {
    let found = existing_companies(db, ids)
        .await
        .map_err(AppError::Unavailable)?;
    Ok(ids.iter().map(|id| (*id, found.contains(id))).collect())
}
