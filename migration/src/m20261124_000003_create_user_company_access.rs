use super::m20261124_000001_create_company::HrmCompany;
use super::m20261124_000002_create_users::HrmUsers;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HrmUserCompanyAccess {
    Table,
    Id,
    UserId,
    CompanyId,
    IsDefault,
    GrantedBy,
    CreatedAt,
    ModifiedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HrmUserCompanyAccess::Table)
                    .col(uuid(HrmUserCompanyAccess::Id).primary_key())
                    .col(integer(HrmUserCompanyAccess::UserId))
                    .col(uuid(HrmUserCompanyAccess::CompanyId))
                    .col(boolean(HrmUserCompanyAccess::IsDefault).default(false))
                    .col(string_len_null(HrmUserCompanyAccess::GrantedBy, 64))
                    .col(timestamp_with_time_zone(HrmUserCompanyAccess::CreatedAt))
                    .col(timestamp_with_time_zone(HrmUserCompanyAccess::ModifiedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hrm_user_company_access_user")
                            .from(HrmUserCompanyAccess::Table, HrmUserCompanyAccess::UserId)
                            .to(HrmUsers::Table, HrmUsers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hrm_user_company_access_company")
                            .from(HrmUserCompanyAccess::Table, HrmUserCompanyAccess::CompanyId)
                            .to(HrmCompany::Table, HrmCompany::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_hrm_user_company_access_user_company")
                    .table(HrmUserCompanyAccess::Table)
                    .col(HrmUserCompanyAccess::UserId)
                    .col(HrmUserCompanyAccess::CompanyId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_hrm_user_company_access_user_id")
                    .table(HrmUserCompanyAccess::Table)
                    .col(HrmUserCompanyAccess::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_hrm_user_company_access_company_id")
                    .table(HrmUserCompanyAccess::Table)
                    .col(HrmUserCompanyAccess::CompanyId)
                    .to_owned(),
            )
            .await?;
        // At most one default company per user, enforced by the database so concurrent writers cannot break it.
        crate::execute_sql(
            manager,
            "CREATE UNIQUE INDEX uq_hrm_user_company_access_one_default \
             ON hrm_user_company_access (user_id) WHERE is_default",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(HrmUserCompanyAccess::Table).to_owned())
            .await
    }
}
