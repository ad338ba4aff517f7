use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HrmApiKeys {
    Table,
    Id,
    Name,
    Scope,
    Prefix,
    SecretHash,
    CreatedAt,
    CreatedBy,
    RevokedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HrmApiKeys::Table)
                    .col(uuid(HrmApiKeys::Id).primary_key())
                    .col(string_len(HrmApiKeys::Name, 64))
                    .col(string_len(HrmApiKeys::Scope, 16).check(
                        Expr::col(HrmApiKeys::Scope).is_in(["check", "read", "write", "admin"]),
                    ))
                    .col(string_len(HrmApiKeys::Prefix, 16))
                    .col(string_len_uniq(HrmApiKeys::SecretHash, 64))
                    .col(timestamp_with_time_zone(HrmApiKeys::CreatedAt))
                    .col(string_len(HrmApiKeys::CreatedBy, 64))
                    .col(timestamp_with_time_zone_null(HrmApiKeys::RevokedAt))
                    .to_owned(),
            )
            .await?;
        // A name identifies one live key in the audit trail; a revoked key's name may be reused.
        crate::execute_sql(
            manager,
            "CREATE UNIQUE INDEX uq_hrm_api_keys_live_name \
             ON hrm_api_keys (lower(name)) WHERE revoked_at IS NULL",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(HrmApiKeys::Table).to_owned())
            .await
    }
}
