//! The facts behind access decisions, loaded set-based for the check cache: one row per user with its
//! grants aggregated in SQL, and which companies exist. Hand-written for speed: the refresh reloads every
//! busy user once a TTL, and decoding a tenth of the rows is most of its cost.

use crate::db::hierarchy::ancestors;
use crate::db::lookups::existing_companies;
use crate::db::sql::Sql;
use crate::db::stored_grant_role;
use crate::decision::{CompanyFacts, Terms, UserFacts, micros};
use crate::error::AppError;
use chrono::{DateTime, Utc};
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

fn stored_role(user: i32, text: &str) -> Result<Role, AppError> {
    text.parse()
        .map_err(|error| AppError::Internal(format!("user {user}'s stored role: {error}")))
}

/// One statement whatever the number of ids (an array parameter), the grants as a binary `uuid[]`, and
/// the terms of those that have any as parallel arrays in company order.
async fn load_users_postgres(
    pool: &PgPool,
    ids: &[i32],
    found: &mut HashMap<i32, UserFacts>,
) -> Result<(), AppError> {
    type Row = (
        i32,
        bool,
        String,
        Option<Vec<Uuid>>,
        Option<Vec<Uuid>>,
        Option<Vec<Option<String>>>,
        Option<Vec<Option<DateTime<Utc>>>>,
        Option<Vec<Option<DateTime<Utc>>>>,
        Option<Vec<bool>>,
    );
    // The grants that carry terms are the only ones whose role and window are read: most carry none.
    const SQL: &str = "SELECT u.id, u.is_active, u.role, \
         array_agg(a.company_id) FILTER (WHERE a.company_id IS NOT NULL), \
         array_agg(a.company_id ORDER BY a.company_id) FILTER (WHERE a.role IS NOT NULL \
           OR a.valid_from IS NOT NULL OR a.valid_until IS NOT NULL OR a.include_branches), \
         array_agg(a.role ORDER BY a.company_id) FILTER (WHERE a.role IS NOT NULL \
           OR a.valid_from IS NOT NULL OR a.valid_until IS NOT NULL OR a.include_branches), \
         array_agg(a.valid_from ORDER BY a.company_id) FILTER (WHERE a.role IS NOT NULL \
           OR a.valid_from IS NOT NULL OR a.valid_until IS NOT NULL OR a.include_branches), \
         array_agg(a.valid_until ORDER BY a.company_id) FILTER (WHERE a.role IS NOT NULL \
           OR a.valid_from IS NOT NULL OR a.valid_until IS NOT NULL OR a.include_branches), \
         array_agg(a.include_branches ORDER BY a.company_id) FILTER (WHERE a.role IS NOT NULL \
           OR a.valid_from IS NOT NULL OR a.valid_until IS NOT NULL OR a.include_branches) \
         FROM hrm_users u LEFT JOIN hrm_user_company_access a ON a.user_id = u.id \
         WHERE u.id = ANY($1) GROUP BY u.id";
    let rows: Vec<Row> = sea_orm::sqlx::query_as(SQL)
        .bind(ids)
        .fetch_all(pool)
        .await
        .map_err(|error| {
            AppError::Unavailable(DbErr::Query(RuntimeErr::SqlxError(error.into())))
        })?;
    for (id, is_active, role, grants, with_terms, roles, froms, untils, branches) in rows {
        let grants = grants
            .unwrap_or_default()
            .into_iter()
            .map(|company| (company, Terms::default()))
            .collect();
        let mut user = UserFacts::existing(is_active, stored_role(id, &role)?, grants);
        let (roles, froms, untils, branches) = (
            roles.unwrap_or_default(),
            froms.unwrap_or_default(),
            untils.unwrap_or_default(),
            branches.unwrap_or_default(),
        );
        for (at, company) in with_terms.unwrap_or_default().into_iter().enumerate() {
            let terms = Terms {
                role: stored_grant_role(roles.get(at).and_then(Option::as_deref))?,
                valid_from: froms.get(at).copied().flatten().map(micros),
                valid_until: untils.get(at).copied().flatten().map(micros),
                include_branches: branches.get(at).copied().unwrap_or(false),
            };
            user.set_terms(&company, terms);
        }
        found.insert(id, user);
    }
    Ok(())
}

/// An instant as SQLite holds it: the RFC 3339 text the driver writes.
fn sqlite_instant(text: &str) -> Result<Option<i64>, AppError> {
    if text.is_empty() {
        return Ok(None);
    }
    DateTime::parse_from_rfc3339(text)
        .map(|at| Some(micros(at.with_timezone(&Utc))))
        .map_err(|error| AppError::Internal(format!("a stored instant {text:?}: {error}")))
}

/// One grant with terms as the SQLite statement spells it: `hex|role|valid_from|valid_until|0 or 1`.
fn sqlite_terms(text: &str) -> Result<(Uuid, Terms), AppError> {
    let mut parts = text.split('|');
    let mut next = || parts.next().unwrap_or_default();
    let company = Uuid::try_parse(next())
        .map_err(|error| AppError::Internal(format!("a stored company id: {error}")))?;
    let role = stored_grant_role(Some(next()))?;
    let valid_from = sqlite_instant(next())?;
    let valid_until = sqlite_instant(next())?;
    let include_branches = next() == "1";
    Ok((
        company,
        Terms {
            role,
            valid_from,
            valid_until,
            include_branches,
        },
    ))
}

/// The grants as hex of the 16-byte blobs, comma-separated; those with terms once more, with them.
async fn load_users_sqlite(
    db: &DatabaseConnection,
    ids: &[i32],
    found: &mut HashMap<i32, UserFacts>,
) -> Result<(), AppError> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i32,
        is_active: bool,
        role: String,
        grants: Option<String>,
        terms: Option<String>,
    }
    let mut sql = Sql::new(
        DatabaseBackend::Sqlite,
        "SELECT u.id, u.is_active, u.role, \
             group_concat(hex(a.company_id), ',') AS grants, \
             group_concat(CASE WHEN a.role IS NOT NULL OR a.valid_from IS NOT NULL \
             OR a.valid_until IS NOT NULL OR a.include_branches THEN hex(a.company_id) || '|' || \
             coalesce(a.role, '') || '|' || coalesce(a.valid_from, '') || '|' || \
             coalesce(a.valid_until, '') || '|' || a.include_branches END, ';') AS terms \
             FROM hrm_users u LEFT JOIN hrm_user_company_access a ON a.user_id = u.id WHERE u.id IN ",
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
            .map(|id| Uuid::try_parse(id).map(|company| (company, Terms::default())))
            .collect::<Result<_, _>>()
            .map_err(|error| AppError::Internal(format!("a stored company id: {error}")))?;
        let mut user = UserFacts::existing(row.is_active, stored_role(row.id, &row.role)?, grants);
        for text in row.terms.as_deref().unwrap_or_default().split(';') {
            if !text.is_empty() {
                let (company, terms) = sqlite_terms(text)?;
                user.set_terms(&company, terms);
            }
        }
        found.insert(row.id, user);
    }
    Ok(())
}

/// Which of the companies exist, each with its ancestors nearest first (`None`: no such company).
pub async fn load_companies(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, CompanyFacts>, AppError> {
    let found = existing_companies(db, ids)
        .await
        .map_err(AppError::Unavailable)?;
    let existing: Vec<Uuid> = ids
        .iter()
        .filter(|id| found.contains(id))
        .copied()
        .collect();
    let mut chains = ancestors(db, &existing).await?;
    Ok(ids
        .iter()
        .map(|id| {
            let facts = found
                .contains(id)
                .then(|| chains.remove(id).unwrap_or_default());
            (*id, facts)
        })
        .collect())
}
