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

//!
//! The service is split by concern: `settings` (the client settings and who becomes an
//! administrator), `transport` (the HTTP client every request to the identity provider uses),
//! `discovery` (the issuer's discovery document and keys, cached), `login` (the authorization code
//! flow and the accounts it logs into).

mod discovery;
mod login;
mod settings;
mod transport;

use std::sync::Arc;
use std::time::Duration;

pub use discovery::OidcCache;
pub use login::{Callback, LoginDone, LoginStart};
pub use settings::{OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_ISSUER_URL, check_issuer};
pub use transport::{OidcHttp, OidcHttpError};

use crate::clock::Clock;
use crate::config::Config;
use crate::secrets::Keyring;
use crate::service::auth::Auth;
use crate::service::settings::Settings;
use crate::store::Db;

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
pub(crate) const METADATA_TTL: Duration = Duration::from_secs(300);
/// Timeout of each request to the identity provider.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest answer read from the identity provider.
pub(crate) const MAX_RESPONSE_BYTES: usize = 1024 * 1024;
pub const MAX_ADMIN_EMAILS: usize = 200;
/// Logins in progress at once. Each start stores a row for ten minutes; the cap keeps a flood of
/// starts from growing the table without bound (it delays OIDC logins, never password logins).
pub const MAX_PENDING_FLOWS: i64 = 10_000;

/// OpenID Connect: the client settings, issuer checks and logins.
pub struct Oidc {
    db: Db,
    keyring: Arc<Keyring>,
    config: Arc<Config>,
    /// Login flows and ID tokens expire by it.
    clock: Clock,
    cache: OidcCache,
    auth: Arc<Auth>,
    settings: Arc<Settings>,
}

impl Oidc {
    pub fn new(
        db: Db,
        keyring: Arc<Keyring>,
        config: Arc<Config>,
        clock: Clock,
        auth: Arc<Auth>,
        settings: Arc<Settings>,
    ) -> Oidc {
        Oidc {
            db,
            keyring,
            config,
            clock,
            cache: OidcCache::default(),
            auth,
            settings,
        }
    }
}

/// Text from the identity provider, made safe to show: no control characters, bounded.
pub(crate) fn sanitize(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::settings::is_admin_by_policy;
    use mosaic_shared::types::OidcProvisioning;
    use serde_json::json;

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
}
