//! `string_enum!`: an enum whose wire names are spelled once, giving `ALL`, `as_str`, `FromStr`, `Display`,
//! serde and the OpenAPI schema from that one list.
//!
//! Deserialisation is written by hand: serde's derived one also reads the externally tagged object form
//! (`{"admin": null}`), which the schema does not allow, and asks serde_json for an enum, which then calls
//! a number or an array a syntax error, so a well-formed body was answered 400 "not valid JSON" instead
//! of 422 naming the field.

/// Declares a string enum. `what` names the value in the error a bad name gets ("role must be one of …").
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident as $what:tt {
            $($(#[$variant_meta:meta])* $variant:ident = $text:tt),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, utoipa::ToSchema,
        )]
        $vis enum $name {
            $($(#[$variant_meta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$variant),+];

            /// The name on the wire and in the database.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::InvalidValue;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                // A `match` compares lengths first: a role list in every access check is parsed here.
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => {
                        let names: Vec<&str> = $name::ALL.iter().map(|value| value.as_str()).collect();
                        Err($crate::domain::InvalidValue(format!(
                            "{} must be one of {} (got {text:?})",
                            $what,
                            names.join(", ")
                        )))
                    }
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Name;

                impl serde::de::Visitor<'_> for Name {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("one of ")?;
                        for (at, value) in $name::ALL.iter().enumerate() {
                            let comma = if at == 0 { "" } else { ", " };
                            write!(f, "{comma}`{value}`")?;
                        }
                        Ok(())
                    }

                    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<$name, E> {
                        match text {
                            $($text => Ok($name::$variant),)+
                            _ => Err(E::unknown_variant(text, &[$($text),+])),
                        }
                    }
                }

                deserializer.deserialize_str(Name)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::audit::AuditAction;
    use crate::terms::GrantRole;
    use crate::{ProblemCode, Role};
    use serde_json::error::Category;

    #[test]
    fn every_value_round_trips_through_its_name_and_json() {
        for action in AuditAction::ALL {
            assert_eq!(action.as_str().parse::<AuditAction>(), Ok(action));
            assert_eq!(
                serde_json::to_string(&action).ok(),
                Some(format!("\"{action}\""))
            );
        }
        assert_eq!(ProblemCode::ALL.len(), 23);
    }

    #[test]
    fn every_name_reads_back_from_json() {
        for role in Role::ALL {
            let read: Result<Role, _> = serde_json::from_str(&format!("\"{role}\""));
            assert_eq!(read.ok(), Some(role));
        }
        let read: Result<AuditAction, _> =
            serde_json::from_value(serde_json::json!("access.grant"));
        assert_eq!(read.ok(), Some(AuditAction::AccessGrant));
    }

    /// A well-formed value of the wrong type is content the API cannot accept (422 naming the field),
    /// not broken JSON (400); the enum's object form is not a name, whatever serde's derive allows.
    #[test]
    fn only_a_string_is_a_name() {
        for json in [
            "5",
            "true",
            "null",
            "[\"admin\"]",
            "{\"admin\": null}",
            "{}",
            "1.5",
        ] {
            let error = serde_json::from_str::<GrantRole>(json).err();
            assert_eq!(
                error.as_ref().map(serde_json::Error::classify),
                Some(Category::Data),
                "{json}: {error:?}"
            );
            let message = error.map(|e| e.to_string()).unwrap_or_default();
            assert!(
                message.contains(
                    "expected one of `admin`, `hr_manager`, `finance_manager`, `employee`"
                ),
                "{json}: {message}"
            );
        }
        let unknown = serde_json::from_str::<GrantRole>("\"super_admin\"").err();
        assert_eq!(
            unknown.map(|e| e.to_string()).as_deref(),
            Some(
                "unknown variant `super_admin`, expected one of `admin`, `hr_manager`, \
                 `finance_manager`, `employee` at line 1 column 13"
            )
        );
    }

    #[test]
    fn a_bad_name_is_told_every_good_one() {
        let error = "boss".parse::<Role>().err().map(|e| e.0);
        assert_eq!(
            error.as_deref(),
            Some(
                "role must be one of super_admin, admin, hr_manager, finance_manager, employee (got \"boss\")"
            )
        );
    }
}
