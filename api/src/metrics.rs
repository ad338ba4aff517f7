//! The service's own counters and their Prometheus text exposition, written by hand: a few atomics and one
//! small map, so that counting costs the check path next to nothing and pulls in no metrics framework.
//!
//! Counters the hot path touches (decisions, cache hits and misses, audit rows) are relaxed atomics: a
//! scrape may see one a moment late, never a torn value. Those every check adds to are striped by thread
//! ([`HotCounters`]). Per-route request figures live in one map under a
//! `Mutex` taken once per request, after the answer is made; its key is only allocated the first time a
//! route pattern is seen.

use openapi::access::DecisionReason;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The content type of the text exposition format, version 0.0.4.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The route label of a request no route matched: the raw path would let callers mint labels.
pub const UNMATCHED: &str = "unmatched";

/// Upper bounds of the request duration buckets, in seconds; from a cached check (well under a millisecond)
/// to a large batch or bulk change.
const BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Clone, Default)]
struct Histogram {
    /// Observations per bucket, not cumulative; those above the last bound are only in `count`.
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

impl Histogram {
    fn observe(&mut self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        if let Some(bucket) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            self.buckets[bucket] += 1;
        }
        self.count += 1;
        self.sum_seconds += seconds;
    }
}

#[derive(Clone, Default)]
struct MethodStats {
    /// Few statuses per route and method: a short list beats a map.
    statuses: Vec<(u16, u64)>,
    duration: Histogram,
}

/// Figures read at scrape time from the parts that own them (cache, change feed, pool).
#[derive(Debug, Clone, Default)]
pub struct Gauges {
    pub cache_users: usize,
    pub cache_companies: usize,
    /// Ids held as the set of every id that exists (users and companies together).
    pub cache_known_ids: usize,
    /// Single ids remembered as existing nowhere.
    pub cache_absent_ids: usize,
    pub cache_distrusts: u64,
    pub change_feed_up: bool,
    /// Seconds since the change feed last heard anything; 0 without a feed (SQLite).
    pub change_feed_lag_seconds: f64,
    pub pool: Option<PoolGauges>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct PoolGauges {
    pub in_use: u64,
    pub idle: u64,
    pub max: u64,
}

pub struct Metrics {
    http: Mutex<HashMap<String, HashMap<&'static str, MethodStats>>>,
    /// Decisions by reason, cache hits and misses.
    hot: HotCounters,
    audit_rows: AtomicU64,
    /// Spans of the optional trace export: queued spans dropped for want of room, and spans the collector
    /// took or that failed to reach it. All stay 0 while tracing is off.
    trace_spans_dropped: AtomicU64,
    trace_spans_exported: AtomicU64,
    trace_spans_failed: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            http: Mutex::new(HashMap::new()),
            hot: HotCounters::default(),
            audit_rows: AtomicU64::new(0),
            trace_spans_dropped: AtomicU64::new(0),
            trace_spans_exported: AtomicU64::new(0),
            trace_spans_failed: AtomicU64::new(0),
        }
    }
}

/// Where the cache's counters sit among the hot ones, after one per decision reason (at its place in
/// `DecisionReason::ALL`).
const CACHE_HITS: usize = DecisionReason::ALL.len();
const CACHE_MISSES: usize = CACHE_HITS + 1;
const HOT_COUNTERS: usize = CACHE_MISSES + 1;
/// More stripes than the HTTP workers of a usual machine, so that two threads rarely share one.
const STRIPES: usize = 16;

/// One thread's share of the hot counters, on lines of its own (128 bytes: the adjacent-line prefetcher
/// fetches lines in pairs).
#[derive(Default)]
#[repr(align(128))]
struct Stripe([AtomicU64; HOT_COUNTERS]);

/// The counters every check adds to, one stripe per thread (threads take stripes in turn), summed when
/// read: two cores counting answers at once would otherwise pass one cache line back and forth on every
/// answer.
struct HotCounters(Box<[Stripe; STRIPES]>);

impl Default for HotCounters {
    fn default() -> Self {
        Self(Box::new(std::array::from_fn(|_| Stripe::default())))
    }
}

static NEXT_STRIPE: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static STRIPE: usize = (NEXT_STRIPE.fetch_add(1, Ordering::Relaxed) as usize) % STRIPES;
}

impl HotCounters {
    fn add(&self, counter: usize, count: u64) {
        let stripe = STRIPE.with(|stripe| *stripe);
        self.0[stripe].0[counter].fetch_add(count, Ordering::Relaxed);
    }

    fn sum(&self, counter: usize) -> u64 {
        self.0
            .iter()
            .map(|stripe| stripe.0[counter].load(Ordering::Relaxed))
            .sum()
    }
}

/// Decisions by reason, counted locally (see [`Metrics::decided_many`]).
#[derive(Default)]
pub struct DecisionCounts([u64; DecisionReason::ALL.len()]);

impl DecisionCounts {
    pub fn count(&mut self, reason: DecisionReason) {
        self.0[reason as usize] += 1;
    }
}

/// The method as a label that needs no allocation; methods outside HTTP's own are one label, so that
/// callers cannot mint series.
fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

/// A label value with `\`, `"` and line feeds escaped, as the format requires.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

impl Metrics {
    /// One answered request; `route` is the matched pattern, `None` when no route matched.
    pub fn record_request(
        &self,
        route: Option<&str>,
        method: &str,
        status: u16,
        elapsed: Duration,
    ) {
        let route = route.unwrap_or(UNMATCHED);
        let method = method_label(method);
        let mut http = self
            .http
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let methods = match http.get_mut(route) {
            Some(methods) => methods,
            None => http.entry(route.to_owned()).or_default(),
        };
        let stats = methods.entry(method).or_default();
        match stats.statuses.iter_mut().find(|(s, _)| *s == status) {
            Some((_, count)) => *count += 1,
            None => stats.statuses.push((status, 1)),
        }
        stats.duration.observe(elapsed);
    }

    pub fn decided(&self, reason: DecisionReason) {
        // The enum has no explicit discriminants, so its discriminant is its place in `ALL`.
        self.hot.add(reason as usize, 1);
    }

    /// The decisions of a batch, counted by the batch and added once per reason it gave.
    pub fn decided_many(&self, counts: &DecisionCounts) {
        for (reason, count) in counts.0.into_iter().enumerate() {
            if count > 0 {
                self.hot.add(reason, count);
            }
        }
    }

    /// Pairs answered from memory and pairs that had to go to the database.
    pub fn cache_lookups(&self, hits: u64, misses: u64) {
        if hits > 0 {
            self.hot.add(CACHE_HITS, hits);
        }
        if misses > 0 {
            self.hot.add(CACHE_MISSES, misses);
        }
    }

    pub fn audit_rows_written(&self, rows: u64) {
        self.audit_rows.fetch_add(rows, Ordering::Relaxed);
    }

    /// A finished span the exporter's queue had no room for.
    pub fn trace_span_dropped(&self) {
        self.trace_spans_dropped.fetch_add(1, Ordering::Relaxed);
    }

    pub fn trace_spans_exported(&self, spans: u64) {
        self.trace_spans_exported
            .fetch_add(spans, Ordering::Relaxed);
    }

    pub fn trace_spans_failed(&self, spans: u64) {
        self.trace_spans_failed.fetch_add(spans, Ordering::Relaxed);
    }

    /// The text exposition of every metric.
    pub fn render(&self, gauges: &Gauges) -> String {
        let mut out = String::with_capacity(4096);
        self.render_http(&mut out);

        header(
            &mut out,
            "company_access_check_decisions_total",
            "counter",
            "Access decisions made, single and batch checks alike (one per pair), by reason.",
        );
        for reason in DecisionReason::ALL {
            let count = self.hot.sum(reason as usize);
            let _ = writeln!(
                out,
                "company_access_check_decisions_total{{reason=\"{}\"}} {count}",
                reason.as_str()
            );
        }

        let counter = |out: &mut String, name: &str, help: &str, value: u64| {
            header(out, name, "counter", help);
            let _ = writeln!(out, "{name} {value}");
        };
        let gauge = |out: &mut String, name: &str, help: &str, value: f64| {
            header(out, name, "gauge", help);
            // Rust writes infinity as `inf`; the format spells it `+Inf`.
            if value == f64::INFINITY {
                let _ = writeln!(out, "{name} +Inf");
            } else {
                let _ = writeln!(out, "{name} {value}");
            }
        };
        counter(
            &mut out,
            "company_access_cache_hits_total",
            "Checked pairs answered from the check cache.",
            self.hot.sum(CACHE_HITS),
        );
        counter(
            &mut out,
            "company_access_cache_misses_total",
            "Checked pairs the check cache could not answer, read from the database.",
            self.hot.sum(CACHE_MISSES),
        );
        header(
            &mut out,
            "company_access_cache_entries",
            "gauge",
            "Entries held by the check cache, by kind.",
        );
        let _ = writeln!(
            out,
            "company_access_cache_entries{{kind=\"users\"}} {}",
            gauges.cache_users
        );
        let _ = writeln!(
            out,
            "company_access_cache_entries{{kind=\"companies\"}} {}",
            gauges.cache_companies
        );
        let _ = writeln!(
            out,
            "company_access_cache_entries{{kind=\"known_ids\"}} {}",
            gauges.cache_known_ids
        );
        let _ = writeln!(
            out,
            "company_access_cache_entries{{kind=\"absent_ids\"}} {}",
            gauges.cache_absent_ids
        );
        counter(
            &mut out,
            "company_access_cache_distrust_total",
            "Times the check cache went from trusted to distrusted (the change feed was lost, or silent past the staleness bound).",
            gauges.cache_distrusts,
        );
        gauge(
            &mut out,
            "company_access_change_feed_up",
            "1 while the PostgreSQL change feed listens, 0 while it is down; always 1 on SQLite (a single instance).",
            if gauges.change_feed_up { 1.0 } else { 0.0 },
        );
        gauge(
            &mut out,
            "company_access_change_feed_lag_seconds",
            "Seconds since the change feed last heard anything (heartbeats arrive every second); 0 on SQLite.",
            gauges.change_feed_lag_seconds,
        );
        if let Some(pool) = gauges.pool {
            header(
                &mut out,
                "company_access_db_pool_connections",
                "gauge",
                "Open database connections, by state.",
            );
            let _ = writeln!(
                out,
                "company_access_db_pool_connections{{state=\"in_use\"}} {}",
                pool.in_use
            );
            let _ = writeln!(
                out,
                "company_access_db_pool_connections{{state=\"idle\"}} {}",
                pool.idle
            );
            gauge(
                &mut out,
                "company_access_db_pool_max_connections",
                "The most connections the database pool opens.",
                pool.max as f64,
            );
        }
        counter(
            &mut out,
            "company_access_audit_rows_total",
            "Audit rows written by committed changes.",
            self.audit_rows.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "company_access_trace_spans_dropped_total",
            "Trace spans dropped because the export queue was full (OTEL_BSP_MAX_QUEUE_SIZE); 0 while tracing is off.",
            self.trace_spans_dropped.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "company_access_trace_spans_exported_total",
            "Trace spans the OTLP collector accepted.",
            self.trace_spans_exported.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "company_access_trace_spans_failed_total",
            "Trace spans lost because their export failed (collector down, slow or refusing).",
            self.trace_spans_failed.load(Ordering::Relaxed),
        );
        out
    }

    fn render_http(&self, out: &mut String) {
        // Copied out and sorted so that the lock is held only for the copy and series keep their order.
        let http: BTreeMap<String, BTreeMap<&'static str, MethodStats>> = self
            .http
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(route, methods)| {
                let methods = methods.iter().map(|(m, s)| (*m, s.clone())).collect();
                (route.clone(), methods)
            })
            .collect();
        header(
            out,
            "company_access_http_requests_total",
            "counter",
            "Requests answered, by matched route pattern, method and status.",
        );
        for (route, methods) in &http {
            let route = label(route);
            for (method, stats) in methods {
                let mut statuses = stats.statuses.clone();
                statuses.sort_unstable();
                for (status, count) in statuses {
                    let _ = writeln!(
                        out,
                        "company_access_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {count}"
                    );
                }
            }
        }
        let name = "company_access_http_request_duration_seconds";
        header(
            out,
            name,
            "histogram",
            "Time from receiving a request to its answer, by matched route pattern and method.",
        );
        for (route, methods) in &http {
            let route = label(route);
            for (method, stats) in methods {
                let labels = format!("route=\"{route}\",method=\"{method}\"");
                let mut cumulative = 0;
                for (bound, count) in BUCKETS.iter().zip(stats.duration.buckets) {
                    cumulative += count;
                    let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
                }
                let total = stats.duration.count;
                let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {total}");
                let _ = writeln!(out, "{name}_sum{{{labels}}} {}", stats.duration.sum_seconds);
                let _ = writeln!(out, "{name}_count{{{labels}}} {total}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_pattern_and_bucketed_cumulatively() {
        let metrics = Metrics::default();
        metrics.record_request(Some("/users/{id}"), "GET", 200, Duration::from_micros(300));
        metrics.record_request(Some("/users/{id}"), "GET", 200, Duration::from_secs(5));
        metrics.record_request(None, "BREW", 404, Duration::from_micros(50));
        metrics.decided(DecisionReason::ALL[0]);
        let text = metrics.render(&Gauges::default());
        assert!(text.contains(
            "company_access_http_requests_total{route=\"/users/{id}\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "company_access_http_requests_total{route=\"unmatched\",method=\"other\",status=\"404\"} 1"
        ));
        assert!(text.contains(
            "company_access_http_request_duration_seconds_bucket{route=\"/users/{id}\",method=\"GET\",le=\"0.0005\"} 1"
        ));
        assert!(text.contains(
            "company_access_http_request_duration_seconds_bucket{route=\"/users/{id}\",method=\"GET\",le=\"+Inf\"} 2"
        ));
        assert!(text.contains(&format!(
            "company_access_check_decisions_total{{reason=\"{}\"}} 1",
            DecisionReason::ALL[0].as_str()
        )));
    }
}
