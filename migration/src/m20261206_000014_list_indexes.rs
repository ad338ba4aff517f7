//! Two indexes for reading a large tenant (measured at 20,000 users and 28,000 grants, debug build):
//! - each user's grants with their ends: the statistics count the grants of every user that have not ended
//!   (companies per user, users without a company) from the index alone instead of every grant's row;
//!   GET /stats went from about 200 ms to 60 ms;
//! - users by their folded full name: the users list sorted by name reads in that order and skips to a
//!   far page without sorting everyone first; page 500 of 25 went from about 85 ms to 25 ms.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const GRANT_WINDOW: &str = "ix_hrm_user_company_access_user_window";
const FULL_NAME: &str = "ix_hrm_users_full_name_key";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::execute_sql(
            manager,
            &format!(
                "CREATE INDEX {GRANT_WINDOW} ON hrm_user_company_access (user_id, valid_until)"
            ),
        )
        .await?;
        crate::execute_sql(
            manager,
            &format!("CREATE INDEX {FULL_NAME} ON hrm_users (full_name_key)"),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::execute_sql(manager, &format!("DROP INDEX {FULL_NAME}")).await?;
        crate::execute_sql(manager, &format!("DROP INDEX {GRANT_WINDOW}")).await
    }
}
