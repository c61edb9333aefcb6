//! The internal config endpoint, for agent containers only: served on its own listener on the
//! agent network's gateway address, never on the public API address.
//!
//! `GET /api/internal/agent-config/:containerType/:id` answers the generated `openclaw.json`;
//! `GET /api/internal/agent-config/:containerType/:id/soul` answers the personality as `SOUL.md`
//! (200 `text/markdown`) or 204 when there is none. The bearer token must be that container's
//! current gateway token: no or an unknown token is 401, another container's token is 403, an
//! unknown container is 404.

use std::convert::Infallible;
use std::sync::Arc;

use tokio::net::TcpListener;
use warp::http::StatusCode;
use warp::{Filter, Reply};

use super::error::{ApiError, recover};
use super::extract::with_app;
use crate::app::App;

pub async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    warp::serve(routes(app))
        .incoming(listener)
        .graceful(shutdown)
        .run()
        .await;
}

pub fn routes(app: Arc<App>) -> impl Filter<Extract = (impl Reply,), Error = Infallible> + Clone {
    let bearer = warp::header::optional::<String>("authorization");
    let config = warp::path!("api" / "internal" / "agent-config" / String / String)
        .and(warp::get())
        .and(bearer)
        .and(with_app(app.clone()))
        .then(
            |kind: String, id: String, auth: Option<String>, app: Arc<App>| async move {
                match app
                    .agents()
                    .internal_agent_config(&kind, &id, bearer_token(auth.as_deref()))
                    .await
                {
                    Ok(generated) => {
                        warp::reply::with_header(warp::reply::json(&generated.config), "cache-control", "no-store")
                            .into_response()
                    }
                    Err(e) => ApiError::from(e).response(),
                }
            },
        );
    let soul = warp::path!("api" / "internal" / "agent-config" / String / String / "soul")
        .and(warp::get())
        .and(bearer)
        .and(with_app(app))
        .then(
            |kind: String, id: String, auth: Option<String>, app: Arc<App>| async move {
                match app
                    .agents()
                    .internal_agent_config(&kind, &id, bearer_token(auth.as_deref()))
                    .await
                {
                    Ok(generated) => match generated.soul {
                        Some(soul) => warp::reply::with_header(
                            warp::reply::with_header(soul, "content-type", "text/markdown; charset=utf-8"),
                            "cache-control",
                            "no-store",
                        )
                        .into_response(),
                        None => StatusCode::NO_CONTENT.into_response(),
                    },
                    Err(e) => ApiError::from(e).response(),
                }
            },
        );
    soul.or(config).recover(recover)
}

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive).
fn bearer_token(header: Option<&str>) -> Option<&str> {
    let header = header?.trim();
    let (scheme, token) = header.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn reads_bearer_tokens() {
        assert_eq!(bearer_token(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer_token(Some("bearer  abc ")), Some("abc"));
        assert_eq!(bearer_token(Some("Basic abc")), None);
        assert_eq!(bearer_token(Some("Bearer ")), None);
        assert_eq!(bearer_token(None), None);
    }
}
