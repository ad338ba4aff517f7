//! The one mapping of constraint violations to domain errors, by constraint, as the migrations name them.
//! A violation a statement was not expected to cause stays a database error (500, logged).

use crate::error::AppError;
use openapi::ProblemCode;
use sea_orm::{DbErr, SqlErr};

/// The constraints a caller's request can run into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    /// `uq_hrm_users_username_ci`: usernames are unique regardless of case.
    Username,
    /// `uq_hrm_company_name_ci` on `name_key`: company names are unique regardless of case.
    CompanyName,
    /// `uq_hrm_api_keys_name_ci`: a key name is never reused, not even after revocation.
    KeyName,
    /// `fk_hrm_users_home_company`: a user's home company exists.
    HomeCompany,
    /// `fk_hrm_user_company_access_company`: a granted company exists.
    GrantedCompany,
}

impl Constraint {
    fn name(self) -> &'static str {
        match self {
            Constraint::Username => "uq_hrm_users_username_ci",
            Constraint::CompanyName => "uq_hrm_company_name_ci",
            Constraint::KeyName => "uq_hrm_api_keys_name_ci",
            Constraint::HomeCompany => "fk_hrm_users_home_company",
            Constraint::GrantedCompany => "fk_hrm_user_company_access_company",
        }
    }

    /// How SQLite names a unique index on plain columns: by the columns (`hrm_company.name_key`), where
    /// for an index on an expression it names the index.
    fn sqlite_columns(self) -> Option<&'static str> {
        match self {
            Constraint::CompanyName => Some("hrm_company.name_key"),
            _ => None,
        }
    }

    /// Whether a unique violation's message names this constraint.
    fn named_in(self, message: &str) -> bool {
        message.contains(self.name())
            || self
                .sqlite_columns()
                .is_some_and(|columns| message.contains(columns))
    }

    fn is_foreign_key(self) -> bool {
        matches!(self, Constraint::HomeCompany | Constraint::GrantedCompany)
    }

    /// The domain error; `subject` is the value that clashed (a username, a company or key name).
    fn error(self, subject: &str) -> AppError {
        match self {
            Constraint::Username => AppError::Conflict {
                code: ProblemCode::UsernameTaken,
                detail: format!("Username '{subject}' is already taken"),
            },
            Constraint::CompanyName => AppError::Conflict {
                code: ProblemCode::CompanyNameTaken,
                detail: format!("A company named '{subject}' already exists"),
            },
            Constraint::KeyName => AppError::Conflict {
                code: ProblemCode::KeyNameTaken,
                detail: format!(
                    "A key named '{subject}' exists or existed; names are never reused, so the audit \
                     trail's actors stay unambiguous"
                ),
            },
            // The company was deleted by a concurrent request between our checks and the write.
            Constraint::HomeCompany => AppError::company_not_found(),
            Constraint::GrantedCompany => AppError::NotFound {
                code: ProblemCode::CompanyNotFound,
                detail: "Company not found (it was deleted while the grant was being made)".into(),
            },
        }
    }
}

/// Maps `error` to the domain error of the constraint among `expected` that it violated. PostgreSQL names
/// every constraint, SQLite a unique index by its name or by its columns; SQLite's foreign-key errors name
/// none, so the first expected foreign key stands for them.
pub fn on_constraint(error: DbErr, expected: &[Constraint], subject: &str) -> AppError {
    let violated = match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => expected
            .iter()
            .find(|constraint| !constraint.is_foreign_key() && constraint.named_in(&message)),
        Some(SqlErr::ForeignKeyConstraintViolation(message)) => expected
            .iter()
            .filter(|constraint| constraint.is_foreign_key())
            .find(|constraint| message.contains(constraint.name()) || !message.contains("fk_")),
        _ => None,
    };
    match violated {
        Some(constraint) => constraint.error(subject),
        None => AppError::from(error),
    }
}

/// `.on_constraint(…)` on any database result.
pub trait OnConstraint<T> {
    fn on_constraint(self, expected: &[Constraint], subject: &str) -> Result<T, AppError>;
}

impl<T> OnConstraint<T> for Result<T, DbErr> {
    fn on_constraint(self, expected: &[Constraint], subject: &str) -> Result<T, AppError> {
        self.map_err(|error| on_constraint(error, expected, subject))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::RuntimeErr;

    fn unique(message: &str) -> DbErr {
        DbErr::Query(RuntimeErr::Internal(message.into()))
    }

    #[actix_web::test]
    async fn real_violations_map_to_their_domain_errors() {
        use chrono::Utc;
        use entity::{company, user};
        use migration::{Migrator, MigratorTrait};
        use sea_orm::{ActiveModelTrait, ActiveValue::Set};
        let Ok(db) =
            crate::db::connect("sqlite::memory:", 1, std::time::Duration::from_secs(5)).await
        else {
            panic!("no SQLite")
        };
        assert!(Migrator::up(&db, None).await.is_ok());
        let company = |name: &str| company::ActiveModel {
            id: Set(uuid::Uuid::new_v4()),
            name: Set(name.to_owned()),
            name_key: Set(names::fold(name)),
            created_at: Set(Utc::now()),
            modified_at: Set(Utc::now()),
            parent_id: Set(None),
        };
        assert!(company("NYC").insert(&db).await.is_ok());
        let clash = company("nyc")
            .insert(&db)
            .await
            .on_constraint(&[Constraint::CompanyName], "nyc");
        assert!(matches!(
            clash,
            Err(AppError::Conflict {
                code: ProblemCode::CompanyNameTaken,
                ..
            })
        ));
        let orphan = user::ActiveModel {
            username: Set("sarah".into()),
            full_name: Set(String::new()),
            full_name_key: Set(String::new()),
            email: Set(None),
            role: Set("employee".into()),
            is_active: Set(true),
            home_company_id: Set(Some(uuid::Uuid::new_v4())),
            created_at: Set(Utc::now()),
            modified_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&db)
        .await
        .on_constraint(&[Constraint::Username, Constraint::HomeCompany], "sarah");
        assert!(matches!(
            orphan,
            Err(AppError::NotFound {
                code: ProblemCode::CompanyNotFound,
                ..
            })
        ));
    }

    #[test]
    fn unexpected_errors_stay_database_errors() {
        let error = on_constraint(unique("disk full"), &[Constraint::Username], "sarah");
        assert!(matches!(error, AppError::Database(_)));
    }
}
