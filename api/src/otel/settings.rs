//! The trace settings, from the variables the OpenTelemetry specification defines for every SDK, so that a
//! deployment configures this service as it configures the others.

use super::sampler::Sampler;
use std::fmt;
use std::time::Duration;

pub const DEFAULT_SERVICE_NAME: &str = "company-access";

#[derive(Clone)]
pub struct TraceSettings {
    /// Where batches are POSTed, `/v1/traces` included.
    pub endpoint: String,
    /// Sent with every export, such as an authorization header; their values are never logged.
    pub headers: Vec<(String, String)>,
    /// `service.name` first, then `service.version`, then whatever else `OTEL_RESOURCE_ATTRIBUTES` names.
    pub resource: Vec<(String, String)>,
    pub sampler: Sampler,
    /// The longest a finished span waits for its batch to be sent.
    pub schedule_delay: Duration,
    pub max_batch: usize,
    /// Spans waiting for the exporter; more are dropped (and counted) rather than slowing requests.
    pub max_queue: usize,
    /// The most one export may take; also how long shutdown waits for the last batch.
    pub export_timeout: Duration,
}

impl fmt::Debug for TraceSettings {
    /// Header names only: a value is usually a credential.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("TraceSettings")
            .field("endpoint", &self.endpoint)
            .field("headers", &headers)
            .field("resource", &self.resource)
            .field("sampler", &self.sampler)
            .field("schedule_delay", &self.schedule_delay)
            .field("max_batch", &self.max_batch)
            .field("max_queue", &self.max_queue)
            .field("export_timeout", &self.export_timeout)
            .finish()
    }
}

impl TraceSettings {
    /// The specification's defaults, exporting to `endpoint` as given.
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
            headers: Vec::new(),
            resource: vec![
                ("service.name".into(), DEFAULT_SERVICE_NAME.into()),
                ("service.version".into(), env!("CARGO_PKG_VERSION").into()),
            ],
            sampler: Sampler::default(),
            schedule_delay: Duration::from_millis(5000),
            max_batch: 512,
            max_queue: 2048,
            export_timeout: Duration::from_millis(10_000),
        }
    }

    /// Reads the `OTEL_*` variables through `var` (which treats blank as unset). `None` unless an endpoint
    /// is set, and then nothing else is read: tracing is off by default and costs nothing to configure.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        if var("OTEL_SDK_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
            return Ok(None);
        }
        // The signal's own endpoint is the full URL; the generic one is a base the signal's path is
        // appended to.
        let (name, given, endpoint) = match (
            var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
            var("OTEL_EXPORTER_OTLP_ENDPOINT"),
        ) {
            (Some(url), _) => {
                let url = url.trim().to_owned();
                ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", url.clone(), url)
            }
            (None, Some(base)) => {
                let base = base.trim().to_owned();
                let separator = if base.ends_with('/') { "" } else { "/" };
                let url = format!("{base}{separator}v1/traces");
                ("OTEL_EXPORTER_OTLP_ENDPOINT", base, url)
            }
            (None, None) => return Ok(None),
        };
        match var("OTEL_TRACES_EXPORTER").map(|v| v.trim().to_ascii_lowercase()) {
            None => {}
            Some(exporter) if exporter == "otlp" => {}
            Some(exporter) if exporter == "none" => return Ok(None),
            Some(exporter) => {
                return Err(format!(
                    "OTEL_TRACES_EXPORTER must be otlp or none (got {exporter:?})"
                ));
            }
        }
        check_url(name, &given, &endpoint)?;
        for name in [
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
            "OTEL_EXPORTER_OTLP_PROTOCOL",
        ] {
            if let Some(protocol) = var(name)
                && protocol.trim() != "http/json"
            {
                return Err(format!(
                    "{name} must be http/json, the one protocol this service exports (got {protocol:?})"
                ));
            }
        }
        let mut settings = Self::new(endpoint);
        let (name, headers) = first_of(
            &var,
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
            "OTEL_EXPORTER_OTLP_HEADERS",
        );
        if let Some(text) = headers {
            settings.headers = pairs(name, &text)?;
            for (key, value) in &settings.headers {
                let valid = ureq::http::HeaderName::from_bytes(key.as_bytes()).is_ok()
                    && ureq::http::HeaderValue::from_str(value).is_ok();
                if !valid {
                    return Err(format!(
                        "{name}: the header {key:?} is not a valid HTTP header"
                    ));
                }
            }
        }
        if let Some(text) = var("OTEL_RESOURCE_ATTRIBUTES") {
            for (key, value) in pairs("OTEL_RESOURCE_ATTRIBUTES", &text)? {
                settings.set_resource(key, value);
            }
        }
        // The service name's own variable wins over the one among the resource attributes.
        if let Some(name) = var("OTEL_SERVICE_NAME") {
            settings.set_resource("service.name".into(), name.trim().to_owned());
        }
        settings.sampler = Sampler::parse(
            var("OTEL_TRACES_SAMPLER").as_deref(),
            var("OTEL_TRACES_SAMPLER_ARG").as_deref(),
        )?;
        let millis = |name: &str, default: Duration| -> Result<Duration, String> {
            match var(name) {
                None => Ok(default),
                Some(text) => text
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|ms| *ms > 0)
                    .map(Duration::from_millis)
                    .ok_or_else(|| {
                        format!("{name} must be a positive number of milliseconds (got {text:?})")
                    }),
            }
        };
        settings.schedule_delay = millis("OTEL_BSP_SCHEDULE_DELAY", settings.schedule_delay)?;
        let (name, timeout) = first_of(
            &var,
            "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
            "OTEL_EXPORTER_OTLP_TIMEOUT",
        );
        if timeout.is_some() {
            settings.export_timeout = millis(name, settings.export_timeout)?;
        }
        let count = |name: &str, default: usize| -> Result<usize, String> {
            match var(name) {
                None => Ok(default),
                Some(text) => text
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("{name} must be a positive number (got {text:?})")),
            }
        };
        settings.max_queue = count("OTEL_BSP_MAX_QUEUE_SIZE", settings.max_queue)?;
        settings.max_batch = count("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", settings.max_batch)?;
        if settings.max_batch > settings.max_queue {
            return Err(format!(
                "OTEL_BSP_MAX_EXPORT_BATCH_SIZE ({}) must not exceed OTEL_BSP_MAX_QUEUE_SIZE ({})",
                settings.max_batch, settings.max_queue
            ));
        }
        Ok(Some(settings))
    }

    fn set_resource(&mut self, key: String, value: String) {
        match self.resource.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.resource.push((key, value)),
        }
    }
}

/// The signal's own variable when set, else the generic one, with the name of the one read.
fn first_of<'a>(
    var: &impl Fn(&str) -> Option<String>,
    specific: &'a str,
    generic: &'a str,
) -> (&'a str, Option<String>) {
    match var(specific) {
        Some(value) => (specific, Some(value)),
        None => (generic, var(generic)),
    }
}

/// Whether `url` can be posted to; the error repeats the variable's own value, `given`.
fn check_url(name: &str, given: &str, url: &str) -> Result<(), String> {
    let valid = url
        .parse::<ureq::http::Uri>()
        .ok()
        .filter(|uri| matches!(uri.scheme_str(), Some("http" | "https")))
        .and_then(|uri| uri.host().map(|host| !host.is_empty()))
        .unwrap_or(false);
    if valid {
        Ok(())
    } else {
        Err(format!(
            "{name} must be an http:// or https:// URL such as http://127.0.0.1:4318 (got {given:?})"
        ))
    }
}

/// `key=value,key=value` with percent-encoded values, the W3C Baggage form the specification uses for
/// headers and resource attributes. Errors name the entry's place, never its value.
fn pairs(name: &str, text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (at, entry) in text.split(',').enumerate() {
        if entry.trim().is_empty() {
            continue;
        }
        let parsed = entry.split_once('=').and_then(|(key, value)| {
            let key = key.trim();
            let value = percent_encoding::percent_decode_str(value.trim())
                .decode_utf8()
                .ok()?;
            (!key.is_empty()).then(|| (key.to_owned(), value.trim().to_owned()))
        });
        match parsed {
            Some(pair) => out.push(pair),
            None => {
                return Err(format!(
                    "{name} must be comma-separated key=value pairs (entry {} is not)",
                    at + 1
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otel::sampler::Root;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> Result<Option<TraceSettings>, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        TraceSettings::from_env(|name| vars.get(name).cloned())
    }

    fn settings(vars: &[(&str, &str)]) -> TraceSettings {
        match read(vars) {
            Ok(Some(settings)) => settings,
            other => panic!("{vars:?} gave {other:?}"),
        }
    }

    fn refused(vars: &[(&str, &str)]) -> String {
        match read(vars) {
            Err(error) => error,
            Ok(settings) => panic!("{vars:?} gave {settings:?}"),
        }
    }

    const BASE: (&str, &str) = ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318");

    #[test]
    fn off_without_an_endpoint_or_when_disabled() {
        assert!(matches!(read(&[]), Ok(None)));
        // Nothing else is read while off, so a typo elsewhere cannot stop the service.
        assert!(matches!(
            read(&[("OTEL_TRACES_SAMPLER", "nonsense")]),
            Ok(None)
        ));
        assert!(matches!(
            read(&[BASE, ("OTEL_SDK_DISABLED", "TRUE")]),
            Ok(None)
        ));
        assert!(matches!(
            read(&[BASE, ("OTEL_TRACES_EXPORTER", "none")]),
            Ok(None)
        ));
        assert!(matches!(
            read(&[BASE, ("OTEL_SDK_DISABLED", "false")]),
            Ok(Some(_))
        ));
    }

    #[test]
    fn the_generic_endpoint_gets_the_signal_path_and_the_specific_one_is_kept() {
        assert_eq!(
            settings(&[BASE]).endpoint,
            "http://collector:4318/v1/traces"
        );
        let slash = settings(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "https://c.example/otlp/")]);
        assert_eq!(slash.endpoint, "https://c.example/otlp/v1/traces");
        let specific = settings(&[
            BASE,
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://other:9999/custom",
            ),
        ]);
        assert_eq!(specific.endpoint, "http://other:9999/custom");
    }

    #[test]
    fn defaults_follow_the_specification() {
        let defaults = settings(&[BASE]);
        assert_eq!(defaults.sampler, Sampler::default());
        assert_eq!(defaults.schedule_delay, Duration::from_secs(5));
        assert_eq!((defaults.max_batch, defaults.max_queue), (512, 2048));
        assert_eq!(defaults.export_timeout, Duration::from_secs(10));
        assert_eq!(
            defaults.resource[0],
            ("service.name".into(), "company-access".into())
        );
        assert_eq!(defaults.resource[1].0, "service.version");
    }

    #[test]
    fn headers_resource_sampler_and_batching_are_read() {
        let read = settings(&[
            BASE,
            (
                "OTEL_EXPORTER_OTLP_HEADERS",
                "Authorization=Bearer%20s3cret, x-team = access ,",
            ),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "deployment.environment=prod,service.name=ignored",
            ),
            ("OTEL_SERVICE_NAME", "access-eu"),
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.1"),
            ("OTEL_BSP_SCHEDULE_DELAY", "1000"),
            ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "100"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "400"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
        ]);
        assert_eq!(
            read.headers,
            [
                ("Authorization".to_owned(), "Bearer s3cret".to_owned()),
                ("x-team".to_owned(), "access".to_owned())
            ]
        );
        assert_eq!(
            read.resource[0],
            ("service.name".into(), "access-eu".into())
        );
        assert!(
            read.resource
                .contains(&("deployment.environment".into(), "prod".into()))
        );
        assert_eq!(read.sampler.root, Root::TraceIdRatio(0.1));
        assert!(read.sampler.parent_based);
        assert_eq!(read.schedule_delay, Duration::from_secs(1));
        assert_eq!((read.max_batch, read.max_queue), (100, 400));
        assert_eq!(read.export_timeout, Duration::from_millis(2500));
        // The signal's own headers replace the generic ones.
        let specific = settings(&[
            BASE,
            ("OTEL_EXPORTER_OTLP_HEADERS", "a=1"),
            ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "b=2"),
        ]);
        assert_eq!(specific.headers, [("b".to_owned(), "2".to_owned())]);
        // Header values stay out of debug output, and so out of any log of the settings.
        assert!(!format!("{read:?}").contains("s3cret"));
    }

    #[test]
    fn bad_values_are_refused_with_the_setting_named() {
        for (vars, start) in [
            (
                vec![("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")],
                "OTEL_EXPORTER_OTLP_ENDPOINT must be",
            ),
            (
                vec![("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://c")],
                "OTEL_EXPORTER_OTLP_ENDPOINT must be",
            ),
            (
                vec![("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://")],
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be",
            ),
            (
                vec![
                    BASE,
                    ("OTEL_TRACES_SAMPLER", "traceidratio"),
                    ("OTEL_TRACES_SAMPLER_ARG", "2"),
                ],
                "OTEL_TRACES_SAMPLER_ARG",
            ),
            (
                vec![BASE, ("OTEL_TRACES_SAMPLER", "sometimes")],
                "OTEL_TRACES_SAMPLER must be",
            ),
            (
                vec![BASE, ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")],
                "OTEL_EXPORTER_OTLP_PROTOCOL must be http/json",
            ),
            (
                vec![BASE, ("OTEL_TRACES_EXPORTER", "zipkin")],
                "OTEL_TRACES_EXPORTER",
            ),
            (
                vec![BASE, ("OTEL_BSP_SCHEDULE_DELAY", "0")],
                "OTEL_BSP_SCHEDULE_DELAY",
            ),
            (
                vec![BASE, ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "soon")],
                "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
            ),
            (
                vec![BASE, ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "4096")],
                "OTEL_BSP_MAX_EXPORT_BATCH_SIZE (4096)",
            ),
            (
                vec![BASE, ("OTEL_EXPORTER_OTLP_HEADERS", "token")],
                "OTEL_EXPORTER_OTLP_HEADERS must be",
            ),
            (
                vec![BASE, ("OTEL_RESOURCE_ATTRIBUTES", "=x")],
                "OTEL_RESOURCE_ATTRIBUTES must be",
            ),
        ] {
            let error = refused(&vars);
            assert!(error.starts_with(start), "{vars:?}: {error}");
            assert!(!error.contains("v1/traces"), "the value as given: {error}");
        }
        // A header that cannot be sent is named by its key; its value is not repeated.
        let error = refused(&[BASE, ("OTEL_EXPORTER_OTLP_HEADERS", "api-key=s3cret%01")]);
        assert!(
            error.contains("\"api-key\"") && !error.contains("s3cret"),
            "{error}"
        );
    }
}
