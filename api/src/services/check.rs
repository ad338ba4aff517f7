//! "May user U act in company C?" — one pair, or thousands at once, from the check cache when it can.

use crate::consistency::Consistency;
use crate::db::facts::{load_companies, load_users};
use crate::db::store::{Store, current_revision};
use crate::decision::{Facts, Outcome, Question, Reaching, reaching};
use crate::error::AppError;
use crate::revision;
use openapi::access::{AccessDecision, AccessPair, MAX_CHECKS_PER_REQUEST};
use openapi::terms::RoleSet;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use uuid::Uuid;

/// How long an `at-least` reader waits for this instance's feed to reach its revision before the answer
/// comes from the database instead: about one delivery across instances, well inside a request.
const AT_LEAST_PATIENCE: Duration = Duration::from_millis(100);

/// Where a check's answer may come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Memory,
    Database,
}

/// The source that gives the reader what they asked for, and the revision the answer will reflect
/// (stated for the response header).
pub async fn source_for(store: &Store, consistency: Consistency) -> Source {
    let cache = &store.cache;
    let source = match consistency {
        Consistency::MinimizeLatency => Source::Memory,
        Consistency::Full => {
            // Read before the check: the answer reflects at least every write committed by now.
            if let Ok(committed) = current_revision(&store.db).await {
                revision::answered_at(committed);
            }
            Source::Database
        }
        Consistency::AtLeast(wanted) => {
            if cache.wait_for_revision(wanted, AT_LEAST_PATIENCE).await {
                Source::Memory
            } else {
                // The database has every committed write, the one named included.
                revision::answered_at(wanted);
                Source::Database
            }
        }
    };
    // Read before deciding: whatever the decision sees is at least this recent. On PostgreSQL this is
    // what the feed has delivered, which may trail this instance's own latest write by a moment: the
    // answer already reflects that write, but not necessarily every write committed before it.
    revision::answered_at(cache.revision());
    source
}

fn decision(user_id: i32, company_id: Uuid, outcome: Outcome) -> AccessDecision {
    AccessDecision {
        user_id,
        company_id,
        allowed: outcome.reason.allows(),
        reason: outcome.reason,
        role: outcome.role,
        via_company_id: outcome.via,
    }
}

/// One pair: from memory when the cache knows both sides, else from the database (and remembered).
/// `role` limits the roles that allow; the answer holds at the instant it is asked.
pub async fn check(
    store: &Store,
    user_id: i32,
    company_id: Uuid,
    role: Option<RoleSet>,
    source: Source,
) -> Result<AccessDecision, AppError> {
    if source == Source::Memory
        && let Some(facts) = store.cache.lookup(user_id, &company_id)
    {
        store.metrics.cache_lookups(1, 0);
        let outcome = facts.decide(&Question::now(role));
        store.metrics.decided(outcome.reason);
        return Ok(decision(user_id, company_id, outcome));
    }
    // The miss is counted by `check_many`, which asks the cache once more.
    let decisions = check_many(
        store,
        &[AccessPair {
            user_id,
            company_id,
            role,
        }],
        source,
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
    source: Source,
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
    let cached = match source {
        Source::Memory => store
            .cache
            .lookup_many(pairs.iter().map(|pair| (pair.user_id, &pair.company_id))),
        Source::Database => vec![None; pairs.len()],
    };
    let unknown = || {
        pairs
            .iter()
            .zip(&cached)
            .filter(|(_, facts)| facts.is_none())
            .map(|(pair, _)| pair)
    };
    let misses = cached.iter().filter(|facts| facts.is_none()).count() as u64;
    store
        .metrics
        .cache_lookups(cached.len() as u64 - misses, misses);
    let (users, companies) = if misses > 0 {
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
                .map(|(id, facts)| (*id, facts.clone()))
                .collect(),
        );
        (users, companies)
    } else {
        (HashMap::new(), HashMap::new())
    };
    // One instant for the whole batch: its answers agree with each other about every window.
    let now = Question::now(None);
    Ok(pairs
        .iter()
        .zip(cached)
        .map(|(pair, cached)| {
            let facts = cached.unwrap_or_else(|| {
                let user = users.get(&pair.user_id);
                let company = companies.get(&pair.company_id).and_then(Option::as_ref);
                let grants = match (user, company) {
                    (Some(user), Some(ancestors)) => {
                        reaching(pair.company_id, ancestors, |of| user.grant(of))
                    }
                    _ => Reaching::new(),
                };
                Facts {
                    user: user.and_then(|facts| facts.flags),
                    company_exists: company.is_some(),
                    grants,
                }
            });
            let question = Question {
                roles: pair.role.unwrap_or_else(RoleSet::any),
                at: now.at,
            };
            let outcome = facts.decide(&question);
            store.metrics.decided(outcome.reason);
            decision(pair.user_id, pair.company_id, outcome)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_warmed_cache_holds_every_user_and_company_and_answers_like_the_database() {
        use crate::cache::loading::warm_cache;
        use crate::cache::{CacheSettings, CheckCache};
        use migration::{Migrator, MigratorTrait};
        use sea_orm::{ConnectionTrait, Statement};
        use std::sync::Arc;
        let Ok(db) =
            crate::db::connect("sqlite::memory:", 1, std::time::Duration::from_secs(5)).await
        else {
            panic!("no SQLite")
        };
        assert!(Migrator::up(&db, None).await.is_ok());
        let store = Store {
            db,
            cache: Arc::new(CheckCache::new(CacheSettings::default(), true)),
            metrics: Arc::default(),
        };
        assert!(matches!(
            crate::services::demo::load_if_empty(&store).await,
            Ok(true)
        ));
        store.cache.apply(&crate::changes::Changes::everything());
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
                    .map(|facts| facts.decide(&Question::now(None)).reason)
            })
            .collect();
        store.cache.apply(&crate::changes::Changes::everything());
        let Ok(from_database) = check_many(&store, &pairs, Source::Memory).await else {
            panic!("check failed")
        };
        let from_database: Vec<_> = from_database.into_iter().map(|d| Some(d.reason)).collect();
        assert_eq!(from_memory, from_database);
    }

    /// Every user with every company.
    async fn store_pairs(store: &Store) -> Vec<AccessPair> {
        use sea_orm::FromQueryResult;
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
            role: None,
        })
        .collect()
    }
}
