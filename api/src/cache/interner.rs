//! Company ids as small indexes: a cached user's grants are four bytes a company rather than sixteen,
//! which is most of the cache's memory.

use super::FastMap;
use uuid::Uuid;

/// Company ids seen in grants, each given a small index for as long as the cached users use it.
#[derive(Default)]
pub(super) struct Interner {
    pub index: FastMap<Uuid, u32>,
}

impl Interner {
    pub fn intern(&mut self, company: Uuid) -> u32 {
        let next = self.index.len() as u32;
        *self.index.entry(company).or_insert(next)
    }
}
