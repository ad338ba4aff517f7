//! The page of a list a caller asks for: `limit` and `offset`, bounded once for every list.

use crate::error::AppError;

pub const DEFAULT_PAGE_SIZE: u64 = 50;
pub const MAX_PAGE_SIZE: u64 = 500;

/// A validated `limit`/`offset` pair.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: u64,
    pub offset: u64,
}

impl PageRequest {
    pub fn parse(limit: Option<u64>, offset: Option<u64>) -> Result<Self, AppError> {
        let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&limit) {
            return Err(AppError::bad_request(format!(
                "limit must be between 1 and {MAX_PAGE_SIZE} (got {limit})"
            )));
        }
        let offset = offset.unwrap_or(0);
        if offset > i64::MAX as u64 {
            return Err(AppError::bad_request("offset is too large"));
        }
        Ok(Self { limit, offset })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_request_bounds() {
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(501), None).is_err());
        let page = PageRequest::parse(None, Some(10)).ok();
        assert_eq!(page.map(|p| (p.limit, p.offset)), Some((50, 10)));
    }
}
