//! Companies in a tree: `parent_id` names a company's parent (null: a top-level company); deleting a
//! parent makes its branches top-level. A grant with `include_branches` reaches every descendant of its
//! company. Depth (at most 16) and the absence of cycles are kept by the service, which changes the tree
//! under one lock.

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HrmUserCompanyAccess {
    Table,
    IncludeBranches,
}

#[derive(DeriveIden)]
enum HrmCompany {
    Table,
    ParentId,
}

const PARENT_INDEX: &str = "ix_hrm_company_parent_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds a foreign key only with the column, in its own spelling of the type.
        let uuid_type = match manager.get_database_backend() {
            DatabaseBackend::Sqlite => "uuid_text",
            _ => "uuid",
        };
        crate::execute_sql(
            manager,
            &format!(
                "ALTER TABLE hrm_company ADD COLUMN parent_id {uuid_type} NULL \
                 REFERENCES hrm_company (id) ON DELETE SET NULL"
            ),
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name(PARENT_INDEX)
                    .table(HrmCompany::Table)
                    .col(HrmCompany::ParentId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(HrmUserCompanyAccess::Table)
                    .add_column(boolean(HrmUserCompanyAccess::IncludeBranches).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(HrmUserCompanyAccess::Table)
                    .drop_column(HrmUserCompanyAccess::IncludeBranches)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(PARENT_INDEX)
                    .table(HrmCompany::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(HrmCompany::Table)
                    .drop_column(HrmCompany::ParentId)
                    .to_owned(),
            )
            .await
    }
}
