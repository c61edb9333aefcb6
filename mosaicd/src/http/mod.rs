//! The HTTP API on warp.
//!
//! Every route is an [`Endpoint`]: a method, a path pattern (`/api/providers/{id}`) and a
//! function that builds its warp filter. [`endpoints`] lists them all, area by area; the same list
//! builds the router, labels metrics by route pattern, tells a 405 from a 404 and is checked
//! against the OpenAPI document by the tests. A request is dispatched by a table lookup
//! ([`RouteTable::find`]: exact paths by hash, patterns by their number of segments) to its
//! endpoint's own filter ([`Router`]); warp's filters are not tried one after another. Every error leaves through one
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
use std::collections::HashMap;
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

/// The routes by pattern: which endpoint a request goes to (a table lookup, not a trial of each
/// route in turn), its label for metrics and logs, and the 404/405 decision.
pub struct RouteTable {
    routes: Vec<(Method, Vec<Segment>, &'static str)>,
    /// Patterns without parameters, by their path (without the leading `/`): route indexes.
    exact: HashMap<&'static str, Vec<usize>>,
    /// Patterns with parameters, by their number of segments: route indexes.
    by_len: HashMap<usize, Vec<usize>>,
}

/// Where a request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// The pattern of the path, whatever the method; `unmatched` otherwise (a bounded label).
    pub label: &'static str,
    /// The endpoint for this method and path, by its index in the list the table was made from.
    pub endpoint: Option<usize>,
}

impl RouteTable {
    pub fn new(endpoints: &[Endpoint]) -> RouteTable {
        let routes: Vec<_> = endpoints
            .iter()
            .map(|e| (e.method.clone(), segments(e.pattern), e.pattern))
            .collect();
        let mut exact: HashMap<&'static str, Vec<usize>> = HashMap::new();
        let mut by_len: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, (_, segs, pattern)) in routes.iter().enumerate() {
            if segs.iter().all(|s| matches!(s, Segment::Literal(_))) {
                exact.entry(pattern.trim_start_matches('/')).or_default().push(i);
            } else {
                by_len.entry(segs.len()).or_default().push(i);
            }
        }
        RouteTable { routes, exact, by_len }
    }

    /// The routes whose pattern matches `path`, keeping only the most specific ones: for
    /// `/api/providers/test`, the literal route rather than `/api/providers/{id}`.
    fn matching(&self, path: &str) -> Vec<usize> {
        let trimmed = path.trim_start_matches('/');
        if let Some(found) = self.exact.get(trimmed) {
            return found.clone();
        }
        let len = trimmed.split('/').count();
        let literals = |i: &usize| {
            self.routes[*i]
                .1
                .iter()
                .filter(|s| matches!(s, Segment::Literal(_)))
                .count()
        };
        let all: Vec<usize> = self
            .by_len
            .get(&len)
            .into_iter()
            .flatten()
            .copied()
            .filter(|i| match_path(&self.routes[*i].1, path).is_some())
            .collect();
        let best = all.iter().map(literals).max().unwrap_or(0);
        all.into_iter().filter(|i| literals(i) == best).collect()
    }

    /// The endpoint for `method` on `path`, and the path's label.
    pub fn find(&self, method: &Method, path: &str) -> Found {
        let matching = self.matching(path);
        Found {
            label: matching.first().map_or("unmatched", |i| self.routes[*i].2),
            endpoint: matching.into_iter().find(|i| self.routes[*i].0 == *method),
        }
    }

    /// The answer for a request no endpoint took: 405 with `Allow` if the path exists for other
    /// methods, else 404.
    fn no_route(&self, method: &Method, path: &str) -> ApiError {
        let allow: Vec<Method> = self
            .matching(path)
            .into_iter()
            .map(|i| self.routes[i].0.clone())
            .collect();
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

/// Every endpoint's filter, each ending in `recover`, by its index in the route table, and the
/// 404/405 fallback for requests no endpoint takes. The server picks one per request from the
/// table ([`RouteTable::find`]), so a request runs its own route's filter only.
pub struct Router {
    endpoints: Vec<Handler>,
    fallback: Handler,
}

impl Router {
    pub fn new(app: Arc<App>, endpoints: &[Endpoint], table: Arc<RouteTable>) -> Router {
        let fallback = warp::method()
            .and(warp::path::full())
            .and(warp::header::headers_cloned())
            .and_then(move |method: Method, path: FullPath, headers: warp::http::HeaderMap| {
                let e = table.no_route(&method, path.as_str());
                // A browser that asks for a page that does not exist gets a page saying so.
                let page =
                    e.code() == mosaic_shared::ErrorCode::NoRoute && console::wants_html(path.as_str(), &headers);
                async move {
                    if page {
                        Ok(console::not_found_page())
                    } else {
                        Err::<Response, _>(warp::reject::custom(error::NoRoute(e)))
                    }
                }
            });
        let recovered = |filter: Handler| filter.recover(error::recover).unify().boxed();
        Router {
            endpoints: endpoints
                .iter()
                .map(|e| recovered((e.build)(app.clone(), matcher(e.method.clone(), e.pattern))))
                .collect(),
            fallback: recovered(fallback.boxed()),
        }
    }

    /// The filter for a request the table sent to `endpoint` (`None`: the fallback).
    pub fn handler(&self, endpoint: Option<usize>) -> &Handler {
        endpoint.and_then(|i| self.endpoints.get(i)).unwrap_or(&self.fallback)
    }
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
        assert_eq!(
            table.find(&Method::GET, "/api/providers/x").label,
            "/api/providers/{id}"
        );
        assert_eq!(
            table.find(&Method::GET, "/settings/providers/x").label,
            "/settings/providers/{id}"
        );
        assert_eq!(table.find(&Method::GET, "/nope").label, "unmatched");
        assert_eq!(
            table.find(&Method::GET, "/api/providers/test").label,
            "/api/providers/test"
        );
        let literal = table.no_route(&Method::GET, "/api/providers/test");
        assert_eq!(literal.allow, vec![Method::POST]);
        assert_eq!(
            table.no_route(&Method::PUT, "/api/providers/x").status(),
            warp::http::StatusCode::METHOD_NOT_ALLOWED
        );
        assert_eq!(table.no_route(&Method::GET, "/nope").status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn the_table_sends_each_route_to_its_own_endpoint() {
        let all = routes();
        let table = RouteTable::new(&all);
        for (i, e) in all.iter().enumerate() {
            let path = e.pattern.replace('{', "x-").replace('}', "");
            let found = table.find(&e.method, &path);
            assert_eq!(found.endpoint, Some(i), "{} {}", e.method, e.pattern);
            assert_eq!(found.label, e.pattern);
        }
        let chat = table.find(&Method::GET, "/api/chat/completions");
        assert_eq!((chat.label, chat.endpoint), ("/api/chat/completions", None));
        assert_eq!(table.find(&Method::GET, "/api/nope/x/y").endpoint, None);
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
