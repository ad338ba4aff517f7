//! The seed's examples as data, loaded by `serve --demo` into an empty database only.

use crate::caller::Caller;
use crate::db::store::Store;
use crate::error::AppError;
use crate::services::{access, companies, users};
use openapi::companies::CreateCompany;
use openapi::users::CreateUser;
use openapi::{CompanyName, FullName, Role, Username};
use sea_orm::{EntityTrait, PaginatorTrait};
use std::collections::HashMap;
use uuid::Uuid;

/// Created in this order, so that the menu numbers NYC 1 and LA 2 as in the seed's example workflow.
const COMPANIES: [&str; 11] = [
    "NYC",
    "LA",
    "Main Office",
    "Branch Office",
    "Regional HQ",
    "Branch_A",
    "Branch_B",
    "Branch_C",
    "Region_North_Company",
    "Region_North_Branch",
    "Company_A",
];

/// (username, full name, role, home company, granted companies).
type DemoUser = (
    &'static str,
    &'static str,
    Role,
    Option<&'static str>,
    &'static [&'static str],
);

/// In this order sarah gets id 5, as in the seed.
const USERS: [DemoUser; 6] = [
    ("admin", "Super Admin", Role::SuperAdmin, None, &[]),
    (
        "john_smith",
        "John Smith",
        Role::HrManager,
        None,
        &["Main Office", "Branch Office", "Regional HQ"],
    ),
    (
        "hr_manager_1",
        "HR Manager One",
        Role::HrManager,
        None,
        &["Branch_A", "Branch_B", "Branch_C"],
    ),
    (
        "finance_manager_1",
        "Finance Manager One",
        Role::FinanceManager,
        None,
        &["Region_North_Company", "Region_North_Branch"],
    ),
    ("sarah", "Sarah Connor", Role::HrManager, None, &[]),
    (
        "emp_001",
        "Employee 001",
        Role::Employee,
        Some("Company_A"),
        &[],
    ),
];

fn invalid(error: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("demo data is invalid: {error}"))
}

/// Loads the demo data when there are no users and no companies; returns whether it did.
pub async fn load_if_empty(store: &Store) -> Result<bool, AppError> {
    let existing = entity::user::Entity::find().count(&store.db).await?
        + entity::company::Entity::find().count(&store.db).await?;
    if existing > 0 {
        return Ok(false);
    }
    let demo = Caller::demo();
    let mut ids: HashMap<&str, Uuid> = HashMap::new();
    for name in COMPANIES {
        let created = companies::create(
            store,
            &demo,
            CreateCompany {
                parent_id: None,
                name: CompanyName::parse(name).map_err(invalid)?,
            },
        )
        .await?;
        ids.insert(name, created.id);
    }
    let company = |name: &str| ids.get(name).copied().ok_or_else(|| invalid(name));
    for (username, full_name, role, home, granted) in USERS {
        let user = users::create(
            store,
            &demo,
            CreateUser {
                username: Username::parse(username).map_err(invalid)?,
                full_name: Some(FullName::parse(full_name).map_err(invalid)?),
                email: None,
                role: Some(role),
                is_active: Some(true),
                home_company_id: home.map(company).transpose()?,
            },
        )
        .await?;
        if !granted.is_empty() {
            let company_ids = granted
                .iter()
                .map(|name| company(name))
                .collect::<Result<Vec<_>, _>>()?;
            access::grant_many(store, &demo, user.id, &company_ids, &Default::default()).await?;
        }
    }
    Ok(true)
}
