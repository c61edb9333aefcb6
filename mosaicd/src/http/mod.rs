//! The HTTP API on warp.
//!
//! Every route is an [`Endpoint`]: a method, a path pattern (`/api/providers/{id}`) and a
//! function that builds its warp filter. [`endpoints`] lists them all, area by area; the same list
//! builds the router, labels metrics by route pattern, tells a 405 from a 404 and is checked
//! against the OpenAPI document by the tests. Every error leaves through one
//! [`error::recover`], in one JSON shape: `{"error":{"code":…,"message":…}}`.
//!
//! The web console's pages ([`console::pages`]) are served by the same router but are not API
//! routes: [`routes`] is both lists, [`endpoints`] the API alone (what the OpenAPI document
//! describes).

pub mod admin;
pub mod agent_config;
pub mod auth;
pub mod chat;
pub mod console;
pub mod containers;
pub mod cors;
pub mod egress_proxy;
pub mod error;
pub mod extract;
pub mod health;
pub mod internal;
pub mod oidc;
pub mod onboarding;
pub mod openapi;
pub mod providers;
pub mod proxy;
pub mod server;
pub mod usage;
pub mod users;

use mosaic_shared::ErrorCode;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::filters::path::FullPath;
use warp::http::Method;
use warp::reply::Response;

use crate::app::App;
use crate::error::{Error, Result};
use error::ApiError;
use extract::Params;

pub use server::serve;

/// Binds the API address now, so a busy port fails startup with a clear message.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| Error::io(format!("cannot listen on {addr}"), e))
}

/// A route's filter once its path and method matched: it yields the response or rejects.
pub type Handler = BoxedFilter<(Response,)>;
/// Builds a route's handler from the app and the filter that matched its path.
pub type Build = fn(Arc<App>, BoxedFilter<(Params,)>) -> Handler;

/// One route of the API.
#[derive(Clone)]
pub struct Endpoint {
    pub method: Method,
    pub pattern: &'static str,
    build: Build,
}

impl Endpoint {
    pub fn new(method: Method, pattern: &'static str, build: Build) -> Endpoint {
        Endpoint { method, pattern, build }
    }
}

/// Every route the daemon serves. Each area of the API adds its routes with one line here.
pub fn endpoints() -> Vec<Endpoint> {
    let mut all = Vec::new();
    all.extend(health::endpoints());
    all.extend(openapi::endpoints());
    all.extend(auth::endpoints());
    all.extend(users::endpoints());
    all.extend(providers::endpoints());
    all.extend(agent_config::endpoints());
    all.extend(admin::endpoints());
    all.extend(onboarding::endpoints());
    all.extend(oidc::endpoints());
    all.extend(containers::endpoints());
    all.extend(chat::endpoints());
    all.extend(usage::endpoints());
    all
}

/// Everything the server answers: the API's endpoints and the console's pages.
pub fn routes() -> Vec<Endpoint> {
    let mut all = endpoints();
    all.extend(console::pages());
    all
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(&'static str),
    Param,
}

fn segments(pattern: &'static str) -> Vec<Segment> {
    pattern
        .trim_start_matches('/')
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                Segment::Param
            } else {
                Segment::Literal(s)
            }
        })
        .collect()
}

/// Matches a request path against a pattern; returns the parameter values. Parameters are ids:
/// only unreserved URL characters, so nothing needs decoding.
fn match_path(pattern: &[Segment], path: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if parts.len() != pattern.len() {
        return None;
    }
    let mut params = Vec::new();
    for (segment, part) in pattern.iter().zip(parts) {
        match segment {
            Segment::Literal(lit) if *lit == part => {}
            Segment::Param
                if !part.is_empty()
                    && part.len() <= 128
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~')) =>
            {
                params.push(part.to_string())
            }
            _ => return None,
        }
    }
    Some(params)
}

/// The routes by pattern, for labelling and for the 404/405 decision.
pub struct RouteTable {
    routes: Vec<(Method, Vec<Segment>, &'static str)>,
}

impl RouteTable {
    pub fn new(endpoints: &[Endpoint]) -> RouteTable {
        RouteTable {
            routes: endpoints
                .iter()
                .map(|e| (e.method.clone(), segments(e.pattern), e.pattern))
                .collect(),
        }
    }

    /// The routes whose pattern matches `path`, keeping only the most specific ones: for
    /// `/api/providers/test`, the literal route rather than `/api/providers/{id}`.
    fn matching(&self, path: &str) -> Vec<&(Method, Vec<Segment>, &'static str)> {
        let literals = |segs: &[Segment]| segs.iter().filter(|s| matches!(s, Segment::Literal(_))).count();
        let all: Vec<_> = self
            .routes
            .iter()
            .filter(|(_, segs, _)| match_path(segs, path).is_some())
            .collect();
        let best = all.iter().map(|(_, segs, _)| literals(segs)).max().unwrap_or(0);
        all.into_iter().filter(|(_, segs, _)| literals(segs) == best).collect()
    }

    /// The pattern a path belongs to, whatever the method; `unmatched` otherwise (a bounded label).
    pub fn label(&self, path: &str) -> &'static str {
        self.matching(path)
            .first()
            .map(|(_, _, pattern)| *pattern)
            .unwrap_or("unmatched")
    }

    /// The answer for a request no endpoint took: 405 with `Allow` if the path exists for other
    /// methods, else 404.
    fn no_route(&self, method: &Method, path: &str) -> ApiError {
        let allow: Vec<Method> = self.matching(path).iter().map(|(m, _, _)| m.clone()).collect();
        if allow.is_empty() {
            ApiError::new(ErrorCode::NoRoute, format!("no such route: {path}"))
        } else {
            let mut e = ApiError::new(
                ErrorCode::MethodNotAllowed,
                format!("{method} is not allowed on {path}"),
            );
            e.allow = allow;
            e
        }
    }
}

fn matcher(method: Method, pattern: &'static str) -> BoxedFilter<(Params,)> {
    let segs = segments(pattern);
    warp::method()
        .and(warp::path::full())
        .and_then(move |m: Method, path: FullPath| {
            let found = if m == method {
                match_path(&segs, path.as_str())
            } else {
                None
            };
            async move { found.map(Params).ok_or_else(warp::reject::not_found) }
        })
        .boxed()
}

/// The whole API as one filter: every endpoint, then the 404/405 fallback, then `recover`.
pub fn router(app: Arc<App>, endpoints: &[Endpoint], table: Arc<RouteTable>) -> Handler {
    let fallback = warp::method()
        .and(warp::path::full())
        .and(warp::header::headers_cloned())
        .and_then(move |method: Method, path: FullPath, headers: warp::http::HeaderMap| {
            let e = table.no_route(&method, path.as_str());
            // A browser that asks for a page that does not exist gets a page saying so.
            let page = e.code() == mosaic_shared::ErrorCode::NoRoute && console::wants_html(path.as_str(), &headers);
            async move {
                if page {
                    Ok(console::not_found_page())
                } else {
                    Err::<Response, _>(warp::reject::custom(error::NoRoute(e)))
                }
            }
        })
        .boxed();
    let mut filter = fallback;
    for e in endpoints.iter().rev() {
        let handler = (e.build)(app.clone(), matcher(e.method.clone(), e.pattern));
        filter = handler.or(filter).unify().boxed();
    }
    filter.recover(error::recover).unify().boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_paths() {
        use warp::http::StatusCode;
        let p = segments("/api/providers/{id}");
        assert_eq!(match_path(&p, "/api/providers/abc-1"), Some(vec!["abc-1".to_string()]));
        assert_eq!(match_path(&p, "/api/providers"), None);
        assert_eq!(match_path(&p, "/api/providers/"), None);
        assert_eq!(match_path(&p, "/api/providers/a/b"), None);
        assert_eq!(match_path(&p, "/api/providers/a%2Fb"), None);
        let table = RouteTable::new(&routes());
        assert_eq!(table.label("/api/providers/x"), "/api/providers/{id}");
        assert_eq!(table.label("/settings/providers/x"), "/settings/providers/{id}");
        assert_eq!(table.label("/nope"), "unmatched");
        assert_eq!(table.label("/api/providers/test"), "/api/providers/test");
        let literal = table.no_route(&Method::GET, "/api/providers/test");
        assert_eq!(literal.allow, vec![Method::POST]);
        assert_eq!(
            table.no_route(&Method::PUT, "/api/providers/x").status(),
            warp::http::StatusCode::METHOD_NOT_ALLOWED
        );
        assert_eq!(table.no_route(&Method::GET, "/nope").status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn every_route_is_unique() {
        let all = routes();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert!(
                    !(a.method == b.method && segments(a.pattern) == segments(b.pattern)),
                    "{} {} twice",
                    a.method,
                    a.pattern
                );
            }
        }
    }
}
