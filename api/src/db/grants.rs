//! The grant statements: inserting grants set-based, the default company, reading grants back, and removing
//! them. Inserts are hand-written (`INSERT … SELECT` with a random UUID per row is backend-specific SQL);
//! the rest use SeaORM's query builder.

use crate::db::constraint::{Constraint, OnConstraint};
use crate::db::sql::{Sql, random_uuid_sql};
use crate::db::{stored, stored_grant_role};
use crate::decision::held_role;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use entity::{company, user, user_company_access as access};
use openapi::Role;
use openapi::access::{MAX_IDS_PER_REQUEST, UserCompany};
use openapi::companies::AccessSource;
use openapi::terms::{GrantRole, GrantState, GrantTerms, Window};
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Func, IntoColumnRef, Query, QueryStatementBuilder,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

/// Columns written by every grant, in this order.
pub const GRANT_COLUMNS: &str = "INSERT INTO hrm_user_company_access \
     (id, user_id, company_id, is_default, granted_by, created_at, modified_at) ";

/// Inserts grants of `company_ids` to the user, with `terms`, in one statement; pairs that exist are
/// left alone. Returns how many rows were added.
pub async fn insert_grants(
    db: &impl ConnectionTrait,
    actor: &str,
    user_id: i32,
    company_ids: &[Uuid],
    terms: &GrantTerms,
) -> Result<u64, AppError> {
    let backend = db.get_database_backend();
    let mut added = 0;
    for chunk in company_ids.chunks(MAX_IDS_PER_REQUEST) {
        let mut sql = Sql::new(
            backend,
            "INSERT INTO hrm_user_company_access (id, user_id, company_id, is_default, granted_by, \
             created_at, modified_at, role, valid_from, valid_until, include_branches) ",
        );
        let user = sql.bind(user_id);
        let actor = sql.bind(actor);
        let now = sql.bind(Utc::now());
        let role = sql.bind(terms.role.map(|role| role.as_str().to_owned()));
        let from = sql.bind(terms.window.valid_from);
        let until = sql.bind(terms.window.valid_until);
        let branches = sql.bind(terms.include_branches);
        sql.push(&format!(
            "SELECT {}, {user}, c.id, false, {actor}, {now}, {now}, {role}, {from}, {until}, {branches} \
             FROM hrm_company c WHERE c.id IN ",
            random_uuid_sql(backend)
        ));
        let list = sql.bind_list(chunk.iter().copied());
        sql.push(&list)
            .push(" ON CONFLICT (user_id, company_id) DO NOTHING");
        added += db
            .execute_raw(sql.statement())
            .await
            .on_constraint(&[Constraint::GrantedCompany], "")?
            .rows_affected();
    }
    Ok(added)
}

/// Makes `company_id` the user's default if the user has a grant of it and no default yet.
pub async fn default_if_none(
    db: &impl ConnectionTrait,
    user_id: i32,
    company_id: Uuid,
) -> Result<bool, DbErr> {
    let other = Alias::new("d");
    let has_default = Query::select()
        .expr(Expr::val(1))
        .from_as(access::Entity, other.clone())
        .and_where(Expr::col((other.clone(), access::Column::UserId)).eq(user_id))
        .and_where(Expr::col((other, access::Column::IsDefault)).eq(true))
        .to_owned();
    let updated = access::Entity::update_many()
        .col_expr(access::Column::IsDefault, Expr::value(true))
        .col_expr(access::Column::ModifiedAt, Expr::value(Utc::now()))
        .filter(access::Column::UserId.eq(user_id))
        .filter(access::Column::CompanyId.eq(company_id))
        .filter(Expr::exists(has_default).not())
        .exec(db)
        .await?;
    Ok(updated.rows_affected > 0)
}

/// Grants one company inside the caller's transaction (the user row must be locked); it becomes the
/// user's default when they have none yet. `Ok(false)` when the user already had it.
pub async fn insert_grant(
    db: &impl ConnectionTrait,
    actor: &str,
    user_id: i32,
    company_id: Uuid,
    terms: &GrantTerms,
) -> Result<bool, AppError> {
    let added = insert_grants(db, actor, user_id, &[company_id], terms).await? > 0;
    if added {
        default_if_none(db, user_id, company_id).await?;
    }
    Ok(added)
}

/// Sets or clears the default flag; setting it clears it on the user's other grants first, so the
/// one-default index never sees two.
pub async fn set_default_flag(
    db: &impl ConnectionTrait,
    user_id: i32,
    company_id: Uuid,
    is_default: bool,
) -> Result<(), DbErr> {
    let now = Utc::now();
    if is_default {
        access::Entity::update_many()
            .col_expr(access::Column::IsDefault, Expr::value(false))
            .col_expr(access::Column::ModifiedAt, Expr::value(now))
            .filter(access::Column::UserId.eq(user_id))
            .filter(access::Column::IsDefault.eq(true))
            .filter(access::Column::CompanyId.ne(company_id))
            .exec(db)
            .await?;
    }
    access::Entity::update_many()
        .col_expr(access::Column::IsDefault, Expr::value(is_default))
        .col_expr(access::Column::ModifiedAt, Expr::value(now))
        .filter(access::Column::UserId.eq(user_id))
        .filter(access::Column::CompanyId.eq(company_id))
        .exec(db)
        .await?;
    Ok(())
}

/// What [`set_terms`] changes: each `Some` is set (an inner `None` clears it), each `None` left alone;
/// of the window, only the ends named in `ends` (from, until).
pub struct TermsChange {
    pub role: Option<Option<GrantRole>>,
    pub window: Window,
    pub ends: (bool, bool),
    pub include_branches: Option<bool>,
}

/// Changes a grant's terms.
pub async fn set_terms(
    db: &impl ConnectionTrait,
    user_id: i32,
    company_id: Uuid,
    change: TermsChange,
) -> Result<(), DbErr> {
    let TermsChange {
        role,
        window,
        ends: (set_from, set_until),
        include_branches,
    } = change;
    let mut update = access::Entity::update_many()
        .col_expr(access::Column::ModifiedAt, Expr::value(Utc::now()))
        .filter(access::Column::UserId.eq(user_id))
        .filter(access::Column::CompanyId.eq(company_id));
    if let Some(role) = role {
        update = update.col_expr(
            access::Column::Role,
            Expr::value(role.map(|role| role.as_str().to_owned())),
        );
    }
    if set_from {
        update = update.col_expr(access::Column::ValidFrom, Expr::value(window.valid_from));
    }
    if set_until {
        update = update.col_expr(access::Column::ValidUntil, Expr::value(window.valid_until));
    }
    if let Some(include_branches) = include_branches {
        update = update.col_expr(
            access::Column::IncludeBranches,
            Expr::value(include_branches),
        );
    }
    update.exec(db).await?;
    Ok(())
}

#[derive(Debug, FromQueryResult)]
struct GrantRow {
    user_id: i32,
    company_id: Uuid,
    company_name: String,
    is_default: bool,
    granted_at: DateTime<Utc>,
    granted_by: Option<String>,
    role: Option<String>,
    user_role: String,
    valid_from: Option<DateTime<Utc>>,
    valid_until: Option<DateTime<Utc>>,
    include_branches: bool,
}

impl GrantRow {
    fn into_user_company(self, now: DateTime<Utc>) -> Result<UserCompany, AppError> {
        let granted_role = stored_grant_role(self.role.as_deref())?;
        let user_role = stored("role", self.user_role.parse::<Role>())?;
        let window = Window {
            valid_from: self.valid_from,
            valid_until: self.valid_until,
        };
        Ok(UserCompany {
            company_id: self.company_id,
            company_name: self.company_name,
            is_default: self.is_default,
            source: AccessSource::Grant,
            granted_at: Some(self.granted_at),
            granted_by: self.granted_by,
            role: held_role(user_role, granted_role),
            granted_role,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            state: window.state_at(now),
            include_branches: self.include_branches,
            via_company_id: Some(self.company_id),
        })
    }
}

/// The user's grants with their company names (only those of `only`, when given), default first, with
/// their state now.
pub async fn grant_rows(
    db: &impl ConnectionTrait,
    user_id: i32,
    only: Option<&[Uuid]>,
) -> Result<Vec<UserCompany>, AppError> {
    grant_rows_at(db, user_id, only, Utc::now()).await
}

/// [`grant_rows`] with their state at `now`: what a list read at one instant in several statements
/// passes to each of them.
pub async fn grant_rows_at(
    db: &impl ConnectionTrait,
    user_id: i32,
    only: Option<&[Uuid]>,
    now: DateTime<Utc>,
) -> Result<Vec<UserCompany>, AppError> {
    let mut select = grant_select().filter(access::Column::UserId.eq(user_id));
    if let Some(ids) = only {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        select = select.filter(access::Column::CompanyId.is_in(ids.iter().copied()));
    }
    select
        .order_by_desc(access::Column::IsDefault)
        .order_by_asc(access::Column::CreatedAt)
        .order_by_asc(company::Column::NameKey)
        .into_model::<GrantRow>()
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.into_user_company(now))
        .collect()
}

/// The grants these users hold of these companies, each with its user, in no particular order: what a
/// revocation of many pairs removes, read in chunks of both lists rather than user by user.
pub async fn grants_of_pairs(
    db: &impl ConnectionTrait,
    user_ids: &[i32],
    company_ids: &[Uuid],
) -> Result<Vec<(i32, UserCompany)>, AppError> {
    let now = Utc::now();
    let mut rows = Vec::new();
    for users in user_ids.chunks(MAX_IDS_PER_REQUEST) {
        for companies in company_ids.chunks(MAX_IDS_PER_REQUEST) {
            rows.extend(
                grant_select()
                    .filter(access::Column::UserId.is_in(users.iter().copied()))
                    .filter(access::Column::CompanyId.is_in(companies.iter().copied()))
                    .into_model::<GrantRow>()
                    .all(db)
                    .await?,
            );
        }
    }
    rows.into_iter()
        .map(|row| Ok((row.user_id, row.into_user_company(now)?)))
        .collect()
}

/// Every column of a grant as the lists show it, with its company's name and its user's role.
fn grant_select() -> sea_orm::Select<access::Entity> {
    access::Entity::find()
        .select_only()
        .column(access::Column::UserId)
        .column(access::Column::CompanyId)
        .column_as(company::Column::Name, "company_name")
        .column(access::Column::IsDefault)
        .column_as(access::Column::CreatedAt, "granted_at")
        .column(access::Column::GrantedBy)
        .column(access::Column::Role)
        .column_as(user::Column::Role, "user_role")
        .column(access::Column::ValidFrom)
        .column(access::Column::ValidUntil)
        .column(access::Column::IncludeBranches)
        .inner_join(company::Entity)
        .inner_join(user::Entity)
}

/// One grant of the user, if there is one.
pub async fn grant_of(
    db: &impl ConnectionTrait,
    user_id: i32,
    company_id: Uuid,
) -> Result<Option<UserCompany>, AppError> {
    Ok(grant_rows(db, user_id, Some(&[company_id]))
        .await?
        .into_iter()
        .next())
}

/// `(SELECT count(*) FROM hrm_user_company_access WHERE <side> = <owner>)`: how many grants name the row
/// of the outer query, by user (`side` = `UserId`) or by company (`CompanyId`).
pub fn grant_count(side: access::Column, owner: impl IntoColumnRef) -> Expr {
    grant_count_among(side, owner, None)
}

/// [`grant_count`] of the grants of these companies only (`None`: of every company).
pub fn grant_count_among(
    side: access::Column,
    owner: impl IntoColumnRef,
    companies: Option<&[Uuid]>,
) -> Expr {
    let mut grants = Query::select()
        .expr(Func::count(Expr::col(Asterisk)))
        .from(access::Entity)
        .and_where(Expr::col((access::Entity, side)).equals(owner))
        .to_owned();
    if let Some(companies) = companies {
        grants.and_where(
            Expr::col((access::Entity, access::Column::CompanyId)).is_in(companies.iter().copied()),
        );
    }
    Expr::SubQuery(None, Box::new(grants.into_sub_query_statement()))
}

/// Removes every grant these users hold of these companies, in chunks of both lists.
pub async fn delete_pairs(
    db: &impl ConnectionTrait,
    user_ids: &[i32],
    company_ids: &[Uuid],
) -> Result<(), DbErr> {
    for users in user_ids.chunks(MAX_IDS_PER_REQUEST) {
        for companies in company_ids.chunks(MAX_IDS_PER_REQUEST) {
            access::Entity::delete_many()
                .filter(access::Column::UserId.is_in(users.iter().copied()))
                .filter(access::Column::CompanyId.is_in(companies.iter().copied()))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// Removes the user's grants of these companies.
pub async fn delete_grants(
    db: &impl ConnectionTrait,
    user_id: i32,
    company_ids: &[Uuid],
) -> Result<(), DbErr> {
    for chunk in company_ids.chunks(MAX_IDS_PER_REQUEST) {
        access::Entity::delete_many()
            .filter(access::Column::UserId.eq(user_id))
            .filter(access::Column::CompanyId.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Every company for a super admin that no grant of theirs gives access to at `now`, oldest first: the
/// role does, whatever their scheduled or expired grants of it say.
pub async fn companies_without_active_grant(
    db: &impl ConnectionTrait,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<Vec<UserCompany>, AppError> {
    let column = |column: access::Column| Expr::col((access::Entity, column));
    let active = Query::select()
        .expr(Expr::val(1))
        .from(access::Entity)
        .and_where(
            Expr::col((access::Entity, access::Column::CompanyId))
                .equals((company::Entity, company::Column::Id)),
        )
        .and_where(column(access::Column::UserId).eq(user_id))
        .and_where(
            column(access::Column::ValidFrom)
                .is_null()
                .or(column(access::Column::ValidFrom).lte(now)),
        )
        .and_where(
            column(access::Column::ValidUntil)
                .is_null()
                .or(column(access::Column::ValidUntil).gt(now)),
        )
        .to_owned();
    Ok(company::Entity::find()
        .filter(Expr::exists(active).not())
        .order_by_asc(company::Column::CreatedAt)
        .order_by_asc(company::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|company| UserCompany {
            company_id: company.id,
            company_name: company.name,
            is_default: false,
            source: AccessSource::SuperAdmin,
            granted_at: None,
            granted_by: None,
            role: Role::SuperAdmin,
            granted_role: None,
            valid_from: None,
            valid_until: None,
            state: GrantState::Active,
            include_branches: false,
            via_company_id: None,
        })
        .collect())
}
