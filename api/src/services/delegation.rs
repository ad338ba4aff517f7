//! Delegated administration: a key bound to a user acts as that user, and reaches only the companies the
//! user administers, that is holds `admin` in now, through a grant of the company itself or of a parent
//! whose grant includes its branches (super admins administer every company). An unbound key is limited
//! by its scope alone. Every refusal is a 403 `out_of_reach` that names the company or role.

use crate::caller::Caller;
use crate::db::facts::load_users;
use crate::db::hierarchy;
use crate::db::lookups::username_of;
use crate::decision::{Question, administers};
use crate::error::AppError;
use entity::company;
use openapi::Role;
use openapi::access::UserCompanies;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

/// The companies a delegate administers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Managed {
    /// A super admin's: every company, present and future.
    Everything,
    /// Each company administered, and whether its branches are too.
    Companies(HashMap<Uuid, bool>),
}

impl Managed {
    pub fn reaches(&self, company: &Uuid, branches: bool) -> bool {
        match self {
            Managed::Everything => true,
            Managed::Companies(companies) => companies
                .get(company)
                .is_some_and(|with_branches| *with_branches || !branches),
        }
    }

    /// The companies administered, sorted; `None`: every company.
    pub fn ids(&self) -> Option<Vec<Uuid>> {
        match self {
            Managed::Everything => None,
            Managed::Companies(companies) => {
                let mut ids: Vec<Uuid> = companies.keys().copied().collect();
                ids.sort_unstable();
                Some(ids)
            }
        }
    }
}

/// The user a bound key acts for, as they are at the start of the request: named in every refusal.
#[derive(Debug, Clone)]
pub struct Delegate {
    pub username: String,
    pub managed: Managed,
}

/// The delegate a caller's key acts for; `None` for an unbound key. A key whose user is inactive may
/// do nothing until the user is active again.
pub async fn of(db: &DatabaseConnection, caller: &Caller) -> Result<Option<Delegate>, AppError> {
    let Some(user_id) = caller.user_id else {
        return Ok(None);
    };
    let gone = || {
        AppError::OutOfReach(format!(
            "The key '{}' acts for user {user_id}, who no longer exists",
            caller.name
        ))
    };
    let username = username_of(db, user_id).await?.ok_or_else(gone)?;
    let facts = load_users(db, &[user_id]).await?.remove(&user_id);
    let flags = facts
        .as_ref()
        .and_then(|facts| facts.flags)
        .ok_or_else(gone)?;
    if !flags.is_active {
        return Err(AppError::OutOfReach(format!(
            "The key '{}' acts for {username}, who is inactive: it may do nothing until they are \
             active again",
            caller.name
        )));
    }
    let managed = if flags.is_super_admin() {
        Managed::Everything
    } else {
        let at = Question::now(None).at;
        let mut companies: HashMap<Uuid, bool> = facts
            .iter()
            .flat_map(|facts| &facts.grants)
            .filter_map(|(company, grant)| {
                administers(flags, grant, at).map(|branches| (*company, branches))
            })
            .collect();
        let roots: Vec<Uuid> = companies
            .iter()
            .filter(|(_, branches)| **branches)
            .map(|(company, _)| *company)
            .collect();
        // A grant that includes branches reaches every company below, and their branches in turn.
        for branch in hierarchy::below(db, &roots).await? {
            companies.insert(branch.id, true);
        }
        Managed::Companies(companies)
    };
    Ok(Some(Delegate { username, managed }))
}

impl Delegate {
    /// Every company named (with its branches, where the flag says so) must be one the delegate
    /// administers. Companies that do not exist pass, for the service to answer 404.
    pub async fn require(
        &self,
        db: &impl ConnectionTrait,
        wanted: impl IntoIterator<Item = (Uuid, bool)>,
    ) -> Result<(), AppError> {
        let mut refused: Vec<(Uuid, bool)> = wanted
            .into_iter()
            .filter(|(company, branches)| !self.managed.reaches(company, *branches))
            .collect();
        if refused.is_empty() {
            return Ok(());
        }
        refused.sort_unstable();
        refused.dedup_by_key(|(company, _)| *company);
        let ids: Vec<Uuid> = refused.iter().map(|(company, _)| *company).collect();
        let names: HashMap<Uuid, String> = company::Entity::find()
            .select_only()
            .column(company::Column::Id)
            .column(company::Column::Name)
            .filter(company::Column::Id.is_in(ids))
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let Some((company, branches)) = refused
            .iter()
            .find(|(company, _)| names.contains_key(company))
        else {
            return Ok(());
        };
        let name = names.get(company).map_or("", String::as_str);
        let others = names.len() - 1;
        let more = match others {
            0 => String::new(),
            1 => " (and 1 other company)".to_owned(),
            n => format!(" (and {n} other companies)"),
        };
        Err(AppError::OutOfReach(
            if *branches && self.managed.reaches(company, false) {
                format!(
                    "{} administers '{name}' ({company}) but not its branches{more}: a grant that \
                     includes branches may be given only by an administrator whose own grant does",
                    self.username
                )
            } else {
                format!(
                    "'{name}' ({company}) is out of reach{more}: this key acts for {}, who does not \
                     hold the admin role there",
                    self.username
                )
            },
        ))
    }

    /// Leaves out of a user's companies those the delegate does not administer.
    pub fn retain_managed(&self, companies: &mut UserCompanies) {
        companies
            .items
            .retain(|item| self.managed.reaches(&item.company_id, false));
    }

    /// Only a key not bound to a user may make a super admin, or change one: `subject` says which
    /// role or user was asked about.
    pub fn refuse_super_admin(&self, role: Role, subject: &str) -> Result<(), AppError> {
        if role == Role::SuperAdmin {
            return Err(AppError::OutOfReach(format!(
                "{subject} is super_admin: this key acts for {}, and only a key not bound to a user \
                 may make or change a super admin",
                self.username
            )));
        }
        Ok(())
    }

    /// A user's own record (role, activity, name, existence) reaches every company they are granted:
    /// a delegate changes it only when all of those are companies they administer.
    pub async fn require_user(
        &self,
        db: &impl ConnectionTrait,
        username: &str,
        role: Role,
        granted: &[Uuid],
    ) -> Result<(), AppError> {
        self.refuse_super_admin(role, &format!("User '{username}'"))?;
        self.require(db, granted.iter().map(|company| (*company, false)))
            .await
    }
}
