//! Instants in requests (`valid_from`, `valid_until`, the audit's `since` and `until`, `expired_after`):
//! RFC 3339 with `Z` or a numeric offset, which names one instant whatever the sender's time zone, and
//! nothing else. chrono's own reading also takes a space for the `T`, lower-case `t` and `z`, a `+` before
//! the year and a leap second, and says why it refused a value in words of its own; here every refusal
//! names the form to send. The value is kept in UTC, so an offset is converted and answers say `Z`.
//!
//! Request fields keep the type `DateTime<Utc>` and read it through [`Instant`] (`deserialize_with`), so
//! the server and the clients build and read them as before; their schema is [`Instant`]'s.

use crate::domain::InvalidValue;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};
use std::fmt;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaFormat, Type};

/// The form every refusal names.
pub const EXPECTED: &str = "an RFC 3339 instant such as 2027-01-01T00:00:00Z";

/// The `pattern` of [`Instant`]: the form, each field within its range. Which days a month has, and that
/// the instant in UTC lies within the years 0000 to 9999, the pattern cannot say: `format: date-time` and
/// the description do.
pub const INSTANT_PATTERN: &str = concat!(
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])",
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?",
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
);

const DESCRIPTION: &str = "An instant in RFC 3339: `YYYY-MM-DDThh:mm:ss`, optionally a fraction of a \
second (kept to the microsecond), then `Z` for UTC or an offset `+hh:mm` or `-hh:mm`. `T` and `Z` are \
capitals, seconds run from 00 to 59 (no leap second), and the instant in UTC lies within the years 0000 \
to 9999. An offset is converted: the instant is stored, and answered, in UTC with `Z` \
(`2027-01-01T00:00:00+02:00` reads back as `2026-12-31T22:00:00Z`).";

/// How to write the whole value, for a text that is not in the form at all.
const FORM: &str = "write YYYY-MM-DDThh:mm:ss, optionally a fraction of a second, then Z or an offset such as +02:00";

/// A UTC instant parsed from RFC 3339 text as described in the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(DateTime<Utc>);

impl Instant {
    /// Parses untrusted text; the message says what to send instead.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let refuse = |why: &str| InvalidValue(format!("{text:?} is not {EXPECTED}: {why}"));
        let bytes = text.as_bytes();
        let number = |at: usize, len: usize| -> Option<u32> {
            let digits = bytes.get(at..at + len)?;
            digits.iter().all(u8::is_ascii_digit).then(|| {
                digits
                    .iter()
                    .fold(0, |value, digit| value * 10 + u32::from(digit - b'0'))
            })
        };
        let is = |at: usize, byte: u8| bytes.get(at) == Some(&byte);

        let (Some(year), true, Some(month), true, Some(day)) = (
            number(0, 4),
            is(4, b'-'),
            number(5, 2),
            is(7, b'-'),
            number(8, 2),
        ) else {
            return Err(refuse(FORM));
        };
        match bytes.get(10) {
            Some(b'T') => {}
            Some(b't') => return Err(refuse("write the T between date and time as a capital")),
            Some(b' ') => return Err(refuse("separate the date and the time with T, not a space")),
            None => return Err(refuse("it has no time: add one such as T00:00:00Z")),
            _ => return Err(refuse(FORM)),
        }
        let (Some(hour), true, Some(minute), true, Some(second)) = (
            number(11, 2),
            is(13, b':'),
            number(14, 2),
            is(16, b':'),
            number(17, 2),
        ) else {
            return Err(refuse(FORM));
        };
        let mut at = 19;
        if is(at, b'.') {
            let digits = bytes[at + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits == 0 {
                return Err(refuse("a digit must follow the decimal point"));
            }
            at += 1 + digits;
        }
        let offset = &bytes[at..];
        let numeric_offset = |sign: &[u8]| {
            offset.len() == 6
                && sign.contains(&offset[0])
                && number(at + 1, 2).is_some()
                && is(at + 3, b':')
                && number(at + 4, 2).is_some()
        };
        match offset {
            b"Z" => {}
            b"z" => return Err(refuse("write the Z as a capital")),
            [] => {
                return Err(refuse(
                    "it has no offset: end it with Z for UTC or an offset such as +02:00",
                ));
            }
            // A `+` in a URL's query means a space: the offset arrives as ` 02:00`.
            _ if numeric_offset(b" ") => {
                return Err(refuse(
                    "a + in a URL query is read as a space: send the offset's + as %2B",
                ));
            }
            _ if numeric_offset(b"+-") => {}
            _ => return Err(refuse(FORM)),
        }

        if !(1..=12).contains(&month) {
            return Err(refuse(&format!("there is no month {month:02}")));
        }
        if NaiveDate::from_ymd_opt(year as i32, month, day).is_none() {
            return Err(refuse(&format!("{year:04}-{month:02} has no day {day:02}")));
        }
        if hour > 23 || minute > 59 || second > 60 {
            return Err(refuse(&format!(
                "there is no time {hour:02}:{minute:02}:{second:02}"
            )));
        }
        if second == 60 {
            return Err(refuse(
                "a leap second (:60) is not accepted: send :59 or the next minute's :00",
            ));
        }
        if let (Some(hours), Some(minutes)) = (number(at + 1, 2), number(at + 4, 2))
            && (hours > 23 || minutes > 59)
        {
            return Err(refuse("an offset runs from -23:59 to +23:59"));
        }
        // Every check of chrono's is made above: what is left for it is building the value.
        let at = DateTime::parse_from_rfc3339(text)
            .map_err(|_| refuse(FORM))?
            .with_timezone(&Utc);
        if !(0..=9999).contains(&at.year()) {
            return Err(refuse(
                "in UTC it falls outside the years 0000 to 9999, which RFC 3339 cannot write",
            ));
        }
        Ok(Self(at))
    }

    pub fn into_inner(self) -> DateTime<Utc> {
        self.0
    }
}

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;

        impl serde::de::Visitor<'_> for Text {
            type Value = Instant;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(EXPECTED)
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Instant, E> {
                Instant::parse(text).map_err(E::custom)
            }
        }

        // A number or any other non-string is a data error naming the expected form, not a syntax one.
        deserializer.deserialize_str(Text)
    }
}

impl utoipa::PartialSchema for Instant {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::DateTime,
            )))
            .description(Some(DESCRIPTION))
            .pattern(Some(INSTANT_PATTERN))
            .examples(["2027-01-01T00:00:00Z"])
            .into()
    }
}

impl utoipa::ToSchema for Instant {}

/// `deserialize_with` for a field that may be absent or null.
pub fn optional<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    Option::<Instant>::deserialize(deserializer).map(|at| at.map(Instant::into_inner))
}

/// `deserialize_with` for a PATCH field: absent (outer `None`), null (`Some(None)`) or an instant.
pub fn double_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<DateTime<Utc>>>, D::Error> {
    optional(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::error::Category;

    fn parsed(text: &str) -> Result<String, String> {
        Instant::parse(text)
            .map(|at| at.into_inner().to_rfc3339())
            .map_err(|e| e.0)
    }

    #[test]
    fn z_and_numeric_offsets_are_read_and_kept_in_utc() {
        for (text, utc) in [
            ("2027-01-01T00:00:00Z", "2027-01-01T00:00:00+00:00"),
            ("2027-01-01T00:00:00+02:00", "2026-12-31T22:00:00+00:00"),
            ("2026-12-31T19:00:00-05:00", "2027-01-01T00:00:00+00:00"),
            ("2027-01-01T00:00:00-00:00", "2027-01-01T00:00:00+00:00"),
            ("2027-01-01T00:00:00.5Z", "2027-01-01T00:00:00.500+00:00"),
            (
                "2027-01-01T00:00:00.123456789Z",
                "2027-01-01T00:00:00.123456789+00:00",
            ),
            ("2028-02-29T23:59:59+23:59", "2028-02-29T00:00:59+00:00"),
            ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00+00:00"),
            ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59+00:00"),
        ] {
            assert_eq!(parsed(text), Ok(utc.to_owned()), "{text}");
        }
    }

    #[test]
    fn every_refusal_names_the_expected_form_and_why() {
        for (text, why) in [
            ("2027-01-01T00:00:00", "it has no offset"),
            ("tomorrow", "write YYYY-MM-DDThh:mm:ss"),
            ("", "write YYYY-MM-DDThh:mm:ss"),
            ("2027-01-01", "it has no time"),
            ("2027-13-01T00:00:00Z", "there is no month 13"),
            ("2027-00-01T00:00:00Z", "there is no month 00"),
            ("2027-02-29T00:00:00Z", "2027-02 has no day 29"),
            ("2027-04-31T00:00:00Z", "2027-04 has no day 31"),
            ("2027-01-00T00:00:00Z", "2027-01 has no day 00"),
            ("2027-01-01T24:00:00Z", "there is no time 24:00:00"),
            ("2027-01-01T12:60:00Z", "there is no time 12:60:00"),
            ("2027-01-01T23:59:60Z", "a leap second"),
            ("2027-01-01T23:59:61Z", "there is no time 23:59:61"),
            (
                "2027-01-01t00:00:00Z",
                "the T between date and time as a capital",
            ),
            ("2027-01-01T00:00:00z", "the Z as a capital"),
            ("2027-01-01 00:00:00Z", "not a space"),
            ("2027-01-01T00:00:00 02:00", "send the offset's + as %2B"),
            ("+2027-01-01T00:00:00Z", "write YYYY-MM-DDThh:mm:ss"),
            ("27-01-01T00:00:00Z", "write YYYY-MM-DDThh:mm:ss"),
            ("2027-1-01T00:00:00Z", "write YYYY-MM-DDThh:mm:ss"),
            ("2027-01-01T00:00Z", "write YYYY-MM-DDThh:mm:ss"),
            (
                "2027-01-01T00:00:00.Z",
                "a digit must follow the decimal point",
            ),
            ("2027-01-01T00:00:00,5Z", "write YYYY-MM-DDThh:mm:ss"),
            ("2027-01-01T00:00:00+0200", "write YYYY-MM-DDThh:mm:ss"),
            ("2027-01-01T00:00:00+02", "write YYYY-MM-DDThh:mm:ss"),
            ("2027-01-01T00:00:00UTC", "write YYYY-MM-DDThh:mm:ss"),
            ("2027-01-01T00:00:00Z ", "write YYYY-MM-DDThh:mm:ss"),
            (" 2027-01-01T00:00:00Z", "write YYYY-MM-DDThh:mm:ss"),
            (
                "2027-01-01T00:00:00+24:00",
                "an offset runs from -23:59 to +23:59",
            ),
            (
                "2027-01-01T00:00:00+02:60",
                "an offset runs from -23:59 to +23:59",
            ),
            (
                "0000-01-01T00:00:00+00:01",
                "outside the years 0000 to 9999",
            ),
            (
                "9999-12-31T23:59:59-00:01",
                "outside the years 0000 to 9999",
            ),
            ("２０２７-01-01T00:00:00Z", "write YYYY-MM-DDThh:mm:ss"),
        ] {
            let message = parsed(text).err().unwrap_or_default();
            assert!(
                message.starts_with(&format!("{text:?} is not {EXPECTED}: "))
                    && message.contains(why),
                "{text:?}: {message}"
            );
        }
    }

    #[test]
    fn a_request_field_reads_only_text_and_says_what_it_expected() {
        #[derive(Debug, Deserialize)]
        struct Body {
            #[serde(default, deserialize_with = "optional")]
            at: Option<DateTime<Utc>>,
        }
        let read = |json: &str| serde_json::from_str::<Body>(json).map(|body| body.at);
        assert_eq!(
            read(r#"{"at": "2027-01-01T00:00:00+02:00"}"#)
                .ok()
                .flatten(),
            DateTime::parse_from_rfc3339("2026-12-31T22:00:00Z")
                .ok()
                .map(|at| at.with_timezone(&Utc))
        );
        assert!(matches!(read(r#"{"at": null}"#), Ok(None)));
        assert!(matches!(read("{}"), Ok(None)));
        for json in [
            r#"{"at": 1767225600}"#,
            r#"{"at": ["2027-01-01T00:00:00Z"]}"#,
            r#"{"at": "2027-01-01T23:59:60Z"}"#,
        ] {
            let error = read(json).err();
            assert_eq!(
                error.as_ref().map(serde_json::Error::classify),
                Some(Category::Data),
                "{json}"
            );
            let message = error.map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains(EXPECTED), "{json}: {message}");
        }
    }

    #[test]
    fn the_schema_is_a_date_time_with_the_pattern_and_an_example_it_accepts() {
        let schema =
            serde_json::to_value(<Instant as utoipa::PartialSchema>::schema()).unwrap_or_default();
        assert_eq!(schema["type"], "string");
        assert_eq!(schema["format"], "date-time");
        assert_eq!(schema["pattern"], INSTANT_PATTERN);
        let example = schema["examples"][0].as_str().unwrap_or_default();
        assert!(Instant::parse(example).is_ok(), "{schema}");
    }
}
