//! Domain services: every rule of the product lives here, once. Each takes a connection, opens its own
//! transaction for writes, and records the audit row inside that transaction.

pub mod access;
pub mod audit;
pub mod check;
pub mod companies;
pub mod demo;
pub mod keys;
pub mod stats;
pub mod users;

use crate::error::AppError;
use sea_orm::{DatabaseBackend, Statement, Value};

pub const DEFAULT_PAGE_SIZE: u64 = 50;
pub const MAX_PAGE_SIZE: u64 = 500;

/// A validated `limit`/`offset` pair.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: u64,
    pub offset: u64,
}

impl PageRequest {
    pub fn parse(limit: Option<u64>, offset: Option<u64>) -> Result<Self, AppError> {
        let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&limit) {
            return Err(AppError::bad_request(format!(
                "limit must be between 1 and {MAX_PAGE_SIZE} (got {limit})"
            )));
        }
        let offset = offset.unwrap_or(0);
        if offset > i64::MAX as u64 {
            return Err(AppError::bad_request("offset is too large"));
        }
        Ok(Self { limit, offset })
    }
}

/// SQL text with `$n` placeholders numbered as values are bound; one spelling for both backends.
pub(crate) struct Sql {
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

    /// Like [`Self::bind_list`], but the list is padded (with its last value, which `IN` ignores) to a
    /// power of two. Statements are prepared and cached per connection by their text; hot queries with
    /// lists of every length would fill that cache with hundreds of large statements.
    pub fn bind_list_padded<V: Into<Value> + Copy>(&mut self, values: &[V]) -> String {
        let Some(last) = values.last() else {
            return self.bind_list(values.iter().copied());
        };
        let padding = values.len().next_power_of_two() - values.len();
        self.bind_list(
            values
                .iter()
                .copied()
                .chain(std::iter::repeat_n(*last, padding)),
        )
    }

    pub fn statement(&self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text.clone(), self.values.clone())
    }
}

/// Keeps the first occurrence of each id, in the caller's order.
pub(crate) fn dedup_in_order<T: Copy + Eq + std::hash::Hash>(ids: &[T]) -> Vec<T> {
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_request_bounds() {
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(501), None).is_err());
        let page = PageRequest::parse(None, Some(10)).ok();
        assert_eq!(page.map(|p| (p.limit, p.offset)), Some((50, 10)));
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

    #[test]
    fn dedup_keeps_first_order() {
        assert_eq!(dedup_in_order(&[3, 1, 3, 2, 1]), vec![3, 1, 2]);
    }
}
