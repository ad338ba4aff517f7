//! Consistency: how fresh a reader wants its answer, and the revisions that name points in the change
//! history.

use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

/// The request header of checks and reads.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct ConsistencyHeader {
    /// How fresh the answer must be. `minimize-latency` (the default): from memory, exact for this
    /// instance's own writes and within the staleness bound for others'. `at-least <revision>`: includes
    /// the write that answered with that `Company-Access-Revision` and everything committed before it.
    /// `full`: from the database.
    #[param(
        rename = "Company-Access-Consistency",
        value_type = String,
        required = false,
        pattern = r"^(minimize-latency|full|at-least (0|[1-9][0-9]{0,17}))$",
        example = "at-least 42"
    )]
    pub consistency: Option<String>,
}

/// The most digits a revision token has: 18 fit in a 64-bit counter with room to spare.
pub const MAX_REVISION_DIGITS: usize = 18;
