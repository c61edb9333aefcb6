//! Authentication: passwords now; sessions, API tokens and OIDC join here.

pub mod password;
