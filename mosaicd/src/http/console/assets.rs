//! The console's stylesheet, scripts and icon, embedded in the binary. They are served under
//! `/assets/<version>/<file>`, where the version is a hash of all of them: a page always names
//! the assets of the binary that rendered it, so they can be cached for a year
//! (`immutable`); a request for another version (a page from before an upgrade) gets today's
//! file, not cached.

use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use warp::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use warp::http::{Method, StatusCode};
use warp::reply::Response;
use warp::{Filter, Reply};

use super::{harden, not_found_page};
use crate::http::Endpoint;
use crate::http::extract::Params;

/// (file name, media type, content).
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "console.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../assets/console/console.css"),
    ),
    (
        "console.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../assets/console/console.js"),
    ),
    (
        "chat.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../assets/console/chat.js"),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_bytes!("../../../assets/console/icon.svg"),
    ),
];

fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut digest = Sha256::new();
        for (name, _, bytes) in FILES {
            digest.update(name.as_bytes());
            digest.update((bytes.len() as u64).to_le_bytes());
            digest.update(bytes);
        }
        hex::encode(&digest.finalize()[..6])
    })
}

/// Where this binary's assets are: `/assets/<version>`.
pub fn prefix() -> &'static str {
    static PREFIX: OnceLock<String> = OnceLock::new();
    PREFIX.get_or_init(|| format!("/assets/{}", version()))
}

pub fn pages() -> Vec<Endpoint> {
    vec![Endpoint::new(Method::GET, "/assets/{version}/{file}", |_, m| {
        m.map(|params: Params| serve(&params)).boxed()
    })]
}

fn serve(params: &Params) -> Response {
    let (asked_version, name) = (params.0[0].as_str(), params.0[1].as_str());
    let Some((_, media, bytes)) = FILES.iter().find(|(n, _, _)| *n == name) else {
        return not_found_page();
    };
    let mut response = warp::reply::with_status(*bytes, StatusCode::OK).into_response();
    let cache = if asked_version == version() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(media));
    h.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    harden(&mut response);
    response
}
