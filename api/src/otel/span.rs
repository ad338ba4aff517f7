//! A finished server span, and a batch of them in the OTLP/HTTP JSON encoding (the protobuf JSON mapping
//! of `ExportTraceServiceRequest`: ids as hex, 64-bit numbers as strings, enums as numbers).

use super::context::{SPAN_ID_LEN, TRACE_ID_LEN, hex};
use serde::Serialize;

/// `SPAN_KIND_SERVER`.
const KIND_SERVER: u8 = 2;
/// `STATUS_CODE_ERROR`; spans that did not fail leave the status unset, as HTTP servers do below 500.
const STATUS_ERROR: u8 = 2;
/// `SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK` and `SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK`: whether the parent
/// came from another process (always so here, when there is one).
const HAS_IS_REMOTE: u32 = 0x100;
const IS_REMOTE: u32 = 0x200;

const SCOPE: &str = "company-access";

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
}

#[derive(Debug, Clone)]
pub struct SpanData {
    pub trace_id: [u8; TRACE_ID_LEN],
    pub span_id: [u8; SPAN_ID_LEN],
    pub parent_span_id: Option<[u8; SPAN_ID_LEN]>,
    pub trace_state: Option<String>,
    pub trace_flags: u8,
    pub name: String,
    pub start_unix_nanos: u64,
    pub end_unix_nanos: u64,
    pub attributes: Vec<(&'static str, Value)>,
    pub failed: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Request<'a> {
    resource_spans: [ResourceSpans<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResourceSpans<'a> {
    resource: Resource<'a>,
    scope_spans: [ScopeSpans<'a>; 1],
}

#[derive(Serialize)]
struct Resource<'a> {
    attributes: Vec<KeyValue<'a>>,
}

#[derive(Serialize)]
struct ScopeSpans<'a> {
    scope: Scope,
    spans: Vec<Span<'a>>,
}

#[derive(Serialize)]
struct Scope {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Span<'a> {
    trace_id: String,
    span_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_span_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trace_state: Option<&'a str>,
    flags: u32,
    name: &'a str,
    kind: u8,
    start_time_unix_nano: String,
    end_time_unix_nano: String,
    attributes: Vec<KeyValue<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<Status>,
}

#[derive(Serialize)]
struct Status {
    code: u8,
}

#[derive(Serialize)]
struct KeyValue<'a> {
    key: &'a str,
    value: AnyValue<'a>,
}

#[derive(Serialize)]
enum AnyValue<'a> {
    #[serde(rename = "stringValue")]
    Str(&'a str),
    /// int64, a string in the JSON mapping.
    #[serde(rename = "intValue")]
    Int(String),
}

impl<'a> From<&'a Value> for AnyValue<'a> {
    fn from(value: &'a Value) -> Self {
        match value {
            Value::Str(text) => AnyValue::Str(text),
            Value::Int(number) => AnyValue::Int(number.to_string()),
        }
    }
}

impl<'a> From<&'a SpanData> for Span<'a> {
    fn from(span: &'a SpanData) -> Self {
        let remote = match span.parent_span_id {
            Some(_) => HAS_IS_REMOTE | IS_REMOTE,
            None => HAS_IS_REMOTE,
        };
        Span {
            trace_id: hex(&span.trace_id),
            span_id: hex(&span.span_id),
            parent_span_id: span.parent_span_id.map(|id| hex(&id)),
            trace_state: span.trace_state.as_deref(),
            flags: u32::from(span.trace_flags) | remote,
            name: &span.name,
            kind: KIND_SERVER,
            start_time_unix_nano: span.start_unix_nanos.to_string(),
            end_time_unix_nano: span.end_unix_nanos.to_string(),
            attributes: span
                .attributes
                .iter()
                .map(|(key, value)| KeyValue {
                    key,
                    value: value.into(),
                })
                .collect(),
            status: span.failed.then_some(Status { code: STATUS_ERROR }),
        }
    }
}

/// The body of one export.
pub fn encode(resource: &[(String, String)], spans: &[SpanData]) -> serde_json::Result<Vec<u8>> {
    let request = Request {
        resource_spans: [ResourceSpans {
            resource: Resource {
                attributes: resource
                    .iter()
                    .map(|(key, value)| KeyValue {
                        key,
                        value: AnyValue::Str(value),
                    })
                    .collect(),
            },
            scope_spans: [ScopeSpans {
                scope: Scope {
                    name: SCOPE,
                    version: env!("CARGO_PKG_VERSION"),
                },
                spans: spans.iter().map(Span::from).collect(),
            }],
        }],
    };
    serde_json::to_vec(&request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_batch_is_encoded_in_the_otlp_json_mapping() {
        let span = SpanData {
            trace_id: [0xab; 16],
            span_id: [0x01; 8],
            parent_span_id: Some([0x02; 8]),
            trace_state: Some("vendor=x".into()),
            trace_flags: 1,
            name: "GET /users/{id}".into(),
            start_unix_nanos: 1_700_000_000_000_000_001,
            end_unix_nanos: 1_700_000_000_000_500_000,
            attributes: vec![
                ("http.route", Value::Str("/users/{id}".into())),
                ("http.response.status_code", Value::Int(503)),
            ],
            failed: true,
        };
        let root = SpanData {
            parent_span_id: None,
            trace_state: None,
            failed: false,
            attributes: Vec::new(),
            ..span.clone()
        };
        let resource = [("service.name".to_owned(), "company-access".to_owned())];
        let body: serde_json::Value = encode(&resource, &[span, root])
            .and_then(|bytes| serde_json::from_slice(&bytes))
            .unwrap_or_else(|error| panic!("{error}"));
        let scope_spans = &body["resourceSpans"][0]["scopeSpans"][0];
        assert_eq!(
            body["resourceSpans"][0]["resource"]["attributes"][0],
            json!({"key": "service.name", "value": {"stringValue": "company-access"}})
        );
        assert_eq!(scope_spans["scope"]["name"], "company-access");
        assert_eq!(
            scope_spans["spans"][0],
            json!({
                "traceId": "abababababababababababababababab",
                "spanId": "0101010101010101",
                "parentSpanId": "0202020202020202",
                "traceState": "vendor=x",
                "flags": 0x301,
                "name": "GET /users/{id}",
                "kind": 2,
                "startTimeUnixNano": "1700000000000000001",
                "endTimeUnixNano": "1700000000000500000",
                "attributes": [
                    {"key": "http.route", "value": {"stringValue": "/users/{id}"}},
                    {"key": "http.response.status_code", "value": {"intValue": "503"}}
                ],
                "status": {"code": 2}
            })
        );
        let root = &scope_spans["spans"][1];
        assert!(root.get("parentSpanId").is_none() && root.get("status").is_none());
        assert_eq!(root["flags"], 0x101);
    }
}
