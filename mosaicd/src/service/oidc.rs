//! OpenID Connect: checking an issuer, and logging users in with the authorization code flow.
//!
//! - The flow uses PKCE (S256), `state` and `nonce`. The browser gets a random flow cookie; the
//!   state, nonce and PKCE verifier are derived from it (SHA-256 with distinct labels), and the
//!   database keeps only the cookie's hash, the issuer, the client id, where to return and an
//!   expiry. The callback takes that row (deletes it), so a flow finishes once, within
//!   [`FLOW_TTL_MS`], in the browser that started it.
//! - The ID token's signature (keys from the issuer's JWKS, asymmetric algorithms only), issuer,
//!   audience (this client alone, or with audiences it trusts: none), expiry (with the configured
//!   clock skew) and nonce are checked.
//! - Accounts: an identity (issuer, subject) already linked logs into its account. Otherwise the
//!   ID token must carry a verified email: it links to the invited (local) account of that email,
//!   or a new member account is created; it is made an administrator when the email is on the
//!   admin list or the configured claim says so (checked at every login, promoting only). A
//!   breakglass account is never linked. A deactivated account is refused.
//! - Every request to the identity provider (discovery, JWKS, token) goes through the egress
//!   policy with private networks allowed (an administrator chose the issuer, and identity
//!   providers often live on internal networks), so link-local and metadata addresses are never
//!   reached; https is required except on a loopback host; redirects are not followed.
//! - None of this is on the password login's path: a broken or unreachable issuer only fails
//!   OIDC logins.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use futures::StreamExt;
use mosaic_shared::Sensitive;
use mosaic_shared::policy;
use mosaic_shared::types::{OidcIssuerCheck, OidcProvisioning, Role};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::http;
use openidconnect::{
    AsyncHttpClient, AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest, HttpResponse, IssuerUrl, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::auth::tokens::{self, constant_time_eq};
use crate::error::{Error, Result, root_cause};
use crate::service::auth::NewSession;
use crate::service::egress;
use crate::service::settings::{OIDC_CLIENT_ID, OIDC_ISSUER_URL};
use crate::store::audit::Actor;
use crate::store::{audit, invites, now_ms, oidc_login, system_config, users};
use mosaic_shared::ErrorCode;

pub const OIDC_ADMIN_EMAILS: &str = "oidc.adminEmails";
pub const OIDC_ADMIN_CLAIM: &str = "oidc.adminClaim";
pub const OIDC_ADMIN_CLAIM_VALUE: &str = "oidc.adminClaimValue";

/// The route the identity provider sends the browser back to.
pub const CALLBACK_PATH: &str = "/api/auth/oidc/callback";
/// Flow cookies carry this prefix.
pub const FLOW_PREFIX: &str = "mso_";
/// A login must come back from the identity provider within this time.
pub const FLOW_TTL_MS: i64 = 10 * 60 * 1000;
/// How long a fetched discovery document and key set are reused.
const METADATA_TTL: Duration = Duration::from_secs(300);
/// Timeout of each request to the identity provider.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest answer read from the identity provider.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;
pub const MAX_ADMIN_EMAILS: usize = 200;
/// Logins in progress at once. Each start stores a row for ten minutes; the cap keeps a flood of
/// starts from growing the table without bound (it delays OIDC logins, never password logins).
pub const MAX_PENDING_FLOWS: i64 = 10_000;

const START_AGAIN: &str = "this login is unknown, expired or already used (a login must finish within 10 minutes, \
                           in the browser that started it): start the login again";

/// The issuer's discovery document and keys, reused for [`METADATA_TTL`].
#[derive(Default)]
pub struct OidcCache {
    metadata: Mutex<Option<(Instant, String, CoreProviderMetadata)>>,
}

/// A login on its way to the identity provider.
#[derive(Debug)]
pub struct LoginStart {
    /// Where to send the browser (the authorization endpoint with all parameters).
    pub authorize_url: String,
    /// The flow cookie's value.
    pub cookie: Sensitive,
}

/// What the identity provider sent back to the callback.
#[derive(Debug, Default, Clone)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// A finished login: the session and where to send the browser.
#[derive(Debug)]
pub struct LoginDone {
    pub session: NewSession,
    pub return_to: String,
}

/// A flow secret derived from the flow cookie.
fn derive(label: &str, cookie: &str) -> String {
    let mut digest = Sha256::new();
    digest.update(b"mosaic-oidc-");
    digest.update(label.as_bytes());
    digest.update(b"\0");
    digest.update(cookie.as_bytes());
    B64URL.encode(digest.finalize())
}

/// Text from the identity provider, made safe to show: no control characters, bounded.
fn sanitize(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(300).collect()
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct OidcHttpError(String);

/// The HTTP client openidconnect uses: the egress policy on every request (see the module
/// comment), a timeout, no redirects, no proxy, a bounded answer.
pub struct OidcHttp;

impl<'c> AsyncHttpClient<'c> for OidcHttp {
    type Error = OidcHttpError;
    type Future = Pin<Box<dyn Future<Output = std::result::Result<HttpResponse, OidcHttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(send(request))
    }
}

/// Whether a URL may be used to reach an identity provider: https, or http on a loopback host.
fn transport_allowed(url: &reqwest::Url) -> bool {
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    url.scheme() == "https" || (url.scheme() == "http" && loopback)
}

async fn send(request: HttpRequest) -> std::result::Result<HttpResponse, OidcHttpError> {
    let fail = |m: String| OidcHttpError(m);
    let target = request.uri().to_string();
    let url = reqwest::Url::parse(&target).map_err(|e| fail(format!("invalid URL {target}: {e}")))?;
    if !transport_allowed(&url) {
        return Err(fail(format!(
            "refused {target}: an identity provider must use https (http only on a loopback host)"
        )));
    }
    let cleared = egress::clear(url.as_str(), true).await.map_err(|e| match e {
        egress::Refused::Blocked(why) => fail(format!("refused {target}: {why}")),
        egress::Refused::Unresolvable(why) => fail(why),
    })?;
    let client = cleared
        .client(REQUEST_TIMEOUT)
        .map_err(|e| fail(format!("cannot build HTTP client: {e}")))?;
    let (parts, body) = request.into_parts();
    let mut outgoing = client.request(parts.method, cleared.url).body(body);
    for (name, value) in &parts.headers {
        outgoing = outgoing.header(name, value);
    }
    let response = outgoing.send().await.map_err(|e| {
        if e.is_timeout() {
            fail(format!(
                "no answer from {target} within {} s",
                REQUEST_TIMEOUT.as_secs()
            ))
        } else {
            fail(format!("cannot connect to {target}: {}", root_cause(&e)))
        }
    })?;
    let mut answer = http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        answer = answer.header(name, value);
    }
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| fail(format!("reading the answer of {target}: {}", root_cause(&e))))?;
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(fail(format!(
                "the answer of {target} is larger than {} KiB",
                MAX_RESPONSE_BYTES / 1024
            )));
        }
        body.extend_from_slice(&chunk);
    }
    answer
        .body(body)
        .map_err(|e| fail(format!("invalid answer from {target}: {e}")))
}

/// An error and its causes in one line, without URL query strings.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    sanitize(&crate::error::chain(e))
}

/// Asymmetric signing algorithms only: HS* would make the client secret a signing key.
fn asymmetric(alg: &openidconnect::core::CoreJwsSigningAlgorithm) -> bool {
    use openidconnect::core::CoreJwsSigningAlgorithm as A;
    matches!(
        alg,
        A::RsaSsaPkcs1V15Sha256
            | A::RsaSsaPkcs1V15Sha384
            | A::RsaSsaPkcs1V15Sha512
            | A::RsaSsaPssSha256
            | A::RsaSsaPssSha384
            | A::RsaSsaPssSha512
            | A::EcdsaP256Sha256
            | A::EcdsaP384Sha384
            | A::EdDsa
    )
}

fn alg_name(alg: &openidconnect::core::CoreJwsSigningAlgorithm) -> String {
    serde_json::to_value(alg)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{alg:?}"))
}

/// Whether the verified claims make their holder an administrator.
fn is_admin_by_policy(policy: &OidcProvisioning, email: Option<&str>, claims: &serde_json::Value) -> bool {
    if let Some(email) = email
        && policy.admin_emails.iter().any(|e| e.eq_ignore_ascii_case(email))
    {
        return true;
    }
    let Some(name) = &policy.admin_claim else {
        return false;
    };
    match (claims.get(name), &policy.admin_claim_value) {
        (Some(serde_json::Value::Bool(true)), None) => true,
        (Some(serde_json::Value::String(s)), Some(want)) => s == want,
        (Some(serde_json::Value::Array(items)), Some(want)) => items.iter().any(|i| i.as_str() == Some(want)),
        _ => false,
    }
}

/// The payload of a compact JWT whose signature was already verified.
fn verified_payload(jwt: &str) -> serde_json::Value {
    jwt.split('.')
        .nth(1)
        .and_then(|p| B64URL.decode(p.trim_end_matches('=')).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(serde_json::Value::Null)
}

/// The display name for a new account: `name`, else `preferred_username`, else the email's
/// local part.
fn display_name(name: Option<&str>, username: Option<&str>, email: &str) -> String {
    [name, username]
        .into_iter()
        .flatten()
        .map(|n| n.trim().chars().take(100).collect::<String>())
        .find(|n| policy::check_display_name("name", n).is_ok())
        .unwrap_or_else(|| email.split('@').next().unwrap_or("user").to_string())
}

/// The configured OIDC client.
struct ClientSettings {
    issuer: String,
    client_id: String,
    secret: Option<String>,
}

impl App {
    /// The redirect URI to register with the identity provider.
    pub fn oidc_redirect_uri(&self) -> String {
        format!("{}{CALLBACK_PATH}", self.config.http.public_url)
    }

    pub async fn oidc_provisioning(&self) -> Result<OidcProvisioning> {
        let mut ex = self.db.ex();
        let admin_emails = match system_config::get(&mut ex, OIDC_ADMIN_EMAILS).await? {
            Some(row) => serde_json::from_str(&row.value)
                .map_err(|e| Error::internal(format!("system config {OIDC_ADMIN_EMAILS} is not a JSON list: {e}")))?,
            None => Vec::new(),
        };
        Ok(OidcProvisioning {
            admin_emails,
            admin_claim: system_config::get(&mut ex, OIDC_ADMIN_CLAIM).await?.map(|r| r.value),
            admin_claim_value: system_config::get(&mut ex, OIDC_ADMIN_CLAIM_VALUE)
                .await?
                .map(|r| r.value),
        })
    }

    /// Replaces who becomes an administrator at an OpenID Connect login.
    pub async fn set_oidc_provisioning(&self, actor: &Actor, input: OidcProvisioning) -> Result<OidcProvisioning> {
        if input.admin_emails.len() > MAX_ADMIN_EMAILS {
            return Err(Error::invalid(format!("at most {MAX_ADMIN_EMAILS} admin emails")));
        }
        let mut emails: Vec<String> = Vec::new();
        for email in &input.admin_emails {
            let email = email.trim().to_lowercase();
            policy::check_email(&email).map_err(Error::invalid)?;
            if !emails.contains(&email) {
                emails.push(email);
            }
        }
        let clean = |what: &str, v: &Option<String>| -> Result<Option<String>> {
            match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                Some(v) if v.len() > 255 || v.chars().any(char::is_control) => Err(Error::invalid(format!(
                    "{what} must be at most 255 characters without control characters"
                ))),
                other => Ok(other.map(str::to_string)),
            }
        };
        let claim = clean("adminClaim", &input.admin_claim)?;
        let value = clean("adminClaimValue", &input.admin_claim_value)?;
        if claim.is_none() && value.is_some() {
            return Err(Error::invalid("adminClaimValue needs adminClaim"));
        }
        let text = serde_json::to_string(&emails).map_err(|e| Error::internal(e.to_string()))?;
        let mut tx = self.db.begin().await?;
        system_config::set(&mut tx.ex(), OIDC_ADMIN_EMAILS, &text, false).await?;
        for (key, v) in [(OIDC_ADMIN_CLAIM, &claim), (OIDC_ADMIN_CLAIM_VALUE, &value)] {
            match v {
                Some(v) => system_config::set(&mut tx.ex(), key, v, false).await?,
                None => {
                    system_config::delete(&mut tx.ex(), key).await?;
                }
            }
        }
        audit::record(
            &mut tx.ex(),
            actor,
            "oidc.provisioning",
            None,
            json!({ "adminEmails": emails.len(), "adminClaim": claim, "adminClaimValue": value }),
        )
        .await?;
        tx.commit().await?;
        self.oidc_provisioning().await
    }

    async fn oidc_client_settings(&self) -> Result<ClientSettings> {
        let mut ex = self.db.ex();
        let issuer = system_config::get(&mut ex, OIDC_ISSUER_URL).await?;
        let client = system_config::get(&mut ex, OIDC_CLIENT_ID).await?;
        match (issuer, client) {
            (Some(issuer), Some(client)) => Ok(ClientSettings {
                issuer: issuer.value,
                client_id: client.value,
                secret: self.oidc_client_secret().await?,
            }),
            _ => Err(Error::new(
                ErrorCode::OidcNotConfigured,
                "OpenID Connect login is not configured; log in with a username and password",
            )),
        }
    }

    /// Fetches and checks an issuer's discovery document and key set. Any failure is
    /// `Unavailable`, with a message that says what was tried and what went wrong.
    async fn discover(&self, issuer: &str) -> Result<CoreProviderMetadata> {
        let unusable = |why: String| Error::unavailable(format!("cannot use the OpenID provider {issuer}: {why}"));
        let issuer_url = IssuerUrl::new(issuer.to_string()).map_err(|e| unusable(format!("invalid URL: {e}")))?;
        let document = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
        use openidconnect::DiscoveryError as D;
        let metadata = CoreProviderMetadata::discover_async(issuer_url, &OidcHttp)
            .await
            .map_err(|e| match e {
                D::Request(e) => unusable(e.to_string()),
                D::Response(status, _, _) => unusable(format!(
                    "{document} (or its key set) answered HTTP {status}; is the issuer URL right?"
                )),
                D::Parse(e) => unusable(format!(
                    "{document} is not an OpenID Connect discovery document: {}",
                    sanitize(&e.to_string())
                )),
                D::Validation(why) => unusable(format!("invalid discovery document: {}", sanitize(&why))),
                other => unusable(chain(&other)),
            })?;
        if !metadata
            .response_types_supported()
            .iter()
            .any(|t| t.contains(&openidconnect::core::CoreResponseType::Code))
        {
            return Err(unusable("it does not support the authorization code flow".into()));
        }
        if !metadata.id_token_signing_alg_values_supported().iter().any(asymmetric) {
            return Err(unusable(
                "it signs ID tokens with no asymmetric algorithm mosaicd accepts (RS*, PS*, ES*, EdDSA)".into(),
            ));
        }
        if metadata.jwks().keys().is_empty() {
            return Err(unusable("its key set publishes no keys".into()));
        }
        Ok(metadata)
    }

    /// The issuer's metadata for logins, cached for a few minutes.
    async fn provider_metadata(&self, issuer: &str) -> Result<CoreProviderMetadata> {
        {
            let cached = self.oidc_cache.metadata.lock().expect("oidc cache lock");
            if let Some((at, cached_issuer, metadata)) = cached.as_ref()
                && cached_issuer == issuer
                && at.elapsed() < METADATA_TTL
            {
                return Ok(metadata.clone());
            }
        }
        let metadata = self.discover(issuer).await?;
        *self.oidc_cache.metadata.lock().expect("oidc cache lock") =
            Some((Instant::now(), issuer.to_string(), metadata.clone()));
        Ok(metadata)
    }

    /// Forgets the cached issuer metadata (the OIDC settings changed).
    pub fn forget_oidc_metadata(&self) {
        *self.oidc_cache.metadata.lock().expect("oidc cache lock") = None;
    }

    /// Checks an issuer URL the way a login would use it: its discovery document and key set.
    pub async fn check_oidc_issuer(&self, issuer: &str) -> Result<OidcIssuerCheck> {
        crate::service::settings::check_issuer(issuer)?;
        let metadata = self.discover(issuer).await.map_err(discovery_failed)?;
        Ok(OidcIssuerCheck {
            issuer: metadata.issuer().to_string(),
            authorization_endpoint: metadata.authorization_endpoint().to_string(),
            token_endpoint: metadata.token_endpoint().map(|u| u.to_string()).unwrap_or_default(),
            jwks_uri: metadata.jwks_uri().to_string(),
            signing_keys: metadata.jwks().keys().len() as u64,
            id_token_signing_algs: metadata
                .id_token_signing_alg_values_supported()
                .iter()
                .map(alg_name)
                .collect(),
        })
    }

    /// Checks where the browser goes after logging in: a path (on the first WebUI origin, or on
    /// mosaicd when none is configured) or a URL on a configured WebUI origin.
    async fn return_target(&self, requested: Option<&str>) -> Result<String> {
        let origins = self.allowed_origins().await;
        let base = origins.first().cloned().unwrap_or_default();
        let Some(target) = requested.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(format!("{base}/"));
        };
        let refused =
            || Error::invalid("returnTo must be a path (/…) or a URL on a configured WebUI origin or mosaicd's own");
        if target.len() > 2048 || target.chars().any(|c| c.is_control() || c == '\\') {
            return Err(refused());
        }
        if target.starts_with('/') && !target.starts_with("//") {
            return Ok(format!("{base}{target}"));
        }
        let url = reqwest::Url::parse(target).map_err(|_| refused())?;
        let origin = url.origin().ascii_serialization();
        // mosaicd's own origin serves the web console, which sends its users back to itself.
        let own = reqwest::Url::parse(&self.config.http.public_url)
            .map(|u| u.origin().ascii_serialization())
            .ok();
        let known = origins.contains(&origin) || own.as_deref() == Some(origin.as_str());
        if url.username().is_empty() && url.password().is_none() && known {
            Ok(url.to_string())
        } else {
            Err(refused())
        }
    }

    fn core_client(
        &self,
        metadata: CoreProviderMetadata,
        settings: &ClientSettings,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
    > {
        let redirect = RedirectUrl::new(self.oidc_redirect_uri())
            .map_err(|e| Error::internal(format!("invalid OIDC redirect URI: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(settings.client_id.clone()),
            settings.secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    /// Starts a login: records the flow and returns where to send the browser.
    pub async fn oidc_login_start(&self, return_to: Option<&str>) -> Result<LoginStart> {
        let settings = self.oidc_client_settings().await?;
        let return_to = self.return_target(return_to).await?;
        let metadata = self
            .provider_metadata(&settings.issuer)
            .await
            .map_err(idp_unavailable)?;
        let cookie = tokens::generate(FLOW_PREFIX);
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        oidc_login::delete_expired(&mut tx.ex(), now).await?;
        if oidc_login::count(&mut tx.ex()).await? >= MAX_PENDING_FLOWS {
            return Err(Error::new(
                ErrorCode::OidcUnavailable,
                "too many OpenID Connect logins are in progress; try again in a few minutes",
            ));
        }
        oidc_login::insert(
            &mut tx.ex(),
            oidc_login::NewFlow {
                cookie_hash: &tokens::hash(&cookie),
                issuer: &settings.issuer,
                client_id: &settings.client_id,
                return_to: Some(&return_to),
                now,
                expires_at: now + FLOW_TTL_MS,
            },
        )
        .await?;
        tx.commit().await?;
        let client = self.core_client(metadata, &settings)?;
        let verifier = PkceCodeVerifier::new(derive("pkce", &cookie));
        let (state, nonce) = (derive("state", &cookie), derive("nonce", &cookie));
        let (url, _, _) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(state),
                move || Nonce::new(nonce),
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(PkceCodeChallenge::from_code_verifier_sha256(&verifier))
            .url();
        Ok(LoginStart {
            authorize_url: url.to_string(),
            cookie: Sensitive::new(cookie),
        })
    }

    /// Finishes a login from the identity provider's answer and the flow cookie. Errors:
    /// `Invalid` (unknown, used or expired flow; wrong state), `Unauthenticated` (the code or the
    /// ID token was refused), `Refused` (no verified email, deactivated account, provider error),
    /// `Unavailable` (the identity provider cannot be reached), `NotFound` (not configured).
    pub async fn oidc_login_finish(&self, cookie: Option<&str>, answer: Callback) -> Result<LoginDone> {
        let start_again = || Error::new(ErrorCode::OidcStateInvalid, START_AGAIN);
        let cookie = cookie.filter(|c| c.starts_with(FLOW_PREFIX)).ok_or_else(start_again)?;
        let flow = oidc_login::take(&mut self.db.ex(), &tokens::hash(cookie))
            .await?
            .ok_or_else(start_again)?;
        if flow.expires_at <= now_ms() {
            return Err(start_again());
        }
        let state_ok = answer
            .state
            .as_deref()
            .is_some_and(|s| constant_time_eq(s.as_bytes(), derive("state", cookie).as_bytes()));
        if !state_ok {
            tracing::warn!("OIDC callback with a state that does not match its flow");
            return Err(Error::new(
                ErrorCode::OidcStateInvalid,
                "the state parameter does not belong to this login (possible cross-site request): start the login again",
            ));
        }
        if let Some(error) = &answer.error {
            let detail = answer
                .error_description
                .as_deref()
                .map(|d| format!(" ({})", sanitize(d)))
                .unwrap_or_default();
            return Err(Error::new(
                ErrorCode::OidcRefused,
                format!("the identity provider ended the login: {}{detail}", sanitize(error)),
            ));
        }
        let code = answer
            .code
            .filter(|c| !c.is_empty() && c.len() <= 4096)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::OidcStateInvalid,
                    "the identity provider sent no authorization code",
                )
            })?;
        let settings = self.oidc_client_settings().await?;
        if settings.issuer != flow.issuer || settings.client_id != flow.client_id {
            return Err(Error::new(
                ErrorCode::OidcStateInvalid,
                "the OpenID Connect settings changed during this login: start the login again",
            ));
        }
        let metadata = self
            .provider_metadata(&settings.issuer)
            .await
            .map_err(idp_unavailable)?;
        let algs: Vec<_> = metadata
            .id_token_signing_alg_values_supported()
            .iter()
            .filter(|a| asymmetric(a))
            .cloned()
            .collect();
        let client = self.core_client(metadata, &settings)?;
        let token = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| Error::internal(format!("OIDC client without a token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(derive("pkce", cookie)))
            .request_async(&OidcHttp)
            .await
            .map_err(|e| {
                use openidconnect::RequestTokenError as R;
                match e {
                    R::ServerResponse(err) => token_invalid(format!(
                        "the identity provider refused the authorization code: {}",
                        sanitize(&err.to_string())
                    )),
                    R::Request(e) => Error::new(ErrorCode::OidcUnavailable, "cannot reach the identity provider")
                        .with_detail(chain(&e)),
                    R::Parse(e, _) => token_invalid(format!(
                        "the identity provider's token answer is not valid: {}",
                        sanitize(&e.to_string())
                    )),
                    R::Other(why) => token_invalid(format!("the token request failed: {}", sanitize(&why))),
                }
            })?;
        let id_token = token
            .id_token()
            .ok_or_else(|| token_invalid("the identity provider sent no ID token"))?;
        let skew = chrono::Duration::from_std(self.config.http.oidc_clock_skew).unwrap_or_default();
        let verifier = client
            .id_token_verifier()
            .set_allowed_algs(algs)
            .set_time_fn(move || chrono::Utc::now() - skew);
        let nonce = Nonce::new(derive("nonce", cookie));
        let claims = id_token.claims(&verifier, &nonce).map_err(|e| {
            tracing::warn!(error = %e, "OIDC ID token refused");
            token_invalid(format!("the ID token was refused: {}", sanitize(&e.to_string())))
        })?;
        let raw = verified_payload(&id_token.to_string());
        let identity = Identity {
            issuer: settings.issuer.clone(),
            subject: claims.subject().to_string(),
            email: claims.email().map(|e| e.to_string().trim().to_lowercase()),
            email_verified: claims.email_verified() == Some(true),
            name: claims.name().and_then(|n| n.get(None)).map(|n| n.to_string()),
            username: claims.preferred_username().map(|u| u.to_string()),
            claims: raw,
        };
        let user = self.oidc_account(&identity).await?;
        let session = self.start_session(&user).await?;
        Ok(LoginDone {
            session,
            return_to: flow.return_to.unwrap_or_else(|| "/".into()),
        })
    }

    /// The account an identity logs into: linked, linked now, or created now.
    async fn oidc_account(&self, id: &Identity) -> Result<users::UserRow> {
        let policy = self.oidc_provisioning().await?;
        let verified_email = id.email.as_deref().filter(|_| id.email_verified);
        let admin = is_admin_by_policy(&policy, verified_email, &id.claims);
        let actor = |user: &str| Actor::User { id: user.to_string() };
        let deactivated = || login_refused("this account is deactivated; ask an administrator");
        let mut tx = self.db.begin().await?;
        let user_id = match users::by_oidc_identity(&mut tx.ex(), &id.issuer, &id.subject).await? {
            Some(user) => {
                if user.deactivated_at.is_some() {
                    return Err(deactivated());
                }
                if user.auth_source == "breakglass" {
                    return Err(login_refused("breakglass accounts cannot log in with OpenID Connect"));
                }
                user.id
            }
            None => {
                let email = verified_email.ok_or_else(|| {
                    login_refused(match &id.email {
                        Some(email) => format!(
                            "the identity provider has not verified the email address {email}, so it cannot \
                             be linked to or create a Mosaic account; verify it at the identity provider"
                        ),
                        None => "the identity provider sent no email address (request the email scope); a \
                                 verified email is needed to link or create a Mosaic account"
                            .into(),
                    })
                })?;
                policy::check_email(email).map_err(|e| login_refused(format!("unusable email address: {e}")))?;
                match users::by_email(&mut tx.ex(), email).await? {
                    Some(user) => {
                        if user.auth_source == "breakglass" {
                            return Err(login_refused("breakglass accounts cannot log in with OpenID Connect"));
                        }
                        if user.deactivated_at.is_some() {
                            return Err(deactivated());
                        }
                        if users::oidc_identity(&mut tx.ex(), &user.id).await?.is_some() || user.auth_source != "local"
                        {
                            return Err(login_refused(format!(
                                "the account of {email} is already linked to another identity; ask an administrator"
                            )));
                        }
                        // An invitee who never set a password is now an OIDC account; one with a
                        // password keeps it as a second way in.
                        let source = if user.has_password != 0 { "local" } else { "oidc" };
                        users::link_oidc(&mut tx.ex(), &user.id, &id.issuer, &id.subject, source).await?;
                        invites::delete_unused(&mut tx.ex(), &user.id).await?;
                        audit::record(
                            &mut tx.ex(),
                            &actor(&user.id),
                            "user.oidc_link",
                            Some(&user.id),
                            json!({ "issuer": id.issuer }),
                        )
                        .await?;
                        tracing::info!(user = %user.id, "OpenID identity linked to an invited account");
                        user.id
                    }
                    None => {
                        let name = display_name(id.name.as_deref(), id.username.as_deref(), email);
                        let role = if admin { Role::Admin } else { Role::Member };
                        let new_id =
                            users::insert_oidc(&mut tx.ex(), email, &name, role.as_str(), &id.issuer, &id.subject)
                                .await
                                .map_err(|e| match e.code() {
                                    ErrorCode::Conflict => login_refused(format!(
                                        "an account for {email} was created at the same time; log in again"
                                    )),
                                    _ => e,
                                })?;
                        audit::record(
                            &mut tx.ex(),
                            &actor(&new_id),
                            "user.oidc_provision",
                            Some(&new_id),
                            json!({ "issuer": id.issuer, "role": role.as_str() }),
                        )
                        .await?;
                        tracing::info!(user = %new_id, role = role.as_str(), "account created for an OpenID identity");
                        new_id
                    }
                }
            }
        };
        let user = users::get(&mut tx.ex(), &user_id)
            .await?
            .ok_or_else(|| Error::internal("account vanished during login"))?;
        let user = if admin && user.role != "admin" {
            users::set_name_role(&mut tx.ex(), &user.id, &user.name, "admin").await?;
            audit::record(
                &mut tx.ex(),
                &actor(&user.id),
                "user.oidc_promote",
                Some(&user.id),
                json!({}),
            )
            .await?;
            users::get(&mut tx.ex(), &user_id)
                .await?
                .ok_or_else(|| Error::internal("account vanished during login"))?
        } else {
            user
        };
        tx.commit().await?;
        Ok(user)
    }
}

/// Who the identity provider says logged in (claims already verified).
struct Identity {
    issuer: String,
    subject: String,
    email: Option<String>,
    email_verified: bool,
    name: Option<String>,
    username: Option<String>,
    claims: serde_json::Value,
}

/// An identity provider that cannot be used for a login right now.
fn idp_unavailable(e: Error) -> Error {
    match e.code() {
        ErrorCode::Unavailable => e.with_code(ErrorCode::OidcUnavailable),
        _ => e,
    }
}

/// An issuer whose discovery document or keys cannot be used (checked before saving).
fn discovery_failed(e: Error) -> Error {
    match e.code() {
        ErrorCode::Unavailable => e.with_code(ErrorCode::OidcDiscoveryFailed),
        _ => e,
    }
}

/// The identity provider's code or ID token was not accepted.
fn token_invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::OidcTokenInvalid, message)
}

/// This identity may not log in (the provider ended the login, the account is deactivated, …).
fn login_refused(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::OidcRefused, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_secrets_are_distinct_and_pkce_sized() {
        let cookie = tokens::generate(FLOW_PREFIX);
        let (s, n, p) = (
            derive("state", &cookie),
            derive("nonce", &cookie),
            derive("pkce", &cookie),
        );
        assert!(s != n && n != p && s != p);
        assert_eq!(p.len(), 43, "a PKCE verifier is 43 to 128 characters");
        assert_ne!(derive("state", &tokens::generate(FLOW_PREFIX)), s);
    }

    #[test]
    fn admin_policy() {
        let by_list = OidcProvisioning {
            admin_emails: vec!["boss@example.com".into()],
            ..Default::default()
        };
        assert!(is_admin_by_policy(&by_list, Some("Boss@Example.com"), &json!({})));
        assert!(!is_admin_by_policy(&by_list, None, &json!({})));
        let by_group = OidcProvisioning {
            admin_claim: Some("groups".into()),
            admin_claim_value: Some("mosaic-admins".into()),
            ..Default::default()
        };
        assert!(is_admin_by_policy(
            &by_group,
            None,
            &json!({ "groups": ["a", "mosaic-admins"] })
        ));
        assert!(is_admin_by_policy(
            &by_group,
            None,
            &json!({ "groups": "mosaic-admins" })
        ));
        assert!(!is_admin_by_policy(
            &by_group,
            None,
            &json!({ "groups": ["mosaic-admins-not"] })
        ));
        let by_flag = OidcProvisioning {
            admin_claim: Some("mosaic_admin".into()),
            ..Default::default()
        };
        assert!(is_admin_by_policy(&by_flag, None, &json!({ "mosaic_admin": true })));
        assert!(!is_admin_by_policy(&by_flag, None, &json!({ "mosaic_admin": "true" })));
    }

    #[test]
    fn transports() {
        let ok = |u: &str| transport_allowed(&reqwest::Url::parse(u).unwrap());
        assert!(ok("https://id.example.com"));
        assert!(ok("http://127.0.0.1:9400"));
        assert!(ok("http://localhost:9400"));
        assert!(ok("http://[::1]:9400"));
        assert!(!ok("http://id.example.com"));
        assert!(!ok("ftp://id.example.com"));
    }
}
