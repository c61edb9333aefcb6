//! Logins with the authorization code flow, and the accounts they log into.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use mosaic_shared::types::{AuthSource, Role};
use mosaic_shared::{ErrorCode, Sensitive, policy};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    Scope, TokenResponse,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::discovery::{asymmetric, idp_unavailable};
use super::settings::{ClientSettings, is_admin_by_policy};
use super::transport::{OidcHttp, chain};
use super::{FLOW_PREFIX, FLOW_TTL_MS, MAX_PENDING_FLOWS, Oidc, sanitize};
use crate::auth::tokens;
use crate::error::{Error, Result};
use crate::service::auth::NewSession;
use crate::store::audit::{self, Actor};
use crate::store::{invites, oidc_login, users};

const START_AGAIN: &str = "this login is unknown, expired or already used (a login must finish within 10 minutes, \
                           in the browser that started it): start the login again";

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

/// The identity provider's code or ID token was not accepted.
fn token_invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::OidcTokenInvalid, message)
}

/// This identity may not log in (the provider ended the login, the account is deactivated, …).
fn login_refused(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::OidcRefused, message)
}

impl Oidc {
    /// Checks where the browser goes after logging in: a path (on the first WebUI origin, or on
    /// mosaicd when none is configured) or a URL on a configured WebUI origin or on mosaicd's own
    /// public URL (the web console).
    async fn return_target(&self, requested: Option<&str>) -> Result<String> {
        let origins = self.settings.allowed_origins().await;
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
        let now = self.clock.now_ms();
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
        if flow.expires_at <= self.clock.now_ms() {
            return Err(start_again());
        }
        let state_ok = answer
            .state
            .as_deref()
            .is_some_and(|s| s.as_bytes().ct_eq(derive("state", cookie).as_bytes()).into());
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
        let clock = self.clock.clone();
        let verifier = client.id_token_verifier().set_allowed_algs(algs).set_time_fn(move || {
            chrono::DateTime::from_timestamp_millis(clock.now_ms()).unwrap_or_else(chrono::Utc::now) - skew
        });
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
        let session = self.auth.start_session(&user).await?;
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
                if user.auth_source == AuthSource::Breakglass {
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
                        if user.auth_source == AuthSource::Breakglass {
                            return Err(login_refused("breakglass accounts cannot log in with OpenID Connect"));
                        }
                        if user.deactivated_at.is_some() {
                            return Err(deactivated());
                        }
                        if users::oidc_identity(&mut tx.ex(), &user.id).await?.is_some()
                            || user.auth_source != AuthSource::Local
                        {
                            return Err(login_refused(format!(
                                "the account of {email} is already linked to another identity; ask an administrator"
                            )));
                        }
                        // An invitee who never set a password is now an OIDC account; one with a
                        // password keeps it as a second way in.
                        let source = if user.has_password != 0 {
                            AuthSource::Local
                        } else {
                            AuthSource::Oidc
                        };
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
                        let new_id = users::insert_oidc(&mut tx.ex(), email, &name, role, &id.issuer, &id.subject)
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
        let promoted = admin && user.role != Role::Admin;
        let user = if promoted {
            users::set_name_role(&mut tx.ex(), &user.id, &user.name, Role::Admin).await?;
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
        if promoted {
            // Cached principals of this user carry the old role.
            self.auth.credentials().commit(tx).await?;
        } else {
            tx.commit().await?;
        }
        Ok(user)
    }
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
}
