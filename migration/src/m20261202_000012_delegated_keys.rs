//! A key may act for a user (`user_id`): it then manages grants only in the companies that user
//! administers. Deleting the user deletes the keys that act for them, so a key never outlives the person
//! it speaks for, and never falls back to an unbound key's reach. The audit trail records the user a
//! change was made for beside the key; that column has no foreign key, as the trail outlives users.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HrmApiKeys {
    Table,
    UserId,
}

#[derive(DeriveIden)]
enum HrmAuditLog {
    Table,
    ActorUserId,
}

const USER_INDEX: &str = "ix_hrm_api_keys_user_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds a foreign key only with the column.
        crate::execute_sql(
            manager,
            "ALTER TABLE hrm_api_keys ADD COLUMN user_id integer NULL \
             REFERENCES hrm_users (id) ON DELETE CASCADE",
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name(USER_INDEX)
                    .table(HrmApiKeys::Table)
                    .col(HrmApiKeys::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(HrmAuditLog::Table)
                    .add_column(ColumnDef::new(HrmAuditLog::ActorUserId).integer().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(HrmAuditLog::Table)
                    .drop_column(HrmAuditLog::ActorUserId)
                    .to_owned(),
            )
            .await?;
        // A key that acted for a user must not survive as an unbound key, which reaches everything.
        let now = match manager.get_database_backend() {
            DatabaseBackend::Sqlite => "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
            _ => "now()",
        };
        crate::execute_sql(
            manager,
            &format!(
                "UPDATE hrm_api_keys SET revoked_at = {now} \
                 WHERE user_id IS NOT NULL AND revoked_at IS NULL"
            ),
        )
        .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(USER_INDEX)
                    .table(HrmApiKeys::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(HrmApiKeys::Table)
                    .drop_column(HrmApiKeys::UserId)
                    .to_owned(),
            )
            .await
    }
}
