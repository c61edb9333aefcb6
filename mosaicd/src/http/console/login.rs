//! The start page, login (breakglass or invited users by password, and OpenID Connect when it is
//! configured), logout, and accepting an invite (`/accept-invite#token=…`, the link an invite
//! answers with).

use askama::Template;
use warp::http::header::{HOST, ORIGIN};
use warp::http::{Method, StatusCode};
use warp::reply::Response;

use super::{
    Failure, Form, Guard, Layout, MAX_FORM, Req, error_page, html, local_path, page, parse_form, redirect, refuse,
    user_form, visitor, with_cookie,
};
use crate::http::Endpoint;
use crate::http::extract::{cookie_name, session_cookie, set_cookie};

pub fn pages() -> Vec<Endpoint> {
    vec![
        Endpoint::new(Method::GET, "/", |app, m| page(app, m, MAX_FORM, start)),
        Endpoint::new(Method::GET, "/login", |app, m| page(app, m, MAX_FORM, show_login)),
        Endpoint::new(Method::POST, "/login", |app, m| page(app, m, MAX_FORM, login)),
        Endpoint::new(Method::POST, "/logout", |app, m| page(app, m, MAX_FORM, logout)),
        Endpoint::new(Method::GET, "/accept-invite", |app, m| {
            page(app, m, MAX_FORM, show_accept_invite)
        }),
        Endpoint::new(Method::POST, "/accept-invite", |app, m| {
            page(app, m, MAX_FORM, accept_invite)
        }),
    ]
}

/// `/`: onboarding until it is complete, then the chat for a logged-in user, else the login.
async fn start(req: Req) -> Response {
    match req.app.onboarding().onboarding_complete().await {
        Ok(false) => return redirect("/onboarding"),
        Ok(true) => {}
        Err(e) => return error_page(&Failure::from(e)),
    }
    if visitor(&req).await.is_some() {
        redirect("/chat")
    } else {
        redirect("/login")
    }
}

/// A form posted to a page that needs no session yet (login, invite, onboarding) must come from
/// this console: a browser sends `Origin` with every POST, and it must name this host. This
/// stops another site from logging a visitor into an account of its choosing.
pub fn same_origin(req: &Req) -> Guard<()> {
    let Some(origin) = req.headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = req.headers.get(HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or_default();
    if !host.is_empty() && origin_host.eq_ignore_ascii_case(host) {
        return Ok(());
    }
    refuse(error_page(&Failure::new(
        StatusCode::FORBIDDEN,
        "this form was sent from another site; open this console's own page and try again",
    )))
}

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    layout: Layout,
    username: String,
    next: String,
    /// "Sign in with <issuer>" when OpenID Connect is configured: the issuer's host.
    oidc_issuer: Option<String>,
    oidc_url: String,
}

async fn login_page(req: &Req, status: StatusCode, username: &str, error: Option<String>) -> Response {
    let next = local_path(req.query_value("next").as_deref()).unwrap_or_else(|| "/chat".into());
    let oidc_issuer = match req.app.oidc().oidc_settings().await {
        Ok(s) if s.configured => s
            .issuer_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| u.host_str().map(str::to_string)),
        _ => None,
    };
    // OpenID Connect sends the browser back to this console, on mosaicd's public URL.
    let own = url::Url::parse(&req.app.config().http.public_url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let oidc_url = format!(
        "/api/auth/oidc/login?returnTo={}",
        super::urlencode(&format!("{own}{next}"))
    );
    html(
        status,
        &LoginPage {
            layout: Layout::public("Log in").notice(req.notice()).error(error),
            username: username.to_string(),
            next,
            oidc_issuer,
            oidc_url,
        },
    )
}

async fn show_login(req: Req) -> Response {
    if visitor(&req).await.is_some() {
        return redirect(&local_path(req.query_value("next").as_deref()).unwrap_or_else(|| "/chat".into()));
    }
    let username = req.query_value("user").unwrap_or_default();
    login_page(&req, StatusCode::OK, &username, None).await
}

async fn login(req: Req) -> Response {
    try_page!(same_origin(&req));
    let form: Form = try_page!(parse_form(&req));
    let username = form.text("username");
    let password = form.raw("password").unwrap_or_default();
    let session = match req.app.auth().login(&username, password, req.client).await {
        Ok(session) => session,
        Err(e) => {
            let e = Failure::from(e);
            let page = login_page(&req, e.status, &username, Some(e.message.clone())).await;
            return e.decorate(page);
        }
    };
    let http = &req.app.config().http;
    // A login from a browser that still holds a session replaces it.
    if let Some(old) = session_cookie(&req.headers, cookie_name(http))
        && let Err(e) = req.app.auth().end_session_by_token(&old).await
    {
        tracing::warn!(error = %e, "cannot end the previous session");
    }
    let next = local_path(form.get("next")).unwrap_or_else(|| "/chat".into());
    with_cookie(redirect(&next), set_cookie(http, Some(session.token.expose())))
}

async fn logout(req: Req) -> Response {
    let clear = set_cookie(&req.app.config().http, None);
    if session_cookie(&req.headers, cookie_name(&req.app.config().http)).is_none() {
        return with_cookie(redirect("/login"), clear);
    }
    let (p, _) = try_page!(user_form(&req).await);
    if let Err(e) = req.app.auth().end_session(&p).await {
        return error_page(&Failure::from(e));
    }
    with_cookie(redirect("/login?done=logged-out"), clear)
}

#[derive(Template)]
#[template(path = "console/accept_invite.html")]
struct AcceptInvitePage {
    layout: Layout,
    name: String,
}

async fn show_accept_invite(_: Req) -> Response {
    html(
        StatusCode::OK,
        &AcceptInvitePage {
            layout: Layout::public("Accept your invitation"),
            name: String::new(),
        },
    )
}

async fn accept_invite(req: Req) -> Response {
    try_page!(same_origin(&req));
    let form = try_page!(parse_form(&req));
    let again = |status: StatusCode, message: String| {
        html(
            status,
            &AcceptInvitePage {
                layout: Layout::public("Accept your invitation").error(Some(message)),
                name: form.text("name"),
            },
        )
    };
    let password = form.raw("password").unwrap_or_default();
    if password != form.raw("confirm").unwrap_or_default() {
        return again(StatusCode::BAD_REQUEST, "The two passwords differ.".into());
    }
    let token = form.text("token");
    match req
        .app
        .auth()
        .accept_invite(&token, password, form.get("name"), req.client)
        .await
    {
        Ok(user) => {
            let email = user.email.unwrap_or_default();
            redirect(&format!("/login?done=accepted&user={}", super::urlencode(&email)))
        }
        Err(e) => {
            let e = Failure::from(e);
            e.decorate(again(e.status, e.message.clone()))
        }
    }
}
