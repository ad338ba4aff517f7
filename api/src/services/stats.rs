//! Summary statistics (menu option 7), from a handful of aggregate queries.

use crate::error::AppError;
use crate::services::Sql;
use crate::services::users::stored;
use openapi::CompanyName;
use openapi::stats::{CompaniesPerUser, CompanyLoad, Stats};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

pub async fn summary(db: &impl ConnectionTrait) -> Result<Stats, AppError> {
    let backend = db.get_database_backend();

    #[derive(FromQueryResult)]
    struct Totals {
        users: i64,
        active_users: i64,
        super_admins: i64,
        companies: i64,
        relationships: i64,
        companies_without_users: i64,
    }
    let totals = Totals::find_by_statement(
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
    .ok_or_else(|| AppError::Internal("statistics query returned no row".into()))?;

    #[derive(FromQueryResult)]
    struct Bucket {
        companies: i64,
        users: i64,
    }
    let buckets = Bucket::find_by_statement(
        Sql::new(
            backend,
            "SELECT n AS companies, count(*) AS users FROM \
               (SELECT count(*) AS n FROM hrm_user_company_access GROUP BY user_id) per_user \
             GROUP BY n ORDER BY n",
        )
        .statement(),
    )
    .all(db)
    .await?;
    let users_with_companies: i64 = buckets.iter().map(|bucket| bucket.users).sum();
    let users_without_companies = (totals.users - users_with_companies).max(0);
    let users_with_multiple_companies: i64 = buckets
        .iter()
        .filter(|bucket| bucket.companies > 1)
        .map(|bucket| bucket.users)
        .sum();
    let mut companies_per_user = Vec::with_capacity(buckets.len() + 1);
    if users_without_companies > 0 {
        companies_per_user.push(CompaniesPerUser {
            companies: 0,
            users: users_without_companies,
        });
    }
    companies_per_user.extend(buckets.into_iter().map(|bucket| CompaniesPerUser {
        companies: bucket.companies,
        users: bucket.users,
    }));

    #[derive(FromQueryResult)]
    struct Busiest {
        company_id: Uuid,
        name: String,
        users: i64,
    }
    let busiest_companies = Busiest::find_by_statement(
        Sql::new(
            backend,
            "SELECT c.id AS company_id, c.name, per_company.users FROM \
               (SELECT company_id, count(*) AS users FROM hrm_user_company_access \
                GROUP BY company_id ORDER BY users DESC LIMIT 10) per_company \
             JOIN hrm_company c ON c.id = per_company.company_id \
             ORDER BY per_company.users DESC, lower(c.name)",
        )
        .statement(),
    )
    .all(db)
    .await?
    .into_iter()
    .map(|row| {
        Ok(CompanyLoad {
            company_id: row.company_id,
            name: stored("company name", CompanyName::parse(row.name))?,
            users: row.users,
        })
    })
    .collect::<Result<_, AppError>>()?;

    let average_companies_per_user = if totals.users == 0 {
        0.0
    } else {
        (totals.relationships as f64 / totals.users as f64 * 100.0).round() / 100.0
    };
    Ok(Stats {
        users: totals.users,
        active_users: totals.active_users,
        super_admins: totals.super_admins,
        companies: totals.companies,
        relationships: totals.relationships,
        users_with_multiple_companies,
        users_without_companies,
        companies_without_users: totals.companies_without_users,
        average_companies_per_user,
        busiest_companies,
        companies_per_user,
    })
}
