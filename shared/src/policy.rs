//! Input rules both sides apply: the CLI to tell a person at the prompt before anything is sent,
//! the daemon because it is the authority. One definition, so the two never disagree.

/// The minimum password length for local accounts.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longer passwords are refused so a single login cannot make argon2 hash megabytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The rule, as shown to a person choosing a password.
pub const PASSWORD_RULE: &str = "at least 12 characters, using at least two kinds of character \
(letters, digits, symbols or spaces), and not containing the username";

/// Checks a new password against the rule. The error says which part failed.
pub fn check_password(username: &str, password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(format!("password too short ({chars} characters): {PASSWORD_RULE}"));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(format!("password too long: at most {MAX_PASSWORD_BYTES} bytes"));
    }
    let letters = password.chars().any(|c| c.is_alphabetic());
    let digits = password.chars().any(|c| c.is_numeric());
    let others = password.chars().any(|c| !c.is_alphanumeric());
    if [letters, digits, others].iter().filter(|k| **k).count() < 2 {
        return Err(format!("password too simple: {PASSWORD_RULE}"));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(format!("password contains the username: {PASSWORD_RULE}"));
    }
    Ok(())
}

/// Breakglass and other local account names: short, printable, unambiguous in logs.
pub fn check_username(username: &str) -> Result<(), String> {
    let ok_len = (1..=64).contains(&username.len());
    let ok_chars = username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    let ok_start = username.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok_len && ok_chars && ok_start {
        Ok(())
    } else {
        Err(format!(
            "invalid username {username:?}: 1 to 64 characters from a-z, A-Z, 0-9, '.', '_' and '-', starting with a letter or digit"
        ))
    }
}

/// The APIs OpenClaw accepts in `models.providers.<name>.api` that a Mosaic provider may use
/// (the stable subset of OpenClaw's `MODEL_APIS`).
pub const API_TYPES: &[&str] = &[
    "openai-completions",
    "openai-responses",
    "anthropic-messages",
    "google-generative-ai",
    "ollama",
];

pub fn check_api_type(api_type: &str) -> Result<(), String> {
    if API_TYPES.contains(&api_type) {
        Ok(())
    } else {
        Err(format!("unknown apiType {api_type:?}: one of {}", API_TYPES.join(", ")))
    }
}

/// A provider's name: OpenClaw's provider key and the first half of model references
/// (`<name>/<model>`), so a lower-case slug.
pub fn check_provider_name(name: &str) -> Result<(), String> {
    let ok_len = (1..=63).contains(&name.len());
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'));
    let ok_start = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if ok_len && ok_chars && ok_start {
        Ok(())
    } else {
        Err(format!(
            "invalid provider name {name:?}: 1 to 63 characters from a-z, 0-9, '-' and '_', starting with a letter or digit"
        ))
    }
}

/// A name shown to people (display names, user names): not blank, no control characters.
pub fn check_display_name(what: &str, name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err(format!("{what} must not be empty"));
    }
    if name.chars().count() > 100 {
        return Err(format!("{what} is too long: at most 100 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(format!("{what} must not contain control characters"));
    }
    crate::openclaw_text::check(what, name)
}

/// A model id as a provider lists it (`gpt-4o`, `qwen2.5-coder:7b`, `anthropic/claude-x` on a
/// router): printable, no spaces.
pub fn check_model_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > 200 || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "invalid model id {id:?}: 1 to 200 printable characters without spaces"
        ));
    }
    crate::openclaw_text::check("a model id", id)
}

/// A model reference as OpenClaw takes it: `<provider>/<model>`.
pub fn check_model_ref(reference: &str) -> Result<(), String> {
    match reference.split_once('/') {
        Some((provider, model)) if !provider.is_empty() && check_model_id(model).is_ok() && reference.len() <= 264 => {
            if provider
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            {
                Ok(())
            } else {
                Err(format!(
                    "invalid model reference {reference:?}: the provider part must be a provider name"
                ))
            }
        }
        _ => Err(format!(
            "invalid model reference {reference:?}: expected <provider>/<model>, e.g. my-openai/gpt-4o"
        )),
    }
}

/// An email address as an invite takes it: one `@`, something on both sides, no spaces.
pub fn check_email(email: &str) -> Result<(), String> {
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.contains('@')
               && !domain.starts_with('.') && !domain.ends_with('.'));
    if valid {
        Ok(())
    } else {
        Err(format!("invalid email address {email:?}"))
    }
}

/// Normalizes a browser origin (`https://app.example.com`, `http://localhost:3000`): scheme and
/// host lower-cased, default port dropped, one trailing `/` tolerated; anything with a path,
/// query, fragment or credentials is refused, because browsers never send such an origin.
pub fn normalize_origin(origin: &str) -> Result<String, String> {
    let invalid = |why: &str| Err(format!("invalid origin {origin:?}: {why}"));
    let Some((scheme, rest)) = origin.split_once("://") else {
        return invalid("expected scheme://host[:port]");
    };
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => "80",
        "https" => "443",
        _ => return invalid("the scheme must be http or https"),
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() {
        return invalid("no host");
    }
    if rest.contains(['/', '?', '#', '@', ' ']) {
        return invalid("an origin has no path, query, fragment or credentials");
    }
    let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
        let Some((addr, after)) = v6.split_once(']') else {
            return invalid("unterminated IPv6 address");
        };
        if addr.is_empty() || !addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
            return invalid("bad IPv6 address");
        }
        let port = match after {
            "" => None,
            p => match p.strip_prefix(':') {
                Some(p) => Some(p),
                None => return invalid("unexpected text after the IPv6 address"),
            },
        };
        (format!("[{}]", addr.to_ascii_lowercase()), port)
    } else {
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        };
        if host.is_empty()
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
        {
            return invalid("bad host name");
        }
        (host.to_ascii_lowercase(), port)
    };
    match port {
        None => Ok(format!("{scheme}://{host}")),
        Some(p) if p == default_port => Ok(format!("{scheme}://{host}")),
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.len() <= 5 && !p.starts_with('0') => Ok(format!("{scheme}://{host}:{n}")),
            _ => invalid("bad port"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rule() {
        assert!(check_password("admin", "short1!").is_err());
        assert!(check_password("admin", "onlyletterslong").is_err());
        assert!(check_password("admin", "123456789012345").is_err());
        assert!(check_password("admin", "my-admin-password-1").is_err());
        assert!(check_password("admin", "correct horse battery").is_ok());
        assert!(check_password("admin", "tr0ub4dor&3xyz").is_ok());
        assert!(check_password("admin", &"a1".repeat(600)).is_err());
    }

    #[test]
    fn username_rule() {
        assert!(check_username("admin").is_ok());
        assert!(check_username("ops.admin-2").is_ok());
        assert!(check_username("").is_err());
        assert!(check_username("-x").is_err());
        assert!(check_username("a b").is_err());
        assert!(check_username(&"a".repeat(65)).is_err());
    }
    #[test]
    fn origins_normalize() {
        assert_eq!(
            normalize_origin("https://App.Example.com").unwrap(),
            "https://app.example.com"
        );
        assert_eq!(
            normalize_origin("https://app.example.com:443/").unwrap(),
            "https://app.example.com"
        );
        assert_eq!(
            normalize_origin("http://localhost:3000").unwrap(),
            "http://localhost:3000"
        );
        assert_eq!(normalize_origin("http://[::1]:8080").unwrap(), "http://[::1]:8080");
        for bad in [
            "app.example.com",
            "ftp://x",
            "https://x/path",
            "https://u@x",
            "https://x:0",
            "https://x:99999",
            "https://",
            "null",
        ] {
            assert!(normalize_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_and_references() {
        assert!(check_provider_name("my-openai").is_ok());
        assert!(check_provider_name("My").is_err());
        assert!(check_provider_name("a/b").is_err());
        assert!(check_model_ref("my-openai/gpt-4o").is_ok());
        assert!(check_model_ref("router/anthropic/claude").is_ok());
        assert!(check_model_ref("gpt-4o").is_err());
        assert!(check_model_ref("/gpt").is_err());
        assert!(check_model_ref("p/has space").is_err());
        assert!(check_email("a@example.com").is_ok());
        assert!(check_email("a@b").is_err());
        assert!(check_email("a b@example.com").is_err());
        assert!(check_api_type("openai-completions").is_ok());
        assert!(check_api_type("telepathy").is_err());
    }
}
