//! The one way `ls` commands page: `--page` and `--limit` ask for one page, as the HTTP API does;
//! `--all` follows the pages to the end. Lists are ordered oldest first, so a row added while
//! the pages are followed lands on a later page and no row is listed twice.

use std::future::Future;

use mosaic_shared::types::{Page, PageMeta};

use crate::cli::PageArgs;
use crate::error::CliResult;

/// The page size `--all` uses when no `--limit` is given: the most the daemon answers at once.
pub const ALL_PAGE_SIZE: i64 = 100;

/// The page `args` ask for, or with `--all` every page joined into one (`meta` then describes
/// that one page: every row, `totalPages` 1).
pub async fn fetch<T, F, Fut>(args: &PageArgs, mut page: F) -> CliResult<Page<T>>
where
    F: FnMut(Option<i64>, Option<i64>) -> Fut,
    Fut: Future<Output = CliResult<Page<T>>>,
{
    if !args.all {
        return page(args.page, args.limit).await;
    }
    let limit = args.limit.unwrap_or(ALL_PAGE_SIZE);
    let mut data = Vec::new();
    let mut number = 1;
    loop {
        let answer = page(Some(number), Some(limit)).await?;
        let last = answer.data.is_empty() || number as u64 >= answer.meta.total_pages;
        data.extend(answer.data);
        if last {
            break;
        }
        number += 1;
    }
    let total = data.len() as u64;
    Ok(Page {
        data,
        meta: PageMeta {
            total,
            page: 1,
            limit: total,
            total_pages: u64::from(total > 0),
        },
    })
}

/// The line under a table: where this page is in the list.
pub fn footer(meta: &PageMeta, noun: &str) -> String {
    format!(
        "Page {} of {} · {} {}{} · {} per page",
        meta.page,
        meta.total_pages,
        meta.total,
        noun,
        plural(meta.total),
        meta.limit
    )
}

/// What to say for a page past the end, if this is one.
pub fn past_the_end<T>(page: &Page<T>, noun: &str) -> Option<String> {
    let meta = page.meta;
    (page.data.is_empty() && meta.total > 0).then(|| {
        format!(
            "Page {} is past the end: {} {}{} fill {} page{} of {}.",
            meta.page,
            meta.total,
            noun,
            plural(meta.total),
            meta.total_pages,
            plural(meta.total_pages),
            meta.limit
        )
    })
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
