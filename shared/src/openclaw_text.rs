//! Text that reaches OpenClaw's config literally.
//!
//! OpenClaw substitutes placeholders in every string value of `openclaw.json` when it loads it
//! (OpenClaw: `src/config/env-substitution.ts`, `substituteString`): `${VAR}` becomes the
//! gateway's environment variable `VAR` (a missing or empty one stops the gateway), and `$${VAR}`
//! is the escape for a literal `${VAR}`. Only a `${…}` whose body the grammar recognises is
//! touched; any other `$` stays as it is. Versions differ in what else the body may be:
//! `VAR:-default` (newer: a fallback value) and `pass:path`/`gopass:path` (a secret looked up by
//! running a command). For those forms no escaping works in every version (the escape of one
//! version is a literal `$$` in the other), so Mosaic refuses them in what users type
//! ([`check`], applied by the `policy` rules for base URLs, model ids, names and references) and
//! [`escape`] handles the form every version shares.
//!
//! `mosaicd` passes every string of a generated config through [`escape`], so
//! `${OPENCLAW_GATEWAY_TOKEN}` in a base URL reaches the gateway as those characters, not as its
//! token.

/// `[A-Z_][A-Z0-9_]*`: the variable names OpenClaw substitutes.
fn is_var_name(body: &str) -> bool {
    let mut chars = body.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// A placeholder body that only some OpenClaw versions recognise.
fn is_version_dependent(body: &str) -> bool {
    if let Some((name, default)) = body.split_once(":-") {
        return is_var_name(name) && !default.contains(['$', '{']);
    }
    match body.split_once(':') {
        Some(("pass" | "gopass", path)) => !path.is_empty(),
        _ => false,
    }
}

/// The body of the `${…}` that starts at byte `at` of `text` (`text[at..]` starts with `${`).
fn body_at(text: &str, at: usize) -> Option<&str> {
    let rest = &text[at + 2..];
    rest.find('}').map(|end| &rest[..end])
}

/// `text` such that OpenClaw's substitution gives back exactly `text`: one more `$` before every
/// `${NAME}` (which turns it into the escape `$${NAME}`). Text that [`check`] refuses is not
/// made safe by this.
pub fn escape(text: &str) -> String {
    if !text.contains("${") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (at, c) in text.char_indices() {
        if c == '$' && text[at..].starts_with("${") && body_at(text, at).is_some_and(is_var_name) {
            out.push('$');
        }
        out.push(c);
    }
    out
}

/// Refuses text with a placeholder that OpenClaw versions read differently (`${VAR:-x}`,
/// `${pass:…}`, `${gopass:…}`): it could not reach the agent as typed.
pub fn check(what: &str, text: &str) -> Result<(), String> {
    let mut from = 0;
    while let Some(found) = text[from..].find("${") {
        let at = from + found;
        if let Some(body) = body_at(text, at)
            && is_version_dependent(body)
        {
            return Err(format!(
                "{what} must not contain \"${{{body}}}\": OpenClaw would replace it when it loads the \
                 agent's config"
            ));
        }
        from = at + 2;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OpenClaw's substitution with an empty environment, as `src/config/env-substitution.ts`
    /// does it for the form every version shares: `Err` where the gateway would stop.
    fn substitute(text: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            if rest.starts_with("$${")
                && let Some(body) = body_at(text, i + 1).filter(|b| is_var_name(b))
            {
                out.push_str(&format!("${{{body}}}"));
                i += 3 + body.len() + 1;
                continue;
            }
            if rest.starts_with("${")
                && let Some(body) = body_at(text, i).filter(|b| is_var_name(b))
            {
                return Err(format!("Missing env var \"{body}\""));
            }
            let c = rest.chars().next().expect("not empty");
            out.push(c);
            i += c.len_utf8();
        }
        Ok(out)
    }

    #[test]
    fn escaped_text_comes_back_unchanged() {
        let cases = [
            "plain",
            "${OPENCLAW_GATEWAY_TOKEN}",
            "http://h/${NOT_SET}/v1",
            "$${A}",
            "$$${A}",
            "${lower}",
            "${A",
            "${a${B}",
            "${}",
            "$",
            "a$b${C}d${_}e${1X}",
            "${A}}${B}",
            "é${Ü}${A_1}",
        ];
        for case in cases {
            assert_eq!(
                substitute(&escape(case)).as_deref(),
                Ok(case),
                "{case:?} -> {:?}",
                escape(case)
            );
        }
        assert!(
            substitute("${NOT_SET}").is_err(),
            "the model of OpenClaw's substitution is wrong"
        );
    }

    #[test]
    fn escaping_holds_for_generated_text() {
        // Every string over a small alphabet that exercises the grammar, up to length 6.
        let alphabet = ['$', '{', '}', 'A', 'a', '_', ':'];
        let mut texts = vec![String::new()];
        for _ in 0..6 {
            let mut next = Vec::new();
            for t in &texts {
                for c in alphabet {
                    let mut s = t.clone();
                    s.push(c);
                    assert_eq!(substitute(&escape(&s)).as_deref(), Ok(s.as_str()), "{s:?}");
                    next.push(s);
                }
            }
            texts = next;
        }
    }

    #[test]
    fn version_dependent_placeholders_are_refused() {
        assert!(check("model id", "${A:-b}").is_err());
        assert!(check("model id", "x${pass:team/key}").is_err());
        assert!(check("model id", "${gopass:k}").is_err());
        assert!(check("model id", "${A}").is_ok());
        assert!(check("model id", "${a:-b}").is_ok());
        assert!(check("model id", "${A:-$b}").is_ok());
        assert!(check("model id", "${pass:}").is_ok());
        assert_eq!(
            check("baseUrl", "http://h/${A:-x}").unwrap_err(),
            "baseUrl must not contain \"${A:-x}\": OpenClaw would replace it when it loads the agent's config"
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

            /// Text that passes the check reaches OpenClaw exactly as typed, placeholders and
            /// dollars in any arrangement; any text is checked and escaped without a panic.
            #[test]
            fn escaped_text_round_trips(text in "[$${}A-Z_a:p-]{0,24}", any_text in any::<String>()) {
                let _ = check("text", &any_text);
                let _ = escape(&any_text);
                if check("text", &text).is_ok() {
                    prop_assert_eq!(substitute(&escape(&text)), Ok(text));
                }
            }
        }
    }
}
