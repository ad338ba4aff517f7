//! SeaORM entities of the company access schema. Tables keep the HR system's `hrm_` names.

pub mod api_key;
pub mod audit_log;
pub mod company;
pub mod user;
pub mod user_company_access;

pub mod prelude {
    pub use super::api_key::Entity as ApiKey;
    pub use super::audit_log::Entity as AuditLog;
    pub use super::company::Entity as Company;
    pub use super::user::Entity as User;
    pub use super::user_company_access::Entity as UserCompanyAccess;
}
