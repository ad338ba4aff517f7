//! Value types that requests are parsed into at the edge: once a `Username` exists, it is valid.

use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// Why a value was refused; the message tells the caller what to send instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue(pub String);

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidValue {}

macro_rules! string_value {
    ($(#[$doc:meta])* $name:ident, $parse:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(try_from = "String", into = "String")]
        #[schema(value_type = String)]
        pub struct $name(String);

        impl $name {
            /// Parses untrusted input.
            pub fn parse(raw: impl Into<String>) -> Result<Self, InvalidValue> {
                let parse: fn(String) -> Result<String, InvalidValue> = $parse;
                parse(raw.into()).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidValue;
            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(raw)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

fn has_control_chars(s: &str) -> bool {
    s.chars().any(char::is_control)
}

string_value!(
    /// A login name: 3 to 64 letters, digits, `_`, `.`, `-` or `@`. Unique regardless of letter case.
    Username,
    |raw| {
        let trimmed = raw.trim();
        let length = trimmed.chars().count();
        if !(3..=64).contains(&length) {
            return Err(InvalidValue(format!(
                "username must be 3 to 64 characters long (got {length})"
            )));
        }
        if let Some(bad) = trimmed
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '@')))
        {
            return Err(InvalidValue(format!(
                "username may contain only letters, digits, '_', '.', '-' and '@' (found {bad:?})"
            )));
        }
        Ok(trimmed.to_owned())
    }
);

string_value!(
    /// A company's display name: 1 to 200 characters, no control characters. Unique regardless of letter case.
    CompanyName,
    |raw| {
        let trimmed = raw.trim();
        let length = trimmed.chars().count();
        if length == 0 {
            return Err(InvalidValue("company name must not be empty".into()));
        }
        if length > 200 {
            return Err(InvalidValue(format!(
                "company name must be at most 200 characters long (got {length})"
            )));
        }
        if has_control_chars(trimmed) {
            return Err(InvalidValue(
                "company name must not contain control characters".into(),
            ));
        }
        Ok(trimmed.to_owned())
    }
);

string_value!(
    /// A person's full name: up to 200 characters, may be empty.
    FullName,
    |raw| {
        let trimmed = raw.trim();
        let length = trimmed.chars().count();
        if length > 200 {
            return Err(InvalidValue(format!(
                "full name must be at most 200 characters long (got {length})"
            )));
        }
        if has_control_chars(trimmed) {
            return Err(InvalidValue(
                "full name must not contain control characters".into(),
            ));
        }
        Ok(trimmed.to_owned())
    }
);

string_value!(
    /// An e-mail address such as `sarah@example.com` (up to 254 characters).
    Email,
    |raw| {
        let trimmed = raw.trim();
        let valid = trimmed.len() <= 254
            && !has_control_chars(trimmed)
            && !trimmed.contains(char::is_whitespace)
            && matches!(trimmed.split_once('@'), Some((local, domain))
                if !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
                    && !domain.ends_with('.') && !domain.contains('@'));
        if valid {
            Ok(trimmed.to_owned())
        } else {
            Err(InvalidValue(format!(
                "email must look like name@example.com (got {trimmed:?})"
            )))
        }
    }
);

string_value!(
    /// The name of an API key, shown as the actor in the audit trail: 1 to 64 letters, digits, `_`, `.`, `-`, `:` or spaces.
    KeyName,
    |raw| {
        let trimmed = raw.trim();
        let length = trimmed.chars().count();
        if !(1..=64).contains(&length) {
            return Err(InvalidValue(format!(
                "key name must be 1 to 64 characters long (got {length})"
            )));
        }
        if let Some(bad) = trimmed.chars().find(|c| {
            !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | ':' | ' '))
        }) {
            return Err(InvalidValue(format!(
                "key name may contain only letters, digits, spaces, '_', '.', '-' and ':' (found {bad:?})"
            )));
        }
        Ok(trimmed.to_owned())
    }
);

string_enum! {
    /// What a user does in the HR system. A `super_admin` may act in every company, present and future.
    pub enum Role as "role" {
        SuperAdmin = "super_admin",
        Admin = "admin",
        HrManager = "hr_manager",
        FinanceManager = "finance_manager",
        Employee = "employee",
    }
}

string_enum! {
    /// What an API key may do. Each scope includes the ones before it:
    /// `check` (access checks only, for backend services) < `read` < `write` < `admin` (manages keys).
    #[derive(PartialOrd, Ord)]
    pub enum Scope as "scope" {
        Check = "check",
        Read = "read",
        Write = "write",
        Admin = "admin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_accepts_the_seed_names_and_trims() {
        for name in ["john_smith", "sarah", "emp_001", "hr_manager_1", "a.b-c@d"] {
            assert_eq!(
                Username::parse(format!(" {name} ")).map(String::from),
                Ok(name.to_owned())
            );
        }
    }

    #[test]
    fn username_refuses_short_long_and_odd_characters() {
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("x".repeat(65)).is_err());
        let err = Username::parse("john smith")
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(err.contains("' '"), "{err}");
        assert!(Username::parse("jöhn").is_err());
    }

    #[test]
    fn company_name_refuses_blank_control_and_overlong() {
        assert!(CompanyName::parse("   ").is_err());
        assert!(CompanyName::parse("NYC\u{0}").is_err());
        assert!(CompanyName::parse("x".repeat(201)).is_err());
        assert_eq!(
            CompanyName::parse(" NYC Office ").map(String::from),
            Ok("NYC Office".into())
        );
    }

    #[test]
    fn email_needs_local_part_and_dotted_domain() {
        assert!(Email::parse("sarah@example.com").is_ok());
        for bad in [
            "sarah",
            "@example.com",
            "sarah@example",
            "sa rah@example.com",
            "a@b@c.com",
            "a@.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scopes_are_ordered_so_each_includes_the_one_before() {
        assert!(
            Scope::Check < Scope::Read && Scope::Read < Scope::Write && Scope::Write < Scope::Admin
        );
        assert_eq!("write".parse::<Scope>(), Ok(Scope::Write));
        assert!("root".parse::<Scope>().is_err());
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("boss".parse::<Role>().is_err());
    }

    #[test]
    fn values_deserialize_through_parsing() {
        let parsed: Result<Username, _> = serde_json::from_str("\"x\"");
        assert!(parsed.is_err());
        let role: Result<Role, _> = serde_json::from_str("\"hr_manager\"");
        assert_eq!(role.ok(), Some(Role::HrManager));
    }
}
