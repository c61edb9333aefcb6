//! The OpenAPI 3 document of this API, committed as `mosaicd/openapi.json` and served as is.
//! A test checks it against [`super::endpoints`] both ways.

use warp::Filter;
use warp::http::Method;
use warp::http::header::{CONTENT_TYPE, HeaderValue};
use warp::reply::Response;

use super::Endpoint;

pub const DOCUMENT: &str = include_str!("../../openapi.json");

pub fn endpoints() -> Vec<Endpoint> {
    vec![Endpoint::new(Method::GET, "/api/openapi.json", |_, m| {
        m.map(|_| {
            let mut response = Response::new(DOCUMENT.into());
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        })
        .boxed()
    })]
}
