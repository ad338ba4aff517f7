use super::m20261124_000001_create_company::HrmCompany;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum HrmUsers {
    Table,
    Id,
    Username,
    FullName,
    Email,
    Role,
    IsActive,
    HomeCompanyId,
    CreatedAt,
    ModifiedAt,
}

const ROLES: [&str; 5] = [
    "super_admin",
    "admin",
    "hr_manager",
    "finance_manager",
    "employee",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HrmUsers::Table)
                    .col(pk_auto(HrmUsers::Id))
                    .col(string_len(HrmUsers::Username, 64))
                    .col(string_len(HrmUsers::FullName, 200).default(""))
                    .col(string_len_null(HrmUsers::Email, 254))
                    .col(
                        string_len(HrmUsers::Role, 32)
                            .check(Expr::col(HrmUsers::Role).is_in(ROLES)),
                    )
                    .col(boolean(HrmUsers::IsActive).default(true))
                    .col(uuid_null(HrmUsers::HomeCompanyId))
                    .col(timestamp_with_time_zone(HrmUsers::CreatedAt))
                    .col(timestamp_with_time_zone(HrmUsers::ModifiedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hrm_users_home_company")
                            .from(HrmUsers::Table, HrmUsers::HomeCompanyId)
                            .to(HrmCompany::Table, HrmCompany::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // Usernames are compared case-insensitively: John_Smith and john_smith are one person.
        crate::execute_sql(
            manager,
            "CREATE UNIQUE INDEX uq_hrm_users_username_ci ON hrm_users (lower(username))",
        )
        .await?;
        // Super admins are found by role on every access review.
        manager
            .create_index(
                Index::create()
                    .name("ix_hrm_users_role")
                    .table(HrmUsers::Table)
                    .col(HrmUsers::Role)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_hrm_users_home_company_id")
                    .table(HrmUsers::Table)
                    .col(HrmUsers::HomeCompanyId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(HrmUsers::Table).to_owned())
            .await
    }
}
