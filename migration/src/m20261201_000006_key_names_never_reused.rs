//! A key's name is never reused, not even after the key is revoked: the audit trail names actors by key
//! name, and a name must always mean the same key. Names that older versions let revoked keys share with
//! a later key are renamed first (`reporting (revoked 1)`), so the new index can be built.

use sea_orm::prelude::Uuid;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{FromQueryResult, Statement};
use std::collections::HashSet;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HrmApiKeys {
    Table,
    Id,
    Name,
}

/// The longest key name the API accepts.
const MAX_NAME_CHARS: usize = 64;

#[derive(FromQueryResult)]
struct Key {
    id: Uuid,
    name: String,
    revoked: bool,
}

/// A name for `name` that no key has, ending in ` (revoked N)`.
fn unused_name(name: &str, taken: &HashSet<String>) -> String {
    (1..)
        .map(|n| {
            let suffix = format!(" (revoked {n})");
            let room = MAX_NAME_CHARS.saturating_sub(suffix.chars().count());
            format!("{}{suffix}", name.chars().take(room).collect::<String>())
        })
        .find(|candidate| !taken.contains(&candidate.to_lowercase()))
        .unwrap_or_default()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let keys = Key::find_by_statement(Statement::from_string(
            manager.get_database_backend(),
            "SELECT id, name, revoked_at IS NOT NULL AS revoked FROM hrm_api_keys \
             ORDER BY revoked_at IS NULL, created_at DESC",
        ))
        .all(db)
        .await?;
        let mut taken: HashSet<String> = keys.iter().map(|key| key.name.to_lowercase()).collect();
        let mut kept: HashSet<String> = HashSet::new();
        // Live keys come last, so a live key keeps its name and revoked namesakes give theirs up.
        for key in keys.iter().rev() {
            if kept.insert(key.name.to_lowercase()) || !key.revoked {
                continue;
            }
            let renamed = unused_name(&key.name, &taken);
            taken.insert(renamed.to_lowercase());
            manager
                .exec_stmt(
                    Query::update()
                        .table(HrmApiKeys::Table)
                        .value(HrmApiKeys::Name, renamed)
                        .and_where(Expr::col(HrmApiKeys::Id).eq(key.id))
                        .to_owned(),
                )
                .await?;
        }
        crate::execute_sql(manager, "DROP INDEX uq_hrm_api_keys_live_name").await?;
        crate::execute_sql(
            manager,
            "CREATE UNIQUE INDEX uq_hrm_api_keys_name_ci ON hrm_api_keys (lower(name))",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::execute_sql(manager, "DROP INDEX uq_hrm_api_keys_name_ci").await?;
        crate::execute_sql(
            manager,
            "CREATE UNIQUE INDEX uq_hrm_api_keys_live_name \
             ON hrm_api_keys (lower(name)) WHERE revoked_at IS NULL",
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamed_keys_get_a_free_name_within_the_length_limit() {
        let taken: HashSet<String> = ["reporting", "reporting (revoked 1)"]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(unused_name("Reporting", &taken), "Reporting (revoked 2)");
        let long = "x".repeat(64);
        let renamed = unused_name(&long, &HashSet::new());
        assert_eq!(renamed.chars().count(), 64);
        assert!(renamed.ends_with(" (revoked 1)"));
    }
}
