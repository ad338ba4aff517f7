//! "May user U act in company C?" — one pair, or thousands at once, from the check cache when it can.

use crate::caller::Caller;
use crate::consistency::Consistency;
use crate::db::facts::{load_companies, load_users};
use crate::db::lookups::username_of;
use crate::db::store::{Store, current_revision};
use crate::decision::{Facts, Outcome, Question, Reach};
use crate::error::AppError;
use crate::metrics::DecisionCounts;
use crate::revision;
use openapi::access::{AccessDecision, AccessPair, DecisionReason, MAX_CHECKS_PER_REQUEST};
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
    caller: &Caller,
    user_id: i32,
    company_id: Uuid,
    role: Option<RoleSet>,
    source: Source,
) -> Result<AccessDecision, AppError> {
    if caller.user_id.is_some() {
        require_reach(store, caller, &[company_id], source).await?;
    }
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
        caller,
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
    caller: &Caller,
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
    if caller.user_id.is_some() {
        let mut companies: Vec<Uuid> = pairs.iter().map(|pair| pair.company_id).collect();
        companies.sort_unstable();
        companies.dedup();
        require_reach(store, caller, &companies, source).await?;
    }
    let facts = facts_of(store, pairs, |pair| (pair.user_id, pair.company_id), source).await?;
    // One instant for the whole batch: its answers agree with each other about every window.
    let now = Question::now(None);
    // Counted here and added once: a shared counter bumped per pair costs a batch more than its lookups.
    let mut decided = DecisionCounts::default();
    let decisions = pairs
        .iter()
        .zip(facts)
        .map(|(pair, facts)| {
            let question = Question {
                roles: pair.role.unwrap_or_else(RoleSet::any),
                at: now.at,
            };
            let outcome = facts.decide(&question);
            decided.count(outcome.reason);
            decision(pair.user_id, pair.company_id, outcome)
        })
        .collect();
    store.metrics.decided_many(&decided);
    Ok(decisions)
}

/// The facts of each (user, company) pair `pair_of` finds in `items`, in their order: what the cache
/// knows from memory, the rest with one set-based read of the users and one of the companies.
pub async fn facts_of<T>(
    store: &Store,
    items: &[T],
    pair_of: impl Fn(&T) -> (i32, Uuid),
    source: Source,
) -> Result<Vec<Facts>, AppError> {
    let generation = store.cache.generation();
    let cached = match source {
        Source::Memory => store.cache.lookup_many(items.iter().map(&pair_of)),
        Source::Database => vec![None; items.len()],
    };
    let unknown = || {
        items
            .iter()
            .zip(&cached)
            .filter(|(_, facts)| facts.is_none())
            .map(|(item, _)| pair_of(item))
    };
    let misses = cached.iter().filter(|facts| facts.is_none()).count() as u64;
    store
        .metrics
        .cache_lookups(cached.len() as u64 - misses, misses);
    let (users, companies) = if misses > 0 {
        let user_ids: Vec<i32> = unknown()
            .map(|(user, _)| user)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let company_ids: Vec<Uuid> = unknown()
            .map(|(_, company)| company)
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
    Ok(items
        .iter()
        .zip(cached)
        .map(|(item, cached)| {
            cached.unwrap_or_else(|| {
                let (user_id, company_id) = pair_of(item);
                let ancestors = companies.get(&company_id).and_then(Option::as_deref);
                Facts::of(company_id, users.get(&user_id), ancestors)
            })
        })
        .collect())
}

/// A key bound to a user checks only in the companies that user administers (see
/// `services::delegation`): decided from memory where the consistency asked for allows it, so that a
/// delegated check costs what any check does.
async fn require_reach(
    store: &Store,
    caller: &Caller,
    companies: &[Uuid],
    source: Source,
) -> Result<(), AppError> {
    let Some(user_id) = caller.user_id else {
        return Ok(());
    };
    let facts = facts_of(store, companies, |company| (user_id, *company), source).await?;
    let at = Question::now(None).at;
    let refused = companies
        .iter()
        .zip(facts)
        .find_map(|(company, facts)| match facts.reach(at) {
            Reach::Administers { .. } | Reach::OutOfReach(DecisionReason::UnknownCompany) => None,
            Reach::OutOfReach(reason) => Some((company, reason)),
        });
    let Some((company, reason)) = refused else {
        return Ok(());
    };
    // A refusal is rare: its names are read from the database, so that it reads like every other.
    let name = crate::db::companies::find(&store.db, *company)
        .await?
        .map_or_else(String::new, |found| found.name);
    let user = username_of(&store.db, user_id)
        .await?
        .unwrap_or_else(|| format!("user {user_id}"));
    let why = match reason {
        DecisionReason::NotYetValid => "whose admin grant there has not started yet",
        DecisionReason::Expired => "whose admin grant there has ended",
        DecisionReason::UserInactive => "who is inactive",
        DecisionReason::UnknownUser => "who no longer exists",
        _ => "who does not hold the admin role there",
    };
    Err(AppError::OutOfReach(format!(
        "'{name}' ({company}) is out of reach: the key '{}' acts for {user}, {why}",
        caller.name
    )))
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
        let Ok(from_database) = check_many(&store, &Caller::demo(), &pairs, Source::Memory).await
        else {
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
