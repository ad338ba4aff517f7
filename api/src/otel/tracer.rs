//! The server span of each answered request, made from the answered request alone: nothing is read or
//! kept before the handler runs, so the request middleware's only cost while tracing is off is checking
//! that there is no tracer.

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
    /// Makes the server span of an answered request and queues it when sampled; returns the
    /// `traceparent` to answer with. `route` is the matched pattern, `None` when no route matched.
    pub fn record(
        &self,
        request: &HttpRequest,
        route: Option<&str>,
        status: StatusCode,
        elapsed: Duration,
        request_id: &str,
    ) -> Option<HeaderValue> {
        let parent = parent_of(request);
        let trace_id = parent.map_or_else(new_trace_id, |parent| parent.trace_id);
        let span_id = new_span_id();
        let sampled = self.inner.sampler.samples(parent.as_ref(), &trace_id);
        let flags = if sampled { SAMPLED } else { 0 };
        if sampled {
            let end = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            let (name, attributes) = describe(request, route, status, request_id);
            let span = SpanData {
                trace_id,
                span_id,
                parent_span_id: parent.map(|parent| parent.span_id),
                trace_state: parent.and_then(|_| trace_state_of(request)),
                trace_flags: flags,
                name,
                start_unix_nanos: unix_nanos(end.saturating_sub(elapsed)),
                end_unix_nanos: unix_nanos(end),
                attributes,
                failed: status.is_server_error(),
            };
            if self.inner.queue.try_send(Message::Span(span)).is_err() {
                self.inner.metrics.trace_span_dropped();
            }
        }
        let answer = TraceParent {
            trace_id,
            span_id,
            flags,
        };
        HeaderValue::from_str(&answer.header()).ok()
    }
}

/// The span's name and attributes, after the HTTP semantic conventions.
fn describe(
    request: &HttpRequest,
    route: Option<&str>,
    status: StatusCode,
    request_id: &str,
) -> (String, Vec<(&'static str, Value)>) {
    let method = request.method().as_str();
    let known = known_method(method);
    let name_method = if known { method } else { "HTTP" };
    let name = match route {
        Some(route) => format!("{name_method} {route}"),
        None => name_method.to_owned(),
    };
    let mut attributes = Vec::with_capacity(14);
    attributes.push((
        "http.request.method",
        text(if known { method } else { "_OTHER" }),
    ));
    if !known {
        attributes.push(("http.request.method_original", text(method)));
    }
    if let Some(route) = route {
        attributes.push(("http.route", text(route)));
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
    attributes.push((
        "http.response.status_code",
        Value::Int(i64::from(status.as_u16())),
    ));
    attributes.push(("company_access.request_id", text(request_id)));
    if status.is_server_error() {
        attributes.push(("error.type", text(status.as_str())));
    }
    (name, attributes)
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
