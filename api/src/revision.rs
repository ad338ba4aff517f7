//! Revisions: numbered points in the change history, each write transaction one more. A revision is what
//! a write answers with (`Company-Access-Revision`) and what a reader may ask to see at least
//! (`Company-Access-Consistency: at-least <revision>`).
//!
//! The revision an answer reflects is collected per request in a task-local, so the unit of work that
//! commits and the check that reads the cache can state it without every service returning it.

use openapi::consistency::MAX_REVISION_DIGITS;
use std::cell::Cell;

/// The response header every write and every check answer carries.
pub const REVISION_HEADER: &str = "company-access-revision";

tokio::task_local! {
    static ANSWERED_AT: Cell<Option<i64>>;
}

/// This request's answer reflects (at least) `revision`. Outside a request, nothing to record.
pub fn answered_at(revision: i64) {
    let _ = ANSWERED_AT.try_with(|cell| {
        cell.set(Some(cell.get().map_or(revision, |seen| seen.max(revision))));
    });
}

/// Runs a request's handling, returning the revision it answered at, if any.
pub async fn collect<F: Future>(handling: F) -> (F::Output, Option<i64>) {
    ANSWERED_AT
        .scope(Cell::new(None), async {
            let output = handling.await;
            (output, ANSWERED_AT.with(Cell::get))
        })
        .await
}

/// Reads a revision token as clients send it back: the decimal the server wrote, digits only, no
/// leading zero, at most [`MAX_REVISION_DIGITS`] of them (as the document's pattern says).
pub fn parse_token(token: &str) -> Option<i64> {
    let canonical = !token.is_empty()
        && token.len() <= MAX_REVISION_DIGITS
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    canonical.then(|| token.parse::<i64>().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_reports_the_highest_revision_it_touched() {
        let ((), revision) = collect(async {
            answered_at(4);
            answered_at(9);
            answered_at(7);
        })
        .await;
        assert_eq!(revision, Some(9));
        let ((), none) = collect(async {}).await;
        assert_eq!(none, None);
        answered_at(1);
    }

    #[test]
    fn tokens_are_non_negative_decimals() {
        assert_eq!(parse_token("42"), Some(42));
        assert_eq!(parse_token("0"), Some(0));
        for bad in ["", "-1", "r42", "4.2", "042", " 4", "9999999999999999999"] {
            assert_eq!(parse_token(bad), None, "{bad}");
        }
    }
}
