//! JSON numbers as JSON Schema reads them: `5.0` is the integer 5, so a client that writes every number as
//! a float (JavaScript's `JSON.stringify(5.0)` does not, but many languages' encoders do) is understood.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use std::fmt;

struct UserIdVisitor;

impl Visitor<'_> for UserIdVisitor {
    type Value = i32;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a user id: an integer from -2147483648 to 2147483647")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<i32, E> {
        i32::try_from(value).map_err(|_| E::invalid_value(de::Unexpected::Signed(value), &self))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<i32, E> {
        i32::try_from(value).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(value), &self))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<i32, E> {
        let in_range =
            value.fract() == 0.0 && (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&value);
        if in_range {
            // Exact: the value is whole and within i32's range.
            #[allow(clippy::cast_possible_truncation)]
            Ok(value as i32)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(value), &self))
        }
    }
}

/// A user id from a JSON integer, or from a float with no fractional part (`5.0`).
pub fn user_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i32, D::Error> {
    deserializer.deserialize_any(UserIdVisitor)
}

struct UserIdsVisitor;

impl<'de> Visitor<'de> for UserIdsVisitor {
    type Value = Option<Vec<i32>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of user ids, or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut ids = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(UserId(id)) = seq.next_element()? {
            ids.push(id);
        }
        Ok(Some(ids))
    }
}

struct UserId(i32);

impl<'de> serde::Deserialize<'de> for UserId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        user_id(deserializer).map(UserId)
    }
}

/// A list of user ids, each read as [`user_id`] reads one.
pub fn user_ids<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<i32>, D::Error> {
    deserializer
        .deserialize_seq(UserIdsVisitor)
        .map(Option::unwrap_or_default)
}

/// An optional list of user ids, each read as [`user_id`] reads one.
pub fn optional_user_ids<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<i32>>, D::Error> {
    deserializer.deserialize_option(UserIdsVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Body {
        #[serde(deserialize_with = "user_id")]
        id: i32,
        #[serde(default, deserialize_with = "optional_user_ids")]
        ids: Option<Vec<i32>>,
    }

    fn parse(text: &str) -> Result<Body, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn whole_floats_are_integers() {
        assert_eq!(
            parse(r#"{"id": 5.0, "ids": [1, 2.0, -3]}"#),
            Ok(Body {
                id: 5,
                ids: Some(vec![1, 2, -3])
            })
        );
        assert_eq!(
            parse(r#"{"id": 7, "ids": null}"#),
            Ok(Body { id: 7, ids: None })
        );
        assert_eq!(parse(r#"{"id": 7}"#), Ok(Body { id: 7, ids: None }));
    }

    #[test]
    fn fractions_strings_and_out_of_range_are_refused() {
        for bad in [
            r#"{"id": 5.5}"#,
            r#"{"id": "5"}"#,
            r#"{"id": 2147483648}"#,
            r#"{"id": -2147483649.0}"#,
            r#"{"id": 1, "ids": [1.5]}"#,
        ] {
            let error = parse(bad).err().unwrap_or_default();
            assert!(error.contains("user id"), "{bad}: {error}");
        }
    }
}
