//! JSON objects with keys in a chosen order.
//!
//! Node's `JSON.stringify` keeps insertion order, so OpenClaw sends
//! `{"id":…,"object":…,"created":…}`; serde_json's `Map` would sort the keys
//! (its `preserve_order` feature would change the map type for the whole
//! workspace). Byte-for-byte order lets tests match raw output.

use serde_json::Value;

/// `{"k":v,…}` from already-serialised values.
pub fn object(fields: &[(&str, String)]) -> String {
    let body: Vec<String> = fields
        .iter()
        .map(|(key, value)| format!("{}:{value}", string(key)))
        .collect();
    format!("{{{}}}", body.join(","))
}

pub fn string(s: &str) -> String {
    Value::from(s).to_string()
}

pub fn opt_string(s: Option<&str>) -> String {
    s.map_or_else(|| "null".to_owned(), string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_escapes() {
        let text = object(&[("z", string("a\"b\n")), ("a", "1".to_owned()), ("m", opt_string(None))]);
        assert_eq!(text, r#"{"z":"a\"b\n","a":1,"m":null}"#);
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["z"], "a\"b\n");
    }
}
