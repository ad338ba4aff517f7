//! Filling the check cache from the database: the warm-up at start and the refresh ahead of the TTL.

use crate::db::facts::{load_companies, load_users};
use crate::db::hierarchy::ancestors;
use crate::db::store::Store;
use crate::error::AppError;
use entity::{company, user};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use uuid::Uuid;

/// Small enough that a change racing one batch (whose load is then not stored) costs little.
const REFRESH_BATCH: usize = 1_000;

/// Loads again, ahead of their expiry, the cache entries that checks are reading; returns how many
/// were stored (a batch that raced a change is not, and stays due until it expires).
pub async fn refresh_cache(store: &Store) -> Result<usize, AppError> {
    if store.cache.known_ids_due() {
        load_known_ids(store).await?;
    }
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

/// Reads every user and company id, when they fit in the cache's bound, so that checks naming ids that
/// exist nowhere are answered from memory; whether the ids are now held.
pub async fn load_known_ids(store: &Store) -> Result<bool, AppError> {
    let cache = &store.cache;
    if !cache.begin_known_ids() {
        return Ok(false);
    }
    let bound = cache.capacity();
    let read = async {
        let users: Vec<i32> =
            ids_in_pages::<user::Entity, _>(&store.db, user::Column::Id, bound + 1).await?;
        let companies: Vec<Uuid> =
            ids_in_pages::<company::Entity, _>(&store.db, company::Column::Id, bound + 1).await?;
        Ok::<_, sea_orm::DbErr>((users, companies))
    };
    match read.await {
        Ok((users, companies)) if users.len() > bound || companies.len() > bound => {
            cache.known_ids_too_many();
            Ok(false)
        }
        Ok((users, companies)) => Ok(cache.finish_known_ids(users, companies)),
        Err(error) => {
            cache.known_ids_failed();
            Err(AppError::Unavailable(error))
        }
    }
}

/// Read a page at a time: read whole, 100,000 ids held the driver's rows (some 20 MiB) at once, which
/// the allocator kept after they were freed. Changes made between two pages are not lost: the cache adds
/// every id a change names while the known ids load.
const KNOWN_IDS_PAGE: u64 = 10_000;

/// Up to `limit` ids of a table after `after` (from the first without it), in id order.
async fn id_page<E, V>(
    db: &DatabaseConnection,
    id: E::Column,
    after: Option<V>,
    limit: u64,
) -> Result<Vec<V>, sea_orm::DbErr>
where
    E: EntityTrait,
    V: sea_orm::TryGetableMany + Into<sea_orm::Value> + Send,
{
    E::find()
        .select_only()
        .column(id)
        .apply_if(after, |query, after| query.filter(id.gt(after)))
        .order_by_asc(id)
        .limit(limit)
        .into_tuple::<V>()
        .all(db)
        .await
}

/// Up to `most` ids of a table, in id order, a page at a time.
async fn ids_in_pages<E, V>(
    db: &DatabaseConnection,
    id: E::Column,
    most: usize,
) -> Result<Vec<V>, sea_orm::DbErr>
where
    E: EntityTrait,
    V: sea_orm::TryGetableMany + Into<sea_orm::Value> + Copy + Send,
{
    let mut ids: Vec<V> = Vec::new();
    while ids.len() < most {
        let limit = KNOWN_IDS_PAGE.min((most - ids.len()) as u64);
        let page: Vec<V> = id_page::<E, V>(db, id, ids.last().copied(), limit).await?;
        let full = page.len() as u64 == KNOWN_IDS_PAGE;
        ids.extend(page);
        if !full {
            break;
        }
    }
    Ok(ids)
}

/// Fills an empty cache, up to its bound, with users in id order and every company: a service that has
/// just started answers from memory at once instead of loading each user on its first check. Returns
/// (users, companies) stored.
pub async fn warm_cache(store: &Store) -> Result<(usize, usize), AppError> {
    load_known_ids(store).await?;
    let capacity = store.cache.capacity();
    let generation = store.cache.generation();
    let ids: Vec<Uuid> =
        ids_in_pages::<company::Entity, _>(&store.db, company::Column::Id, capacity)
            .await
            .map_err(AppError::Unavailable)?;
    // The ids were just read, so they exist: only their ancestors are still to read.
    let mut chains = ancestors(&store.db, &ids).await?;
    let companies: Vec<_> = ids
        .into_iter()
        .map(|id| (id, Some(chains.remove(&id).unwrap_or_default())))
        .collect();
    let count = companies.len();
    let warmed_companies = if store.cache.store(generation, Vec::new(), companies) {
        count
    } else {
        0
    };
    let (mut warmed_users, mut after) = (0, None);
    while warmed_users < capacity {
        let limit = REFRESH_BATCH.min(capacity - warmed_users) as u64;
        let ids: Vec<i32> = id_page::<user::Entity, _>(&store.db, user::Column::Id, after, limit)
            .await
            .map_err(AppError::Unavailable)?;
        let Some(last) = ids.last() else { break };
        after = Some(*last);
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
