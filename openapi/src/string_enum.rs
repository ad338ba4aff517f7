//! `string_enum!`: an enum whose wire names are spelled once, giving `ALL`, `as_str`, `FromStr`, `Display`,
//! serde and the OpenAPI schema from that one list.

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
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
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
    use crate::{ProblemCode, Role};

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
