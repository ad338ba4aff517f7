//! The access check on the wire without serde's general machinery, for the one route that backend services
//! call on every request of theirs.
//!
//! Measured in instructions (`bench/callgrind.py`), serde_json spent about half of a 1,000-pair batch
//! escaping strings that can hold nothing to escape (UUIDs, digits, fixed names), and `serde_urlencoded`
//! a fifth of a single check decoding a query string with nothing encoded in it. These produce the same
//! bytes and the same values (the tests hold them to serde's), and anything unusual takes the general
//! path, so every error reads as before.

use crate::access::{AccessCheckBatch, AccessCheckQuery, AccessDecision, AccessPair};
use crate::terms::RoleSet;
use uuid::Uuid;

/// The longest decision written: both ids, the longest reason and role, an i32 at its widest.
pub const MAX_DECISION_BYTES: usize = 200;

impl AccessDecision {
    /// Appends this decision as the JSON object serde would write, field for field.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let mut digits = itoa::Buffer::new();
        out.extend_from_slice(b"{\"user_id\":");
        out.extend_from_slice(digits.format(self.user_id).as_bytes());
        out.extend_from_slice(b",\"company_id\":");
        write_uuid(out, &self.company_id);
        out.extend_from_slice(if self.allowed {
            b",\"allowed\":true,\"reason\":\""
        } else {
            b",\"allowed\":false,\"reason\":\""
        });
        out.extend_from_slice(self.reason.as_str().as_bytes());
        out.extend_from_slice(b"\",\"role\":");
        match self.role {
            Some(role) => {
                out.push(b'"');
                out.extend_from_slice(role.as_str().as_bytes());
                out.push(b'"');
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"via_company_id\":");
        match &self.via_company_id {
            Some(via) => write_uuid(out, via),
            None => out.extend_from_slice(b"null"),
        }
        out.push(b'}');
    }

    /// This decision as the body of `GET /access-check`.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MAX_DECISION_BYTES);
        self.write_json(&mut out);
        out
    }
}

/// The body of `POST /access-check`: `{"results": [...]}`, written in one buffer sized up front.
pub fn results_json(results: &[AccessDecision]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + results.len() * MAX_DECISION_BYTES);
    out.extend_from_slice(b"{\"results\":[");
    for (at, decision) in results.iter().enumerate() {
        if at > 0 {
            out.push(b',');
        }
        decision.write_json(&mut out);
    }
    out.extend_from_slice(b"]}");
    out
}

fn write_uuid(out: &mut Vec<u8>, id: &Uuid) {
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    out.push(b'"');
    out.extend_from_slice(id.hyphenated().encode_lower(&mut text).as_bytes());
    out.push(b'"');
}

impl AccessCheckQuery {
    /// The query as the general parser would read it, when it is written plainly: each of `user_id`,
    /// `company_id` and `role` at most once as `name=value`, nothing percent-encoded, no `+`, no control
    /// character, and every value valid. `None` for anything else, which the general parser then reads
    /// (and, where it is wrong, explains).
    pub fn from_plain_query(query: &str) -> Option<Self> {
        if query
            .bytes()
            .any(|byte| byte == b'%' || byte == b'+' || byte.is_ascii_control())
        {
            return None;
        }
        let (mut user_id, mut company_id, mut role) = (None, None, None);
        // Cut at byte offsets: the separators are ASCII, and `str::split` costs more than the values.
        let mut start = 0;
        while start <= query.len() {
            let end = query.as_bytes()[start..]
                .iter()
                .position(|byte| *byte == b'&')
                .map_or(query.len(), |at| start + at);
            let pair = query.get(start..end)?;
            start = end + 1;
            let equals = pair.bytes().position(|byte| byte == b'=')?;
            let (name, value) = (pair.get(..equals)?, pair.get(equals + 1..)?);
            match name {
                "user_id" if user_id.is_none() => user_id = Some(value.parse::<i32>().ok()?),
                "company_id" if company_id.is_none() => {
                    company_id = Some(Uuid::try_parse(value).ok()?);
                }
                "role" if role.is_none() => role = Some(value.parse::<RoleSet>().ok()?),
                _ => return None,
            }
        }
        Some(AccessCheckQuery {
            user_id: user_id?,
            company_id: company_id?,
            role,
        })
    }
}

impl AccessCheckBatch {
    /// The body as serde would read it, when it is written plainly: `{"checks": [...]}` whose pairs hold
    /// `user_id` as a JSON integer, `company_id` and (optionally) `role` as ASCII strings without escapes,
    /// each at most once, with any JSON white space between. `None` for anything else, which serde then
    /// reads (and, where it is wrong, explains).
    pub fn from_plain_json(body: &[u8]) -> Option<Self> {
        let mut text = Plain { body, at: 0 };
        text.expect(b'{')?;
        if text.key()? != Key::Checks {
            return None;
        }
        text.expect(b'[')?;
        let mut checks = Vec::with_capacity(body.len() / 64);
        if text.peek()? == b']' {
            text.at += 1;
        } else {
            loop {
                checks.push(text.pair()?);
                match text.next()? {
                    b',' => continue,
                    b']' => break,
                    _ => return None,
                }
            }
        }
        text.expect(b'}')?;
        text.skip_space();
        (text.at == body.len()).then_some(AccessCheckBatch { checks })
    }
}

/// The names a plain body uses, each with its closing quote: a key is matched without being copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Checks,
    UserId,
    CompanyId,
    Role,
}

const KEYS: [(&[u8], Key); 4] = [
    (b"checks\"", Key::Checks),
    (b"user_id\"", Key::UserId),
    (b"company_id\"", Key::CompanyId),
    (b"role\"", Key::Role),
];

/// A cursor over a body that gives up (`None`) at the first thing that is not written plainly.
struct Plain<'a> {
    body: &'a [u8],
    at: usize,
}

impl<'a> Plain<'a> {
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.body.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.body.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    fn rest(&self) -> &'a [u8] {
        self.body.get(self.at..).unwrap_or_default()
    }

    /// A string of printable ASCII without escapes: the only strings a plain body holds.
    fn string(&mut self) -> Option<&'a [u8]> {
        self.expect(b'"')?;
        let rest = self.rest();
        for (length, byte) in rest.iter().enumerate() {
            match byte {
                b'"' => {
                    self.at += length + 1;
                    return rest.get(..length);
                }
                b'\\' => return None,
                b' '..=b'~' => {}
                _ => return None,
            }
        }
        None
    }

    fn key(&mut self) -> Option<Key> {
        self.expect(b'"')?;
        let rest = self.rest();
        let (name, key) = KEYS.into_iter().find(|(name, _)| rest.starts_with(name))?;
        self.at += name.len();
        self.expect(b':')?;
        Some(key)
    }

    /// A company id; a hyphenated one (what nearly every client sends) is read in place, without a scan
    /// for its closing quote: the parse refuses anything but hex digits and hyphens.
    fn uuid(&mut self) -> Option<Uuid> {
        if self.peek()? == b'"' {
            let hyphenated = uuid::fmt::Hyphenated::LENGTH;
            let rest = self.rest();
            if rest.get(hyphenated + 1) == Some(&b'"') {
                let id = Uuid::try_parse_ascii(rest.get(1..=hyphenated)?).ok()?;
                self.at += hyphenated + 2;
                return Some(id);
            }
        }
        Uuid::try_parse_ascii(self.string()?).ok()
    }

    /// A JSON integer as JSON writes it (no leading zero, fraction or exponent) that fits a user id.
    fn integer(&mut self) -> Option<i32> {
        self.skip_space();
        let negative = self.body.get(self.at) == Some(&b'-');
        if negative {
            self.at += 1;
        }
        let digits = self.at;
        let mut value: i64 = 0;
        while let Some(digit) = self.body.get(self.at).filter(|byte| byte.is_ascii_digit()) {
            value = value * 10 + i64::from(digit - b'0');
            self.at += 1;
            if self.at - digits > 10 {
                return None;
            }
        }
        let length = self.at - digits;
        let leading_zero = length > 1 && self.body.get(digits) == Some(&b'0');
        let continues = matches!(self.body.get(self.at), Some(b'.' | b'e' | b'E'));
        if length == 0 || leading_zero || continues {
            return None;
        }
        i32::try_from(if negative { -value } else { value }).ok()
    }

    fn pair(&mut self) -> Option<AccessPair> {
        self.expect(b'{')?;
        let (mut user_id, mut company_id, mut role) = (None, None, None);
        loop {
            match self.key()? {
                Key::UserId if user_id.is_none() => user_id = Some(self.integer()?),
                Key::CompanyId if company_id.is_none() => company_id = Some(self.uuid()?),
                Key::Role if role.is_none() => {
                    let names = std::str::from_utf8(self.string()?).ok()?;
                    role = Some(names.parse::<RoleSet>().ok()?);
                }
                _ => return None,
            }
            match self.next()? {
                b',' => continue,
                b'}' => break,
                _ => return None,
            }
        }
        Some(AccessPair {
            user_id: user_id?,
            company_id: company_id?,
            role,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;
    use crate::access::DecisionReason;

    fn every_decision() -> Vec<AccessDecision> {
        let ids = [
            Uuid::nil(),
            Uuid::max(),
            Uuid::from_u128(0x3ae1_3ac4_23e5_45ad_9747_e699_cced_23b5),
        ];
        let mut all = Vec::new();
        for user_id in [0, 5, -1, i32::MIN, i32::MAX] {
            for reason in DecisionReason::ALL {
                for role in Role::ALL.map(Some).into_iter().chain([None]) {
                    for via in ids.map(Some).into_iter().chain([None]) {
                        all.push(AccessDecision {
                            user_id,
                            company_id: ids[(user_id.unsigned_abs() % 3) as usize],
                            allowed: reason.allows(),
                            reason,
                            role,
                            via_company_id: via,
                        });
                    }
                }
            }
        }
        all
    }

    #[test]
    fn a_decision_is_written_byte_for_byte_as_serde_writes_it() {
        for decision in every_decision() {
            let serde = serde_json::to_vec(&decision).unwrap_or_default();
            let written = decision.to_json();
            assert_eq!(
                String::from_utf8_lossy(&written),
                String::from_utf8_lossy(&serde)
            );
            assert!(written.len() <= MAX_DECISION_BYTES);
        }
    }

    #[test]
    fn a_batch_is_written_byte_for_byte_as_serde_writes_it() {
        let all = every_decision();
        for results in [&all[..0], &all[..1], &all[..]] {
            let serde = serde_json::to_vec(&crate::access::AccessCheckResults {
                results: results.to_vec(),
            })
            .unwrap_or_default();
            assert_eq!(results_json(results), serde);
        }
    }

    fn general(query: &str) -> Option<(i32, Uuid, Option<String>)> {
        serde_urlencoded::from_str::<AccessCheckQuery>(query)
            .ok()
            .map(|q| (q.user_id, q.company_id, q.role.map(String::from)))
    }

    fn plain(query: &str) -> Option<(i32, Uuid, Option<String>)> {
        AccessCheckQuery::from_plain_query(query)
            .map(|q| (q.user_id, q.company_id, q.role.map(String::from)))
    }

    #[test]
    fn a_plain_query_reads_as_the_general_parser_reads_it_and_anything_else_is_left_to_it() {
        let id = "3ae13ac4-23e5-45ad-9747-e699cced23b5";
        let read_alike = [
            format!("user_id=5&company_id={id}"),
            format!("company_id={id}&user_id=5"),
            format!("user_id=5&company_id={id}&role=hr_manager,admin"),
            format!("role=employee&company_id={id}&user_id=-7"),
            format!("user_id=2147483647&company_id={}", id.replace('-', "")),
            format!("user_id=5&company_id={}", id.to_uppercase()),
            format!("user_id=5&company_id=urn:uuid:{id}"),
        ];
        for query in &read_alike {
            assert!(plain(query).is_some(), "{query}");
            assert_eq!(plain(query), general(query), "{query}");
        }
        let left_to_the_general_parser = [
            format!("user_id=5&company_id={id}&role="),
            format!("user_id=5&company_id={id}&role=boss"),
            format!("user_id=5&company_id={id}&user_id=6"),
            format!("user_id=5&company_id={id}&extra=1"),
            format!("user_id=5&company_id={id}&"),
            format!("user_id=5&&company_id={id}"),
            format!("user_id=%35&company_id={id}"),
            format!("user_id=+5&company_id={id}"),
            format!("user_id=5.0&company_id={id}"),
            format!("user_id=2147483648&company_id={id}"),
            "user_id=5&company_id=not-a-uuid".to_owned(),
            format!("user_id=5&company_id={id}\u{7f}"),
            format!("user_id&company_id={id}"),
            format!("company_id={id}"),
            "user_id=5".to_owned(),
            String::new(),
        ];
        for query in &left_to_the_general_parser {
            assert!(plain(query).is_none(), "{query}");
        }
    }

    fn serde_batch(body: &[u8]) -> Option<Vec<(i32, Uuid, Option<String>)>> {
        serde_json::from_slice::<AccessCheckBatch>(body)
            .ok()
            .map(|batch| flat(&batch))
    }

    fn plain_batch(body: &[u8]) -> Option<Vec<(i32, Uuid, Option<String>)>> {
        AccessCheckBatch::from_plain_json(body).map(|batch| flat(&batch))
    }

    fn flat(batch: &AccessCheckBatch) -> Vec<(i32, Uuid, Option<String>)> {
        batch
            .checks
            .iter()
            .map(|pair| (pair.user_id, pair.company_id, pair.role.map(String::from)))
            .collect()
    }

    #[test]
    fn a_plain_batch_reads_as_serde_reads_it_and_anything_else_is_left_to_serde() {
        let id = "3ae13ac4-23e5-45ad-9747-e699cced23b5";
        let read_alike = [
            r#"{"checks":[]}"#.to_owned(),
            format!(r#"{{"checks":[{{"user_id":5,"company_id":"{id}"}}]}}"#),
            format!(
                " {{ \"checks\" :\n[ {{ \"company_id\" : \"{id}\" ,\t\"user_id\":-2147483648, \"role\":\"admin,employee\" }} ,\r\n{{\"user_id\":0,\"company_id\":\"{}\"}} ] }} \n",
                id.to_uppercase()
            ),
        ];
        for body in &read_alike {
            assert!(plain_batch(body.as_bytes()).is_some(), "{body}");
            assert_eq!(
                plain_batch(body.as_bytes()),
                serde_batch(body.as_bytes()),
                "{body}"
            );
        }
        let pair = |inner: &str| format!(r#"{{"checks":[{inner}]}}"#);
        let left_to_serde = [
            pair(&format!(r#"{{"user_id":5.0,"company_id":"{id}"}}"#)),
            pair(&format!(r#"{{"user_id":5e0,"company_id":"{id}"}}"#)),
            pair(&format!(r#"{{"user_id":05,"company_id":"{id}"}}"#)),
            pair(&format!(r#"{{"user_id":2147483648,"company_id":"{id}"}}"#)),
            pair(&format!(r#"{{"user_id":"5","company_id":"{id}"}}"#)),
            pair(&format!(
                r#"{{"user_id":5,"company_id":"{id}","role":null}}"#
            )),
            pair(&format!(
                r#"{{"user_id":5,"company_id":"{id}","role":"boss"}}"#
            )),
            pair(&format!(
                r#"{{"user_id":5,"company_id":"\u0033{}"}}"#,
                &id[1..]
            )),
            pair(&format!(
                r#"{{"user_id":5,"user_id":6,"company_id":"{id}"}}"#
            )),
            pair(&format!(r#"{{"user_id":5,"company_id":"{id}","extra":1}}"#)),
            pair(r#"{"user_id":5}"#),
            pair(&format!(r#"{{"user_id":5,"company_id":"{id}"}},"#)),
            r#"{"checks":[],"checks":[]}"#.to_owned(),
            r#"{"checks":[]} x"#.to_owned(),
            r#"{"checks":[]"#.to_owned(),
            r#"{"other":[]}"#.to_owned(),
            "[]".to_owned(),
        ];
        for body in &left_to_serde {
            assert!(plain_batch(body.as_bytes()).is_none(), "{body}");
        }
    }

    /// Every byte of a few bodies replaced, removed or doubled in turn: whatever the plain reader
    /// accepts, serde reads the same.
    #[test]
    fn the_plain_batch_reader_never_accepts_what_serde_reads_otherwise() {
        let id = "3ae13ac4-23e5-45ad-9747-e699cced23b5";
        let bodies = [
            format!(
                r#"{{"checks":[{{"user_id":15,"company_id":"{id}","role":"hr_manager,admin"}},{{"company_id":"{id}","user_id":-3}}]}}"#
            ),
            format!(
                "{{ \"checks\": [ {{ \"user_id\": 7, \"company_id\": \"{}\" }} ] }}",
                id.replace('-', "")
            ),
        ];
        let replacements = b" \t\n\"\\{}[],:-0159.eE+aAz\x00\x7f";
        for body in &bodies {
            let body = body.as_bytes();
            for at in 0..body.len() {
                let mut variants = vec![[&body[..at], &body[at + 1..]].concat()];
                variants.push([&body[..at], &body[at..at + 1], &body[at..]].concat());
                for byte in replacements {
                    variants.push([&body[..at], &[*byte], &body[at + 1..]].concat());
                }
                for variant in &variants {
                    if let Some(read) = plain_batch(variant) {
                        assert_eq!(
                            Some(read),
                            serde_batch(variant),
                            "{}",
                            String::from_utf8_lossy(variant)
                        );
                    }
                }
            }
        }
    }
}
