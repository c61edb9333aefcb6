//! The OIDC client settings (issuer, client id, the encrypted client secret) and who becomes an
//! administrator at a login.

use mosaic_shared::types::{OidcInput, OidcProvisioning, OidcSettings};
use mosaic_shared::{ErrorCode, policy};
use serde_json::json;

use super::{CALLBACK_PATH, MAX_ADMIN_EMAILS, OIDC_ADMIN_CLAIM, OIDC_ADMIN_CLAIM_VALUE, OIDC_ADMIN_EMAILS, Oidc};
use crate::error::{Error, Result};
use crate::secrets::{Binding, hint};
use crate::store::audit::{self, Actor};
use crate::store::{rfc3339, system_config};

pub const OIDC_ISSUER_URL: &str = "oidc.issuerUrl";
pub const OIDC_CLIENT_ID: &str = "oidc.clientId";
pub const OIDC_CLIENT_SECRET: &str = "oidc.clientSecret";

fn secret_binding() -> Binding {
    Binding::new("system_config", OIDC_CLIENT_SECRET, "value")
}

/// An OIDC issuer: https, or http on a loopback host (a provider on the same machine).
pub fn check_issuer(issuer: &str) -> Result<()> {
    let url = reqwest::Url::parse(issuer).map_err(|e| Error::invalid(format!("invalid issuerUrl: {e}")))?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    if !scheme_ok {
        return Err(Error::invalid(
            "issuerUrl must use https (http only for a loopback host)",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(
            "issuerUrl must not carry credentials, a query or a fragment",
        ));
    }
    if issuer.len() > 2048 {
        return Err(Error::invalid("issuerUrl is too long"));
    }
    Ok(())
}

/// The configured OIDC client.
pub(super) struct ClientSettings {
    pub(super) issuer: String,
    pub(super) client_id: String,
    pub(super) secret: Option<String>,
}

/// Whether the verified claims make their holder an administrator.
pub(super) fn is_admin_by_policy(policy: &OidcProvisioning, email: Option<&str>, claims: &serde_json::Value) -> bool {
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

impl Oidc {
    pub async fn oidc_settings(&self) -> Result<OidcSettings> {
        let mut ex = self.db.ex();
        let issuer = system_config::get(&mut ex, OIDC_ISSUER_URL).await?;
        let client = system_config::get(&mut ex, OIDC_CLIENT_ID).await?;
        let secret = system_config::get(&mut ex, OIDC_CLIENT_SECRET).await?;
        let secret_hint = match &secret {
            Some(row) => Some(hint(&self.keyring.decrypt(&secret_binding(), &row.value)?)),
            None => None,
        };
        let updated_at = [&issuer, &client, &secret]
            .iter()
            .filter_map(|r| r.as_ref().map(|r| r.updated_at))
            .max();
        Ok(OidcSettings {
            configured: issuer.is_some() && client.is_some(),
            issuer_url: issuer.map(|r| r.value),
            client_id: client.map(|r| r.value),
            client_secret_set: secret.is_some(),
            client_secret_hint: secret_hint,
            updated_at: updated_at.map(rfc3339),
            redirect_uri: self.oidc_redirect_uri(),
            provisioning: self.oidc_provisioning().await?,
        })
    }
    /// Replaces the OIDC client settings; an absent client secret keeps the stored one.
    pub async fn set_oidc_settings(&self, actor: &Actor, input: OidcInput) -> Result<OidcSettings> {
        let issuer = input.issuer_url.trim();
        check_issuer(issuer)?;
        let client_id = input.client_id.trim();
        if client_id.is_empty()
            || client_id.len() > 255
            || client_id.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(Error::invalid("clientId must be 1 to 255 characters without spaces"));
        }
        let secret = match &input.client_secret {
            Some(secret) => {
                let secret = secret.expose();
                if secret.is_empty() || secret.len() > 4096 || secret.chars().any(char::is_control) {
                    return Err(Error::invalid(
                        "clientSecret must be 1 to 4096 bytes without control characters",
                    ));
                }
                Some(self.keyring.encrypt(&secret_binding(), secret)?)
            }
            None => None,
        };
        let mut tx = self.db.begin().await?;
        system_config::set(&mut tx.ex(), OIDC_ISSUER_URL, issuer, false).await?;
        system_config::set(&mut tx.ex(), OIDC_CLIENT_ID, client_id, false).await?;
        if let Some(secret) = &secret {
            system_config::set(&mut tx.ex(), OIDC_CLIENT_SECRET, secret, true).await?;
        }
        audit::record(
            &mut tx.ex(),
            actor,
            "oidc.update",
            None,
            json!({ "issuerUrl": issuer, "clientId": client_id, "clientSecret": if secret.is_some() { "replaced" } else { "kept" } }),
        )
        .await?;
        tx.commit().await?;
        self.forget_oidc_metadata();
        self.oidc_settings().await
    }
    /// Removes the OIDC settings: only breakglass and local logins remain.
    pub async fn clear_oidc_settings(&self, actor: &Actor) -> Result<()> {
        let mut tx = self.db.begin().await?;
        for key in [OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET] {
            system_config::delete(&mut tx.ex(), key).await?;
        }
        audit::record(&mut tx.ex(), actor, "oidc.clear", None, json!({})).await?;
        tx.commit().await?;
        self.forget_oidc_metadata();
        Ok(())
    }
    /// The OIDC client secret in plain text, for the login flow (never for a response).
    pub async fn oidc_client_secret(&self) -> Result<Option<String>> {
        match system_config::get(&mut self.db.ex(), OIDC_CLIENT_SECRET).await? {
            Some(row) => Ok(Some(self.keyring.decrypt(&secret_binding(), &row.value)?)),
            None => Ok(None),
        }
    }
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
    pub(super) async fn oidc_client_settings(&self) -> Result<ClientSettings> {
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
}
