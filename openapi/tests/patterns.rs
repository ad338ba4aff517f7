//! Each value type's schema accepts exactly what its parser accepts: the `pattern` (read by a regex engine
//! that, like ECMA-262 and JSON Schema, anchors `$` at the very end) together with `minLength` and
//! `maxLength` (code points), checked character by character over the Basic Multilingual Plane and a
//! sample of the planes above it, and over strings built from the characters where the rules turn.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use openapi::domain::{
    COMPANY_NAME_PATTERN, EMAIL_PATTERN, FULL_NAME_PATTERN, InvalidValue, KEY_NAME_PATTERN,
    QUERY_TEXT_PATTERN, USERNAME_PATTERN,
};
use openapi::{CompanyName, Email, FullName, KeyName, Username};
use regex::Regex;
use serde_json::Value;
use utoipa::PartialSchema;

/// A value type's rule as its schema states it.
struct SchemaRule {
    name: &'static str,
    pattern: Regex,
    min: usize,
    max: usize,
    parse: fn(&str) -> Result<(), InvalidValue>,
}

impl SchemaRule {
    fn new<T: PartialSchema>(
        name: &'static str,
        parse: fn(&str) -> Result<(), InvalidValue>,
    ) -> Self {
        let schema = serde_json::to_value(T::schema()).unwrap();
        let number = |key: &str| schema.get(key).and_then(Value::as_u64).unwrap_or(0) as usize;
        let pattern = schema["pattern"].as_str().unwrap();
        Self {
            name,
            pattern: Regex::new(pattern).unwrap(),
            min: number("minLength"),
            max: schema["maxLength"].as_u64().unwrap() as usize,
            parse,
        }
    }

    fn schema_accepts(&self, text: &str) -> bool {
        let length = text.chars().count();
        self.pattern.is_match(text) && (self.min..=self.max).contains(&length)
    }

    fn assert_agrees(&self, text: &str) {
        let schema = self.schema_accepts(text);
        let parser = (self.parse)(text);
        assert_eq!(
            schema,
            parser.is_ok(),
            "{}: schema says {schema}, parser says {parser:?} for {text:?}",
            self.name
        );
    }
}

fn rules() -> Vec<SchemaRule> {
    vec![
        SchemaRule::new::<Username>("Username", |s| Username::parse(s).map(drop)),
        SchemaRule::new::<KeyName>("KeyName", |s| KeyName::parse(s).map(drop)),
        SchemaRule::new::<Email>("Email", |s| Email::parse(s).map(drop)),
        SchemaRule::new::<CompanyName>("CompanyName", |s| CompanyName::parse(s).map(drop)),
        SchemaRule::new::<FullName>("FullName", |s| FullName::parse(s).map(drop)),
    ]
}

/// Every BMP character and every 97th above it: enough to cross each range boundary of the classes.
fn characters() -> impl Iterator<Item = char> {
    (0..=0xFFFF)
        .chain((0x10000..=0x10FFFF).step_by(97))
        .filter_map(char::from_u32)
}

#[test]
fn the_schemas_carry_the_published_patterns() {
    let pattern = |schema: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>| {
        serde_json::to_value(schema).unwrap()["pattern"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(pattern(Username::schema()), USERNAME_PATTERN);
    assert_eq!(pattern(KeyName::schema()), KEY_NAME_PATTERN);
    assert_eq!(pattern(Email::schema()), EMAIL_PATTERN);
    assert_eq!(pattern(CompanyName::schema()), COMPANY_NAME_PATTERN);
    assert_eq!(pattern(FullName::schema()), FULL_NAME_PATTERN);
    for pattern in [
        USERNAME_PATTERN,
        KEY_NAME_PATTERN,
        EMAIL_PATTERN,
        COMPANY_NAME_PATTERN,
        FULL_NAME_PATTERN,
        QUERY_TEXT_PATTERN,
    ] {
        // Only explicit classes with `\u` escapes: no `\s`, `\p{…}`, `\d` or lookaround, which ECMA-262,
        // Python's `re` and Rust's regex read differently.
        for construct in [
            r"\s", r"\S", r"\p", r"\P", r"\d", r"\w", "(?=", "(?!", "(?<",
        ] {
            assert!(!pattern.contains(construct), "{construct} in {pattern}");
        }
    }
}

#[test]
fn every_character_is_accepted_in_each_position_exactly_when_the_parser_accepts_it() {
    let rules = rules();
    for c in characters() {
        for rule in &rules {
            for text in [
                format!("{c}"),
                format!("ab{c}"),
                format!("{c}ab"),
                format!("ab{c}cd"),
                format!("ab{c}@example.com"),
                format!("ab@exa{c}mple.com"),
                format!("ab@example.co{c}"),
            ] {
                rule.assert_agrees(&text);
            }
        }
    }
}

#[test]
fn strings_where_the_rules_turn_are_judged_alike() {
    let rules = rules();
    let pieces = [
        "",
        "a",
        "Z",
        "0",
        " ",
        "  ",
        "\u{00A0}",
        "\u{3000}",
        "\t",
        "\n",
        "@",
        ".",
        "-",
        "_",
        ":",
        "é",
        "e\u{0301}",
        "\u{0958}",
        "\u{200B}",
        "\u{2028}",
        "\u{FEFF}",
        "😀",
        "x@y.z",
        "example.com",
    ];
    for first in pieces {
        for second in pieces {
            for third in pieces {
                for rule in &rules {
                    rule.assert_agrees(&format!("{first}{second}{third}"));
                }
            }
        }
    }
    for rule in &rules {
        for length in [0, 1, 2, 3, 4, 63, 64, 65, 199, 200, 201, 253, 254, 255] {
            rule.assert_agrees(&"a".repeat(length));
            rule.assert_agrees(&"é".repeat(length));
            rule.assert_agrees(&format!("{}@example.com", "a".repeat(length)));
            rule.assert_agrees(&format!("a{}b", " ".repeat(length)));
        }
    }
}

#[test]
fn the_query_text_pattern_refuses_exactly_the_control_characters() {
    let pattern = Regex::new(QUERY_TEXT_PATTERN).unwrap();
    for c in characters() {
        assert_eq!(
            pattern.is_match(&format!("a{c}b")),
            !c.is_control(),
            "U+{:04X}",
            u32::from(c)
        );
    }
    assert!(pattern.is_match(""));
}

#[test]
fn every_free_text_query_parameter_carries_the_query_text_pattern() {
    use openapi::audit::AuditQuery;
    use openapi::companies::ListCompaniesQuery;
    use openapi::users::ListUsersQuery;
    use utoipa::IntoParams;
    use utoipa::openapi::path::ParameterIn;
    let query = || Some(ParameterIn::Query);
    let parameters = [
        ListUsersQuery::into_params(query),
        ListCompaniesQuery::into_params(query),
        AuditQuery::into_params(query),
    ]
    .concat();
    let mut free_text = Vec::new();
    for parameter in parameters {
        let parameter = serde_json::to_value(parameter).unwrap();
        let schema = &parameter["schema"];
        let plain = schema["type"] == "string"
            && ["format", "enum", "$ref"]
                .iter()
                .all(|key| schema.get(key).is_none());
        if plain {
            assert_eq!(schema["pattern"], QUERY_TEXT_PATTERN, "{parameter}");
            free_text.push(parameter["name"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(free_text, ["q", "username", "q", "name", "action", "actor"]);
}

/// An instant's schema and its parser agree on every text one character away from valid ones: each
/// printable ASCII character, a non-ASCII digit and letter put in, put instead, or the character taken
/// out, at every place. The schema is its pattern and `format: date-time`, which says which days a month
/// has; the years 0000 to 9999 in UTC are the description's to say, and no single change of these texts
/// reaches past them.
#[test]
fn an_instant_is_accepted_exactly_when_its_pattern_matches_near_valid_texts() {
    use openapi::instant::{INSTANT_PATTERN, Instant};
    let schema = serde_json::to_value(Instant::schema()).unwrap();
    assert_eq!(schema["pattern"], INSTANT_PATTERN);
    assert_eq!(schema["format"], "date-time");
    let pattern = Regex::new(INSTANT_PATTERN).unwrap();
    let agrees = |text: &str| {
        let parsed = Instant::parse(text);
        let calendar_date = text
            .get(..10)
            .is_some_and(|date| chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok());
        assert_eq!(
            pattern.is_match(text) && calendar_date,
            parsed.is_ok(),
            "{text:?}: the parser says {parsed:?}"
        );
    };
    let replacements: Vec<char> = (' '..='~').chain(['\u{0660}', 'é']).collect();
    for valid in [
        "2027-01-01T00:00:00Z",
        "2027-12-31T23:59:59.123456+02:00",
        "2028-02-29T12:30:00-05:30",
        "1999-10-19T09:09:09.5-00:00",
    ] {
        agrees(valid);
        let characters: Vec<char> = valid.chars().collect();
        for at in 0..=characters.len() {
            let (before, after) = characters.split_at(at);
            let text = |middle: &[char], rest: &[char]| -> String {
                before.iter().chain(middle).chain(rest).collect()
            };
            for &c in &replacements {
                agrees(&text(&[c], after));
                if let Some((_, rest)) = after.split_first() {
                    agrees(&text(&[c], rest));
                }
            }
            if let Some((_, rest)) = after.split_first() {
                agrees(&text(&[], rest));
            }
        }
    }
}
