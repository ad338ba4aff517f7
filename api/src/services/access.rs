//! Who may act in which company: the seed's four functions, replace-set, default company, bulk add and populate.

use crate::cache::Changes;
use crate::db::random_uuid_sql;
use crate::error::AppError;
use crate::services::audit::{self, Change};
use crate::services::users::{self, stored};
use crate::services::{Sql, dedup_in_order};
use crate::store::Store;
use chrono::{DateTime, Utc};
use openapi::access::{
    BulkGrantRequest, BulkGrantResult, GrantManyResult, MAX_IDS_PER_REQUEST, PopulateResult,
    ReplaceCompanies, ReplaceResult, UserCompanies, UserCompany, UserRef,
};
use openapi::audit::AuditAction;
use openapi::companies::AccessSource;
use openapi::{CompanyName, Role};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, FromQueryResult, SqlErr, Value};
use std::collections::HashSet;
use uuid::Uuid;

/// Columns written by every grant, in this order.
const GRANT_COLUMNS: &str = "INSERT INTO hrm_user_company_access \
     (id, user_id, company_id, is_default, granted_by, created_at, modified_at) ";

/// Reads the user and, on PostgreSQL, locks their row until the transaction ends, so that changes to one
/// user's grants (and the one-default rule) never interleave. SQLite's write transactions are serial already.
pub(crate) async fn lock_user(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Option<i32>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i32,
    }
    let backend = db.get_database_backend();
    let mut sql = Sql::new(backend, "SELECT id FROM hrm_users WHERE id = ");
    let id = sql.bind(user_id);
    sql.push(&id);
    if backend == DatabaseBackend::Postgres {
        sql.push(" FOR UPDATE");
    }
    Ok(Row::find_by_statement(sql.statement())
        .one(db)
        .await?
        .map(|row| row.id))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GrantDefault {
    /// The grant becomes the user's default when they have none yet.
    IfUserHasNone,
}

async fn company_exists(db: &impl ConnectionTrait, company_id: Uuid) -> Result<bool, DbErr> {
    Ok(!existing_companies(db, &[company_id]).await?.is_empty())
}

/// Which of these companies exist.
pub(crate) async fn existing_companies(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashSet<Uuid>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
    }
    let mut found = HashSet::with_capacity(ids.len());
    for chunk in ids.chunks(MAX_IDS_PER_REQUEST) {
        let mut sql = Sql::new(
            db.get_database_backend(),
            "SELECT id FROM hrm_company WHERE id IN ",
        );
        let list = sql.bind_list_padded(chunk);
        sql.push(&list);
        found.extend(
            Row::find_by_statement(sql.statement())
                .all(db)
                .await?
                .into_iter()
                .map(|r| r.id),
        );
    }
    Ok(found)
}

/// Fails with "Company not found" naming every id that does not exist.
async fn require_companies(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<(), AppError> {
    let found = existing_companies(db, ids).await?;
    let missing: Vec<Uuid> = ids
        .iter()
        .copied()
        .filter(|id| !found.contains(id))
        .collect();
    match missing.as_slice() {
        [] => Ok(()),
        [_] if ids.len() == 1 => Err(AppError::company_not_found()),
        _ => Err(AppError::companies_not_found(&missing)),
    }
}

pub(crate) async fn granted_company_ids(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Vec<Uuid>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        company_id: Uuid,
    }
    let mut sql = Sql::new(
        db.get_database_backend(),
        "SELECT company_id FROM hrm_user_company_access WHERE user_id = ",
    );
    let id = sql.bind(user_id);
    sql.push(&id).push(" ORDER BY created_at, company_id");
    Ok(Row::find_by_statement(sql.statement())
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.company_id)
        .collect())
}

/// Inserts grants of `company_ids` to the user in one statement; pairs that exist are left alone.
/// Returns how many rows were added.
async fn insert_grants(
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
            .map_err(map_grant_error)?
            .rows_affected();
    }
    Ok(added)
}

fn map_grant_error(error: DbErr) -> AppError {
    match error.sql_err() {
        // The user or company was deleted by a concurrent request after our checks.
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => AppError::NotFound {
            code: openapi::ProblemCode::CompanyNotFound,
            detail: "Company not found (it was deleted while the grant was being made)".into(),
        },
        _ => AppError::Database(error),
    }
}

/// Makes `company_id` the user's default if the user has a grant of it and no default yet.
async fn default_if_none(
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

/// Grants one company inside the caller's transaction (the user row must be locked). `Ok(false)` when the
/// user already had it.
pub(crate) async fn insert_grant(
    db: &impl ConnectionTrait,
    actor: &str,
    user_id: i32,
    company_id: Uuid,
    default: GrantDefault,
) -> Result<bool, AppError> {
    let added = insert_grants(db, actor, user_id, &[company_id]).await? > 0;
    if added && default == GrantDefault::IfUserHasNone {
        default_if_none(db, user_id, company_id).await?;
    }
    Ok(added)
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

async fn grant_rows(
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

async fn grant_of(
    db: &impl ConnectionTrait,
    user_id: i32,
    company_id: Uuid,
) -> Result<Option<UserCompany>, AppError> {
    Ok(grant_rows(db, user_id, Some(&[company_id]))
        .await?
        .into_iter()
        .next())
}

/// `list_user_companies`: explicit grants (default first), then for a super admin every other company.
pub async fn list_for_user(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<UserCompanies, AppError> {
    let user = users::get(db, user_id).await?;
    let mut items = grant_rows(db, user_id, None).await?;
    let all_companies = user.role == Role::SuperAdmin;
    if all_companies {
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
        for row in Row::find_by_statement(sql.statement()).all(db).await? {
            items.push(UserCompany {
                company_id: row.id,
                company_name: stored("company name", CompanyName::parse(row.name))?,
                is_default: false,
                source: AccessSource::SuperAdmin,
                granted_at: None,
                granted_by: None,
            });
        }
    }
    Ok(UserCompanies {
        user: UserRef {
            id: user.id,
            username: user.username,
            full_name: user.full_name,
            role: user.role,
            is_active: user.is_active,
        },
        all_companies,
        items,
    })
}

/// `add_company_to_user`. A company the user already has is a conflict ("User already has access to this
/// company"); sixty-four of these at once for one pair still leave exactly one row.
pub async fn grant_one(
    store: &Store,
    actor: &str,
    user_id: i32,
    company_id: Uuid,
) -> Result<UserCompany, AppError> {
    let txn = store.begin_write().await?;
    lock_user(&txn, user_id)
        .await?
        .ok_or_else(AppError::user_not_found)?;
    if !company_exists(&txn, company_id).await? {
        return Err(AppError::company_not_found());
    }
    if !insert_grant(
        &txn,
        actor,
        user_id,
        company_id,
        GrantDefault::IfUserHasNone,
    )
    .await?
    {
        return Err(AppError::already_has_access());
    }
    let grant = grant_of(&txn, user_id, company_id)
        .await?
        .ok_or_else(AppError::access_not_found)?;
    audit::record(
        &txn,
        Change::new(actor, AuditAction::AccessGrant)
            .user(user_id)
            .company(company_id)
            .after(&grant),
    )
    .await?;
    store.commit(txn, Changes::user(user_id)).await?;
    Ok(grant)
}

fn check_id_count(field: &str, count: usize) -> Result<(), AppError> {
    if count > MAX_IDS_PER_REQUEST {
        return Err(AppError::validation(
            field,
            format!("at most {MAX_IDS_PER_REQUEST} ids per request (got {count})"),
        ));
    }
    Ok(())
}

/// `add_companies_to_user`: all or nothing; companies the user already has are reported, not refused.
pub async fn grant_many(
    store: &Store,
    actor: &str,
    user_id: i32,
    company_ids: &[Uuid],
) -> Result<GrantManyResult, AppError> {
    check_id_count("company_ids", company_ids.len())?;
    let ids = dedup_in_order(company_ids);
    if ids.is_empty() {
        return Err(AppError::validation(
            "company_ids",
            "must name at least one company",
        ));
    }
    let txn = store.begin_write().await?;
    lock_user(&txn, user_id)
        .await?
        .ok_or_else(AppError::user_not_found)?;
    require_companies(&txn, &ids).await?;
    let had: HashSet<Uuid> = granted_company_ids(&txn, user_id)
        .await?
        .into_iter()
        .collect();
    let (already_present, to_add): (Vec<Uuid>, Vec<Uuid>) =
        ids.iter().copied().partition(|id| had.contains(id));
    insert_grants(&txn, actor, user_id, &to_add).await?;
    if let Some(first) = to_add.first() {
        default_if_none(&txn, user_id, *first).await?;
    }
    let mut added = grant_rows(&txn, user_id, Some(&to_add)).await?;
    let position = |id: &Uuid| to_add.iter().position(|added| added == id);
    added.sort_by_key(|grant| position(&grant.company_id));
    audit::record_many(
        &txn,
        added
            .iter()
            .map(|grant| {
                Change::new(actor, AuditAction::AccessGrant)
                    .user(user_id)
                    .company(grant.company_id)
                    .after(grant)
            })
            .collect(),
    )
    .await?;
    store.commit(txn, Changes::user(user_id)).await?;
    Ok(GrantManyResult {
        added,
        already_present,
    })
}

/// Replaces the user's whole set of granted companies.
pub async fn replace(
    store: &Store,
    actor: &str,
    user_id: i32,
    request: ReplaceCompanies,
) -> Result<ReplaceResult, AppError> {
    check_id_count("company_ids", request.company_ids.len())?;
    let ids = dedup_in_order(&request.company_ids);
    if let Some(default) = request.default_company_id
        && !ids.contains(&default)
    {
        return Err(AppError::validation(
            "default_company_id",
            "must be one of company_ids",
        ));
    }
    let txn = store.begin_write().await?;
    lock_user(&txn, user_id)
        .await?
        .ok_or_else(AppError::user_not_found)?;
    require_companies(&txn, &ids).await?;
    let before = grant_rows(&txn, user_id, None).await?;
    let current: HashSet<Uuid> = before.iter().map(|grant| grant.company_id).collect();
    let wanted: HashSet<Uuid> = ids.iter().copied().collect();
    let removed: Vec<Uuid> = before
        .iter()
        .map(|grant| grant.company_id)
        .filter(|id| !wanted.contains(id))
        .collect();
    let added: Vec<Uuid> = ids
        .iter()
        .copied()
        .filter(|id| !current.contains(id))
        .collect();
    let backend = txn.get_database_backend();
    for chunk in removed.chunks(MAX_IDS_PER_REQUEST) {
        let mut sql = Sql::new(
            backend,
            "DELETE FROM hrm_user_company_access WHERE user_id = ",
        );
        let user = sql.bind(user_id);
        sql.push(&user).push(" AND company_id IN ");
        let list = sql.bind_list(chunk.iter().copied());
        sql.push(&list);
        txn.execute_raw(sql.statement()).await?;
    }
    insert_grants(&txn, actor, user_id, &added).await?;
    match request.default_company_id {
        Some(default) => set_default_flag(&txn, user_id, default, true).await?,
        None => {
            if let Some(first) = ids.first() {
                default_if_none(&txn, user_id, *first).await?;
            }
        }
    }
    let by_id = |id: Uuid| before.iter().find(|grant| grant.company_id == id).cloned();
    let mut changes: Vec<Change> = removed
        .iter()
        .map(|id| {
            Change::new(actor, AuditAction::AccessRevoke)
                .user(user_id)
                .company(*id)
                .before(by_id(*id))
                .after(serde_json::json!({ "via": "replace" }))
        })
        .collect();
    changes.extend(added.iter().map(|id| {
        Change::new(actor, AuditAction::AccessGrant)
            .user(user_id)
            .company(*id)
            .after(serde_json::json!({ "via": "replace" }))
    }));
    audit::record_many(&txn, changes).await?;
    let companies = list_for_user(&txn, user_id).await?;
    store.commit(txn, Changes::user(user_id)).await?;
    Ok(ReplaceResult {
        added,
        removed,
        companies,
    })
}

/// Sets or clears the default flag; setting it clears it on the user's other grants first.
async fn set_default_flag(
    db: &impl ConnectionTrait,
    user_id: i32,
    company_id: Uuid,
    is_default: bool,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let now = Utc::now();
    if is_default {
        let mut clear = Sql::new(
            backend,
            "UPDATE hrm_user_company_access SET is_default = false, modified_at = ",
        );
        let at = clear.bind(now);
        let user = clear.bind(user_id);
        let company = clear.bind(company_id);
        clear.push(&format!(
            "{at} WHERE user_id = {user} AND is_default AND company_id <> {company}"
        ));
        db.execute_raw(clear.statement()).await?;
    }
    let mut set = Sql::new(backend, "UPDATE hrm_user_company_access SET is_default = ");
    let flag = set.bind(is_default);
    let at = set.bind(now);
    let user = set.bind(user_id);
    let company = set.bind(company_id);
    set.push(&format!(
        "{flag}, modified_at = {at} WHERE user_id = {user} AND company_id = {company}"
    ));
    db.execute_raw(set.statement()).await?;
    Ok(())
}

/// Checks user, company and grant in that order, so each 404 names the right thing.
async fn require_grant(
    db: &impl ConnectionTrait,
    user_id: i32,
    company_id: Uuid,
) -> Result<UserCompany, AppError> {
    lock_user(db, user_id)
        .await?
        .ok_or_else(AppError::user_not_found)?;
    if !company_exists(db, company_id).await? {
        return Err(AppError::company_not_found());
    }
    grant_of(db, user_id, company_id)
        .await?
        .ok_or_else(AppError::access_not_found)
}

/// Makes the company the user's one default (or clears the flag).
pub async fn set_default(
    store: &Store,
    actor: &str,
    user_id: i32,
    company_id: Uuid,
    is_default: bool,
) -> Result<UserCompany, AppError> {
    let txn = store.begin_write().await?;
    let before = require_grant(&txn, user_id, company_id).await?;
    set_default_flag(&txn, user_id, company_id, is_default).await?;
    let after = grant_of(&txn, user_id, company_id)
        .await?
        .ok_or_else(AppError::access_not_found)?;
    audit::record(
        &txn,
        Change::new(actor, AuditAction::AccessDefault)
            .user(user_id)
            .company(company_id)
            .before(&before)
            .after(&after),
    )
    .await?;
    store.commit(txn, Changes::user(user_id)).await?;
    Ok(after)
}

/// `remove_company_from_user`.
pub async fn revoke(
    store: &Store,
    actor: &str,
    user_id: i32,
    company_id: Uuid,
) -> Result<(), AppError> {
    let txn = store.begin_write().await?;
    let before = require_grant(&txn, user_id, company_id).await?;
    let mut sql = Sql::new(
        txn.get_database_backend(),
        "DELETE FROM hrm_user_company_access WHERE user_id = ",
    );
    let user = sql.bind(user_id);
    let company = sql.bind(company_id);
    sql.push(&format!("{user} AND company_id = {company}"));
    txn.execute_raw(sql.statement()).await?;
    audit::record(
        &txn,
        Change::new(actor, AuditAction::AccessRevoke)
            .user(user_id)
            .company(company_id)
            .before(&before),
    )
    .await?;
    store.commit(txn, Changes::user(user_id)).await?;
    Ok(())
}

/// Appends `AND <column> IN (…)` when a list was given.
fn push_in_filter<V: Into<Value> + Copy>(sql: &mut Sql, column: &str, ids: Option<&[V]>) {
    if let Some(ids) = ids {
        let list = sql.bind_list(ids.iter().copied());
        sql.push(&format!(" AND {column} IN {list}"));
    }
}

async fn require_users(db: &impl ConnectionTrait, ids: &[i32]) -> Result<(), AppError> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i32,
    }
    let mut sql = Sql::new(
        db.get_database_backend(),
        "SELECT id FROM hrm_users WHERE id IN ",
    );
    let list = sql.bind_list(ids.iter().copied());
    sql.push(&list);
    let found: HashSet<i32> = Row::find_by_statement(sql.statement())
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.id)
        .collect();
    let missing: Vec<i32> = ids
        .iter()
        .copied()
        .filter(|id| !found.contains(id))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(AppError::users_not_found(&missing))
    }
}

/// Menu option 6: every listed user gets every listed company (absent list: all), in one INSERT … SELECT.
pub async fn bulk_grant(
    store: &Store,
    actor: &str,
    request: BulkGrantRequest,
) -> Result<BulkGrantResult, AppError> {
    let user_ids = request.user_ids.as_deref().map(dedup_in_order);
    let company_ids = request.company_ids.as_deref().map(dedup_in_order);
    check_id_count("user_ids", user_ids.as_ref().map_or(0, Vec::len))?;
    check_id_count("company_ids", company_ids.as_ref().map_or(0, Vec::len))?;
    let txn = store.begin_write().await?;
    let backend = txn.get_database_backend();
    if let Some(ids) = user_ids.as_deref().filter(|ids| !ids.is_empty()) {
        require_users(&txn, ids).await?;
    }
    if let Some(ids) = company_ids.as_deref().filter(|ids| !ids.is_empty()) {
        require_companies(&txn, ids).await?;
    }
    let users = match &user_ids {
        Some(ids) => ids.len() as u64,
        None => {
            users::count_rows(
                &txn,
                Sql::new(backend, "SELECT count(*) AS total FROM hrm_users"),
            )
            .await?
        }
    };
    let companies = match &company_ids {
        Some(ids) => ids.len() as u64,
        None => {
            users::count_rows(
                &txn,
                Sql::new(backend, "SELECT count(*) AS total FROM hrm_company"),
            )
            .await?
        }
    };
    let pairs = users * companies;
    let added = if request.dry_run {
        let mut existing = Sql::new(
            backend,
            "SELECT count(*) AS total FROM hrm_user_company_access a WHERE true",
        );
        push_in_filter(&mut existing, "a.user_id", user_ids.as_deref());
        push_in_filter(&mut existing, "a.company_id", company_ids.as_deref());
        pairs.saturating_sub(users::count_rows(&txn, existing).await?)
    } else if pairs == 0 {
        0
    } else {
        let mut insert = Sql::new(backend, GRANT_COLUMNS);
        let actor_value = insert.bind(actor);
        let now = insert.bind(Utc::now());
        insert.push(&format!(
            "SELECT {}, u.id, c.id, false, {actor_value}, {now}, {now} \
             FROM hrm_users u CROSS JOIN hrm_company c WHERE true",
            random_uuid_sql(backend)
        ));
        push_in_filter(&mut insert, "u.id", user_ids.as_deref());
        push_in_filter(&mut insert, "c.id", company_ids.as_deref());
        insert.push(" ON CONFLICT (user_id, company_id) DO NOTHING");
        txn.execute_raw(insert.statement())
            .await
            .map_err(map_grant_error)?
            .rows_affected()
    };
    let result = BulkGrantResult {
        users,
        companies,
        pairs,
        added,
        already_present: pairs - added,
        dry_run: request.dry_run,
    };
    if !request.dry_run {
        audit::record(
            &txn,
            Change::new(actor, AuditAction::AccessBulk)
                .before(serde_json::json!({ "user_ids": user_ids, "company_ids": company_ids }))
                .after(&result),
        )
        .await?;
        let changes = match &user_ids {
            Some(ids) => Changes::users(ids.iter().copied()),
            None => Changes::everything(),
        };
        store.commit(txn, changes).await?;
    }
    Ok(result)
}

async fn count_defaults(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    let sql = Sql::new(
        db.get_database_backend(),
        "SELECT count(*) AS total FROM hrm_user_company_access WHERE is_default",
    );
    users::count_rows(db, sql).await
}

/// The seed's migrate_user_company_access.py: each user gets their profile's home company (as default when
/// they have none) and super admins get every company. Running it again adds nothing.
pub async fn populate(
    store: &Store,
    actor: &str,
    dry_run: bool,
) -> Result<PopulateResult, AppError> {
    let txn = store.begin_write().await?;
    let backend = txn.get_database_backend();
    let role = |sql: &mut Sql| sql.bind(Role::SuperAdmin.as_str());
    let result = if dry_run {
        let home = Sql::new(
            backend,
            "SELECT count(*) AS total FROM hrm_users u WHERE u.home_company_id IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM hrm_user_company_access a WHERE a.user_id = u.id AND a.company_id = u.home_company_id)",
        );
        let mut admins = Sql::new(backend, "");
        let super_admin = role(&mut admins);
        admins.push(&format!(
            "SELECT count(*) AS total FROM hrm_users u CROSS JOIN hrm_company c WHERE u.role = {super_admin} \
             AND (u.home_company_id IS NULL OR c.id <> u.home_company_id) AND NOT EXISTS \
             (SELECT 1 FROM hrm_user_company_access a WHERE a.user_id = u.id AND a.company_id = c.id)"
        ));
        let defaults = Sql::new(
            backend,
            "SELECT count(*) AS total FROM hrm_users u WHERE u.home_company_id IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM hrm_user_company_access d WHERE d.user_id = u.id AND d.is_default)",
        );
        PopulateResult {
            home_company_grants: users::count_rows(&txn, home).await?,
            super_admin_grants: users::count_rows(&txn, admins).await?,
            defaults_set: users::count_rows(&txn, defaults).await?,
            dry_run,
        }
    } else {
        let uuid = random_uuid_sql(backend);
        let defaults_before = count_defaults(&txn).await?;
        // A home grant is made the default of a user who has none within the same INSERT; each user
        // appears once, so the one-default index cannot clash inside the statement.
        let mut home = Sql::new(backend, GRANT_COLUMNS);
        let actor_value = home.bind(actor);
        let now = home.bind(Utc::now());
        home.push(&format!(
            "SELECT {uuid}, u.id, u.home_company_id, NOT EXISTS \
               (SELECT 1 FROM hrm_user_company_access d WHERE d.user_id = u.id AND d.is_default), \
               {actor_value}, {now}, {now} FROM hrm_users u \
             WHERE u.home_company_id IS NOT NULL ON CONFLICT (user_id, company_id) DO NOTHING"
        ));
        let home_company_grants = txn.execute_raw(home.statement()).await?.rows_affected();
        // Home grants that existed before, not default, of users with no default: promote them. Driven
        // by one index probe per user with a profile.
        let mut promote = Sql::new(
            backend,
            "UPDATE hrm_user_company_access SET is_default = true, modified_at = ",
        );
        let now = promote.bind(Utc::now());
        promote.push(&format!(
            "{now} WHERE id IN (SELECT a.id FROM hrm_users u JOIN hrm_user_company_access a \
               ON a.user_id = u.id AND a.company_id = u.home_company_id \
             WHERE NOT a.is_default AND NOT EXISTS (SELECT 1 FROM hrm_user_company_access d \
               WHERE d.user_id = u.id AND d.is_default))"
        ));
        txn.execute_raw(promote.statement()).await?;
        let mut admins = Sql::new(backend, GRANT_COLUMNS);
        let actor_value = admins.bind(actor);
        let now = admins.bind(Utc::now());
        let super_admin = role(&mut admins);
        admins.push(&format!(
            "SELECT {uuid}, u.id, c.id, false, {actor_value}, {now}, {now} \
             FROM hrm_users u CROSS JOIN hrm_company c WHERE u.role = {super_admin} \
             ON CONFLICT (user_id, company_id) DO NOTHING"
        ));
        let super_admin_grants = txn.execute_raw(admins.statement()).await?.rows_affected();
        let defaults_set = count_defaults(&txn).await?.saturating_sub(defaults_before);
        PopulateResult {
            home_company_grants,
            super_admin_grants,
            defaults_set,
            dry_run,
        }
    };
    if !dry_run {
        audit::record(
            &txn,
            Change::new(actor, AuditAction::AccessPopulate).after(&result),
        )
        .await?;
        store.commit(txn, Changes::everything()).await?;
    }
    Ok(result)
}
