//! The issuer's discovery document and key set: fetched and checked, and reused for a while.

use std::sync::Mutex;
use std::time::Instant;

use mosaic_shared::ErrorCode;
use mosaic_shared::types::OidcIssuerCheck;
use openidconnect::IssuerUrl;
use openidconnect::core::CoreProviderMetadata;

use super::transport::{OidcHttp, chain};
use super::{METADATA_TTL, Oidc, check_issuer, sanitize};
use crate::error::{Error, Result};

/// The issuer's discovery document and keys, reused for [`METADATA_TTL`].
#[derive(Default)]
pub struct OidcCache {
    metadata: Mutex<Option<(Instant, String, CoreProviderMetadata)>>,
}

/// Asymmetric signing algorithms only: HS* would make the client secret a signing key.
pub(super) fn asymmetric(alg: &openidconnect::core::CoreJwsSigningAlgorithm) -> bool {
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

/// An identity provider that cannot be used for a login right now.
pub(super) fn idp_unavailable(e: Error) -> Error {
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

impl Oidc {
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
    pub(super) async fn provider_metadata(&self, issuer: &str) -> Result<CoreProviderMetadata> {
        {
            let cached = self.cache.metadata.lock().expect("oidc cache lock");
            if let Some((at, cached_issuer, metadata)) = cached.as_ref()
                && cached_issuer == issuer
                && at.elapsed() < METADATA_TTL
            {
                return Ok(metadata.clone());
            }
        }
        let metadata = self.discover(issuer).await?;
        *self.cache.metadata.lock().expect("oidc cache lock") =
            Some((Instant::now(), issuer.to_string(), metadata.clone()));
        Ok(metadata)
    }
    /// Forgets the cached issuer metadata (the OIDC settings changed).
    pub fn forget_oidc_metadata(&self) {
        *self.cache.metadata.lock().expect("oidc cache lock") = None;
    }
    /// Checks an issuer URL the way a login would use it: its discovery document and key set.
    pub async fn check_oidc_issuer(&self, issuer: &str) -> Result<OidcIssuerCheck> {
        check_issuer(issuer)?;
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
}
