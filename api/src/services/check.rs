//! "May user U act in company C?" — one pair, or thousands at once, from the check cache when it can.

use crate::cache::UserFacts;
use crate::error::AppError;
use crate::services::Sql;
use crate::services::access::existing_companies;
use crate::store::Store;
use openapi::Role;
use openapi::access::{AccessDecision, AccessPair, DecisionReason, MAX_CHECKS_PER_REQUEST};
use sea_orm::sqlx::PgPool;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, FromQueryResult, RuntimeErr,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The facts a decision rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// `None`: no such user; otherwise (is_active, is_super_admin).
    pub user: Option<(bool, bool)>,
    pub company_exists: bool,
    pub granted: bool,
}

impl Facts {
    pub fn decide(self) -> DecisionReason {
        match self.user {
            None => DecisionReason::UnknownUser,
            Some(_) if !self.company_exists => DecisionReason::UnknownCompany,
            Some((false, _)) => DecisionReason::UserInactive,
            Some((true, true)) => DecisionReason::SuperAdmin,
            Some((true, false)) if self.granted => DecisionReason::Grant,
            Some(_) => DecisionReason::NoGrant,
        }
    }
}

fn decision(user_id: i32, company_id: Uuid, reason: DecisionReason) -> AccessDecision {
    AccessDecision {
        user_id,
        company_id,
        allowed: reason.allows(),
        reason,
    }
}

const USERS_PER_QUERY: usize = 1_000;

/// Users' flags and grants, one set-based query per thousand users; ids with no user come back as
/// unknown. Each user is one row, the grants aggregated in SQL: the refresh reloads every busy user once
/// a TTL, and decoding a tenth of the rows is most of its cost.
pub(crate) async fn load_users(
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

async fn load_companies(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, bool>, AppError> {
    let found = existing_companies(db, ids)
        .await
        .map_err(AppError::Unavailable)?;
    Ok(ids.iter().map(|id| (*id, found.contains(id))).collect())
}

/// Small enough that a change racing one batch (whose load is then not stored) costs little.
const REFRESH_BATCH: usize = 1_000;

/// Loads again, ahead of their expiry, the cache entries that checks are reading; returns how many
/// were stored (a batch that raced a change is not, and stays due until it expires).
pub async fn refresh_cache(store: &Store) -> Result<usize, AppError> {
    let (users, companies) = store.cache.due_for_refresh();
    let mut refreshed = 0;
    for chunk in users.chunks(REFRESH_BATCH) {
        let generation = store.cache.generation();
        let loaded = load_users(&store.db, chunk).await?;
        if store
            .cache
            .store(generation, loaded.into_iter().collect(), Vec::new())
        {
            refreshed += chunk.len();
        }
    }
    for chunk in companies.chunks(REFRESH_BATCH) {
        let generation = store.cache.generation();
        let loaded = load_companies(&store.db, chunk).await?;
        if store
            .cache
            .store(generation, Vec::new(), loaded.into_iter().collect())
        {
            refreshed += chunk.len();
        }
    }
    Ok(refreshed)
}

/// Fills an empty cache, up to its bound, with users in id order and every company: a service that has
/// just started answers from memory at once instead of loading each user on its first check. Returns
/// (users, companies) stored.
pub async fn warm_cache(store: &Store) -> Result<(usize, usize), AppError> {
    #[derive(FromQueryResult)]
    struct UserId {
        id: i32,
    }
    #[derive(FromQueryResult)]
    struct CompanyId {
        id: Uuid,
    }
    let capacity = store.cache.capacity();
    let backend = store.db.get_database_backend();
    let generation = store.cache.generation();
    let mut sql = Sql::new(backend, "SELECT id FROM hrm_company ORDER BY id LIMIT ");
    let limit = sql.bind(capacity as i64);
    sql.push(&limit);
    let companies: Vec<(Uuid, bool)> = CompanyId::find_by_statement(sql.statement())
        .all(&store.db)
        .await
        .map_err(AppError::Unavailable)?
        .into_iter()
        .map(|row| (row.id, true))
        .collect();
    let count = companies.len();
    let warmed_companies = if store.cache.store(generation, Vec::new(), companies) {
        count
    } else {
        0
    };
    let (mut warmed_users, mut after) = (0, i32::MIN);
    while warmed_users < capacity {
        let mut sql = Sql::new(backend, "SELECT id FROM hrm_users WHERE id > ");
        let from = sql.bind(after);
        sql.push(&from).push(" ORDER BY id LIMIT ");
        let limit = sql.bind(REFRESH_BATCH.min(capacity - warmed_users) as i64);
        sql.push(&limit);
        let ids: Vec<i32> = UserId::find_by_statement(sql.statement())
            .all(&store.db)
            .await
            .map_err(AppError::Unavailable)?
            .into_iter()
            .map(|row| row.id)
            .collect();
        let Some(last) = ids.last() else { break };
        after = *last;
        let generation = store.cache.generation();
        let users = load_users(&store.db, &ids).await?;
        let count = users.len();
        if store
            .cache
            .store(generation, users.into_iter().collect(), Vec::new())
        {
            warmed_users += count;
        }
    }
    Ok((warmed_users, warmed_companies))
}

/// One pair: from memory when the cache knows both sides, else from the database (and remembered).
pub async fn check(
    store: &Store,
    user_id: i32,
    company_id: Uuid,
) -> Result<AccessDecision, AppError> {
    if let Some(facts) = store.cache.lookup(user_id, &company_id) {
        return Ok(decision(user_id, company_id, facts.decide()));
    }
    let decisions = check_many(
        store,
        &[AccessPair {
            user_id,
            company_id,
        }],
    )
    .await?;
    decisions
        .into_iter()
        .next()
        .ok_or_else(|| AppError::Internal("a check produced no decision".into()))
}

/// Many pairs: what the cache knows is answered from memory, the rest with set-based queries.
pub async fn check_many(
    store: &Store,
    pairs: &[AccessPair],
) -> Result<Vec<AccessDecision>, AppError> {
    if pairs.len() > MAX_CHECKS_PER_REQUEST {
        return Err(AppError::validation(
            "checks",
            format!(
                "at most {MAX_CHECKS_PER_REQUEST} pairs per request (got {})",
                pairs.len()
            ),
        ));
    }
    let generation = store.cache.generation();
    let cached = store
        .cache
        .lookup_many(pairs.iter().map(|pair| (pair.user_id, &pair.company_id)));
    let unknown = || {
        pairs
            .iter()
            .zip(&cached)
            .filter(|(_, facts)| facts.is_none())
            .map(|(pair, _)| pair)
    };
    let (users, companies) = if cached.iter().any(Option::is_none) {
        let user_ids: Vec<i32> = unknown()
            .map(|pair| pair.user_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let company_ids: Vec<Uuid> = unknown()
            .map(|pair| pair.company_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let users = load_users(&store.db, &user_ids).await?;
        let companies = load_companies(&store.db, &company_ids).await?;
        store.cache.store(
            generation,
            users
                .iter()
                .map(|(id, facts)| (*id, facts.clone()))
                .collect(),
            companies
                .iter()
                .map(|(id, exists)| (*id, *exists))
                .collect(),
        );
        (users, companies)
    } else {
        (HashMap::new(), HashMap::new())
    };
    Ok(pairs
        .iter()
        .zip(cached)
        .map(|(pair, cached)| {
            let reason = match cached {
                Some(facts) => facts.decide(),
                None => {
                    let user = users.get(&pair.user_id);
                    Facts {
                        user: user.and_then(|facts| facts.flags),
                        company_exists: companies.get(&pair.company_id).copied().unwrap_or(false),
                        granted: user.is_some_and(|facts| facts.granted(&pair.company_id)),
                    }
                    .decide()
                }
            };
            decision(pair.user_id, pair.company_id, reason)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(user: Option<(bool, bool)>, company_exists: bool, granted: bool) -> DecisionReason {
        Facts {
            user,
            company_exists,
            granted,
        }
        .decide()
    }

    #[test]
    fn decisions_follow_the_rules_in_order() {
        assert_eq!(facts(None, true, true), DecisionReason::UnknownUser);
        assert_eq!(
            facts(Some((true, false)), false, false),
            DecisionReason::UnknownCompany
        );
        assert_eq!(
            facts(Some((false, true)), true, true),
            DecisionReason::UserInactive
        );
        assert_eq!(
            facts(Some((true, true)), true, false),
            DecisionReason::SuperAdmin
        );
        assert_eq!(
            facts(Some((true, false)), true, true),
            DecisionReason::Grant
        );
        assert_eq!(
            facts(Some((true, false)), true, false),
            DecisionReason::NoGrant
        );
    }

    #[actix_web::test]
    async fn a_warmed_cache_holds_every_user_and_company_and_answers_like_the_database() {
        use crate::cache::{CacheSettings, CheckCache};
        use migration::{Migrator, MigratorTrait};
        use sea_orm::{ConnectionTrait, Statement};
        use std::sync::Arc;
        let Ok(db) = crate::db::connect("sqlite::memory:", 1).await else {
            panic!("no SQLite")
        };
        assert!(Migrator::up(&db, None).await.is_ok());
        let store = Store {
            db,
            cache: Arc::new(CheckCache::new(CacheSettings::default(), true)),
        };
        assert!(matches!(
            crate::services::demo::load_if_empty(&store).await,
            Ok(true)
        ));
        store.cache.apply(&crate::cache::Changes::everything());
        let count = |sql: &'static str| {
            let db = store.db.clone();
            async move {
                let row = db
                    .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
                    .await;
                match row {
                    Ok(Some(row)) => row.try_get_by_index::<i64>(0).unwrap_or(-1) as usize,
                    _ => usize::MAX,
                }
            }
        };
        let users = count("SELECT count(*) FROM hrm_users").await;
        let companies = count("SELECT count(*) FROM hrm_company").await;
        assert!(matches!(warm_cache(&store).await, Ok(warmed) if warmed == (users, companies)));
        assert_eq!(store.cache.len(), (users, companies));
        let pairs = store_pairs(&store).await;
        let from_memory: Vec<_> = pairs
            .iter()
            .map(|pair| {
                store
                    .cache
                    .lookup(pair.user_id, &pair.company_id)
                    .map(Facts::decide)
            })
            .collect();
        store.cache.apply(&crate::cache::Changes::everything());
        let Ok(from_database) = check_many(&store, &pairs).await else {
            panic!("check failed")
        };
        let from_database: Vec<_> = from_database.into_iter().map(|d| Some(d.reason)).collect();
        assert_eq!(from_memory, from_database);
    }

    /// Every user with every company.
    async fn store_pairs(store: &Store) -> Vec<AccessPair> {
        #[derive(FromQueryResult)]
        struct Pair {
            user_id: i32,
            company_id: Uuid,
        }
        let sql =
            "SELECT u.id AS user_id, c.id AS company_id FROM hrm_users u CROSS JOIN hrm_company c";
        Pair::find_by_statement(sea_orm::Statement::from_string(
            store.db.get_database_backend(),
            sql,
        ))
        .all(&store.db)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|p| AccessPair {
            user_id: p.user_id,
            company_id: p.company_id,
        })
        .collect()
    }

    #[test]
    fn only_grant_and_super_admin_allow() {
        assert!(DecisionReason::Grant.allows() && DecisionReason::SuperAdmin.allows());
        assert!(!DecisionReason::NoGrant.allows() && !DecisionReason::UserInactive.allows());
    }
}
