//! Printing results: JSON for scripts, tables and sentences for people.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

pub fn json<T: Serialize>(value: &T) {
    println!("{}", serde_json::to_string_pretty(value).expect("DTOs serialize"));
}

pub fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    table
}

/// Two-column "field: value" table for a single object.
pub fn fields(rows: &[(&str, String)]) -> Table {
    let mut table = Table::new();
    table.load_preset(comfy_table::presets::NOTHING);
    for (k, v) in rows {
        table.add_row(vec![format!("{k}:"), v.clone()]);
    }
    table
}

/// `1d 2h`, `3h 4m`, `5m 6s`, `7s`.
pub fn duration(seconds: u64) -> String {
    let (d, h, m, s) = (seconds / 86400, seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

/// `2026-11-24T10:22:03.123Z` → `2026-11-24 10:22:03Z`: RFC 3339 without the noise.
pub fn time(rfc3339: &str) -> String {
    let (date, rest) = rfc3339.split_once('T').unwrap_or((rfc3339, ""));
    let clock: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == ':').collect();
    if clock.is_empty() {
        return rfc3339.to_string();
    }
    format!("{date} {clock}Z")
}

/// Awaits `work` with a spinner showing `message` and the elapsed time; the spinner is gone when
/// the answer is printed.
pub async fn waiting<T>(message: String, work: impl std::future::Future<Output = T>) -> T {
    let bar = spinner(message);
    let result = work.await;
    bar.finish_and_clear();
    result
}

/// A spinner on stderr with the elapsed time, for work that takes a while. Hidden when stderr is
/// not a terminal.
fn spinner(message: String) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .expect("valid template")
            .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ "),
    );
    bar.set_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    bar
}
