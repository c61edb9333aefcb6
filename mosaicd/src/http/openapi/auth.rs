//! The auth operations.

use mosaic_shared::types::*;

use super::op::*;

/// The `Set-Cookie` a login sets and a logout clears.
const SESSION_COOKIE: &str = "The session cookie: __Host-mosaic_session (mosaic_session with \
    --insecure-cookies); HttpOnly, SameSite (lax by default), Path=/, Max-Age = session TTL.";

pub fn operations() -> Vec<Op> {
    vec![
        post("/api/auth/login", "auth", "Log in with a password")
            .describe(
                "Breakglass admins log in by username, invited local users by email. A \
                login from a browser that still holds a session replaces it.",
            )
            .body::<LoginRequest>()
            .rate_limited()
            .ok::<SessionInfo>(200, "Logged in; the session cookie is set.")
            .header(200, "Set-Cookie", SESSION_COOKIE)
            .error(
                401,
                "invalid username or password (the same answer for unknown accounts, \
                wrong passwords and deactivated users).",
            ),
        get("/api/auth/session", "auth", "Who is logged in")
            .signed_in_read()
            .ok::<SessionInfo>(200, "The caller and, for a cookie session, its CSRF token."),
        post("/api/auth/logout", "auth", "End the cookie's session")
            .optional_cookie()
            .empty(
                204,
                "Logged out (or there was no valid session); the cookie is cleared.",
            )
            .header(204, "Set-Cookie", SESSION_COOKIE)
            .error(
                400,
                "Called with a bearer token: revoke tokens with DELETE /api/tokens/{id}.",
            )
            .error(403, "Valid session cookie without a valid X-CSRF-Token."),
        post("/api/auth/invite/accept", "auth", "Set a password from an invite token")
            .body::<AcceptInviteRequest>()
            .rate_limited()
            .ok::<AdminUser>(200, "The account is ready; log in with the email and this password.")
            .error(400, "Weak password, expired invite, or a malformed body.")
            .error(404, "Unknown invite token.")
            .error(409, "The invite was already used."),
        get("/api/tokens", "auth", "List your personal API tokens")
            .signed_in()
            .ok_list::<ApiToken>(200, "Live tokens, newest first (never the tokens themselves)."),
        post("/api/tokens", "auth", "Create a personal API token")
            .signed_in()
            .body::<NewApiToken>()
            .ok::<CreatedApiToken>(201, "Created; the token is in this answer only.")
            .error(
                403,
                "Created with an API token (tokens are created from a session) or \
                without a valid X-CSRF-Token.",
            )
            .error(409, "Too many tokens (100)."),
        delete("/api/tokens/{id}", "auth", "Revoke one of your API tokens")
            .signed_in()
            .empty(204, "Revoked.")
            .error(404, "No such token of yours."),
        get("/api/auth/oidc", "auth", "Whether OpenID Connect login is offered")
            .ok::<OidcAvailability>(200, "For the login page."),
        get("/api/auth/oidc/login", "auth", "Start an OpenID Connect login")
            .describe(
                "Redirects the browser to the identity provider (authorization code \
                flow with PKCE S256, state and nonce) and sets a short-lived HttpOnly \
                flow cookie (__Host-mosaic_oidc, SameSite=Lax, 10 minutes). A broken \
                or unreachable identity provider never affects POST /api/auth/login.",
            )
            .query(
                "returnTo",
                string(),
                Some(
                    "Where to go after logging in: a path (on the first WebUI origin) or a \
                    URL on a configured WebUI origin or on mosaicd's own public URL (the \
                    web console). Default: the first WebUI origin's /.",
                ),
            )
            .empty(
                303,
                "To the identity provider's authorization endpoint; the flow cookie is set.",
            )
            .header(303, "Location", "Where the browser goes next.")
            .header(303, "Set-Cookie", "The flow cookie.")
            .error(400, "returnTo is not a path or a URL on a WebUI origin.")
            .error(404, "OpenID Connect is not configured (oidc_not_configured).")
            .error(
                503,
                "The identity provider cannot be reached or its discovery document is \
                unusable (oidc_unavailable).",
            ),
        get("/api/auth/oidc/callback", "auth", "Finish an OpenID Connect login")
            .describe(
                "Where the identity provider sends the browser back. Checks the flow \
                cookie and state (single use, 10 minutes), exchanges the code with the \
                PKCE verifier, and verifies the ID token's signature, issuer, audience \
                (this client only), expiry and nonce. An identity already linked logs \
                into its account; otherwise a verified email links to the invited \
                account of that email or creates a member account (an administrator \
                when the email is on the admin list or the admin claim matches). \
                Breakglass accounts are never linked. Sets the same session cookie as \
                POST /api/auth/login.",
            )
            .query("code", string(), None)
            .query("state", string(), None)
            .query("error", string(), None)
            .query("error_description", string(), None)
            .empty(
                303,
                "Logged in: the session cookie is set and the browser goes to returnTo.",
            )
            .header(303, "Location", "Where the browser goes next.")
            .header(303, "Set-Cookie", "The session cookie (and the flow cookie cleared).")
            .error(
                400,
                "Unknown, expired or used login, or a state that does not belong to it \
                (oidc_state_invalid): start again.",
            )
            .error(
                401,
                "The identity provider refused the code, or the ID token failed a check \
                (oidc_token_invalid).",
            )
            .error(
                403,
                "No verified email, a deactivated account, an account linked to another \
                identity, or the identity provider ended the login (oidc_refused).",
            )
            .error(404, "OpenID Connect is not configured (oidc_not_configured).")
            .error(503, "The identity provider cannot be reached (oidc_unavailable)."),
    ]
}
