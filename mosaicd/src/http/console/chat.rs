//! The chat page: the user's own agent, answered through `POST /api/chat/completions` by the
//! page's script (`chat.js`), which streams the answer as it arrives, shows the cold-start
//! heartbeats as "starting your agent…", and keeps conversations in the browser by session key.

use askama::Template;
use warp::http::{Method, StatusCode};
use warp::reply::Response;

use super::{AREA_CHAT, Layout, MAX_FORM, Req, html, page, user};
use crate::http::Endpoint;

pub fn pages() -> Vec<Endpoint> {
    vec![Endpoint::new(Method::GET, "/chat", |app, m| {
        page(app, m, MAX_FORM, show)
    })]
}

#[derive(Template)]
#[template(path = "console/chat.html")]
struct ChatPage {
    layout: Layout,
    user_id: String,
    /// The agents of the user's container, as `model` values; a picker shows when there are
    /// several.
    agents: Vec<String>,
}

async fn show(req: Req) -> Response {
    let p = try_page!(user(&req).await);
    // Whoever opens the chat is about to use their agent: it starts now, in the background.
    req.app.containers().warm(&p.user_id);
    let agents = crate::http::chat::models().data.into_iter().map(|m| m.id).collect();
    html(
        StatusCode::OK,
        &ChatPage {
            layout: Layout::user(&p, AREA_CHAT, "Chat"),
            user_id: p.user_id.clone(),
            agents,
        },
    )
}
