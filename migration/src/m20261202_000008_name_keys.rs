//! Names are compared by a key the service computes (`names::fold`: full Unicode case folding of the NFC
//! form), not by SQL `lower()`, which folds only ASCII on SQLite and follows the locale on PostgreSQL:
//! `hrm_company.name_key` carries the unique index `uq_hrm_company_name_ci`, `hrm_users.full_name_key`
//! the user search. Existing names are brought to the form the API now stores (NFC, single spaces), their
//! keys filled in batches, and a company whose name now means the same as an older one's is renamed
//! `Name (2)`, so the index can be built. Names and full names become `text` on PostgreSQL: NFC can make
//! a name of 200 characters longer (U+0958 is two code points), and `varchar(200)` would refuse it.

use sea_orm::prelude::Uuid;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{
    ConnectionTrait, DatabaseBackend, FromQueryResult, Statement, Value,
};
use std::collections::HashSet;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HrmCompany {
    Table,
    NameKey,
}

#[derive(DeriveIden)]
enum HrmUsers {
    Table,
    FullNameKey,
}

/// The longest company name the API accepts, in code points as sent.
const MAX_NAME_CHARS: usize = 200;

/// Rows per `UPDATE`: three values each, well below either backend's limit on bound values.
const BATCH_ROWS: usize = 500;

#[derive(FromQueryResult)]
struct Company {
    id: Uuid,
    name: String,
}

#[derive(FromQueryResult)]
struct User {
    id: i32,
    full_name: String,
}

/// `name`, or `name (2)`, `name (3)`, …: the first whose key no company has, within the length limit.
fn free_name(name: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(&names::fold(name)) {
        return name.to_owned();
    }
    (2..)
        .map(|n| {
            let suffix = format!(" ({n})");
            let room = MAX_NAME_CHARS.saturating_sub(suffix.chars().count());
            let base: String = name.chars().take(room).collect();
            format!("{}{suffix}", base.trim_end())
        })
        .find(|candidate| !taken.contains(&names::fold(candidate)))
        .unwrap_or_default()
}

/// The companies' names in the stored form and their keys, oldest company first: an older company
/// keeps its name when two now mean the same.
fn company_rows(companies: Vec<Company>) -> Vec<(Value, String, String)> {
    let mut taken = HashSet::new();
    companies
        .into_iter()
        .map(|company| {
            let normal = names::normalize(&company.name);
            let name = free_name(
                if normal.is_empty() {
                    "Company"
                } else {
                    &normal
                },
                &taken,
            );
            let key = names::fold(&name);
            taken.insert(key.clone());
            (company.id.into(), name, key)
        })
        .collect()
}

/// Sets two text columns of many rows by id, `BATCH_ROWS` per statement:
/// `WITH v(id, a, b) AS (VALUES …) UPDATE t SET a = v.a, b = v.b FROM v WHERE t.id = v.id`, one spelling
/// for both backends.
async fn update_by_id(
    manager: &SchemaManager<'_>,
    table: &str,
    columns: [&str; 2],
    rows: Vec<(Value, String, String)>,
) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    let [first, second] = columns;
    for batch in rows.chunks(BATCH_ROWS) {
        let mut values = Vec::with_capacity(batch.len() * 3);
        let mut tuples = Vec::with_capacity(batch.len());
        for (id, a, b) in batch {
            let at = values.len();
            tuples.push(format!("(${}, ${}, ${})", at + 1, at + 2, at + 3));
            values.extend([id.clone(), a.clone().into(), b.clone().into()]);
        }
        let sql = format!(
            "WITH v(id, {first}, {second}) AS (VALUES {}) \
             UPDATE {table} SET {first} = v.{first}, {second} = v.{second} FROM v WHERE {table}.id = v.id",
            tuples.join(", ")
        );
        manager
            .get_connection()
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too (the migrator uses one only on PostgreSQL by default): a backfill
    /// cut short would leave names without keys, and every statement must see the one before it on the
    /// same connection.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        if backend == DatabaseBackend::Postgres {
            crate::execute_sql(
                manager,
                "ALTER TABLE hrm_company ALTER COLUMN name TYPE text",
            )
            .await?;
            crate::execute_sql(
                manager,
                "ALTER TABLE hrm_users ALTER COLUMN full_name TYPE text",
            )
            .await?;
        }
        // SQLite adds a NOT NULL column only with a default; PostgreSQL drops it below, so a write that
        // forgets the key fails there instead of storing an empty one.
        manager
            .alter_table(
                Table::alter()
                    .table(HrmCompany::Table)
                    .add_column(
                        ColumnDef::new(HrmCompany::NameKey)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(HrmUsers::Table)
                    .add_column(
                        ColumnDef::new(HrmUsers::FullNameKey)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .to_owned(),
            )
            .await?;
        // The old index goes first: names brought to their stored form may meet their `lower()` twins
        // halfway through an UPDATE.
        crate::execute_sql(manager, "DROP INDEX uq_hrm_company_name_ci").await?;
        let companies = Company::find_by_statement(Statement::from_string(
            backend,
            "SELECT id, name FROM hrm_company ORDER BY created_at, id",
        ))
        .all(db)
        .await?;
        update_by_id(
            manager,
            "hrm_company",
            ["name", "name_key"],
            company_rows(companies),
        )
        .await?;
        let users = User::find_by_statement(Statement::from_string(
            backend,
            "SELECT id, full_name FROM hrm_users WHERE full_name <> ''",
        ))
        .all(db)
        .await?;
        let users = users
            .into_iter()
            .map(|user| {
                let name = names::normalize(&user.full_name);
                let key = names::fold(&name);
                (user.id.into(), name, key)
            })
            .collect();
        update_by_id(manager, "hrm_users", ["full_name", "full_name_key"], users).await?;
        crate::execute_sql(
            manager,
            "CREATE UNIQUE INDEX uq_hrm_company_name_ci ON hrm_company (name_key)",
        )
        .await?;
        if backend == DatabaseBackend::Postgres {
            crate::execute_sql(
                manager,
                "ALTER TABLE hrm_company ALTER COLUMN name_key DROP DEFAULT",
            )
            .await?;
            crate::execute_sql(
                manager,
                "ALTER TABLE hrm_users ALTER COLUMN full_name_key DROP DEFAULT",
            )
            .await?;
        }
        Ok(())
    }

    /// Names stay in their stored form. On PostgreSQL, going back fails while a name is longer than the
    /// old `varchar(200)`, rather than cutting it.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::execute_sql(manager, "DROP INDEX uq_hrm_company_name_ci").await?;
        manager
            .alter_table(
                Table::alter()
                    .table(HrmCompany::Table)
                    .drop_column(HrmCompany::NameKey)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(HrmUsers::Table)
                    .drop_column(HrmUsers::FullNameKey)
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            crate::execute_sql(
                manager,
                "ALTER TABLE hrm_company ALTER COLUMN name TYPE varchar(200)",
            )
            .await?;
            crate::execute_sql(
                manager,
                "ALTER TABLE hrm_users ALTER COLUMN full_name TYPE varchar(200)",
            )
            .await?;
        }
        crate::execute_sql(
            manager,
            "CREATE UNIQUE INDEX uq_hrm_company_name_ci ON hrm_company (lower(name))",
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company(name: &str) -> Company {
        Company {
            id: Uuid::new_v4(),
            name: name.to_owned(),
        }
    }

    #[test]
    fn a_later_company_whose_name_now_means_the_same_is_renamed() {
        let rows = company_rows(vec![
            company("Übersee"),
            company("übersee"),
            company("UBERSEE"),
            company("LA\u{00A0}\u{00A0}Office"),
            company("LA Office"),
            company("Cafe\u{0301}"),
        ]);
        let names: Vec<&str> = rows.iter().map(|(_, name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Übersee",
                "übersee (2)",
                "UBERSEE",
                "LA Office",
                "LA Office (2)",
                "Caf\u{00E9}"
            ]
        );
        let keys: HashSet<&str> = rows.iter().map(|(_, _, key)| key.as_str()).collect();
        assert_eq!(keys.len(), rows.len());
    }

    #[test]
    fn a_renamed_company_stays_within_the_length_limit() {
        let long = "x".repeat(MAX_NAME_CHARS);
        let taken = HashSet::from([names::fold(&long)]);
        let renamed = free_name(&long, &taken);
        assert_eq!(renamed.chars().count(), MAX_NAME_CHARS);
        assert!(renamed.ends_with(" (2)"));
    }
}
