//! Opaque credentials: session cookies, personal API tokens and invite tokens. Each is 32 random
//! bytes, URL-safe base64 with a short type prefix (so a leaked one is recognisable in a scanner).
//! Only a SHA-256 of a credential is stored; a database copy does not let anyone in.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const SESSION_PREFIX: &str = "mss_";
pub const API_TOKEN_PREFIX: &str = "mosaic_";
pub const INVITE_PREFIX: &str = "msi_";

/// How many characters of an API token are kept to tell tokens apart in a list: the type prefix
/// and four random characters (24 bits of 256).
pub const SHOWN_PREFIX_CHARS: usize = API_TOKEN_PREFIX.len() + 4;

/// A fresh random credential with the given type prefix.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", B64URL.encode(bytes))
}

/// What the database stores for a credential.
pub fn hash(credential: &str) -> String {
    hex::encode(Sha256::digest(credential.as_bytes()))
}

/// The CSRF token of a session, derived from the session's cookie value: whoever can read it was
/// given it by `/api/auth/login` or `/api/auth/session`, which a page on another origin cannot
/// read (CORS), and it needs no storage of its own.
pub fn csrf_token(session_token: &str) -> String {
    let mut digest = Sha256::new();
    digest.update(b"mosaic-csrf-v1\0");
    digest.update(session_token.as_bytes());
    B64URL.encode(digest.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_random_prefixed_and_hashed() {
        let a = generate(API_TOKEN_PREFIX);
        let b = generate(API_TOKEN_PREFIX);
        assert_ne!(a, b);
        assert!(a.starts_with("mosaic_") && a.len() == 7 + 43, "{a}");
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), hash(&b));
        assert_ne!(csrf_token(&a), csrf_token(&b));
        assert_eq!(csrf_token(&a), csrf_token(&a));
    }
}
