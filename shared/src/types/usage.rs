//! Chat usage figures: what the chat proxy counted per user and day (never a message, a prompt or
//! an answer), as reports over a range of days.

use serde::{Deserialize, Serialize};

use super::PageMeta;

/// Chat usage figures over some users and days: counts only, never a message, a prompt or an
/// answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UsageFigures {
    /// Chat requests, whatever became of them.
    pub requests: u64,
    /// Of those, streaming ones (`stream: true`).
    pub streamed: u64,
    /// Requests that did not end with a whole answer (the sum of `failures`).
    pub failed: u64,
    pub failures: UsageFailures,
    /// Requests that started their agent's container.
    pub cold_starts: u64,
    /// Time those starts took, in milliseconds.
    pub cold_start_ms: u64,
    /// Prompt tokens, as the agent reported them.
    pub tokens_in: u64,
    /// Completion tokens, as the agent reported them.
    pub tokens_out: u64,
    /// Whole answers that carried the agent's token report.
    pub usage_reported: u64,
    /// Whole answers without a token report: their tokens are unknown and not in the sums. A stream
    /// reports tokens only when its client asked for `stream_options.include_usage` (mosaicd does
    /// not add it).
    pub usage_missing: u64,
}

crate::words! {
    /// How a chat request failed: the kinds [`UsageFailures`] counts, and the `kind` label of the
    /// chat failure metric.
    pub enum ChatFailure("chat failure") {
        /// mosaicd refused it before the agent saw it (not JSON, no messages, too large, over the
        /// memory budget).
        Rejected = "rejected",
        /// The agent's container did not start (failed or timed out).
        Start = "start",
        /// The agent did not answer (connection refused, reset, timed out).
        Unreachable = "unreachable",
        /// The agent answered with an error (an HTTP error status, or an error event in its
        /// stream).
        Agent = "agent",
        /// The agent's answer broke off midway.
        Interrupted = "interrupted",
        /// The client went away before the answer ended.
        Cancelled = "cancelled",
    }
}

impl ChatFailure {
    /// Its place in [`ChatFailure::ALL`], for counters kept in an array.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Failed chat requests by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UsageFailures {
    /// Refused by mosaicd before the agent saw it (not JSON, no messages, too large, too busy).
    pub rejected: u64,
    /// The agent's container did not start (failed or timed out).
    pub start: u64,
    /// The agent did not answer.
    pub unreachable: u64,
    /// The agent answered with an error status, or an error event in its stream.
    pub agent: u64,
    /// The answer broke off midway.
    pub interrupted: u64,
    /// The client went away before the answer ended.
    pub cancelled: u64,
}

/// One user's figures over the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserUsage {
    pub user_id: String,
    /// `None` for a user that no longer exists.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub email: Option<String>,
    /// `None` for a user that no longer exists.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub name: Option<String>,
    #[serde(flatten)]
    pub figures: UsageFigures,
}

/// One day's figures (of every user in the report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DayUsage {
    /// `YYYY-MM-DD`, UTC.
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub day: String,
    #[serde(flatten)]
    pub figures: UsageFigures,
}

/// Usage over a range of days: totals, per day, and one page of per-user rows (most requests
/// first), paginated as the users list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UsageReport {
    /// First and last day, inclusive (`YYYY-MM-DD`, UTC).
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub from: String,
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub to: String,
    pub totals: UsageFigures,
    /// Days with figures, oldest first.
    pub daily: Vec<DayUsage>,
    /// One page of per-user rows, most requests first.
    pub data: Vec<UserUsage>,
    pub meta: PageMeta,
}

/// What a usage report covers; absent fields take the defaults (the last 30 days, every user,
/// page 1 of 50).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UsageQuery {
    /// A user id, an email or a breakglass username.
    pub user: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<i64>,
    pub limit: Option<i64>,
}
