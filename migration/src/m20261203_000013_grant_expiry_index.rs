//! Grants are found by when they end: the change stream lists the expiries after an instant and the
//! audit's expired view those before one. Most grants never end, so the index holds only those that do.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "ix_hrm_user_company_access_valid_until";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::execute_sql(
            manager,
            &format!(
                "CREATE INDEX {INDEX} ON hrm_user_company_access (valid_until, id) \
                 WHERE valid_until IS NOT NULL"
            ),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::execute_sql(manager, &format!("DROP INDEX {INDEX}")).await
    }
}
