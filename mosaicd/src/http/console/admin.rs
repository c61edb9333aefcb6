//! Administration, for administrators only (anyone else logged in gets the access-denied page):
//! users, agent containers, system agents, OpenID Connect, the runtime settings and the usage
//! figures.

use askama::Template;
use mosaic_shared::Sensitive;
use mosaic_shared::types::{
    AdminUser, AgentRuntimePatch, AuthSource, ContainerState, ContainerStatus, Invitation, InviteRequest, OidcInput,
    OidcIssuerCheck, OidcProvisioning, OidcSettings, PageMeta, Provider, Role, SettingsPatch, SystemAgent,
    SystemAgentSpec, SystemSettings, UsageReport, UserPatch, UserStatus,
};
use warp::http::{Method, StatusCode};
use warp::reply::Response;

use super::{
    AREA_ADMIN, Failure, Layout, MAX_FORM, MAX_LARGE_FORM, Req, admin, admin_form, error_page, html, local_path, page,
    redirect,
};
use crate::auth::Principal;
use crate::http::Endpoint;
use crate::service::usage::UsageRange;
use crate::service::users::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::store::paging::PageRequest;
use crate::store::providers::Owner;

/// The administration area's sections, in the order of its navigation. A new admin page adds
/// its line here.
pub const SECTIONS: &[(&str, &str)] = &[
    ("/admin/users", "Users"),
    ("/admin/containers", "Containers"),
    ("/admin/system-agents", "System agents"),
    ("/admin/oidc", "Sign-in"),
    ("/admin/settings", "Runtime settings"),
    ("/admin/usage", "Usage"),
];

pub fn pages() -> Vec<Endpoint> {
    vec![
        Endpoint::new(Method::GET, "/admin", |app, m| {
            page(app, m, MAX_FORM, |req: Req| async move {
                let _ = try_page!(admin(&req).await);
                redirect("/admin/users")
            })
        }),
        Endpoint::new(Method::GET, "/admin/users", |app, m| page(app, m, MAX_FORM, list_users)),
        Endpoint::new(Method::POST, "/admin/users/invite", |app, m| {
            page(app, m, MAX_FORM, invite_user)
        }),
        Endpoint::new(Method::GET, "/admin/users/{id}", |app, m| {
            page(app, m, MAX_FORM, edit_user)
        }),
        Endpoint::new(Method::POST, "/admin/users/{id}", |app, m| {
            page(app, m, MAX_FORM, update_user)
        }),
        Endpoint::new(Method::GET, "/admin/users/{id}/deactivate", |app, m| {
            page(app, m, MAX_FORM, confirm_deactivate)
        }),
        Endpoint::new(Method::POST, "/admin/users/{id}/deactivate", |app, m| {
            page(app, m, MAX_FORM, deactivate_user)
        }),
        Endpoint::new(Method::POST, "/admin/users/{id}/reactivate", |app, m| {
            page(app, m, MAX_FORM, reactivate_user)
        }),
        Endpoint::new(Method::GET, "/admin/containers", |app, m| {
            page(app, m, MAX_FORM, list_containers)
        }),
        Endpoint::new(Method::POST, "/admin/containers/start", |app, m| {
            page(app, m, MAX_FORM, |req| container_action(req, Action::Start))
        }),
        Endpoint::new(Method::POST, "/admin/containers/stop", |app, m| {
            page(app, m, MAX_FORM, |req| container_action(req, Action::Stop))
        }),
        Endpoint::new(Method::POST, "/admin/containers/restart", |app, m| {
            page(app, m, MAX_FORM, |req| container_action(req, Action::Restart))
        }),
        Endpoint::new(Method::GET, "/admin/system-agents", |app, m| {
            page(app, m, MAX_FORM, list_system_agents)
        }),
        Endpoint::new(Method::POST, "/admin/system-agents", |app, m| {
            page(app, m, MAX_LARGE_FORM, add_system_agent)
        }),
        Endpoint::new(Method::POST, "/admin/system-agents/{name}/remove", |app, m| {
            page(app, m, MAX_FORM, remove_system_agent)
        }),
        Endpoint::new(Method::GET, "/admin/oidc", |app, m| page(app, m, MAX_FORM, show_oidc)),
        Endpoint::new(Method::POST, "/admin/oidc", |app, m| page(app, m, MAX_FORM, save_oidc)),
        Endpoint::new(Method::POST, "/admin/oidc/provisioning", |app, m| {
            page(app, m, MAX_FORM, save_provisioning)
        }),
        Endpoint::new(Method::GET, "/admin/usage", |app, m| page(app, m, MAX_FORM, show_usage)),
        Endpoint::new(Method::GET, "/admin/settings", |app, m| {
            page(app, m, MAX_FORM, show_settings)
        }),
        Endpoint::new(Method::POST, "/admin/settings", |app, m| {
            page(app, m, MAX_FORM, save_settings)
        }),
    ]
}

fn layout(p: &Principal, current: &str, title: &str) -> Layout {
    Layout::user(p, AREA_ADMIN, title).nav(SECTIONS, current)
}

/// An admin action's target back to the page it came from: a path of the same section only.
fn back_to(target: Option<&str>, section: &str) -> String {
    local_path(target)
        .filter(|t| t == section || t.starts_with(&format!("{section}?")))
        .unwrap_or_else(|| section.to_string())
}

/// Adds `done=` to a path that may already have a query.
fn with_done(path: &str, done: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}done={done}")
}

// ---- Users -------------------------------------------------------------------------------------

/// A row of the users table.
struct UserRow {
    user: AdminUser,
    /// The logged-in administrator's own row: no deactivate button.
    is_self: bool,
}

impl UserRow {
    fn login(&self) -> &str {
        self.user.email.as_deref().unwrap_or("breakglass")
    }

    fn status(&self) -> &'static str {
        match self.user.status {
            UserStatus::Active => "active",
            UserStatus::Invited => "invited",
            UserStatus::Deactivated => "deactivated",
        }
    }

    fn can_deactivate(&self) -> bool {
        !self.is_self && self.user.status != UserStatus::Deactivated
    }
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    layout: Layout,
    /// `None` when the list could not be read: the error shows, never the empty state.
    rows: Option<Vec<UserRow>>,
    pager: Pager,
    /// The list's own address (page and size), where actions send the browser back to.
    here: String,
    /// The same as a query parameter value.
    here_param: String,
    /// Its query (`page=2&limit=10`).
    here_query: String,
    limit: u64,
    /// Deactivated users are listed too (by default they are not: deactivating someone takes
    /// them off the list).
    show_all: bool,
    invitation: Option<Invitation>,
    /// The invite link, absolute.
    invite_link: String,
}

/// The users list's address for a page, a page size and whether deactivated users show.
fn users_url(page: i64, limit: i64, show_all: bool) -> String {
    let mut url = format!("/admin/users?page={page}");
    if limit != DEFAULT_PAGE_SIZE {
        url.push_str(&format!("&limit={limit}"));
    }
    if show_all {
        url.push_str("&show=all");
    }
    url
}

impl UsersPage {
    /// The same list with deactivated users shown or hidden.
    fn toggle_link(&self) -> String {
        users_url(1, self.limit as i64, !self.show_all)
    }
}

/// A page number or size from the query; anything that is not a number is the default (the
/// service judges the numbers, as it does for the API).
fn number(req: &Req, name: &str, default: i64) -> i64 {
    req.query_value(name)
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(default)
}

async fn users_page(req: &Req, p: &Principal, invitation: Option<Invitation>, error: Option<Failure>) -> Response {
    let page = number(req, "page", 1);
    let limit = number(req, "limit", DEFAULT_PAGE_SIZE).min(MAX_PAGE_SIZE);
    let show_all = req.query_value("show").as_deref() == Some("all");
    let here = users_url(page, limit, show_all);
    let mut layout = layout(p, "/admin/users", "Users").notice(req.notice());
    let mut status = error.as_ref().map(|e| e.status).unwrap_or(StatusCode::OK);
    layout = layout.error(error.map(|e| e.message));
    let (rows, meta) = match req.app.users().list_users(page, limit, show_all).await {
        Ok(list) => {
            // A page past the end (a deactivation shrank the list): the last page that has
            // users.
            let last = list.meta.total_pages.max(1);
            if list.meta.page > last && invitation.is_none() {
                let mut target = users_url(last as i64, limit, show_all);
                if let Some(done) = req.query_value("done").filter(|d| super::notice_text(d).is_some()) {
                    target = with_done(&target, &done);
                }
                return redirect(&target);
            }
            let rows = list
                .data
                .into_iter()
                .map(|user| UserRow {
                    is_self: user.id == p.user_id,
                    user,
                })
                .collect();
            (Some(rows), Some(list.meta))
        }
        Err(e) => {
            let e = Failure::from(e);
            status = e.status;
            layout.error = Some(format!("The users could not be loaded: {}", e.message));
            (None, None)
        }
    };
    let invite_link = invitation
        .as_ref()
        .map(|i| absolute(&req.app.config().http.public_url, i.invite_url.expose()))
        .unwrap_or_default();
    html(
        status,
        &UsersPage {
            layout,
            rows,
            pager: Pager::new(meta, |page| users_url(page as i64, limit, show_all)),
            here_param: super::urlencode(&here),
            here_query: here.split_once('?').map(|(_, q)| q.to_string()).unwrap_or_default(),
            here,
            limit: limit as u64,
            show_all,
            invitation,
            invite_link,
        },
    )
}

/// A link the service made relative (no WebUI origin configured) on this console's address.
fn absolute(public_url: &str, link: &str) -> String {
    if link.starts_with('/') {
        let origin = url::Url::parse(public_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        format!("{origin}{link}")
    } else {
        link.to_string()
    }
}

async fn list_users(req: Req) -> Response {
    let p = try_page!(admin(&req).await);
    users_page(&req, &p, None, None).await
}

async fn invite_user(req: Req) -> Response {
    let (p, form) = try_page!(admin_form(&req).await);
    let role = match form.get("role") {
        Some("admin") => Some(Role::Admin),
        _ => Some(Role::Member),
    };
    let request = InviteRequest {
        email: form.text("email"),
        name: form.get("name").map(str::to_string),
        role,
    };
    match req.app.users().invite_user(&p.actor(), request).await {
        Ok(invitation) => users_page(&req, &p, Some(invitation), None).await,
        Err(e) => users_page(&req, &p, None, Some(Failure::from(e))).await,
    }
}

#[derive(Template)]
#[template(path = "console/user_edit.html")]
struct UserEditPage {
    layout: Layout,
    user: AdminUser,
    is_self: bool,
    back: String,
}

impl UserEditPage {
    fn is_admin(&self) -> bool {
        self.user.role == Role::Admin
    }
}

async fn edit_user(req: Req) -> Response {
    let p = try_page!(admin(&req).await);
    let back = back_to(req.query_value("back").as_deref(), "/admin/users");
    match req.app.users().get_user(req.params.id()).await {
        Ok(user) => html(
            StatusCode::OK,
            &UserEditPage {
                layout: layout(&p, "/admin/users", &user.name).notice(req.notice()),
                is_self: user.id == p.user_id,
                user,
                back,
            },
        ),
        Err(e) => error_page(&Failure::from(e)),
    }
}

async fn update_user(req: Req) -> Response {
    let (p, form) = try_page!(admin_form(&req).await);
    let back = back_to(form.get("back"), "/admin/users");
    let patch = UserPatch {
        name: form.get("name").map(str::to_string),
        role: match form.get("role") {
            Some("admin") => Some(Role::Admin),
            Some("member") => Some(Role::Member),
            _ => None,
        },
    };
    match req.app.users().update_user(&p.actor(), req.params.id(), patch).await {
        Ok(_) => redirect(&with_done(&back, "saved")),
        Err(e) => {
            let e = Failure::from(e);
            match req.app.users().get_user(req.params.id()).await {
                Ok(user) => html(
                    e.status,
                    &UserEditPage {
                        layout: layout(&p, "/admin/users", &user.name).error(Some(e.message)),
                        is_self: user.id == p.user_id,
                        user,
                        back,
                    },
                ),
                Err(_) => error_page(&e),
            }
        }
    }
}

#[derive(Template)]
#[template(path = "console/user_deactivate.html")]
struct DeactivatePage {
    layout: Layout,
    user: AdminUser,
    is_self: bool,
    back: String,
}

async fn confirm_deactivate(req: Req) -> Response {
    let p = try_page!(admin(&req).await);
    let back = back_to(req.query_value("back").as_deref(), "/admin/users");
    match req.app.users().get_user(req.params.id()).await {
        Ok(user) => html(
            StatusCode::OK,
            &DeactivatePage {
                layout: layout(&p, "/admin/users", "Deactivate a user"),
                is_self: user.id == p.user_id,
                user,
                back,
            },
        ),
        Err(e) => error_page(&Failure::from(e)),
    }
}

async fn deactivate_user(req: Req) -> Response {
    let (p, form) = try_page!(admin_form(&req).await);
    let back = back_to(form.get("back"), "/admin/users");
    match req.app.users().deactivate_user(&p.actor(), req.params.id()).await {
        // The list page falls back to its last page if this one is now past the end.
        Ok(_) => redirect(&with_done(&back, "deactivated")),
        Err(e) => error_page(&Failure::from(e)),
    }
}

async fn reactivate_user(req: Req) -> Response {
    let (p, form) = try_page!(admin_form(&req).await);
    let back = back_to(form.get("back"), "/admin/users");
    match req.app.users().reactivate_user(&p.actor(), req.params.id()).await {
        Ok(_) => redirect(&with_done(&back, "reactivated")),
        Err(e) => error_page(&Failure::from(e)),
    }
}

// ---- Containers --------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/containers.html")]
struct ContainersPage {
    layout: Layout,
    containers: Option<Vec<ContainerRow>>,
    pager: Pager,
}

/// A container's status with its durations written for people.
struct ContainerRow {
    status: ContainerStatus,
    uptime: String,
    idle: String,
}

/// A duration for people: `3 h 5 min`, `42 s`.
pub fn duration(seconds: &Option<u64>) -> String {
    let Some(s) = *seconds else {
        return "–".into();
    };
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86400 => format!("{} h {} min", s / 3600, (s % 3600) / 60),
        _ => format!("{} d {} h", s / 86400, (s % 86400) / 3600),
    }
}

async fn list_containers(req: Req) -> Response {
    let p = try_page!(admin(&req).await);
    containers_page(&req, &p, None).await
}

async fn containers_page(req: &Req, p: &Principal, error: Option<Failure>) -> Response {
    let mut layout = layout(p, "/admin/containers", "Containers").notice(req.notice());
    let mut status = error.as_ref().map(|e| e.status).unwrap_or(StatusCode::OK);
    layout = layout.error(error.map(|e| e.message));
    let listed = match PageRequest::new(Some(number(req, "page", 1)), None) {
        Ok(request) => req.app.agents().containers_list(request).await,
        Err(e) => Err(e),
    };
    let (containers, meta) = match listed {
        Ok(list) => (
            Some(
                list.data
                    .into_iter()
                    .map(|status| ContainerRow {
                        uptime: duration(&status.uptime_seconds),
                        idle: duration(&status.idle_seconds),
                        status,
                    })
                    .collect(),
            ),
            Some(list.meta),
        ),
        Err(e) => {
            let e = Failure::from(e);
            status = e.status;
            layout.error = Some(format!("The containers could not be listed: {}", e.message));
            (None, None)
        }
    };
    html(
        status,
        &ContainersPage {
            layout,
            containers,
            pager: Pager::new(meta, |page| format!("/admin/containers?page={page}")),
        },
    )
}

#[derive(Clone, Copy)]
enum Action {
    Start,
    Stop,
    Restart,
}

async fn container_action(req: Req, action: Action) -> Response {
    let (p, form) = try_page!(admin_form(&req).await);
    let target = form.text("target");
    let actor = p.actor();
    let agents = req.app.agents();
    let done = match action {
        Action::Start => agents.container_start(&actor, &target).await.map(|_| "started"),
        Action::Stop => agents.container_stop(&actor, &target).await.map(|_| "stopped"),
        Action::Restart => agents.container_restart(&actor, &target).await.map(|_| "restarted"),
    };
    let back = back_to(form.get("back"), "/admin/containers");
    match done {
        Ok(done) => redirect(&with_done(&back, done)),
        Err(e) => {
            if back.starts_with("/admin/system-agents") {
                system_agents_page(&req, &p, Some(Failure::from(e)), None).await
            } else {
                containers_page(&req, &p, Some(Failure::from(e))).await
            }
        }
    }
}

// ---- System agents -----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/system_agents.html")]
struct SystemAgentsPage {
    layout: Layout,
    agents: Option<Vec<SystemAgent>>,
    providers: Vec<Provider>,
    /// The add form's values after a refusal.
    draft: SystemAgentSpec,
}

fn blank_agent() -> SystemAgentSpec {
    SystemAgentSpec {
        name: String::new(),
        role: String::new(),
        primary_model: String::new(),
        provider: None,
        personality: None,
    }
}

async fn system_agents_page(
    req: &Req,
    p: &Principal,
    error: Option<Failure>,
    draft: Option<SystemAgentSpec>,
) -> Response {
    let mut layout = layout(p, "/admin/system-agents", "System agents").notice(req.notice());
    let mut status = error.as_ref().map(|e| e.status).unwrap_or(StatusCode::OK);
    layout = layout.error(error.map(|e| e.message));
    let agents = match req.app.agents().system_agents_list().await {
        Ok(list) => Some(list),
        Err(e) => {
            let e = Failure::from(e);
            status = e.status;
            layout.error = Some(format!("The system agents could not be listed: {}", e.message));
            None
        }
    };
    let providers = req
        .app
        .providers()
        .list_providers(&Owner::System)
        .await
        .unwrap_or_default();
    html(
        status,
        &SystemAgentsPage {
            layout,
            agents,
            providers,
            draft: draft.unwrap_or_else(blank_agent),
        },
    )
}

async fn list_system_agents(req: Req) -> Response {
    let p = try_page!(admin(&req).await);
    system_agents_page(&req, &p, None, None).await
}

async fn add_system_agent(req: Req) -> Response {
    let (p, form) = try_page!(admin_form(&req).await);
    let spec = form.system_agent();
    match req.app.agents().system_agent_add(&p.actor(), &spec).await {
        Ok(_) => redirect("/admin/system-agents?done=created"),
        Err(e) => system_agents_page(&req, &p, Some(Failure::from(e)), Some(spec)).await,
    }
}

async fn remove_system_agent(req: Req) -> Response {
    let (p, _) = try_page!(admin_form(&req).await);
    match req.app.agents().system_agent_remove(&p.actor(), req.params.id()).await {
        Ok(()) => redirect("/admin/system-agents?done=removed"),
        Err(e) => system_agents_page(&req, &p, Some(Failure::from(e)), None).await,
    }
}

// ---- OpenID Connect ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/oidc.html")]
struct OidcPage {
    layout: Layout,
    settings: OidcSettings,
    issuer_url: String,
    client_id: String,
    check: Option<OidcIssuerCheck>,
    admin_emails: String,
}

async fn oidc_page(
    req: &Req,
    p: &Principal,
    form: Option<(String, String)>,
    check: Option<OidcIssuerCheck>,
    error: Option<Failure>,
) -> Response {
    let settings = match req.app.oidc().oidc_settings().await {
        Ok(settings) => settings,
        Err(e) => return error_page(&Failure::from(e)),
    };
    let status = error.as_ref().map(|e| e.status).unwrap_or(StatusCode::OK);
    let (issuer_url, client_id) = form.unwrap_or_else(|| {
        (
            settings.issuer_url.clone().unwrap_or_default(),
            settings.client_id.clone().unwrap_or_default(),
        )
    });
    html(
        status,
        &OidcPage {
            layout: layout(p, "/admin/oidc", "Sign-in")
                .notice(req.notice())
                .error(error.map(|e| e.message)),
            admin_emails: settings.provisioning.admin_emails.join("\n"),
            settings,
            issuer_url,
            client_id,
            check,
        },
    )
}

async fn show_oidc(req: Req) -> Response {
    let p = try_page!(admin(&req).await);
    oidc_page(&req, &p, None, None, None).await
}

/// One form, three buttons: check the issuer, save (checked first), or remove the settings.
async fn save_oidc(req: Req) -> Response {
    let (p, form) = try_page!(admin_form(&req).await);
    let posted = (form.text("issuer_url"), form.text("client_id"));
    match form.get("action") {
        Some("clear") => match req.app.oidc().clear_oidc_settings(&p.actor()).await {
            Ok(()) => redirect("/admin/oidc?done=cleared"),
            Err(e) => oidc_page(&req, &p, None, None, Some(Failure::from(e))).await,
        },
        Some("check") => match req.app.oidc().check_oidc_issuer(&posted.0).await {
            Ok(check) => oidc_page(&req, &p, Some(posted), Some(check), None).await,
            Err(e) => oidc_page(&req, &p, Some(posted), None, Some(Failure::from(e))).await,
        },
        _ => {
            let input = OidcInput {
                issuer_url: posted.0.clone(),
                client_id: posted.1.clone(),
                client_secret: form.get("client_secret").map(Sensitive::new),
            };
            match req.app.oidc().set_oidc_settings(&p.actor(), input).await {
                Ok(_) => redirect("/admin/oidc?done=saved"),
                Err(e) => oidc_page(&req, &p, Some(posted), None, Some(Failure::from(e))).await,
            }
        }
    }
}

async fn save_provisioning(req: Req) -> Response {
    let (p, form) = try_page!(admin_form(&req).await);
    let input = OidcProvisioning {
        admin_emails: form.list("admin_emails"),
        admin_claim: form.get("admin_claim").map(str::to_string),
        admin_claim_value: form.get("admin_claim_value").map(str::to_string),
    };
    match req.app.oidc().set_oidc_provisioning(&p.actor(), input).await {
        Ok(_) => redirect("/admin/oidc?done=saved"),
        Err(e) => oidc_page(&req, &p, None, None, Some(Failure::from(e))).await,
    }
}

// ---- Runtime settings --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/settings.html")]
struct SettingsPage {
    layout: Layout,
    origins_text: String,
    /// `agentAllowedRanges`, one per line.
    ranges_text: String,
    settings: SystemSettings,
}

async fn settings_page(req: &Req, p: &Principal, error: Option<Failure>) -> Response {
    let settings = match req.app.settings().system_settings().await {
        Ok(settings) => settings,
        Err(e) => return error_page(&Failure::from(e)),
    };
    let status = error.as_ref().map(|e| e.status).unwrap_or(StatusCode::OK);
    html(
        status,
        &SettingsPage {
            layout: layout(p, "/admin/settings", "Runtime settings")
                .notice(req.notice())
                .error(error.map(|e| e.message)),
            origins_text: settings.webui_origins.join("\n"),
            ranges_text: settings.agent_allowed_ranges.join("\n"),
            settings,
        },
    )
}

async fn show_settings(req: Req) -> Response {
    let p = try_page!(admin(&req).await);
    settings_page(&req, &p, None).await
}

/// A whole number field of the form (absent: unchanged).
fn whole(form: &super::Form, name: &str, label: &str) -> Result<Option<i64>, Failure> {
    form.get(name)
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| Failure::invalid(format!("{label} must be a whole number")))
        })
        .transpose()
}

/// Saves what the form changed. Only changed values are sent on: setting the image again would
/// run its checks again (a pull or a trial start) for nothing.
async fn save_settings(req: Req) -> Response {
    let (p, form) = try_page!(admin_form(&req).await);
    let current = match req.app.settings().system_settings().await {
        Ok(current) => current,
        Err(e) => return error_page(&Failure::from(e)),
    };
    let patch = match settings_patch(&form, &current) {
        Ok(patch) => patch,
        Err(e) => return settings_page(&req, &p, Some(e)).await,
    };
    match req.app.settings().update_system_settings(&p.actor(), patch).await {
        Ok(_) => redirect("/admin/settings?done=saved"),
        Err(e) => settings_page(&req, &p, Some(Failure::from(e))).await,
    }
}

fn settings_patch(form: &super::Form, current: &SystemSettings) -> Result<SettingsPatch, Failure> {
    fn changed<T: PartialEq>(new: Option<T>, old: T) -> Option<T> {
        new.filter(|v| *v != old)
    }
    let now = &current.agent;
    let cpus = form
        .get("cpus")
        .map(|v| {
            v.parse::<f64>()
                .map_err(|_| Failure::invalid("The CPU limit must be a number"))
        })
        .transpose()?;
    let agent = AgentRuntimePatch {
        image: changed(form.get("image").map(str::to_string), now.image.clone()),
        entrypoint: changed(form.get("entrypoint").map(str::to_string), now.entrypoint.clone()),
        idle_timeout_min: changed(
            whole(form, "idle_timeout_min", "The idle timeout")?,
            now.idle_timeout_min as i64,
        ),
        start_timeout_sec: changed(
            whole(form, "start_timeout_sec", "The start timeout")?,
            now.start_timeout_sec as i64,
        ),
        stop_timeout_sec: changed(
            whole(form, "stop_timeout_sec", "The stop timeout")?,
            now.stop_timeout_sec as i64,
        ),
        memory_mb: changed(whole(form, "memory_mb", "The memory limit")?, now.memory_mb as i64),
        cpus: cpus.filter(|c| (c - now.cpus).abs() > f64::EPSILON),
        pids_limit: changed(whole(form, "pids_limit", "The process limit")?, now.pids_limit as i64),
    };
    Ok(SettingsPatch {
        webui_origins: changed(Some(form.list("webui_origins")), current.webui_origins.clone()),
        allow_private_provider_urls: changed(
            Some(form.checked("allow_private_provider_urls")),
            current.allow_private_provider_urls,
        ),
        agent_allowed_ranges: changed(
            Some(form.list("agent_allowed_ranges")),
            current.agent_allowed_ranges.clone(),
        ),
        agent: (agent != AgentRuntimePatch::default()).then_some(agent),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_links_stay_in_their_section() {
        assert_eq!(
            back_to(Some("/admin/users?page=3"), "/admin/users"),
            "/admin/users?page=3"
        );
        assert_eq!(back_to(Some("/admin/usersx"), "/admin/users"), "/admin/users");
        assert_eq!(back_to(Some("//evil"), "/admin/users"), "/admin/users");
        assert_eq!(back_to(None, "/admin/containers"), "/admin/containers");
        assert_eq!(
            with_done("/admin/users?page=2", "saved"),
            "/admin/users?page=2&done=saved"
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(&Some(42)), "42 s");
        assert_eq!(duration(&Some(3 * 3600 + 5 * 60)), "3 h 5 min");
        assert_eq!(duration(&None), "–");
    }
}

/// A list page's position and the links to its neighbours (`console/pager.html`).
struct Pager {
    page: u64,
    total_pages: u64,
    previous: Option<String>,
    next: Option<String>,
}

impl Pager {
    /// `meta` is `None` when the list could not be read: one page, no links.
    fn new(meta: Option<PageMeta>, link: impl Fn(u64) -> String) -> Pager {
        let (page, total_pages) = meta.map(|m| (m.page, m.total_pages)).unwrap_or((1, 1));
        Pager {
            page,
            total_pages,
            previous: (page > 1).then(|| link(page - 1)),
            next: (page < total_pages).then(|| link(page + 1)),
        }
    }
}

#[derive(Template)]
#[template(path = "console/usage.html")]
struct UsagePage {
    layout: Layout,
    /// The range as asked (empty: the default, the last 30 days).
    from: String,
    to: String,
    /// `None` when the figures could not be read: the error shows instead.
    report: Option<UsageReport>,
    pager: Pager,
}

/// The usage page's address for another page of the same range.
fn usage_url(from: &str, to: &str, page: u64) -> String {
    let query =
        serde_urlencoded::to_string([("from", from), ("to", to), ("page", &page.to_string())]).unwrap_or_default();
    format!("/admin/usage?{query}")
}

/// Usage figures over a range of days (the last 30 by default): totals and a page of users.
async fn show_usage(req: Req) -> Response {
    let p = try_page!(admin(&req).await);
    let mut layout = layout(&p, "/admin/usage", "Usage");
    let from = req.query_value("from").filter(|v| !v.is_empty());
    let to = req.query_value("to").filter(|v| !v.is_empty());
    let range = UsageRange {
        from: from.as_deref(),
        to: to.as_deref(),
        user: None,
    };
    let mut status = StatusCode::OK;
    let report = match req
        .app
        .usage()
        .usage_report(range, number(&req, "page", 1), DEFAULT_PAGE_SIZE)
        .await
    {
        Ok(report) => Some(report),
        Err(e) => {
            let e = Failure::from(e);
            status = e.status;
            layout.error = Some(format!("The usage figures could not be read: {}", e.message));
            None
        }
    };
    let (from, to) = (from.unwrap_or_default(), to.unwrap_or_default());
    let pager = Pager::new(report.as_ref().map(|r| r.meta), |page| usage_url(&from, &to, page));
    let page = UsagePage {
        layout,
        from,
        to,
        report,
        pager,
    };
    html(status, &page)
}
