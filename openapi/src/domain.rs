//! Value types that requests are parsed into at the edge: once a `Username` exists, it is valid. Each
//! type's OpenAPI schema states its parser's rule exactly (`pattern`, `minLength`, `maxLength`, lengths in
//! code points of the text as sent), so a client or a schema-driven tester can tell a valid value from an
//! invalid one without asking; `tests/patterns.rs` holds the two together. Nothing is trimmed: white space
//! at either end is refused, and clients trim what a person typed.

use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// Why a value was refused; the message tells the caller what to send instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue(pub String);

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidValue {}

/// A name's characters between `^…$`: a first and a last one that is neither forbidden nor a space, any
/// allowed ones between (spaces included). The classes are those of [`names::forbidden`] and
/// [`names::is_space`], spelled with `\u` escapes so ECMA-262 and Python's `re` read them alike.
macro_rules! name_body {
    () => {
        concat!(
            r"[^\u0000-\u0020\u007F-\u00A0\u00AD\u061C\u1680\u180E\u2000-\u200F\u2028-\u202F\u205F-\u2064\u2066-\u206F\u3000\uFEFF\uFFF9-\uFFFB]",
            r"(?:[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u2028\u2029\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]*",
            r"[^\u0000-\u0020\u007F-\u00A0\u00AD\u061C\u1680\u180E\u2000-\u200F\u2028-\u202F\u205F-\u2064\u2066-\u206F\u3000\uFEFF\uFFF9-\uFFFB])?",
        )
    };
}

/// The `pattern` of [`Username`].
pub const USERNAME_PATTERN: &str = r"^[A-Za-z0-9_.@-]{3,64}$";
/// The `pattern` of [`KeyName`]: spaces only between other characters.
pub const KEY_NAME_PATTERN: &str = r"^[A-Za-z0-9_.:-](?:[A-Za-z0-9_.: -]{0,62}[A-Za-z0-9_.:-])?$";
/// The `pattern` of [`CompanyName`].
pub const COMPANY_NAME_PATTERN: &str = concat!("^", name_body!(), "$");
/// The `pattern` of [`FullName`]: a company name's, or empty.
pub const FULL_NAME_PATTERN: &str = concat!("^(?:", name_body!(), ")?$");
/// The `pattern` of [`Email`]: no control or white space character anywhere, one `@` after a non-empty
/// local part, a dot inside the domain but at neither of its ends.
pub const EMAIL_PATTERN: &str = concat!(
    r"^[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000@]+",
    r"@[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000@.]",
    r"[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000@]*\.",
    r"[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000@]*",
    r"[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000@.]$"
);
/// The `pattern` of every free-text query parameter: the server refuses control characters
/// (`char::is_control`) in a query, and nothing else. Repeated as a literal in each `#[param(pattern)]`.
pub const QUERY_TEXT_PATTERN: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";

/// Declares a value type parsed by `parse`, with an OpenAPI schema that states the same rule: `doc` is
/// both its Rust doc and the schema's description, `pattern` and `length` (code points, as JSON Schema
/// counts them) its constraints.
macro_rules! string_value {
    (
        $name:ident {
            doc: $doc:literal,
            pattern: $pattern:expr,
            length: $min:literal ..= $max:literal,
            example: $example:literal,
            parse: $parse:expr $(,)?
        }
    ) => {
        #[doc = $doc]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Parses untrusted input, as sent: nothing is trimmed.
            pub fn parse(raw: impl Into<String>) -> Result<Self, InvalidValue> {
                let parse: fn(String) -> Result<String, InvalidValue> = $parse;
                parse(raw.into()).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some($doc.trim()))
                    .pattern(Some($pattern))
                    .min_length(($min > 0).then_some($min))
                    .max_length(Some($max))
                    .examples([$example])
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

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

/// Leading or trailing white space is refused rather than trimmed, so the schema's pattern can say it:
/// clients trim what a person typed.
fn no_outer_white_space(what: &str, raw: &str) -> Result<(), InvalidValue> {
    if raw.starts_with(char::is_whitespace) || raw.ends_with(char::is_whitespace) {
        return Err(InvalidValue(format!(
            "{what} must not begin or end with white space; remove it"
        )));
    }
    Ok(())
}

fn length_within(what: &str, raw: &str, min: usize, max: usize) -> Result<(), InvalidValue> {
    let length = raw.chars().count();
    if length == 0 && min > 0 {
        return Err(InvalidValue(format!("{what} must not be empty")));
    }
    if !(min..=max).contains(&length) {
        let bounds = if min == 0 {
            format!("at most {max} characters")
        } else {
            format!("{min} to {max} characters")
        };
        return Err(InvalidValue(format!(
            "{what} must be {bounds} long (got {length})"
        )));
    }
    Ok(())
}

/// A display name (a company's, a person's): refused with a forbidden character or a space at either
/// end, stored in NFC with single spaces. The length is that of the input, as the schema counts it.
fn display_name(what: &str, raw: String, min: usize) -> Result<String, InvalidValue> {
    length_within(what, &raw, min, 200)?;
    if let Some(character) = raw.chars().find_map(names::forbidden) {
        return Err(InvalidValue(format!(
            "{what} must not contain {character}; remove it"
        )));
    }
    no_outer_white_space(what, &raw)?;
    Ok(names::normalize(&raw))
}

string_value!(Username {
    doc: "A login name: 3 to 64 letters (A to Z, any case), digits, `_`, `.`, `-` or `@`. Unique regardless of letter case.",
    pattern: USERNAME_PATTERN,
    length: 3..=64,
    example: "sarah",
    parse: |raw| {
        no_outer_white_space("username", &raw)?;
        length_within("username", &raw, 3, 64)?;
        if let Some(bad) = raw
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '@')))
        {
            return Err(InvalidValue(format!(
                "username may contain only letters, digits, '_', '.', '-' and '@' (found {bad:?})"
            )));
        }
        Ok(raw)
    },
});

string_value!(CompanyName {
    doc: "A company's display name: 1 to 200 characters, no control or invisible formatting characters \
          (such as U+200B zero width space), no space at either end. Stored in Unicode NFC with each run \
          of spaces as one space. Unique regardless of letter case (full Unicode case folding).",
    pattern: COMPANY_NAME_PATTERN,
    length: 1..=200,
    example: "NYC Office",
    parse: |raw| display_name("company name", raw, 1),
});

string_value!(FullName {
    doc: "A person's full name: up to 200 characters, may be empty; no control or invisible formatting \
          characters, no space at either end. Stored in Unicode NFC with each run of spaces as one space.",
    pattern: FULL_NAME_PATTERN,
    length: 0..=200,
    example: "Sarah Connor",
    parse: |raw| display_name("full name", raw, 0),
});

string_value!(Email {
    doc: "An e-mail address such as `sarah@example.com`: up to 254 characters, no white space, one `@` \
          after a non-empty local part, a dot inside the domain.",
    pattern: EMAIL_PATTERN,
    length: 0..=254,
    example: "sarah@example.com",
    parse: |raw| {
        no_outer_white_space("email", &raw)?;
        length_within("email", &raw, 0, 254)?;
        let valid = !raw.contains(|c: char| c.is_control() || c.is_whitespace())
            && matches!(raw.split_once('@'), Some((local, domain))
                if !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
                    && !domain.ends_with('.') && !domain.contains('@'));
        if valid {
            Ok(raw)
        } else {
            Err(InvalidValue(format!(
                "email must look like name@example.com (got {raw:?})"
            )))
        }
    },
});

string_value!(KeyName {
    doc: "The name of an API key, shown as the actor in the audit trail: 1 to 64 letters (A to Z, any \
          case), digits, `_`, `.`, `-`, `:` or spaces, no space at either end.",
    pattern: KEY_NAME_PATTERN,
    length: 1..=64,
    example: "hr-portal",
    parse: |raw| {
        no_outer_white_space("key name", &raw)?;
        length_within("key name", &raw, 1, 64)?;
        if let Some(bad) = raw
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | ':' | ' ')))
        {
            return Err(InvalidValue(format!(
                "key name may contain only letters, digits, spaces, '_', '.', '-' and ':' (found {bad:?})"
            )));
        }
        Ok(raw)
    },
});

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

    fn message<T>(parsed: Result<T, InvalidValue>) -> String {
        parsed.err().map(|e| e.0).unwrap_or_default()
    }

    #[test]
    fn username_accepts_the_seed_names_as_sent() {
        for name in ["john_smith", "sarah", "emp_001", "hr_manager_1", "a.b-c@d"] {
            assert_eq!(Username::parse(name).map(String::from), Ok(name.to_owned()));
        }
    }

    #[test]
    fn username_refuses_short_long_and_odd_characters() {
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("x".repeat(65)).is_err());
        let err = message(Username::parse("john smith"));
        assert!(err.contains("' '"), "{err}");
        assert!(Username::parse("jöhn").is_err());
    }

    #[test]
    fn white_space_at_either_end_is_refused_with_a_hint_to_remove_it() {
        for err in [
            message(Username::parse(" sarah")),
            message(KeyName::parse("hr-portal ")),
            message(Email::parse("\tsarah@example.com")),
            message(CompanyName::parse(" NYC Office")),
            message(CompanyName::parse("NYC Office\u{00A0}")),
            message(FullName::parse("Sarah Connor ")),
        ] {
            assert!(err.contains("remove it"), "{err}");
        }
        assert!(CompanyName::parse("   ").is_err());
    }

    #[test]
    fn company_name_refuses_empty_control_and_overlong() {
        assert_eq!(
            message(CompanyName::parse("")),
            "company name must not be empty"
        );
        assert!(CompanyName::parse("NYC\u{0}").is_err());
        assert!(CompanyName::parse("x".repeat(201)).is_err());
        assert!(CompanyName::parse("x".repeat(200)).is_ok());
        assert_eq!(FullName::parse("").map(String::from), Ok(String::new()));
    }

    #[test]
    fn names_are_stored_in_nfc_with_single_spaces() {
        let nfd = CompanyName::parse("Cafe\u{0301}").map(String::from);
        assert_eq!(nfd, Ok("Caf\u{00E9}".to_owned()));
        assert_eq!(
            CompanyName::parse("LA\u{00A0}\u{00A0}Office").map(String::from),
            Ok("LA Office".to_owned())
        );
        assert_eq!(
            FullName::parse("Sarah \u{3000} Connor").map(String::from),
            Ok("Sarah Connor".to_owned())
        );
    }

    #[test]
    fn the_length_is_that_of_the_input_not_of_its_normal_form() {
        // U+0958 is two code points in NFC: 200 of them are a valid name stored as 400.
        let expanding = "\u{0958}".repeat(200);
        let stored = CompanyName::parse(expanding).map(|name| name.as_str().chars().count());
        assert_eq!(stored, Ok(400));
        // Collapsing spaces does not make an over-long input acceptable.
        assert!(CompanyName::parse(format!("a{}b", "\u{00A0}".repeat(199))).is_err());
    }

    #[test]
    fn each_forbidden_character_class_is_refused_by_name() {
        for (name, character) in [
            ("NYC\u{0009}Office", "U+0009 tab"),
            ("NYC\u{0085}", "U+0085 control character"),
            ("N\u{00AD}YC", "U+00AD soft hyphen"),
            ("NY\u{200B}C", "U+200B zero width space"),
            ("NY\u{200D}C", "U+200D zero width joiner"),
            ("\u{202E}CYN", "U+202E right-to-left override"),
            ("NYC\u{2028}LA", "U+2028 line separator"),
            ("NYC\u{2029}LA", "U+2029 paragraph separator"),
            ("NY\u{2062}C", "U+2062 invisible times"),
            ("NY\u{2066}C", "U+2066 left-to-right isolate"),
            ("\u{FEFF}NYC", "U+FEFF zero width no-break space"),
            ("NY\u{FFFA}C", "U+FFFA interlinear annotation separator"),
        ] {
            let err = message(CompanyName::parse(name));
            assert!(err.contains(character), "{name:?}: {err}");
            assert!(FullName::parse(name).is_err(), "{name:?}");
        }
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
            "a@b.",
            "a@b\u{00A0}.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn email_length_counts_code_points() {
        let domain = "@example.com";
        let local = |n: usize| "é".repeat(n - domain.len());
        assert!(Email::parse(format!("{}{domain}", local(254))).is_ok());
        assert!(Email::parse(format!("{}{domain}", local(255))).is_err());
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
