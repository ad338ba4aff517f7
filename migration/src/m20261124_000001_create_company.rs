use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum HrmCompany {
    Table,
    Id,
    Name,
    CreatedAt,
    ModifiedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HrmCompany::Table)
                    .col(uuid(HrmCompany::Id).primary_key())
                    .col(string_len(HrmCompany::Name, 200))
                    .col(timestamp_with_time_zone(HrmCompany::CreatedAt))
                    .col(timestamp_with_time_zone(HrmCompany::ModifiedAt))
                    .to_owned(),
            )
            .await?;
        // Names are unique regardless of letter case: "NYC" and "nyc" are one company.
        crate::execute_sql(
            manager,
            "CREATE UNIQUE INDEX uq_hrm_company_name_ci ON hrm_company (lower(name))",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(HrmCompany::Table).to_owned())
            .await
    }
}
