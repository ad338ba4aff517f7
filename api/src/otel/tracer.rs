//! The server span of each request. Its trace context is decided, and what the span says about the
//! request is read, before the handler runs (the handler consumes the request); the answer's side is
//! added after. All of it only while tracing is on: otherwise the request middleware only checks that
//! there is no tracer.

use super::context::{SAMPLED, TraceParent, new_span_id, new_trace_id};
use super::export::{self, Exporting, Message};
use super::sampler::Sampler;
use super::settings::TraceSettings;
use super::span::{SpanData, Value};
use crate::metrics::Metrics;
use actix_web::HttpRequest;
use actix_web::http::header::{HeaderValue, USER_AGENT};
use actix_web::http::{StatusCode, Version};
use std::sync::Arc;
use std::sync::mpsc::SyncSender;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The longest `tracestate` passed on; the specification lets a vendor cut longer ones.
const MAX_TRACE_STATE: usize = 512;

#[derive(Clone)]
pub struct Tracer {
    inner: Arc<Inner>,
}

struct Inner {
    sampler: Sampler,
    queue: SyncSender<Message>,
    metrics: Arc<Metrics>,
}

/// A request on its way through the handler.
pub struct Started {
    context: TraceParent,
    parent: Option<TraceParent>,
    /// Only for a sampled request: an unsampled one answers its `traceparent` and nothing more.
    span: Option<Partial>,
}

/// The request's side of a span.
struct Partial {
    /// The method as the span's name starts with it: `HTTP` for one the conventions do not know.
    name_method: String,
    start: Duration,
    trace_state: Option<String>,
    attributes: Vec<(&'static str, Value)>,
}

/// Starts the exporter; the tracer goes to the request middleware, `Exporting` to whoever stops the
/// service.
pub fn start(
    settings: &TraceSettings,
    metrics: Arc<Metrics>,
) -> Result<(Tracer, Exporting), String> {
    let (queue, exporting) = export::start(settings, metrics.clone())?;
    let inner = Inner {
        sampler: settings.sampler,
        queue,
        metrics,
    };
    Ok((
        Tracer {
            inner: Arc::new(inner),
        },
        exporting,
    ))
}

/// The caller's context: one valid `traceparent`; several are as good as none.
fn parent_of(request: &HttpRequest) -> Option<TraceParent> {
    let mut values = request.headers().get_all("traceparent");
    match (values.next(), values.next()) {
        (Some(value), None) => TraceParent::parse(value.to_str().ok()?),
        _ => None,
    }
}

/// The caller's `tracestate`, kept only beside a valid `traceparent`, as the specification asks.
fn trace_state_of(request: &HttpRequest) -> Option<String> {
    let parts: Vec<&str> = request
        .headers()
        .get_all("tracestate")
        .filter_map(|value| value.to_str().ok())
        .collect();
    let state = parts.join(",");
    let state = state.trim();
    (!state.is_empty() && state.len() <= MAX_TRACE_STATE).then(|| state.to_owned())
}

/// Methods the HTTP semantic conventions know; any other is recorded as `_OTHER`, so that callers cannot
/// mint span names.
fn known_method(method: &str) -> bool {
    matches!(
        method,
        "CONNECT" | "DELETE" | "GET" | "HEAD" | "OPTIONS" | "PATCH" | "POST" | "PUT" | "TRACE"
    )
}

/// `host[:port]` from the request's `Host`, IPv6 in brackets.
fn split_host(host: &str) -> (&str, Option<u16>) {
    let (name, port) = match host.rfind(':') {
        Some(at) if !host[at..].contains(']') => (&host[..at], host[at + 1..].parse().ok()),
        _ => (host, None),
    };
    (name.trim_start_matches('[').trim_end_matches(']'), port)
}

fn unix_nanos(time: Duration) -> u64 {
    u64::try_from(time.as_nanos()).unwrap_or(u64::MAX)
}

fn text(value: &str) -> Value {
    Value::Str(value.to_owned())
}

impl Tracer {
    /// The span of a request about to be handled: the caller's trace continued or a new one, sampled or
    /// not.
    pub fn start(&self, request: &HttpRequest) -> Started {
        let parent = parent_of(request);
        let trace_id = parent.map_or_else(new_trace_id, |parent| parent.trace_id);
        let sampled = self.inner.sampler.samples(parent.as_ref(), &trace_id);
        let context = TraceParent {
            trace_id,
            span_id: new_span_id(),
            flags: if sampled { SAMPLED } else { 0 },
        };
        let span = sampled.then(|| Partial {
            trace_state: parent.and_then(|_| trace_state_of(request)),
            ..describe(request)
        });
        Started {
            context,
            parent,
            span,
        }
    }

    /// Ends the span with the answer and queues it when sampled; returns the `traceparent` to answer
    /// with. `route` is the matched pattern, `None` when no route matched or the answer is unknown.
    pub fn finish(
        &self,
        started: Started,
        route: Option<&str>,
        status: StatusCode,
        elapsed: Duration,
        request_id: &str,
    ) -> Option<HeaderValue> {
        let Started {
            context,
            parent,
            span,
        } = started;
        if let Some(partial) = span {
            let Partial {
                name_method,
                start,
                trace_state,
                mut attributes,
            } = partial;
            let name = match route {
                Some(route) => {
                    attributes.push(("http.route", text(route)));
                    format!("{name_method} {route}")
                }
                None => name_method,
            };
            attributes.push((
                "http.response.status_code",
                Value::Int(i64::from(status.as_u16())),
            ));
            attributes.push(("company_access.request_id", text(request_id)));
            let failed = status.is_server_error();
            if failed {
                attributes.push(("error.type", text(status.as_str())));
            }
            let span = SpanData {
                trace_id: context.trace_id,
                span_id: context.span_id,
                parent_span_id: parent.map(|parent| parent.span_id),
                trace_state,
                trace_flags: context.flags,
                name,
                start_unix_nanos: unix_nanos(start),
                end_unix_nanos: unix_nanos(start + elapsed),
                attributes,
                failed,
            };
            if self.inner.queue.try_send(Message::Span(span)).is_err() {
                self.inner.metrics.trace_span_dropped();
            }
        }
        HeaderValue::from_str(&context.header()).ok()
    }
}

/// The request's side of its span, after the HTTP semantic conventions.
fn describe(request: &HttpRequest) -> Partial {
    let start = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let method = request.method().as_str();
    let known = known_method(method);
    let mut attributes = Vec::with_capacity(14);
    attributes.push((
        "http.request.method",
        text(if known { method } else { "_OTHER" }),
    ));
    if !known {
        attributes.push(("http.request.method_original", text(method)));
    }
    attributes.push(("url.path", text(request.path())));
    {
        let info = request.connection_info();
        attributes.push(("url.scheme", text(info.scheme())));
        let (address, port) = split_host(info.host());
        attributes.push(("server.address", text(address)));
        if let Some(port) = port {
            attributes.push(("server.port", Value::Int(i64::from(port))));
        }
    }
    let version = match request.version() {
        Version::HTTP_09 => "0.9",
        Version::HTTP_10 => "1.0",
        Version::HTTP_11 => "1.1",
        Version::HTTP_2 => "2",
        Version::HTTP_3 => "3",
        _ => "",
    };
    if !version.is_empty() {
        attributes.push(("network.protocol.version", text(version)));
    }
    if let Some(agent) = request
        .headers()
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
    {
        attributes.push(("user_agent.original", text(agent)));
    }
    Partial {
        name_method: if known { method } else { "HTTP" }.to_owned(),
        start,
        trace_state: None,
        attributes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_split_into_address_and_port() {
        assert_eq!(split_host("127.0.0.1:8080"), ("127.0.0.1", Some(8080)));
        assert_eq!(split_host("access.example"), ("access.example", None));
        assert_eq!(split_host("[::1]:9000"), ("::1", Some(9000)));
        assert_eq!(split_host("[::1]"), ("::1", None));
    }

    #[test]
    fn only_known_methods_name_spans() {
        assert!(known_method("GET") && known_method("DELETE"));
        assert!(!known_method("BREW") && !known_method("get"));
    }
}
