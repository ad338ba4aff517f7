//! Which server spans are kept: `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`, as the OpenTelemetry
//! SDK specification names them.

use super::context::{TRACE_ID_LEN, TraceParent};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Root {
    AlwaysOn,
    AlwaysOff,
    /// Keeps about this share of new traces, decided by the trace id alone, so that every service
    /// sampling the same trace at the same ratio keeps or drops it alike.
    TraceIdRatio(f64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sampler {
    pub root: Root,
    /// A caller's `sampled` flag decides, when there is a valid `traceparent`; `root` decides otherwise.
    pub parent_based: bool,
}

impl Default for Sampler {
    /// `parentbased_always_on`, the specification's default.
    fn default() -> Self {
        Self {
            root: Root::AlwaysOn,
            parent_based: true,
        }
    }
}

const NAMES: &str = "always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio";

fn ratio(arg: Option<&str>) -> Result<f64, String> {
    let Some(text) = arg else {
        return Ok(1.0);
    };
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|ratio| (0.0..=1.0).contains(ratio))
        .ok_or_else(|| {
            format!(
                "OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1, such as 0.25 (got {text:?})"
            )
        })
}

impl Sampler {
    /// The sampler the two settings name; unset means the default, and the argument is read only by the
    /// ratio samplers (where unset means 1).
    pub fn parse(name: Option<&str>, arg: Option<&str>) -> Result<Self, String> {
        let Some(name) = name else {
            return Ok(Self::default());
        };
        let lower = name.trim().to_ascii_lowercase();
        let (parent_based, root) = match lower.strip_prefix("parentbased_") {
            Some(root) => (true, root),
            None => (false, lower.as_str()),
        };
        let root = match root {
            "always_on" => Root::AlwaysOn,
            "always_off" => Root::AlwaysOff,
            "traceidratio" => Root::TraceIdRatio(ratio(arg)?),
            _ => {
                return Err(format!(
                    "OTEL_TRACES_SAMPLER must be {NAMES} (got {name:?})"
                ));
            }
        };
        Ok(Self { root, parent_based })
    }

    /// Whether the server span of a request in `trace_id`, called from `parent` if any, is exported.
    pub fn samples(&self, parent: Option<&TraceParent>, trace_id: &[u8; TRACE_ID_LEN]) -> bool {
        if self.parent_based
            && let Some(parent) = parent
        {
            return parent.sampled();
        }
        match self.root {
            Root::AlwaysOn => true,
            Root::AlwaysOff => false,
            Root::TraceIdRatio(ratio) => {
                // The SDKs' rule: the trace id's last 8 bytes, as a 63-bit number, below the ratio's
                // share of 2^63.
                let bound = (ratio * (1u64 << 63) as f64) as u64;
                let mut low = [0; 8];
                low.copy_from_slice(&trace_id[8..]);
                (u64::from_be_bytes(low) >> 1) < bound
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otel::context::new_trace_id;

    fn sampler(name: &str) -> Sampler {
        Sampler::parse(Some(name), None).unwrap_or_else(|error| panic!("{error}"))
    }

    fn refused(name: &str, arg: Option<&str>) -> String {
        match Sampler::parse(Some(name), arg) {
            Ok(sampler) => panic!("{name} {arg:?} gave {sampler:?}"),
            Err(error) => error,
        }
    }

    fn parent(flags: u8) -> TraceParent {
        TraceParent {
            trace_id: [7; 16],
            span_id: [9; 8],
            flags,
        }
    }

    #[test]
    fn sampler_names_and_arguments_are_read() {
        assert_eq!(Sampler::parse(None, None), Ok(Sampler::default()));
        let parse = |name, arg| Sampler::parse(Some(name), arg).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parse("always_on", Some("ignored")).root, Root::AlwaysOn);
        assert!(!parse("always_off", None).parent_based);
        assert_eq!(
            parse("TraceIdRatio", Some(" 0.25 ")),
            Sampler {
                root: Root::TraceIdRatio(0.25),
                parent_based: false
            }
        );
        assert_eq!(
            parse("parentbased_traceidratio", None),
            Sampler {
                root: Root::TraceIdRatio(1.0),
                parent_based: true
            }
        );
        assert_eq!(
            parse("parentbased_always_off", None),
            Sampler {
                root: Root::AlwaysOff,
                parent_based: true
            }
        );
        for (name, arg) in [
            ("traceidratio", "1.5"),
            ("traceidratio", "-0.1"),
            ("parentbased_traceidratio", "half"),
            ("traceidratio", "NaN"),
        ] {
            let error = refused(name, Some(arg));
            assert!(error.starts_with("OTEL_TRACES_SAMPLER_ARG"), "{error}");
        }
        for name in ["jaeger_remote", "parentbased_", "always", "xray"] {
            let error = refused(name, None);
            assert!(error.starts_with("OTEL_TRACES_SAMPLER must be"), "{error}");
        }
    }

    #[test]
    fn parent_based_samplers_follow_the_callers_flag() {
        let on = Sampler::default();
        let off = sampler("parentbased_always_off");
        let id = [1; 16];
        assert!(on.samples(None, &id));
        assert!(on.samples(Some(&parent(1)), &id));
        assert!(!on.samples(Some(&parent(0)), &id));
        assert!(!off.samples(None, &id));
        assert!(off.samples(Some(&parent(1)), &id));
        let always_on = sampler("always_on");
        assert!(always_on.samples(Some(&parent(0)), &id));
        let always_off = sampler("always_off");
        assert!(!always_off.samples(Some(&parent(1)), &id));
    }

    #[test]
    fn ratio_sampling_keeps_about_its_share_by_trace_id() {
        let sampler = |ratio| Sampler {
            root: Root::TraceIdRatio(ratio),
            parent_based: false,
        };
        let ids: Vec<_> = (0..10_000).map(|_| new_trace_id()).collect();
        let kept = |ratio| {
            ids.iter()
                .filter(|id| sampler(ratio).samples(None, id))
                .count()
        };
        assert_eq!(kept(0.0), 0);
        assert_eq!(kept(1.0), ids.len());
        let quarter = kept(0.25);
        assert!((2_200..2_800).contains(&quarter), "{quarter}");
        // The same id gets the same answer every time.
        assert!(
            ids.iter()
                .all(|id| { sampler(0.5).samples(None, id) == sampler(0.5).samples(None, id) })
        );
    }
}
