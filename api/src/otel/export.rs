//! The exporter: one std thread that takes finished spans off a bounded queue, batches them and POSTs each
//! batch to the collector. Requests only ever `try_send` onto the queue, so a slow or absent collector
//! costs them nothing; what does not fit is dropped and counted.

use super::settings::TraceSettings;
use super::span::{SpanData, encode};
use crate::metrics::Metrics;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TryRecvError};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

pub enum Message {
    Span(SpanData),
    /// Wakes the thread early, at shutdown.
    Wake,
}

/// After a failure, the next warning waits this long: a collector that is down would otherwise log
/// one line per batch.
const WARN_EVERY: Duration = Duration::from_secs(60);

/// The part of a collector's answer read, so that the connection can be used again.
const ANSWER_LIMIT: u64 = 64 * 1024;

struct Worker {
    agent: ureq::Agent,
    endpoint: String,
    headers: Vec<(String, String)>,
    resource: Vec<(String, String)>,
    max_batch: usize,
    schedule_delay: Duration,
    metrics: Arc<Metrics>,
    /// Set while exports fail, with when the last warning was written.
    failing_since_warned: Option<Instant>,
}

/// Held by the application to flush what is left when it stops.
pub struct Exporting {
    closing: Arc<AtomicBool>,
    wake: SyncSender<Message>,
    done: oneshot::Receiver<()>,
    wait: Duration,
}

/// Starts the exporter thread; the sender is the queue requests put their spans on.
pub fn start(
    settings: &TraceSettings,
    metrics: Arc<Metrics>,
) -> Result<(SyncSender<Message>, Exporting), String> {
    let (queue, receiver) = std::sync::mpsc::sync_channel(settings.max_queue);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(settings.export_timeout))
        .user_agent(concat!("company-access/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let worker = Worker {
        agent,
        endpoint: settings.endpoint.clone(),
        headers: settings.headers.clone(),
        resource: settings.resource.clone(),
        max_batch: settings.max_batch,
        schedule_delay: settings.schedule_delay,
        metrics,
        failing_since_warned: None,
    };
    let closing = Arc::new(AtomicBool::new(false));
    let (finished, done) = oneshot::channel();
    let flag = closing.clone();
    std::thread::Builder::new()
        .name("otel-export".into())
        .spawn(move || {
            worker.run(&receiver, &flag);
            let _ = finished.send(());
        })
        .map_err(|error| format!("cannot start the trace exporter: {error}"))?;
    Ok((
        queue.clone(),
        Exporting {
            closing,
            wake: queue,
            done,
            wait: settings.export_timeout,
        },
    ))
}

impl Exporting {
    /// Sends what is queued and waits for it, at most one export timeout: a stopping service should not
    /// hang on a collector that does not answer.
    pub async fn shutdown(self) {
        self.closing.store(true, Ordering::Release);
        // A full queue needs no waking: the thread is busy taking from it and sees the flag.
        let _ = self.wake.try_send(Message::Wake);
        drop(self.wake);
        if tokio::time::timeout(self.wait, self.done).await.is_err() {
            tracing::warn!(
                "Stopped waiting for the last trace export after {} ms",
                self.wait.as_millis()
            );
        }
    }
}

impl Worker {
    fn run(mut self, queue: &Receiver<Message>, closing: &AtomicBool) {
        let mut batch = Vec::with_capacity(self.max_batch);
        let mut due = Instant::now() + self.schedule_delay;
        while !closing.load(Ordering::Acquire) {
            match queue.recv_timeout(due.saturating_duration_since(Instant::now())) {
                Ok(Message::Span(span)) => {
                    batch.push(span);
                    if batch.len() >= self.max_batch {
                        self.export(&mut batch);
                    }
                }
                Ok(Message::Wake) | Err(RecvTimeoutError::Timeout) => {}
                // Every sender is gone: the application was dropped without a shutdown.
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if Instant::now() >= due {
                if !batch.is_empty() {
                    self.export(&mut batch);
                }
                due = Instant::now() + self.schedule_delay;
            }
        }
        self.drain(queue, batch);
    }

    /// What is queued at shutdown, in full batches, until one fails: the rest would only wait for the
    /// same collector.
    fn drain(mut self, queue: &Receiver<Message>, mut batch: Vec<SpanData>) {
        let mut exporting = true;
        loop {
            let empty = match queue.try_recv() {
                Ok(Message::Span(span)) => {
                    batch.push(span);
                    false
                }
                Ok(Message::Wake) => false,
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => true,
            };
            if batch.len() >= self.max_batch || (empty && !batch.is_empty()) {
                if exporting {
                    exporting = self.export(&mut batch);
                } else {
                    self.metrics.trace_spans_failed(batch.len() as u64);
                    batch.clear();
                }
            }
            if empty {
                return;
            }
        }
    }

    /// Sends one batch; true when the collector took it.
    fn export(&mut self, batch: &mut Vec<SpanData>) -> bool {
        let count = batch.len() as u64;
        let result = encode(&self.resource, batch)
            .map_err(|error| error.to_string())
            .and_then(|body| self.post(body));
        batch.clear();
        match result {
            Ok(()) => {
                self.metrics.trace_spans_exported(count);
                if self.failing_since_warned.take().is_some() {
                    tracing::info!(endpoint = %self.endpoint, "Trace export works again");
                }
                true
            }
            Err(error) => {
                self.metrics.trace_spans_failed(count);
                let warn = self
                    .failing_since_warned
                    .is_none_or(|warned| warned.elapsed() >= WARN_EVERY);
                if warn {
                    tracing::warn!(
                        endpoint = %self.endpoint,
                        %error,
                        "Trace export failed; {count} spans lost (further failures are counted in company_access_trace_spans_failed_total, and logged at most once a minute)"
                    );
                    self.failing_since_warned = Some(Instant::now());
                }
                false
            }
        }
    }

    fn post(&self, body: Vec<u8>) -> Result<(), String> {
        let mut request = self
            .agent
            .post(&self.endpoint)
            .content_type("application/json");
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let mut answer = request.send(body).map_err(|error| error.to_string())?;
        let status = answer.status();
        // A partial success says how many spans were refused; the count of what was sent is enough.
        let _ = answer
            .body_mut()
            .with_config()
            .limit(ANSWER_LIMIT)
            .read_to_vec();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("the collector answered {status}"))
        }
    }
}
