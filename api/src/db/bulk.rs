//! The whole-table grants: bulk add (every listed user × every listed company) and populate from the
//! employee profiles, each one `INSERT … SELECT` (a random UUID per row is backend-specific SQL).

use crate::db::constraint::{Constraint, OnConstraint};
use crate::db::grants::GRANT_COLUMNS;
use crate::db::sql::{Sql, count_rows, random_uuid_sql};
use crate::error::AppError;
use chrono::Utc;
use entity::user_company_access as access;
use openapi::Role;
use openapi::access::PopulateResult;
use openapi::terms::GrantTerms;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Value};
use uuid::Uuid;

/// Appends `AND <column> IN (…)` when a list was given.
fn push_in_filter<V: Into<Value> + Copy>(sql: &mut Sql, column: &str, ids: Option<&[V]>) {
    if let Some(ids) = ids {
        let list = sql.bind_list(ids.iter().copied());
        sql.push(&format!(" AND {column} IN {list}"));
    }
}

/// Grants every listed user every listed company (absent list: all), each with `terms`, in one
/// statement; returns how many pairs were added. Pairs that exist are left alone, their terms too.
pub async fn grant_all_pairs(
    db: &impl ConnectionTrait,
    actor: &str,
    user_ids: Option<&[i32]>,
    company_ids: Option<&[Uuid]>,
    terms: &GrantTerms,
) -> Result<u64, AppError> {
    let backend = db.get_database_backend();
    let mut insert = Sql::new(
        backend,
        "INSERT INTO hrm_user_company_access (id, user_id, company_id, is_default, granted_by, \
         created_at, modified_at, role, valid_from, valid_until, include_branches) ",
    );
    let actor_value = insert.bind(actor);
    let now = insert.bind(Utc::now());
    let role = insert.bind(terms.role.map(|role| role.as_str().to_owned()));
    let from = insert.bind(terms.window.valid_from);
    let until = insert.bind(terms.window.valid_until);
    let branches = insert.bind(terms.include_branches);
    insert.push(&format!(
        "SELECT {}, u.id, c.id, false, {actor_value}, {now}, {now}, {role}, {from}, {until}, {branches} \
         FROM hrm_users u CROSS JOIN hrm_company c WHERE true",
        random_uuid_sql(backend)
    ));
    push_in_filter(&mut insert, "u.id", user_ids);
    push_in_filter(&mut insert, "c.id", company_ids);
    insert.push(" ON CONFLICT (user_id, company_id) DO NOTHING");
    Ok(db
        .execute_raw(insert.statement())
        .await
        .on_constraint(&[Constraint::GrantedCompany], "")?
        .rows_affected())
}

async fn count_defaults(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    Ok(access::Entity::find()
        .filter(access::Column::IsDefault.eq(true))
        .count(db)
        .await?)
}

/// Each user gets their profile's home company (as default when they have none) and super admins every
/// company; with `dry_run`, only counts what that would add.
pub async fn populate(
    db: &impl ConnectionTrait,
    actor: &str,
    dry_run: bool,
) -> Result<PopulateResult, AppError> {
    let backend = db.get_database_backend();
    let role = |sql: &mut Sql| sql.bind(Role::SuperAdmin.as_str());
    Ok(if dry_run {
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
            home_company_grants: count_rows(db, home).await?,
            super_admin_grants: count_rows(db, admins).await?,
            defaults_set: count_rows(db, defaults).await?,
            dry_run,
        }
    } else {
        let uuid = random_uuid_sql(backend);
        let defaults_before = count_defaults(db).await?;
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
        let home_company_grants = db.execute_raw(home.statement()).await?.rows_affected();
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
        db.execute_raw(promote.statement()).await?;
        let mut admins = Sql::new(backend, GRANT_COLUMNS);
        let actor_value = admins.bind(actor);
        let now = admins.bind(Utc::now());
        let super_admin = role(&mut admins);
        admins.push(&format!(
            "SELECT {uuid}, u.id, c.id, false, {actor_value}, {now}, {now} \
             FROM hrm_users u CROSS JOIN hrm_company c WHERE u.role = {super_admin} \
             ON CONFLICT (user_id, company_id) DO NOTHING"
        ));
        let super_admin_grants = db.execute_raw(admins.statement()).await?.rows_affected();
        let defaults_set = count_defaults(db).await?.saturating_sub(defaults_before);
        PopulateResult {
            home_company_grants,
            super_admin_grants,
            defaults_set,
            dry_run,
        }
    })
}
