use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HrmAuditLog {
    Table,
    Id,
    At,
    Actor,
    Action,
    UserId,
    CompanyId,
    Before,
    After,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // No foreign keys on purpose: the trail must outlive the users and companies it names.
        manager
            .create_table(
                Table::create()
                    .table(HrmAuditLog::Table)
                    .col(big_pk_auto(HrmAuditLog::Id))
                    .col(timestamp_with_time_zone(HrmAuditLog::At))
                    .col(string_len(HrmAuditLog::Actor, 64))
                    .col(string_len(HrmAuditLog::Action, 64))
                    .col(integer_null(HrmAuditLog::UserId))
                    .col(uuid_null(HrmAuditLog::CompanyId))
                    .col(json_null(HrmAuditLog::Before))
                    .col(json_null(HrmAuditLog::After))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("ix_hrm_audit_log_at", HrmAuditLog::At),
            ("ix_hrm_audit_log_user_id", HrmAuditLog::UserId),
            ("ix_hrm_audit_log_company_id", HrmAuditLog::CompanyId),
            ("ix_hrm_audit_log_action", HrmAuditLog::Action),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(HrmAuditLog::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(HrmAuditLog::Table).to_owned())
            .await
    }
}
