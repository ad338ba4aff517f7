//! The company tree, read with recursive common table expressions (the same SQL on SQLite and
//! PostgreSQL): a company's ancestors, and the branches below it. Both walks stop at the tree's
//! maximum depth, so even a cycle written behind the service's back cannot make them run forever.

use crate::db::sql::Sql;
use crate::error::AppError;
use openapi::companies::MAX_DEPTH;
use sea_orm::{ConnectionTrait, FromQueryResult};
use std::collections::HashMap;
use uuid::Uuid;

const IDS_PER_QUERY: usize = 1_000;

#[derive(FromQueryResult)]
struct Link {
    start: Uuid,
    other: Uuid,
}

/// The ancestors of each company, nearest first; companies at the top have none (and no entry).
pub async fn ancestors(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Uuid>>, AppError> {
    let mut found: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let mut sql = Sql::new(
            db.get_database_backend(),
            "WITH RECURSIVE chain (start, other, depth) AS ( \
               SELECT c.id, c.parent_id, 1 FROM hrm_company c \
               WHERE c.parent_id IS NOT NULL AND c.id IN ",
        );
        let list = sql.bind_list(chunk.iter().copied());
        sql.push(&list).push(&format!(
            " UNION ALL \
               SELECT chain.start, p.parent_id, chain.depth + 1 FROM chain \
               JOIN hrm_company p ON p.id = chain.other \
               WHERE p.parent_id IS NOT NULL AND chain.depth < {MAX_DEPTH}) \
             SELECT start, other FROM chain ORDER BY start, depth"
        ));
        for link in Link::find_by_statement(sql.statement()).all(db).await? {
            found.entry(link.start).or_default().push(link.other);
        }
    }
    Ok(found)
}

/// Every branch below `id` (not `id` itself) with its distance from it, nearest first.
pub async fn descendants(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Vec<(Uuid, usize)>, AppError> {
    Ok(below(db, &[id])
        .await?
        .into_iter()
        .map(|branch| (branch.id, branch.depth))
        .collect())
}

/// A branch below one of the roots asked about.
pub struct Branch {
    pub root: Uuid,
    pub id: Uuid,
    /// How many levels below the root.
    pub depth: usize,
}

/// Every branch below each of `roots`, in one statement, nearest first.
pub async fn below(db: &impl ConnectionTrait, roots: &[Uuid]) -> Result<Vec<Branch>, AppError> {
    #[derive(FromQueryResult)]
    struct Row {
        root: Uuid,
        id: Uuid,
        depth: i32,
    }
    let mut found = Vec::new();
    for chunk in roots.chunks(IDS_PER_QUERY) {
        let mut sql = Sql::new(
            db.get_database_backend(),
            "WITH RECURSIVE below (root, id, depth) AS ( \
               SELECT c.parent_id, c.id, 1 FROM hrm_company c WHERE c.parent_id IN ",
        );
        let list = sql.bind_list(chunk.iter().copied());
        sql.push(&list).push(&format!(
            " UNION ALL \
               SELECT below.root, c.id, below.depth + 1 FROM below \
               JOIN hrm_company c ON c.parent_id = below.id WHERE below.depth < {MAX_DEPTH}) \
             SELECT root, id, depth FROM below ORDER BY depth, id"
        ));
        found.extend(
            Row::find_by_statement(sql.statement())
                .all(db)
                .await?
                .into_iter()
                .map(|row| Branch {
                    root: row.root,
                    id: row.id,
                    depth: row.depth.max(0) as usize,
                }),
        );
    }
    Ok(found)
}
