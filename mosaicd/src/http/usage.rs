//! Usage figures over HTTP: `GET /api/admin/usage` (every user's, or one user's with `user=`) for
//! admins and `GET /api/usage` (the caller's own), both with `from`, `to` (`YYYY-MM-DD`, UTC),
//! `page` and `limit`, in one shape.

use std::sync::Arc;

use warp::http::Method;
use warp::reply::Response;
use warp::{Filter, Rejection};

use super::Endpoint;
use super::error::{ApiError, reject};
use super::extract::{PageParams, Params, admin, ok, query, query_pairs, user, with_app};
use crate::app::App;
use crate::auth::Principal;
use crate::service::usage::UsageRange;
use crate::service::users::DEFAULT_PAGE_SIZE;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint::new(Method::GET, "/api/admin/usage", |app, m| {
            m.and(with_app(app.clone()))
                .and(admin(app))
                .and(query())
                .and_then(all_users)
                .boxed()
        }),
        Endpoint::new(Method::GET, "/api/usage", |app, m| {
            m.and(with_app(app.clone()))
                .and(user(app))
                .and(query())
                .and_then(own)
                .boxed()
        }),
    ]
}

/// The query: from, to, page, limit, and (admins only) user.
struct Query {
    from: Option<String>,
    to: Option<String>,
    user: Option<String>,
    page: i64,
    limit: i64,
}

fn parse(raw: &str, allowed: &[&str]) -> Result<Query, ApiError> {
    let mut q = Query {
        from: None,
        to: None,
        user: None,
        page: 1,
        limit: DEFAULT_PAGE_SIZE,
    };
    let mut paging = PageParams::default();
    for (name, value) in query_pairs(raw, allowed)? {
        if paging.take(&name, &value)? {
            continue;
        }
        match name.as_str() {
            "from" => q.from = Some(value),
            "to" => q.to = Some(value),
            _ => q.user = Some(value),
        }
    }
    q.page = paging.page.unwrap_or(q.page);
    q.limit = paging.limit.unwrap_or(q.limit);
    Ok(q)
}

async fn all_users(_: Params, app: Arc<App>, _: Principal, raw: String) -> Result<Response, Rejection> {
    let q = parse(&raw, &["from", "to", "user", "page", "limit"]).map_err(reject)?;
    if let Some(id) = &q.user {
        // An unknown user is a 404, not an empty report that looks like an idle one.
        app.users().get_user(id).await.map_err(reject)?;
    }
    let range = UsageRange {
        from: q.from.as_deref(),
        to: q.to.as_deref(),
        user: q.user.as_deref(),
    };
    Ok(ok(&app
        .usage()
        .usage_report(range, q.page, q.limit)
        .await
        .map_err(reject)?))
}

async fn own(_: Params, app: Arc<App>, p: Principal, raw: String) -> Result<Response, Rejection> {
    let q = parse(&raw, &["from", "to", "page", "limit"]).map_err(reject)?;
    let range = UsageRange {
        from: q.from.as_deref(),
        to: q.to.as_deref(),
        user: Some(&p.user_id),
    };
    Ok(ok(&app
        .usage()
        .usage_report(range, q.page, q.limit)
        .await
        .map_err(reject)?))
}
