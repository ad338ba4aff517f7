//! The aggregate queries behind the statistics: a handful of counts, each one statement.

use crate::db::sql::Sql;
use crate::error::AppError;
use openapi::stats::CompanyLoad;
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

/// The whole-table counts.
#[derive(FromQueryResult)]
pub struct Totals {
    pub users: i64,
    pub active_users: i64,
    pub super_admins: i64,
    pub companies: i64,
    pub relationships: i64,
    pub companies_without_users: i64,
    pub expired_grants: i64,
    pub scheduled_grants: i64,
    pub branch_grants: i64,
    pub branch_companies: i64,
    pub users_without_companies: i64,
}

/// The whole-table counts, grants' windows taken at `now`; the grants are read once for all of theirs.
pub async fn totals(
    db: &impl ConnectionTrait,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Totals, AppError> {
    let mut sql = Sql::new(db.get_database_backend(), "SELECT ");
    let at = sql.bind(now);
    sql.push(&format!(
        "g.relationships, g.expired_grants, g.scheduled_grants, g.branch_grants, \
           (SELECT count(*) FROM hrm_users) AS users, \
           (SELECT count(*) FROM hrm_users WHERE is_active) AS active_users, \
           (SELECT count(*) FROM hrm_users WHERE role = 'super_admin') AS super_admins, \
           (SELECT count(*) FROM hrm_company) AS companies, \
           (SELECT count(*) FROM hrm_company WHERE parent_id IS NOT NULL) AS branch_companies, \
           (SELECT count(*) FROM hrm_company c WHERE NOT EXISTS \
              (SELECT 1 FROM hrm_user_company_access a WHERE a.company_id = c.id)) AS companies_without_users, \
           (SELECT count(*) FROM hrm_users u WHERE u.role <> 'super_admin' AND NOT EXISTS \
              (SELECT 1 FROM hrm_user_company_access a WHERE a.user_id = u.id \
                 AND (a.valid_until IS NULL OR a.valid_until > {at}))) AS users_without_companies \
         FROM (SELECT count(*) AS relationships, \
           coalesce(sum(CASE WHEN valid_until <= {at} THEN 1 ELSE 0 END), 0) AS expired_grants, \
           coalesce(sum(CASE WHEN valid_from > {at} THEN 1 ELSE 0 END), 0) AS scheduled_grants, \
           coalesce(sum(CASE WHEN include_branches THEN 1 ELSE 0 END), 0) AS branch_grants \
           FROM hrm_user_company_access) g"
    ));
    Totals::find_by_statement(sql.statement())
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal("statistics query returned no row".into()))
}

/// How many users hold how many grants, for every count that some user holds. An expired grant
/// gives no company, so it is not counted; a scheduled one is, as the company the user is about to have.
#[derive(FromQueryResult)]
pub struct Bucket {
    pub companies: i64,
    pub users: i64,
}

pub async fn grants_per_user(
    db: &impl ConnectionTrait,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Bucket>, AppError> {
    let mut sql = Sql::new(db.get_database_backend(), "");
    let at = sql.bind(now);
    sql.push(&format!(
        "SELECT n AS companies, count(*) AS users FROM \
           (SELECT count(*) AS n FROM hrm_user_company_access \
            WHERE valid_until IS NULL OR valid_until > {at} GROUP BY user_id) per_user \
         GROUP BY n ORDER BY n"
    ));
    Ok(Bucket::find_by_statement(sql.statement()).all(db).await?)
}

#[derive(FromQueryResult)]
struct Busiest {
    company_id: Uuid,
    name: String,
    users: i64,
}
/// The ten companies with the most grants.
pub async fn busiest_companies(db: &impl ConnectionTrait) -> Result<Vec<CompanyLoad>, AppError> {
    let backend = db.get_database_backend();
    Ok(Busiest::find_by_statement(
        Sql::new(
            backend,
            "SELECT c.id AS company_id, c.name, per_company.users FROM \
               (SELECT company_id, count(*) AS users FROM hrm_user_company_access \
                GROUP BY company_id ORDER BY users DESC LIMIT 10) per_company \
             JOIN hrm_company c ON c.id = per_company.company_id \
             ORDER BY per_company.users DESC, c.name_key",
        )
        .statement(),
    )
    .all(db)
    .await?
    .into_iter()
    .map(|row| CompanyLoad {
        company_id: row.company_id,
        name: row.name,
        users: row.users,
    })
    .collect())
}
