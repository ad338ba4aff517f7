//! Schema migrations, one file per migration, each with `up` and `down`. `serve` applies them at start-up.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_create_company;
mod m20261124_000002_create_users;
mod m20261124_000003_create_user_company_access;
mod m20261124_000004_create_audit_log;
mod m20261124_000005_create_api_keys;
mod m20261201_000006_key_names_never_reused;
mod m20261201_000007_audit_actor_key_id;
mod m20261202_000008_name_keys;
mod m20261202_000009_change_revisions;
mod m20261202_000010_grant_terms;
mod m20261202_000011_company_hierarchy;
mod m20261202_000012_delegated_keys;
mod m20261203_000013_grant_expiry_index;
mod m20261206_000014_list_indexes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_company::Migration),
            Box::new(m20261124_000002_create_users::Migration),
            Box::new(m20261124_000003_create_user_company_access::Migration),
            Box::new(m20261124_000004_create_audit_log::Migration),
            Box::new(m20261124_000005_create_api_keys::Migration),
            Box::new(m20261201_000006_key_names_never_reused::Migration),
            Box::new(m20261201_000007_audit_actor_key_id::Migration),
            Box::new(m20261202_000008_name_keys::Migration),
            Box::new(m20261202_000009_change_revisions::Migration),
            Box::new(m20261202_000010_grant_terms::Migration),
            Box::new(m20261202_000011_company_hierarchy::Migration),
            Box::new(m20261202_000012_delegated_keys::Migration),
            Box::new(m20261203_000013_grant_expiry_index::Migration),
            Box::new(m20261206_000014_list_indexes::Migration),
        ]
    }
}

/// Runs SQL that is the same on SQLite and PostgreSQL (expression and partial indexes, which the
/// schema builder cannot express for both).
async fn execute_sql(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    manager
        .get_connection()
        .execute_unprepared(sql)
        .await
        .map(|_| ())
}
