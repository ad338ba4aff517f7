//! Every committed change gets a revision: one counter, advanced by each write transaction as its last
//! statement before COMMIT. The counter's row lock orders revisions as commits are ordered, so "revision
//! N" names a point in the change history that includes every change committed before it. Audit rows
//! carry the revision of their transaction, which makes the audit trail the change stream.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HrmRevision {
    Table,
    Id,
    Value,
}

#[derive(DeriveIden)]
enum HrmAuditLog {
    Table,
    Revision,
}

const REVISION_INDEX: &str = "ix_hrm_audit_log_revision";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HrmRevision::Table)
                    .col(
                        ColumnDef::new(HrmRevision::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(HrmRevision::Value).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        crate::execute_sql(
            manager,
            "INSERT INTO hrm_revision (id, value) VALUES (1, 0)",
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(HrmAuditLog::Table)
                    .add_column(ColumnDef::new(HrmAuditLog::Revision).big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(REVISION_INDEX)
                    .table(HrmAuditLog::Table)
                    .col(HrmAuditLog::Revision)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(REVISION_INDEX)
                    .table(HrmAuditLog::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(HrmAuditLog::Table)
                    .drop_column(HrmAuditLog::Revision)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(HrmRevision::Table).to_owned())
            .await
    }
}
