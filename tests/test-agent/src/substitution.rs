//! `${…}` substitution in config string values, applied after `$include`
//! and before validation, as OpenClaw loads `openclaw.json`.
//!
//! The grammar is the union of the two OpenClaw grammars seen upstream, so
//! the double recognises (and refuses) everything either version would:
//! `${VAR}` and `${VAR:-default}` from the newest `env-substitution.ts`, and
//! `${pass:path}` / `${gopass:path}` from the version that had secret
//! lookups. Both versions scan the same way, so one scanner serves both.
//!
//! OpenClaw: src/config/env-substitution.ts, iterateEnvTemplateTokens /
//! parseEnvTokenAt (newest) and parseEnvTokenAt / parseReference (the
//! pass/gopass version, commit fa9f010a).

use serde_json::{Map, Value};

/// A recognised placeholder: `${body}` or, escaped, `$${body}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// Byte index of the placeholder's first `$` (of `$$` when escaped).
    pub start: usize,
    /// Byte index of the closing `}`.
    pub end: usize,
    pub escaped: bool,
    /// The text between the braces.
    pub body: &'a str,
    pub reference: Reference<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference<'a> {
    /// `${VAR}` or `${VAR:-default}`.
    Env { name: &'a str, default: Option<&'a str> },
    /// `${pass:path}` / `${gopass:path}`.
    Secret { backend: &'a str, path: &'a str },
    /// `${pass:…}` with a path OpenClaw rejects. Still a token: substituting
    /// it is an error, escaping it yields the text literally.
    InvalidSecret,
}

/// Why substitution stopped the config load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubstitutionError {
    MissingEnvVar {
        name: String,
        config_path: String,
    },
    MissingSecret {
        backend: String,
        secret_path: String,
        config_path: String,
        details: String,
    },
    InvalidSecretReference {
        reference: String,
        config_path: String,
    },
}

impl SubstitutionError {
    /// The issue text OpenClaw's config snapshot records at `<root>`.
    // OpenClaw: src/config/env-substitution.ts, MissingEnvVarError / MissingSecretError /
    // InvalidSecretReferenceError; src/config/io.ts, readConfigFileSnapshot (commit fa9f010a)
    // passes the first two through and prefixes anything else with "Config substitution failed: ".
    pub fn message(&self) -> String {
        match self {
            SubstitutionError::MissingEnvVar { name, config_path } => {
                format!("Missing env var \"{name}\" referenced at config path: {config_path}")
            }
            SubstitutionError::MissingSecret {
                backend,
                secret_path,
                config_path,
                details,
            } => format!(
                "Missing secret \"{backend}:{secret_path}\" referenced at config path: {config_path} ({details})"
            ),
            SubstitutionError::InvalidSecretReference { reference, config_path } => format!(
                "Config substitution failed: InvalidSecretReferenceError: Invalid secret reference \
                 \"{reference}\" at config path: {config_path}"
            ),
        }
    }
}

// OpenClaw: src/config/env-substitution.ts, ENV_VAR_NAME_PATTERN = /^[A-Z_][A-Z0-9_]*$/.
fn is_env_name(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_uppercase() || b == b'_')
        && bytes.all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

// OpenClaw: src/config/env-substitution.ts (commit fa9f010a), isValidSecretPath:
// relative, no empty, `.` or `..` segments, each segment /^[A-Za-z0-9][A-Za-z0-9._-]*$/.
fn is_valid_secret_path(path: &str) -> bool {
    let segment_ok = |segment: &str| {
        let mut bytes = segment.bytes();
        segment != "."
            && segment != ".."
            && bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
            && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    };
    !path.is_empty() && path.split('/').all(segment_ok)
}

/// What the text between the braces refers to, if either grammar knows it.
fn parse_reference(body: &str) -> Option<Reference<'_>> {
    if is_env_name(body) {
        return Some(Reference::Env {
            name: body,
            default: None,
        });
    }
    // OpenClaw: src/config/env-substitution.ts, DEFAULT_VALUE_OPERATOR ":-" (newest): the
    // default may hold neither `$` nor `{`, so the closing brace stays the first `}`.
    if let Some((name, default)) = body.split_once(":-")
        && is_env_name(name)
        && !default.contains(['$', '{'])
    {
        return Some(Reference::Env {
            name,
            default: Some(default),
        });
    }
    // OpenClaw: src/config/env-substitution.ts (commit fa9f010a), parseReference.
    let (backend, path) = body.split_once(':')?;
    if !matches!(backend, "pass" | "gopass") {
        return None;
    }
    Some(if is_valid_secret_path(path) {
        Reference::Secret { backend, path }
    } else {
        Reference::InvalidSecret
    })
}

/// The placeholders of `s` in the order substitution meets them. Scanning
/// resumes after each token's `}`, so tokens never overlap.
pub fn tokens(s: &str) -> Vec<Token<'_>> {
    let bytes = s.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = s[from..].find('$') {
        let at = from + offset;
        from = at + 1;
        // Escapes are tried first, so `$${VAR}` never reads the environment.
        let escaped = bytes.get(at + 1) == Some(&b'$') && bytes.get(at + 2) == Some(&b'{');
        if !escaped && bytes.get(at + 1) != Some(&b'{') {
            continue;
        }
        let open = at + if escaped { 3 } else { 2 };
        let Some(close) = s[open..].find('}') else {
            continue;
        };
        let end = open + close;
        let body = &s[open..end];
        let Some(reference) = parse_reference(body) else {
            continue;
        };
        found.push(Token {
            start: at,
            end,
            escaped,
            body,
            reference,
        });
        from = end + 1;
    }
    found
}

// OpenClaw: src/config/env-substitution.ts (commit fa9f010a), resolveSecretValue: `pass`
// tries `pass show` then `gopass show -o`, `gopass` the reverse; a command that is not
// installed falls through to the next and the last failure is reported. Neither is in the
// container, so the double never runs them: the last attempt's ENOENT is the answer.
fn missing_secret(backend: &str, secret_path: &str, config_path: &str) -> SubstitutionError {
    let last_attempt = if backend == "pass" { "gopass" } else { "pass" };
    SubstitutionError::MissingSecret {
        backend: backend.to_owned(),
        secret_path: secret_path.to_owned(),
        config_path: config_path.to_owned(),
        details: format!("spawnSync {last_attempt} ENOENT"),
    }
}

/// One string value, substituted from `env`.
// OpenClaw: src/config/env-substitution.ts, substituteString.
pub fn substitute_string(
    value: &str,
    config_path: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, SubstitutionError> {
    let mut out = String::with_capacity(value.len());
    let mut copied = 0;
    for token in tokens(value) {
        out.push_str(&value[copied..token.start]);
        copied = token.end + 1;
        if token.escaped {
            out.push_str("${");
            out.push_str(token.body);
            out.push('}');
            continue;
        }
        match token.reference {
            Reference::Env { name, default } => {
                // An empty variable counts as missing, with or without a default.
                match (env(name).filter(|v| !v.is_empty()), default) {
                    (Some(found), _) => out.push_str(&found),
                    (None, Some(default)) => out.push_str(default),
                    (None, None) => {
                        return Err(SubstitutionError::MissingEnvVar {
                            name: name.to_owned(),
                            config_path: config_path.to_owned(),
                        });
                    }
                }
            }
            Reference::Secret { backend, path } => return Err(missing_secret(backend, path, config_path)),
            Reference::InvalidSecret => {
                return Err(SubstitutionError::InvalidSecretReference {
                    reference: token.body.to_owned(),
                    config_path: config_path.to_owned(),
                });
            }
        }
    }
    out.push_str(&value[copied..]);
    Ok(out)
}

/// Every string value in `config` (keys are left alone), depth first.
// OpenClaw: src/config/env-substitution.ts, resolveConfigEnvVars.
pub fn resolve_config_env_vars(
    config: &Value,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Value, SubstitutionError> {
    resolve_at(config, "", env)
}

fn resolve_at(value: &Value, path: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Value, SubstitutionError> {
    Ok(match value {
        Value::String(s) => Value::String(substitute_string(s, path, env)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| resolve_at(item, &format!("{path}[{i}]"), env))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| Ok((key.clone(), resolve_at(item, &append_segment(path, key), env)?)))
                .collect::<Result<Map<_, _>, _>>()?,
        ),
        other => other.clone(),
    })
}

/// `a.b`, or `a["odd key"]` for keys that would read as traversal.
// OpenClaw: src/shared/dot-path.ts, appendConfigPathSegment.
pub fn append_segment(path: &str, key: &str) -> String {
    let mut bytes = key.bytes();
    let plain = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'$'))
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b':' | b'-'));
    if !plain {
        format!("{path}[{}]", Value::from(key))
    } else if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("llm.internal".to_owned()),
            "EMPTY" => Some(String::new()),
            "OPENCLAW_GATEWAY_TOKEN" => Some("gw-secret".to_owned()),
            _ => None,
        }
    }

    fn sub(s: &str) -> Result<String, String> {
        substitute_string(s, "a.b", &env).map_err(|e| e.message())
    }

    #[test]
    fn substitutes_uppercase_names_only() {
        assert_eq!(sub("http://${HOST}:8080"), Ok("http://llm.internal:8080".to_owned()));
        // The gateway's own token is in its environment: unescaped, it leaks.
        assert_eq!(sub("${OPENCLAW_GATEWAY_TOKEN}"), Ok("gw-secret".to_owned()));
        for literal in [
            "${host}", "${}", "${1A}", "${A B}", "$HOST", "${HOST", "$ {HOST}", "{HOST}",
        ] {
            assert_eq!(sub(literal), Ok(literal.to_owned()), "{literal}");
        }
    }

    #[test]
    fn missing_or_empty_variables_stop_the_load() {
        let missing = |name: &str| Err(format!("Missing env var \"{name}\" referenced at config path: a.b"));
        assert_eq!(sub("${NOPE}"), missing("NOPE"));
        assert_eq!(sub("x ${EMPTY} y"), missing("EMPTY"));
    }

    #[test]
    fn defaults_apply_when_missing_or_empty() {
        assert_eq!(sub("${NOPE:-fallback}"), Ok("fallback".to_owned()));
        assert_eq!(sub("${EMPTY:-}"), Ok(String::new()));
        assert_eq!(sub("${HOST:-x}"), Ok("llm.internal".to_owned()));
        // A default with `$` or `{` is not a default: the text stays, and the inner
        // reference is found on its own.
        assert_eq!(sub("${A:-$x}"), Ok("${A:-$x}".to_owned()));
        assert_eq!(sub("${A:-${HOST}}"), Ok("${A:-llm.internal}".to_owned()));
    }

    #[test]
    fn escapes_yield_the_placeholder() {
        assert_eq!(sub("$${HOST}"), Ok("${HOST}".to_owned()));
        assert_eq!(sub("$${NOPE:-d}"), Ok("${NOPE:-d}".to_owned()));
        assert_eq!(sub("$$${HOST}"), Ok("$${HOST}".to_owned()));
        assert_eq!(sub("$${lower}"), Ok("$${lower}".to_owned()));
        assert_eq!(sub("$${pass:a/b}"), Ok("${pass:a/b}".to_owned()));
    }

    #[test]
    fn secret_lookups_fail_without_pass() {
        assert_eq!(
            sub("${pass:team/key}"),
            Err("Missing secret \"pass:team/key\" referenced at config path: a.b (spawnSync gopass ENOENT)".to_owned())
        );
        assert_eq!(
            sub("${gopass:k}"),
            Err("Missing secret \"gopass:k\" referenced at config path: a.b (spawnSync pass ENOENT)".to_owned())
        );
        assert_eq!(
            sub("${pass:../x}"),
            Err(
                "Config substitution failed: InvalidSecretReferenceError: Invalid secret reference \
                 \"pass:../x\" at config path: a.b"
                    .to_owned()
            )
        );
        assert_eq!(sub("${vault:x}"), Ok("${vault:x}".to_owned()));
    }

    #[test]
    fn walks_values_not_keys_with_openclaw_paths() {
        let config = json!({"${HOST}": "${HOST}", "list": ["a", {"k": "${HOST}"}], "n": 1});
        let resolved = resolve_config_env_vars(&config, &env).unwrap();
        assert_eq!(
            resolved,
            json!({"${HOST}": "llm.internal", "list": ["a", {"k": "llm.internal"}], "n": 1})
        );
        let err = |config: Value| resolve_config_env_vars(&config, &env).unwrap_err().message();
        assert!(
            err(json!({"models": {"providers": {"x": {"models": [{"id": "${NOPE}"}]}}}}))
                .ends_with("config path: models.providers.x.models[0].id")
        );
        assert!(err(json!({"p": {"z.ai": "${NOPE}"}})).ends_with("config path: p[\"z.ai\"]"));
        assert!(err(json!({"p": {"1abc": {"k": "${NOPE}"}}})).ends_with("config path: p[\"1abc\"].k"));
        assert!(err(json!(["${NOPE}"])).ends_with("config path: [0]"));
    }
}
