//! W3C Trace Context (<https://www.w3.org/TR/trace-context/>): the `traceparent` a caller sends, the one
//! answered, and the ids of the spans made here.

use std::cell::Cell;
use std::fmt::Write;

pub const TRACE_ID_LEN: usize = 16;
pub const SPAN_ID_LEN: usize = 8;

/// The `sampled` bit of the trace flags.
pub const SAMPLED: u8 = 0x01;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceParent {
    pub trace_id: [u8; TRACE_ID_LEN],
    /// The caller's span when parsed; the server span when answered.
    pub span_id: [u8; SPAN_ID_LEN],
    pub flags: u8,
}

/// One lowercase hex digit: the specification allows no uppercase, so that ids compare as text.
fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

fn unhex<const N: usize>(text: &[u8]) -> Option<[u8; N]> {
    if text.len() != 2 * N {
        return None;
    }
    let mut out = [0; N];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

impl TraceParent {
    /// A `traceparent` value, or `None` when it is not one: the caller's context is then ignored and a new
    /// trace starts, as the specification asks.
    pub fn parse(value: &str) -> Option<Self> {
        let text = value.trim_matches([' ', '\t']).as_bytes();
        // version "-" trace-id "-" parent-id "-" flags: 2 + 1 + 32 + 1 + 16 + 1 + 2.
        const LEN: usize = 55;
        if text.len() < LEN || text[2] != b'-' || text[35] != b'-' || text[52] != b'-' {
            return None;
        }
        let [version] = unhex::<1>(&text[..2])?;
        // Version 00 is exactly this long; a later version may add fields after a dash, and is read
        // as far as version 00 goes. Version ff is forbidden.
        let fits = match version {
            0 => text.len() == LEN,
            0xff => false,
            _ => text.len() == LEN || text[LEN] == b'-',
        };
        if !fits {
            return None;
        }
        let trace_id = unhex::<TRACE_ID_LEN>(&text[3..35])?;
        let span_id = unhex::<SPAN_ID_LEN>(&text[36..52])?;
        let [flags] = unhex::<1>(&text[53..55])?;
        if trace_id == [0; TRACE_ID_LEN] || span_id == [0; SPAN_ID_LEN] {
            return None;
        }
        Some(Self {
            trace_id,
            span_id,
            flags,
        })
    }

    pub fn sampled(&self) -> bool {
        self.flags & SAMPLED != 0
    }

    /// The header value, always version 00; of the flags only `sampled` is defined by that version.
    pub fn header(&self) -> String {
        format!(
            "00-{}-{}-{:02x}",
            hex(&self.trace_id),
            hex(&self.span_id),
            self.flags & SAMPLED
        )
    }
}

thread_local! {
    /// Ids need to be unique and unpredictable enough to spread over a ratio sampler, not secret: a
    /// per-thread SplitMix64 seeded from the system costs no system call and no lock per request.
    static STATE: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    let mut bytes = [0; 8];
    if getrandom::fill(&mut bytes).is_err() {
        // No system randomness: the clock and this thread's stack still differ between threads.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let here = &bytes as *const _ as u64;
        return nanos ^ here.rotate_left(32);
    }
    u64::from_ne_bytes(bytes)
}

fn next_u64() -> u64 {
    STATE.with(|state| {
        let mut z = state.get().wrapping_add(0x9e37_79b9_7f4a_7c15);
        state.set(z);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    })
}

/// A new trace id, never all zeros (which means "none").
pub fn new_trace_id() -> [u8; TRACE_ID_LEN] {
    loop {
        let mut id = [0; TRACE_ID_LEN];
        id[..8].copy_from_slice(&next_u64().to_be_bytes());
        id[8..].copy_from_slice(&next_u64().to_be_bytes());
        if id != [0; TRACE_ID_LEN] {
            return id;
        }
    }
}

pub fn new_span_id() -> [u8; SPAN_ID_LEN] {
    loop {
        let id = next_u64();
        if id != 0 {
            return id.to_be_bytes();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

    fn valid(text: &str) -> TraceParent {
        TraceParent::parse(text).unwrap_or_else(|| panic!("{text:?} is valid"))
    }
    const PARENT: &str = "00f067aa0ba902b7";

    #[test]
    fn a_valid_traceparent_is_read_and_written_back() {
        let parsed = valid(&format!("00-{TRACE}-{PARENT}-01"));
        assert_eq!(hex(&parsed.trace_id), TRACE);
        assert_eq!(hex(&parsed.span_id), PARENT);
        assert!(parsed.sampled());
        assert_eq!(parsed.header(), format!("00-{TRACE}-{PARENT}-01"));
        let unsampled = valid(&format!(" 00-{TRACE}-{PARENT}-00\t"));
        assert!(!unsampled.sampled());
        assert_eq!(unsampled.header(), format!("00-{TRACE}-{PARENT}-00"));
        // Flags this version does not define are not passed on.
        let other = valid(&format!("00-{TRACE}-{PARENT}-09"));
        assert!(other.sampled());
        assert!(other.header().ends_with("-01"));
    }

    #[test]
    fn later_versions_are_read_as_far_as_version_00_goes() {
        assert!(TraceParent::parse(&format!("01-{TRACE}-{PARENT}-01")).is_some());
        assert!(TraceParent::parse(&format!("cc-{TRACE}-{PARENT}-01-what-comes-next")).is_some());
        assert!(TraceParent::parse(&format!("cc-{TRACE}-{PARENT}-01x")).is_none());
    }

    #[test]
    fn invalid_traceparents_are_ignored() {
        let zeros_trace = "0".repeat(32);
        let zeros_span = "0".repeat(16);
        for invalid in [
            String::new(),
            "garbage".to_owned(),
            format!("00-{TRACE}-{PARENT}"),
            format!("00-{TRACE}-{PARENT}-01-extra"),
            format!("ff-{TRACE}-{PARENT}-01"),
            format!("00-{}-{PARENT}-01", TRACE.to_uppercase()),
            format!("00-{zeros_trace}-{PARENT}-01"),
            format!("00-{TRACE}-{zeros_span}-01"),
            format!("00-{TRACE}-{PARENT}-0g"),
            format!("00_{TRACE}_{PARENT}_01"),
            format!("0-{TRACE}-{PARENT}-001"),
            format!("00-{}-{PARENT}-01", &TRACE[1..]),
            format!("00-{TRACE}x-{PARENT}-01"),
            format!("00-{TRACE}-{PARENT}-é"),
        ] {
            assert_eq!(TraceParent::parse(&invalid), None, "{invalid:?}");
        }
    }

    #[test]
    fn new_ids_differ_and_are_never_zero() {
        let traces: std::collections::HashSet<_> = (0..1000).map(|_| new_trace_id()).collect();
        let spans: std::collections::HashSet<_> = (0..1000).map(|_| new_span_id()).collect();
        assert_eq!((traces.len(), spans.len()), (1000, 1000));
        assert!(!traces.contains(&[0; TRACE_ID_LEN]));
    }
}
