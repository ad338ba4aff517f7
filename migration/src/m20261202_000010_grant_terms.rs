//! A grant's terms: the role it gives in its company (null: the user's own role, whatever it becomes)
//! and the window it holds in (`valid_from` inclusive, `valid_until` exclusive; null: open). Existing
//! grants keep their meaning: no role of their own, no window.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HrmUserCompanyAccess {
    Table,
    Role,
    ValidFrom,
    ValidUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        for column in [
            string_len_null(HrmUserCompanyAccess::Role, 32),
            timestamp_with_time_zone_null(HrmUserCompanyAccess::ValidFrom),
            timestamp_with_time_zone_null(HrmUserCompanyAccess::ValidUntil),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(HrmUserCompanyAccess::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            HrmUserCompanyAccess::ValidUntil,
            HrmUserCompanyAccess::ValidFrom,
            HrmUserCompanyAccess::Role,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(HrmUserCompanyAccess::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
