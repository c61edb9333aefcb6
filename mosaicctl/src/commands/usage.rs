//! `mosaicctl usage`: chat usage figures (never contents), per user or per day, as
//! `GET /api/admin/usage` answers them (`--json` prints that shape).

use mosaic_shared::types::{UsageFigures, UsageQuery};

use crate::call;
use crate::cli::UsageArgs;
use crate::client::Client;
use crate::error::CliResult;
use crate::output;

const FIGURES: [&str; 8] = [
    "REQUESTS",
    "STREAMED",
    "FAILED",
    "COLD STARTS",
    "COLD START TIME",
    "TOKENS IN",
    "TOKENS OUT",
    "NO REPORT",
];

fn cells(f: &UsageFigures) -> Vec<String> {
    let cold = if f.cold_starts == 0 {
        "-".to_string()
    } else {
        format!(
            "{:.1}s total, {:.1}s avg",
            f.cold_start_ms as f64 / 1000.0,
            f.cold_start_ms as f64 / 1000.0 / f.cold_starts as f64
        )
    };
    vec![
        f.requests.to_string(),
        f.streamed.to_string(),
        f.failed.to_string(),
        f.cold_starts.to_string(),
        cold,
        f.tokens_in.to_string(),
        f.tokens_out.to_string(),
        f.usage_missing.to_string(),
    ]
}

pub async fn run(client: &Client, args: UsageArgs, json: bool) -> CliResult {
    let by_day = args.user.is_some();
    let query = UsageQuery {
        user: args.user,
        from: args.from,
        to: args.to,
        page: args.page,
        limit: args.limit,
    };
    let report = call!(client, usage_report(query))?;
    if json {
        output::json(&report);
        return Ok(());
    }
    let mut table;
    if by_day {
        table = output::table(&[&["DAY"][..], &FIGURES[..]].concat());
        for day in &report.daily {
            table.add_row([vec![day.day.clone()], cells(&day.figures)].concat());
        }
    } else {
        table = output::table(&[&["USER"][..], &FIGURES[..]].concat());
        for u in &report.data {
            let who = u
                .email
                .clone()
                .or_else(|| u.name.clone())
                .unwrap_or_else(|| u.user_id.clone());
            table.add_row([vec![who], cells(&u.figures)].concat());
        }
    }
    table.add_row([vec!["TOTAL".to_string()], cells(&report.totals)].concat());
    println!("Chat usage from {} to {} (UTC):", report.from, report.to);
    println!("{table}");
    let f = &report.totals.failures;
    if report.totals.failed > 0 {
        println!(
            "Failed: {} rejected, {} agent did not start, {} agent unreachable, {} agent error, {} broke off, {} cancelled by the client.",
            f.rejected, f.start, f.unreachable, f.agent, f.interrupted, f.cancelled
        );
    }
    if !by_day {
        let m = report.meta;
        println!(
            "Page {} of {} · {} user{} with figures · {} per page",
            m.page,
            m.total_pages.max(1),
            m.total,
            if m.total == 1 { "" } else { "s" },
            m.limit
        );
    }
    Ok(())
}
