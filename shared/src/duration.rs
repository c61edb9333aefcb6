//! How both programs read a duration, wherever one is configured (flags, `MOSAIC_*` environment,
//! the daemon's config file), so the same text means the same time everywhere.

use std::time::Duration;

/// What an error message offers as examples.
const EXAMPLES: &str = "e.g. 500ms, 30s, 5m, 12h, 7days; a bare number is seconds";

/// A duration such as `500ms`, `30s`, `5m`, `1h 30m`, `1.5h` or `7days`, or a bare number of seconds (the
/// form the settings that once took only seconds keep accepting). Zero is a duration here; each
/// setting says what it refuses.
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse()
            .map(Duration::from_secs)
            .map_err(|_| format!("invalid duration {text:?}: too many seconds"));
    }
    humantime::parse_duration(text).map_err(|e| format!("invalid duration {text:?}: {e} ({EXAMPLES})"))
}

/// A duration as [`parse`] reads it back (`5m`, `1h 30m`, `250ms`).
pub fn format(duration: Duration) -> String {
    humantime::format_duration(duration).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_bare_seconds() {
        for (text, expected) in [
            ("30", Duration::from_secs(30)),
            (" 30 ", Duration::from_secs(30)),
            ("0", Duration::ZERO),
            ("30s", Duration::from_secs(30)),
            ("500ms", Duration::from_millis(500)),
            ("5m", Duration::from_secs(300)),
            ("2h", Duration::from_secs(7200)),
            ("1h 30m", Duration::from_secs(5400)),
            ("7days", Duration::from_secs(7 * 86400)),
            ("1d", Duration::from_secs(86400)),
            ("1.5h", Duration::from_secs(5400)),
        ] {
            assert_eq!(parse(text), Ok(expected), "{text:?}");
        }
        for bad in [
            "",
            "soon",
            "5 parsecs",
            "-1",
            "30 seconds later",
            "99999999999999999999999",
        ] {
            let err = parse(bad).unwrap_err();
            assert!(err.starts_with("invalid duration"), "{bad:?}: {err}");
        }
        assert!(parse("soon").unwrap_err().contains("30s"), "the message shows examples");
    }

    #[test]
    fn formatted_durations_parse_back() {
        for d in [
            Duration::from_millis(250),
            Duration::from_secs(300),
            Duration::from_secs(5400),
        ] {
            assert_eq!(parse(&format(d)), Ok(d));
        }
        assert_eq!(format(Duration::from_secs(7 * 86400)), "7days");
    }
}
