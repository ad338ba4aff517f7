//! Who may act in a company (the access review): its own grants, grants of its ancestors that include
//! branches, and super admins through their role, as the check decides at the instant of the review.
//! Expired grants are left out: they give no access.

use crate::db::hierarchy::ancestors;
use crate::db::sql::{Sql, count_rows, like_pattern, search_key};
use crate::db::{stored, stored_grant_role};
use crate::decision::held_role;
use crate::error::AppError;
use crate::paging::PageRequest;
use chrono::{DateTime, Utc};
use openapi::companies::{AccessSource, Company, CompanyMember, CompanyMembers, MemberSort};
use openapi::terms::Window;
use openapi::users::SortOrder;
use openapi::{Role, Username};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

#[derive(Debug, FromQueryResult)]
struct MemberRow {
    user_id: i32,
    username: String,
    full_name: String,
    role: String,
    is_active: bool,
    source: String,
    is_default: bool,
    granted_at: Option<DateTime<Utc>>,
    granted_by: Option<String>,
    granted_role: Option<String>,
    valid_from: Option<DateTime<Utc>>,
    valid_until: Option<DateTime<Utc>>,
    via: Option<Uuid>,
}

/// `CASE <alias>.company_id WHEN <nearest> THEN 1 … END`: how far up the tree a grant is.
fn distance(sql: &mut Sql, alias: &str, ancestors: &[Uuid]) -> String {
    let arms: Vec<String> = ancestors
        .iter()
        .enumerate()
        .map(|(at, ancestor)| format!("WHEN {} THEN {}", sql.bind(*ancestor), at + 1))
        .collect();
    format!("CASE {alias}.company_id {} END", arms.join(" "))
}

/// The members' rows: three index-driven branches, so an access review stays fast however many users
/// the system has. Each user is listed with the access the check gives now: their active grant of the
/// company, else the nearest active grant above it that includes branches, else the super admin role.
/// Grants that do not give access yet are listed too, marked by their state: the company's own as a
/// line of its own, and, for a user nothing gives access to now, the nearest one above. So a user has
/// at most two lines, one active and one scheduled; `upcoming` tells them apart (1: scheduled).
fn push_members(sql: &mut Sql, id: Uuid, ancestors: &[Uuid], now: DateTime<Utc>) {
    let company = sql.bind(id);
    let now = sql.bind(now);
    let super_admin = sql.bind(Role::SuperAdmin.as_str());
    // Expired grants give nothing and are not listed; of the rest, a grant is either active or
    // upcoming, as the decision's window says (from inclusive, until exclusive).
    let alive =
        |alias: &str| format!("({alias}.valid_until IS NULL OR {alias}.valid_until > {now})");
    let upcoming =
        |alias: &str| format!("(CASE WHEN {alias}.valid_from > {now} THEN 1 ELSE 0 END)");
    let (alive_a, alive_d, alive_n) = (alive("a"), alive("d"), alive("n"));
    let (upcoming_a, upcoming_d, upcoming_n) = (upcoming("a"), upcoming("d"), upcoming("n"));
    // The user's own grant here that gives access now: it decides, whatever lies above.
    let active_here = format!(
        "SELECT 1 FROM hrm_user_company_access d \
         WHERE d.user_id = u.id AND d.company_id = {company} AND {alive_d} AND {upcoming_d} = 0"
    );
    sql.push(&format!(
        " FROM (SELECT u.id AS user_id, u.username, u.full_name, u.full_name_key, u.role, \
             u.is_active, 'grant' AS source, a.is_default, a.created_at AS granted_at, a.granted_by, \
             a.role AS granted_role, a.valid_from, a.valid_until, a.company_id AS via, \
             {upcoming_a} AS upcoming \
           FROM hrm_user_company_access a JOIN hrm_users u ON u.id = a.user_id \
           WHERE a.company_id = {company} AND {alive_a}"
    ));
    if !ancestors.is_empty() {
        let up_a = sql.bind_list(ancestors.iter().copied());
        let up_n = sql.bind_list(ancestors.iter().copied());
        let (far_a, far_n) = (distance(sql, "a", ancestors), distance(sql, "n", ancestors));
        // The grant above that the user is listed through: active before upcoming, then the nearest.
        // An upcoming one only stands for a user with no grant here yet: their own scheduled grant
        // already says when they start.
        sql.push(&format!(
            " UNION ALL \
             SELECT u.id, u.username, u.full_name, u.full_name_key, u.role, u.is_active, 'branch', \
               false, \
               a.created_at, a.granted_by, a.role, a.valid_from, a.valid_until, a.company_id, \
               {upcoming_a} \
             FROM hrm_user_company_access a JOIN hrm_users u ON u.id = a.user_id \
             WHERE a.company_id IN {up_a} AND a.include_branches AND {alive_a} \
               AND u.role <> {super_admin} AND NOT EXISTS ({active_here}) \
               AND ({upcoming_a} = 0 OR NOT EXISTS (SELECT 1 FROM hrm_user_company_access d \
                 WHERE d.user_id = u.id AND d.company_id = {company} AND {alive_d})) \
               AND NOT EXISTS (SELECT 1 FROM hrm_user_company_access n \
                 WHERE n.user_id = a.user_id AND n.include_branches AND {alive_n} \
                   AND n.company_id IN {up_n} \
                   AND ({upcoming_n} < {upcoming_a} \
                     OR ({upcoming_n} = {upcoming_a} AND {far_n} < {far_a})))"
        ));
    }
    sql.push(&format!(
        " UNION ALL \
         SELECT u.id, u.username, u.full_name, u.full_name_key, u.role, u.is_active, 'super_admin', \
           false, NULL, NULL, NULL, NULL, NULL, NULL, 0 \
         FROM hrm_users u WHERE u.role = {super_admin} AND NOT EXISTS ({active_here})) members"
    ));
}

/// The role a member holds in the company, as SQL over the union's columns: what [`held_role`] says.
fn role_here_sql(sql: &mut Sql) -> String {
    let super_admin = sql.bind(Role::SuperAdmin.as_str());
    format!("CASE WHEN role = {super_admin} THEN role ELSE COALESCE(granted_role, role) END")
}

/// What narrows and orders a review: the filters of the query, applied to the union's rows.
pub struct MemberFilter<'a> {
    pub q: Option<&'a str>,
    pub role: Option<Role>,
    pub source: Option<AccessSource>,
    pub sort: Option<MemberSort>,
    pub order: Option<SortOrder>,
}

impl MemberFilter<'_> {
    /// ` WHERE …` over the union (nothing when no filter is set). Each word of `q` must be found in
    /// the username or the full name's key; a number may also be the user id.
    fn push_where(&self, sql: &mut Sql) {
        let mut conditions = Vec::new();
        if let Some(key) = self.q.and_then(search_key) {
            let words: Vec<String> = key
                .split(' ')
                .map(|word| {
                    let pattern = sql.bind(like_pattern(word));
                    format!(
                        "(lower(username) LIKE {pattern} ESCAPE '\\' \
                         OR full_name_key LIKE {pattern} ESCAPE '\\')"
                    )
                })
                .collect();
            let words = words.join(" AND ");
            match key.parse::<i32>().ok().filter(|id| *id > 0) {
                Some(id) => {
                    let id = sql.bind(id);
                    conditions.push(format!("(user_id = {id} OR ({words}))"));
                }
                None => conditions.push(format!("({words})")),
            }
        }
        if let Some(role) = self.role {
            let here = role_here_sql(sql);
            let role = sql.bind(role.as_str());
            conditions.push(format!("{here} = {role}"));
        }
        if let Some(source) = self.source {
            let source = sql.bind(source.as_str());
            conditions.push(format!("source = {source}"));
        }
        if !conditions.is_empty() {
            sql.push(&format!(" WHERE {}", conditions.join(" AND ")));
        }
    }

    /// ` ORDER BY …`, ties by user id ascending, then a user's active line before their scheduled one.
    /// Rows without a grant time (super admins) come last in ascending order on both databases, which
    /// place NULL differently by themselves.
    fn push_order(&self, sql: &mut Sql) {
        let direction = match self.order {
            Some(SortOrder::Desc) => "DESC",
            _ => "ASC",
        };
        let key = match self.sort.unwrap_or(MemberSort::UserId) {
            MemberSort::UserId => format!("user_id {direction}"),
            MemberSort::Username => format!("lower(username) {direction}"),
            MemberSort::FullName => format!("full_name_key {direction}"),
            MemberSort::Role => format!("{} {direction}", role_here_sql(sql)),
            MemberSort::Source => format!("source {direction}"),
            MemberSort::GrantedAt => {
                format!(
                    "(CASE WHEN granted_at IS NULL THEN 1 ELSE 0 END) {direction}, granted_at {direction}"
                )
            }
        };
        // A user listed twice shows the access they have now first.
        sql.push(&format!(" ORDER BY {key}, user_id ASC, upcoming ASC"));
    }
}

/// Everyone who may act in the company, now or (`scheduled`) later, that the filter leaves: the lines
/// [`push_members`] makes, their state read at the same instant the SQL compared windows with.
pub async fn members(
    db: &impl ConnectionTrait,
    company: Company,
    filter: &MemberFilter<'_>,
    page: PageRequest,
) -> Result<CompanyMembers, AppError> {
    let id = company.id;
    let backend = db.get_database_backend();
    let now = Utc::now();
    let up = ancestors(db, &[id]).await?.remove(&id).unwrap_or_default();
    let mut count = Sql::new(backend, "SELECT count(*) AS total");
    push_members(&mut count, id, &up, now);
    filter.push_where(&mut count);
    let mut rows = Sql::new(
        backend,
        "SELECT user_id, username, full_name, role, is_active, source, is_default, granted_at, \
         granted_by, granted_role, valid_from, valid_until, via",
    );
    push_members(&mut rows, id, &up, now);
    filter.push_where(&mut rows);
    filter.push_order(&mut rows);
    let limit = rows.bind(page.limit as i64);
    let offset = rows.bind(page.offset as i64);
    rows.push(&format!(" LIMIT {limit} OFFSET {offset}"));
    let total = count_rows(db, count).await?;
    let items = MemberRow::find_by_statement(rows.statement())
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            let role = stored("role", row.role.parse::<Role>())?;
            let granted_role = stored_grant_role(row.granted_role.as_deref())?;
            let window = Window {
                valid_from: row.valid_from,
                valid_until: row.valid_until,
            };
            Ok(CompanyMember {
                user_id: row.user_id,
                username: stored("username", Username::parse(row.username))?,
                full_name: row.full_name,
                role,
                role_here: held_role(role, granted_role),
                granted_role,
                valid_from: row.valid_from,
                valid_until: row.valid_until,
                state: window.state_at(now),
                is_active: row.is_active,
                source: stored("access source", row.source.parse::<AccessSource>())?,
                is_default: row.is_default,
                granted_at: row.granted_at,
                granted_by: row.granted_by,
                via_company_id: row.via,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(CompanyMembers {
        company,
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}
