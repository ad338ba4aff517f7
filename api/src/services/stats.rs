//! Summary statistics: the aggregates of `db::stats`, and the figures derived from them.

use crate::db::stats;
use crate::error::AppError;
use openapi::stats::{CompaniesPerUser, Stats};
use sea_orm::ConnectionTrait;

pub async fn summary(db: &impl ConnectionTrait) -> Result<Stats, AppError> {
    // One instant for both statements, so a grant expiring between them is counted once.
    let now = chrono::Utc::now();
    let totals = stats::totals(db, now).await?;
    let buckets = stats::grants_per_user(db, now).await?;
    let users_without_companies = totals.users_without_companies;
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

    let busiest_companies = stats::busiest_companies(db).await?;
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
        expired_grants: totals.expired_grants,
        scheduled_grants: totals.scheduled_grants,
        branch_grants: totals.branch_grants,
        branch_companies: totals.branch_companies,
        users_with_multiple_companies,
        users_without_companies,
        companies_without_users: totals.companies_without_users,
        average_companies_per_user,
        busiest_companies,
        companies_per_user,
    })
}
