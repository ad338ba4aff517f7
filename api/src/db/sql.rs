//! The SQL builder for hand-written statements: one spelling for both backends, `$n` placeholders
//! numbered as values are bound, and the small pieces of SQL text that differ by backend.

use crate::error::AppError;
use sea_orm::{ConnectionTrait, DatabaseBackend, FromQueryResult, Statement, Value};
use uuid::Uuid;

/// SQL text with `$n` placeholders numbered as values are bound; one spelling for both backends.
pub struct Sql {
    backend: DatabaseBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(backend: DatabaseBackend, text: &str) -> Self {
        Self {
            backend,
            text: text.to_owned(),
            values: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Binds a value and returns its placeholder.
    pub fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        format!("${}", self.values.len())
    }

    /// Binds every value and returns `($1, $2, …)` for an `IN` list.
    pub fn bind_list<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> String {
        let placeholders: Vec<String> = values.into_iter().map(|value| self.bind(value)).collect();
        format!("({})", placeholders.join(", "))
    }

    /// Like [`Self::bind_list`], but the list is [`padded`].
    pub fn bind_list_padded<V: Into<Value> + Copy>(&mut self, values: &[V]) -> String {
        self.bind_list(padded(values))
    }

    /// The statement, taking the text and values along: an import's values are megabytes of JSON.
    pub fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// The list padded (with its last value, which `IN` ignores) to a power of two. Statements are prepared
/// and cached per connection by their text; hot queries with lists of every length would fill that cache
/// with hundreds of large statements.
pub fn padded<V: Copy>(values: &[V]) -> Vec<V> {
    let mut list = values.to_vec();
    if let Some(last) = values.last() {
        list.resize(values.len().next_power_of_two(), *last);
    }
    list
}

/// SQL that makes a fresh random UUID per row, in the encoding sea-orm uses on each backend.
pub fn random_uuid_sql(backend: DatabaseBackend) -> &'static str {
    match backend {
        DatabaseBackend::Postgres => "gen_random_uuid()",
        // A version 4 UUID as the 16-byte blob sqlx stores on SQLite.
        _ => {
            "unhex(substr(hex(randomblob(16)), 1, 12) || '4' || substr(hex(randomblob(16)), 14, 3) \
              || '8' || substr(hex(randomblob(16)), 18, 15))"
        }
    }
}

/// A UUID inside a JSON parameter, as a statement reads it back: PostgreSQL casts the hyphenated text
/// to `uuid`, SQLite `unhex`es the bare hex to the 16-byte blob it stores.
pub fn uuid_in_json(id: Uuid, postgres: bool) -> String {
    if postgres {
        id.to_string()
    } else {
        id.simple().to_string()
    }
}

/// Escapes `%`, `_` and `\` so a search text matches literally inside `LIKE '%…%' ESCAPE '\'`. The text
/// is compared as it is: pass a key ([`search_key`]) to match a key column.
pub fn like_pattern(text: &str) -> String {
    format!("%{}%", like_escaped(text))
}

/// What a name search or lookup compares with a key column: the text in a name's stored form (NFC, runs
/// of spaces as one, none at the ends), folded as names are. `None` for text that is blank.
pub fn search_key(text: &str) -> Option<String> {
    let key = names::fold(&names::normalize(text));
    (!key.is_empty()).then_some(key)
}

/// A pattern matching every text that starts with `prefix`, taken literally (`ESCAPE '\'`).
pub fn like_prefix(prefix: &str) -> String {
    format!("{}%", like_escaped(prefix))
}

fn like_escaped(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Runs a `SELECT count(*) AS total …`.
pub async fn count_rows(db: &impl ConnectionTrait, sql: Sql) -> Result<u64, AppError> {
    #[derive(FromQueryResult)]
    struct Total {
        total: i64,
    }
    let total = Total::find_by_statement(sql.statement())
        .one(db)
        .await?
        .map_or(0, |t| t.total);
    Ok(u64::try_from(total).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_pattern_matches_wildcards_literally() {
        assert_eq!(like_pattern("john_s%"), "%john\\_s\\%%");
        assert_eq!(like_prefix("access_."), "access\\_.%");
    }

    #[test]
    fn search_keys_fold_and_normalise_the_text() {
        assert_eq!(search_key(" İSTANBUL ").as_deref(), Some("istanbul"));
        assert_eq!(
            search_key("LA\u{00A0}\u{00A0}Office").as_deref(),
            Some("la office")
        );
        assert_eq!(search_key("Stra\u{00DF}e"), search_key("STRASSE"));
        assert_eq!(search_key(" \u{3000} "), None);
    }

    #[test]
    fn padded_lists_come_in_few_lengths() {
        let mut sql = Sql::new(DatabaseBackend::Postgres, "");
        assert_eq!(sql.bind_list_padded(&[7, 8, 9]), "($1, $2, $3, $4)");
        assert_eq!(sql.values.last().cloned(), Some(Value::from(9)));
        assert_eq!(sql.bind_list_padded(&[1]), "($5)");
        assert_eq!(sql.bind_list_padded::<i32>(&[]), "()");
    }

    #[test]
    fn sql_numbers_placeholders_in_binding_order() {
        let mut sql = Sql::new(DatabaseBackend::Postgres, "SELECT 1 WHERE a = ");
        let a = sql.bind(1);
        sql.push(&a).push(" AND b IN ");
        let list = sql.bind_list([2, 3]);
        sql.push(&list);
        assert_eq!(
            sql.statement().sql,
            "SELECT 1 WHERE a = $1 AND b IN ($2, $3)"
        );
    }
}
