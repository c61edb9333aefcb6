//! Pagination, the one way every list is cut into pages (users, containers, per-user usage):
//! `page` counts from 1, `limit` from 1 and is capped at [`MAX_PAGE_SIZE`]; the answer is
//! `{data, meta: {total, page, limit, totalPages}}`. Lists are ordered oldest first by an indexed
//! key, so a row added while a client walks the pages lands on the last page and every row that
//! existed when the walk began is seen exactly once.

use mosaic_shared::types::{Page, PageMeta};

use crate::error::{Error, Result};

/// The page size when none is asked for (the console's users page shows 50).
pub const DEFAULT_PAGE_SIZE: i64 = 50;
/// Larger page sizes are capped to this, so no answer grows with the data.
pub const MAX_PAGE_SIZE: i64 = 100;

/// A checked page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: i64,
    /// After capping.
    pub limit: i64,
}

impl PageRequest {
    /// Checks a page request; absent values take the defaults (page 1, [`DEFAULT_PAGE_SIZE`]).
    pub fn new(page: Option<i64>, limit: Option<i64>) -> Result<PageRequest> {
        let page = page.unwrap_or(1);
        let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE);
        if page < 1 {
            return Err(Error::invalid("page must be a whole number of at least 1"));
        }
        if limit < 1 {
            return Err(Error::invalid("limit must be a whole number of at least 1"));
        }
        Ok(PageRequest {
            page,
            limit: limit.min(MAX_PAGE_SIZE),
        })
    }

    /// How many rows come before this page; `None` when the page lies past the end (or beyond
    /// any count), which is answered with no data and the same meta.
    pub fn offset(&self, total: i64) -> Option<i64> {
        (self.page - 1).checked_mul(self.limit).filter(|o| *o < total)
    }

    pub fn meta(&self, total: i64) -> PageMeta {
        let total = total.max(0) as u64;
        PageMeta {
            total,
            page: self.page as u64,
            limit: self.limit as u64,
            total_pages: total.div_ceil(self.limit as u64),
        }
    }

    /// The page of `total` rows whose rows `fetch(limit, offset)` reads; `fetch` is not called
    /// for a page past the end.
    pub async fn fetch<T, F, Fut>(&self, total: i64, fetch: F) -> Result<Page<T>>
    where
        F: FnOnce(i64, i64) -> Fut,
        Fut: std::future::Future<Output = Result<Vec<T>>>,
    {
        let data = match self.offset(total) {
            Some(offset) => fetch(self.limit, offset).await?,
            None => Vec::new(),
        };
        Ok(Page {
            data,
            meta: self.meta(total),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_caps_and_refusals() {
        assert_eq!(
            PageRequest::new(None, None).unwrap(),
            PageRequest { page: 1, limit: 50 }
        );
        assert_eq!(PageRequest::new(Some(3), Some(10_000)).unwrap().limit, MAX_PAGE_SIZE);
        assert!(PageRequest::new(Some(0), None).is_err());
        assert!(PageRequest::new(None, Some(0)).is_err());
        assert!(PageRequest::new(Some(-1), Some(-1)).is_err());
    }

    #[test]
    fn offsets_and_meta() {
        let r = PageRequest::new(Some(3), Some(10)).unwrap();
        assert_eq!(r.offset(25), Some(20));
        assert_eq!(r.offset(20), None);
        assert_eq!(r.meta(25).total_pages, 3);
        assert_eq!(r.meta(0).total_pages, 0);
        // A page so far out that its offset overflows is past the end, not a panic.
        assert_eq!(PageRequest::new(Some(i64::MAX), Some(100)).unwrap().offset(10), None);
    }
}
