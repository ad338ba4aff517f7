//! The audit trail records which key made a change beside the key's name, so a change stays tied to
//! one key whatever happens to names later; empty for the master key and the demo data.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HrmAuditLog {
    Table,
    ActorKeyId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(HrmAuditLog::Table)
                    .add_column(ColumnDef::new(HrmAuditLog::ActorKeyId).uuid().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(HrmAuditLog::Table)
                    .drop_column(HrmAuditLog::ActorKeyId)
                    .to_owned(),
            )
            .await
    }
}
