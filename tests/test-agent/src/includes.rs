//! `$include` directives, which OpenClaw resolves before substitution and
//! validation: an object with a `$include` key, at any depth, is replaced by
//! the named file(s), its other keys merged over them.
//!
//! The double has no include files, and Mosaic must never emit the key, so
//! every include that names a file fails, with OpenClaw's message for why.
//! Only `"$include": []` succeeds (it includes nothing).

use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

// OpenClaw: src/config/includes.ts, INCLUDE_KEY.
const INCLUDE_KEY: &str = "$include";

/// `config` with its includes resolved, or the message of the first failure.
// OpenClaw: src/config/includes.ts, resolveConfigIncludes / IncludeProcessor.process.
pub fn resolve_includes(config: Value, config_path: &Path) -> Result<Value, String> {
    let config_path = normalize(config_path);
    let root = config_path.parent().map(Path::to_path_buf).unwrap_or_default();
    Includes {
        config_path: &config_path,
        root: &root,
    }
    .process(config)
}

struct Includes<'a> {
    config_path: &'a Path,
    /// Includes may not leave the config file's directory.
    root: &'a Path,
}

impl Includes<'_> {
    fn process(&self, value: Value) -> Result<Value, String> {
        match value {
            Value::Array(items) => items.into_iter().map(|item| self.process(item)).collect(),
            Value::Object(map) if map.contains_key(INCLUDE_KEY) => self.include(map),
            Value::Object(map) => map
                .into_iter()
                .map(|(key, item)| Ok((key, self.process(item)?)))
                .collect::<Result<Map<_, _>, String>>()
                .map(Value::Object),
            other => Ok(other),
        }
    }

    // OpenClaw: src/config/includes.ts, IncludeProcessor.processInclude.
    fn include(&self, mut map: Map<String, Value>) -> Result<Value, String> {
        let directive = map.remove(INCLUDE_KEY).unwrap_or(Value::Null);
        self.resolve_directive(&directive)?;
        // Every include that succeeds included nothing: `{}` merged under the siblings.
        map.into_iter()
            .map(|(key, item)| Ok((key, self.process(item)?)))
            .collect::<Result<Map<_, _>, String>>()
            .map(Value::Object)
    }

    // OpenClaw: src/config/includes.ts, IncludeProcessor.resolveInclude.
    fn resolve_directive(&self, directive: &Value) -> Result<(), String> {
        match directive {
            Value::String(path) => Err(self.load_failure(path)),
            Value::Array(items) => match items.first() {
                None => Ok(()),
                Some(Value::String(path)) => Err(self.load_failure(path)),
                Some(other) => Err(format!(
                    "Invalid $include array item: expected string, got {}",
                    js_typeof(other)
                )),
            },
            other => Err(format!(
                "Invalid $include value: expected string or array of strings, got {}",
                js_typeof(other)
            )),
        }
    }

    /// Why reading `include_path` fails: the double holds no include files.
    // OpenClaw: src/config/includes.ts, IncludeProcessor.resolvePath / checkCircular / readFile.
    fn load_failure(&self, include_path: &str) -> String {
        let candidate = Path::new(include_path);
        let resolved = normalize(&if candidate.is_absolute() {
            candidate.to_path_buf()
        } else {
            self.root.join(candidate)
        });
        if !resolved.starts_with(self.root) {
            return format!(
                "Include path escapes config directory: {include_path} (root: {})",
                self.root.display()
            );
        }
        if resolved == self.config_path {
            let config = self.config_path.display();
            return format!("Circular include detected: {config} -> {config}");
        }
        format!(
            "Failed to read include file: {include_path} (resolved: {})",
            resolved.display()
        )
    }
}

/// JavaScript's `typeof` for a JSON value.
fn js_typeof(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Null | Value::Array(_) | Value::Object(_) => "object",
    }
}

/// Node's `path.normalize`: `.` and `..` resolved lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resolve(config: Value) -> Result<Value, String> {
        resolve_includes(config, Path::new("/state/./openclaw.json"))
    }

    #[test]
    fn without_includes_nothing_changes() {
        let config = json!({"a": [{"b": 1}], "$schema": "x"});
        assert_eq!(resolve(config.clone()), Ok(config));
    }

    #[test]
    fn any_named_file_fails_to_load() {
        assert_eq!(
            resolve(json!({"models": {"$include": "./models.json5"}})),
            Err("Failed to read include file: ./models.json5 (resolved: /state/models.json5)".to_owned())
        );
        assert_eq!(
            resolve(json!({"x": [{"$include": ["a.json", 5]}]})),
            Err("Failed to read include file: a.json (resolved: /state/a.json)".to_owned())
        );
        assert_eq!(
            resolve(json!({"$include": "../etc/passwd"})),
            Err("Include path escapes config directory: ../etc/passwd (root: /state)".to_owned())
        );
        assert_eq!(
            resolve(json!({"$include": "/state/openclaw.json"})),
            Err("Circular include detected: /state/openclaw.json -> /state/openclaw.json".to_owned())
        );
    }

    #[test]
    fn directive_values_are_checked() {
        assert_eq!(
            resolve(json!({"p": {"$include": 5}})),
            Err("Invalid $include value: expected string or array of strings, got number".to_owned())
        );
        assert_eq!(
            resolve(json!({"$include": null})),
            Err("Invalid $include value: expected string or array of strings, got object".to_owned())
        );
        assert_eq!(
            resolve(json!({"$include": [true]})),
            Err("Invalid $include array item: expected string, got boolean".to_owned())
        );
    }

    #[test]
    fn an_empty_list_includes_nothing() {
        assert_eq!(resolve(json!({"a": {"$include": []}})), Ok(json!({"a": {}})));
        assert_eq!(
            resolve(json!({"a": {"$include": [], "b": {"$include": []}}})),
            Ok(json!({"a": {"b": {}}}))
        );
    }
}
