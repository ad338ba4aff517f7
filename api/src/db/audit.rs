//! The audit rows a unit of work writes in its own transaction: one row per change, a CSV import's
//! hundred thousand grants as much as a single grant, so they are written set-based.

use crate::caller::Actor;
use crate::db::sql::{Sql, uuid_in_json};
use chrono::Utc;
use openapi::audit::AuditAction;
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr};
use serde::Serialize;
use serde_json::Value as Json;
use uuid::Uuid;

/// One change to record, written in the same transaction as the change itself.
#[derive(Debug, Clone)]
pub struct Change {
    pub action: AuditAction,
    pub user_id: Option<i32>,
    pub company_id: Option<Uuid>,
    pub before: Option<Json>,
    pub after: Option<Json>,
}

impl Change {
    pub fn new(action: AuditAction) -> Self {
        Self {
            action,
            user_id: None,
            company_id: None,
            before: None,
            after: None,
        }
    }

    pub fn user(mut self, user_id: i32) -> Self {
        self.user_id = Some(user_id);
        self
    }

    pub fn company(mut self, company_id: Uuid) -> Self {
        self.company_id = Some(company_id);
        self
    }

    pub fn before(mut self, value: impl serde::Serialize) -> Self {
        self.before = serde_json::to_value(value).ok();
        self
    }

    pub fn after(mut self, value: impl serde::Serialize) -> Self {
        self.after = serde_json::to_value(value).ok();
        self
    }
}

/// Rows per statement: its one JSON parameter stays within a few megabytes.
const ROWS_PER_INSERT: usize = 10_000;

/// One audit row as the insert statement reads it from its JSON parameter.
#[derive(Serialize)]
struct Row<'a, B: Serialize, A: Serialize> {
    a: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    u: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    c: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    b: Option<&'a B>,
    #[serde(skip_serializing_if = "Option::is_none")]
    f: Option<&'a A>,
}

/// The audit rows of one unit of work, kept as the JSON arrays the insert statement expands: a large
/// change (a CSV import) records a row per grant without holding a JSON tree per row.
#[derive(Debug)]
pub struct ChangeSet {
    postgres: bool,
    /// JSON arrays of up to [`ROWS_PER_INSERT`] rows each, without their closing `]`, which
    /// [`insert`] adds.
    chunks: Vec<Vec<u8>>,
    in_last: usize,
    rows: u64,
}

impl ChangeSet {
    pub fn new(backend: DatabaseBackend) -> Self {
        Self {
            postgres: backend == DatabaseBackend::Postgres,
            chunks: Vec::new(),
            in_last: 0,
            rows: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    pub fn push(&mut self, change: Change) {
        self.push_row(
            change.action,
            change.user_id,
            change.company_id,
            change.before.as_ref(),
            change.after.as_ref(),
        );
    }

    /// Records one change whose records are any serializable values (objects, as [`Change`]'s are).
    pub fn push_row<B: Serialize, A: Serialize>(
        &mut self,
        action: AuditAction,
        user_id: Option<i32>,
        company_id: Option<Uuid>,
        before: Option<&B>,
        after: Option<&A>,
    ) {
        let row = Row {
            a: action.as_str(),
            u: user_id,
            c: company_id.map(|id| uuid_in_json(id, self.postgres)),
            b: before,
            f: after,
        };
        if self.in_last == ROWS_PER_INSERT || self.chunks.is_empty() {
            self.chunks.push(vec![b'[']);
            self.in_last = 0;
        }
        let Some(chunk) = self.chunks.last_mut() else {
            return;
        };
        if self.in_last > 0 {
            chunk.push(b',');
        }
        // Serializing plain structs, strings and numbers into a `Vec` cannot fail.
        if serde_json::to_writer(&mut *chunk, &row).is_ok() {
            self.in_last += 1;
            self.rows += 1;
        }
    }
}

/// Records the changes of one transaction, made by `actor`, with one `INSERT … SELECT` per
/// [`ROWS_PER_INSERT`] rows from a JSON parameter the database expands itself (`json_to_recordset`;
/// on SQLite `jsonb_each`, so the text is parsed once, not once per field read): a hundred thousand
/// rows as bound values would take a statement per thousand, each slower to plan than to run.
pub(super) async fn insert(
    db: &impl ConnectionTrait,
    actor: Actor<'_>,
    revision: i64,
    changes: ChangeSet,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let at = Utc::now();
    for mut chunk in changes.chunks {
        chunk.push(b']');
        let json = String::from_utf8(chunk)
            .map_err(|error| DbErr::Custom(format!("audit rows as JSON: {error}")))?;
        let mut sql = Sql::new(
            backend,
            "INSERT INTO hrm_audit_log (at, actor, actor_key_id, actor_user_id, action, user_id, \
             company_id, before, after, revision) ",
        );
        let at = sql.bind(at);
        let name = sql.bind(actor.name);
        let key = sql.bind(actor.key_id);
        let user = sql.bind(actor.user_id);
        let revision = sql.bind(revision);
        let json = sql.bind(json);
        sql.push(&if changes.postgres {
            format!(
                "SELECT {at}, {name}, {key}, {user}, r.a, r.u, r.c, r.b, r.f, {revision} \
                 FROM json_to_recordset({json}::json) AS r(a text, u integer, c uuid, b json, f json)"
            )
        } else {
            format!(
                "SELECT {at}, {name}, {key}, {user}, json_extract(value, '$.a'), \
                   json_extract(value, '$.u'), unhex(json_extract(value, '$.c')), \
                   json_extract(value, '$.b'), json_extract(value, '$.f'), {revision} \
                 FROM jsonb_each(jsonb({json}))"
            )
        });
        db.execute_raw(sql.statement()).await?;
    }
    Ok(())
}
