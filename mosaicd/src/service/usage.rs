//! Usage figures as a service: the tickets the chat proxy takes for each request, the flusher
//! that writes them (see `crate::usage`), reports over a range of UTC days as totals, per day and
//! per user (paginated as the users list; admins see everyone's or one user's, a user their own),
//! and the retention setting, which `mosaicctl config` edits.

use std::sync::Arc;
use std::time::Duration;

use mosaic_shared::types::{DayUsage, UsageFailures, UsageFigures, UsageReport, UserUsage};
use serde_json::json;

use crate::error::{Error, Result};
use crate::metrics::Metrics;
use crate::store::Db;
use crate::store::audit::Actor;
use crate::store::paging::PageRequest;
use crate::store::{audit, system_config, usage as rows};
use crate::usage::{self, Counts, Failure, MAX_RETENTION_DAYS, RETENTION_KEY, Recorder, Ticket};

/// The range when none is given: the last 30 days, today included.
pub const DEFAULT_DAYS: i64 = 30;
/// The longest range one report covers.
pub const MAX_DAYS: i64 = 366;

/// Which figures a report covers.
#[derive(Debug, Clone, Default)]
pub struct UsageRange<'a> {
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    /// A user id; `None` for every user.
    pub user: Option<&'a str>,
}

/// `YYYY-MM-DD` → days since 1970-01-01.
fn parse_day(name: &str, text: &str) -> Result<i64> {
    let bad = || Error::invalid(format!("{name} must be a date as YYYY-MM-DD (UTC), not {text:?}"));
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else { return Err(bad()) };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let number = |s: &str| s.parse::<u16>().map_err(|_| bad());
    let month = time::Month::try_from(number(m)? as u8).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(i32::from(number(y)?), month, number(d)? as u8).map_err(|_| bad())?;
    Ok((date - time::Date::from_calendar_date(1970, time::Month::January, 1).expect("epoch")).whole_days())
}

fn figures(c: &Counts) -> UsageFigures {
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    let failures = UsageFailures {
        rejected: n(c.failed(Failure::Rejected)),
        start: n(c.failed(Failure::Start)),
        unreachable: n(c.failed(Failure::Unreachable)),
        agent: n(c.failed(Failure::Agent)),
        interrupted: n(c.failed(Failure::Interrupted)),
        cancelled: n(c.failed(Failure::Cancelled)),
    };
    UsageFigures {
        requests: n(c.requests),
        streamed: n(c.streamed),
        failed: Failure::ALL.iter().map(|f| n(c.failed(*f))).sum(),
        failures,
        cold_starts: n(c.cold_starts),
        cold_start_ms: n(c.cold_start_ms),
        tokens_in: n(c.tokens_in),
        tokens_out: n(c.tokens_out),
        usage_reported: n(c.usage_reported),
        usage_missing: n(c.usage_missing),
    }
}

/// Chat usage: counted per request, written in batches, reported, kept for the retention.
pub struct Usage {
    db: Db,
    /// Figures not yet written.
    recorder: Arc<Recorder>,
}

impl Usage {
    pub fn new(db: Db, metrics: Arc<Metrics>) -> Usage {
        Usage {
            db,
            recorder: Arc::new(Recorder::new(metrics)),
        }
    }

    /// A ticket for one chat request of `user`; dropped, it records how the request ended.
    pub fn ticket(&self, user: &str) -> Ticket {
        self.recorder.ticket(user)
    }

    /// The retention setting in effect (days; 0 counts nothing).
    pub async fn retention_days(&self) -> Result<i64> {
        usage::retention_days(&self.db).await
    }

    /// Applies the stored retention setting (at startup, before the first request).
    pub async fn load_retention(&self) -> Result<()> {
        self.recorder.set_retention(self.retention_days().await?);
        Ok(())
    }

    /// Writes the figures accumulated so far (at shutdown, after the last request).
    pub async fn flush(&self) -> Result<usize> {
        self.recorder.flush(&self.db).await
    }

    /// The background task: flushes every `interval` and prunes old days until `stop` resolves.
    pub fn flusher(
        &self,
        interval: Duration,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> impl std::future::Future<Output = ()> + Send + 'static {
        usage::run(self.recorder.clone(), self.db.clone(), interval, stop)
    }
}

impl Usage {
    /// Figures over `range` with one page of per-user rows. Figures of the last few seconds may
    /// not be written yet (they are flushed every `--usage-flush-interval`).
    pub async fn usage_report(&self, range: UsageRange<'_>, page: i64, limit: i64) -> Result<UsageReport> {
        let request = PageRequest::new(Some(page), Some(limit))?;
        let to_day = match range.to {
            Some(text) => parse_day("to", text)?,
            None => parse_day("to", &usage::today())?,
        };
        let from_day = match range.from {
            Some(text) => parse_day("from", text)?,
            None => to_day - (DEFAULT_DAYS - 1),
        };
        if from_day > to_day {
            return Err(Error::invalid("from must not be after to"));
        }
        if to_day - from_day + 1 > MAX_DAYS {
            return Err(Error::invalid(format!("a usage report covers at most {MAX_DAYS} days")));
        }
        let (from, to) = (usage::day_text(from_day), usage::day_text(to_day));
        let mut ex = self.db.ex();
        let daily = rows::daily(&mut ex, &from, &to, range.user).await?;
        let mut totals = Counts::default();
        for day in &daily {
            totals.add(&day.counts());
        }
        let total = rows::count_users(&mut ex, &from, &to, range.user).await?;
        let users = request
            .fetch(total, |limit, offset| {
                rows::per_user(&mut ex, &from, &to, range.user, limit, offset)
            })
            .await?;
        Ok(UsageReport {
            from,
            to,
            totals: figures(&totals),
            daily: daily
                .iter()
                .map(|d| DayUsage {
                    day: d.key.clone(),
                    figures: figures(&d.counts()),
                })
                .collect(),
            data: users
                .data
                .iter()
                .map(|u| UserUsage {
                    user_id: u.key.clone(),
                    email: u.email.clone(),
                    name: u.name.clone(),
                    figures: figures(&u.counts()),
                })
                .collect(),
            meta: users.meta,
        })
    }

    /// Sets how many days of usage figures are kept (`None`: the default); 0 turns counting off.
    pub async fn set_usage_retention(&self, actor: &Actor, days: Option<&str>) -> Result<()> {
        let value = days
            .map(|text| {
                text.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|d| (0..=MAX_RETENTION_DAYS).contains(d))
                    .ok_or_else(|| {
                        Error::invalid(format!(
                            "{RETENTION_KEY} must be a whole number of days from 0 (count nothing) to {MAX_RETENTION_DAYS}, not {text:?}"
                        ))
                    })
            })
            .transpose()?;
        let mut tx = self.db.begin().await?;
        match value {
            Some(days) => system_config::set(&mut tx.ex(), RETENTION_KEY, &days.to_string(), false).await?,
            None => {
                system_config::delete(&mut tx.ex(), RETENTION_KEY).await?;
            }
        }
        audit::record(
            &mut tx.ex(),
            actor,
            "usage_settings.update",
            None,
            json!({ RETENTION_KEY: value }),
        )
        .await?;
        tx.commit().await?;
        self.load_retention().await?;
        // Old days go now rather than at the next hourly pass.
        self.recorder.prune(&self.db).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_strictly() {
        assert_eq!(parse_day("d", "1970-01-01").unwrap(), 0);
        assert_eq!(parse_day("d", "2025-12-05").unwrap(), 20_427);
        for bad in [
            "2025-12-5",
            "2025-13-01",
            "2025-02-30",
            "20251205",
            "",
            "2025-12-05T00:00:00Z",
            "-001-01-01",
        ] {
            assert!(parse_day("d", bad).is_err(), "{bad}");
        }
    }
}
