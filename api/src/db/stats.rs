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
}

pub async fn totals(db: &impl ConnectionTrait) -> Result<Totals, AppError> {
    let backend = db.get_database_backend();
    Totals::find_by_statement(
        Sql::new(
            backend,
            "SELECT \
               (SELECT count(*) FROM hrm_users) AS users, \
               (SELECT count(*) FROM hrm_users WHERE is_active) AS active_users, \
               (SELECT count(*) FROM hrm_users WHERE role = 'super_admin') AS super_admins, \
               (SELECT count(*) FROM hrm_company) AS companies, \
               (SELECT count(*) FROM hrm_user_company_access) AS relationships, \
               (SELECT count(*) FROM hrm_company c WHERE NOT EXISTS \
                  (SELECT 1 FROM hrm_user_company_access a WHERE a.company_id = c.id)) AS companies_without_users",
        )
        .statement(),
    )
    .one(db)
    .await?
    .ok_or_else(|| AppError::Internal("statistics query returned no row".into()))
}

/// How many users hold how many grants, for every count that some user holds.
#[derive(FromQueryResult)]
pub struct Bucket {
    pub companies: i64,
    pub users: i64,
}

pub async fn grants_per_user(db: &impl ConnectionTrait) -> Result<Vec<Bucket>, AppError> {
    let backend = db.get_database_backend();
    Ok(Bucket::find_by_statement(
        Sql::new(
            backend,
            "SELECT n AS companies, count(*) AS users FROM \
               (SELECT count(*) AS n FROM hrm_user_company_access GROUP BY user_id) per_user \
             GROUP BY n ORDER BY n",
        )
        .statement(),
    )
    .all(db)
    .await?)
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
