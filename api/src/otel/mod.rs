//! Optional OpenTelemetry traces, off unless `OTEL_EXPORTER_OTLP_ENDPOINT` (or
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set: one SERVER span per request, continuing a caller's W3C
//! `traceparent`, exported over OTLP/HTTP in its JSON encoding by a thread of its own.
//!
//! Written here rather than taken from the OpenTelemetry SDK crates: one span kind, one exporter and one
//! propagator are a few hundred lines, where the SDK, its OTLP exporter and their HTTP and protobuf stacks
//! would add minutes to every build of this service.

pub mod context;
mod export;
pub mod sampler;
pub mod settings;
mod span;
mod tracer;

pub use export::Exporting;
pub use settings::TraceSettings;
pub use tracer::{Started, Tracer, start};
