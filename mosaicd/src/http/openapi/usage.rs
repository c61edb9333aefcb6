//! The usage operations.

use mosaic_shared::types::*;

use super::op::*;

/// What the two reports share: the range and page parameters, the answer, and what a 400 means.
fn report(op: Op, bad_request: &str) -> Op {
    op.query(
        "from",
        date(),
        Some("First day, YYYY-MM-DD (UTC); default 29 days before to."),
    )
    .query(
        "to",
        date(),
        Some(
            "Last day, YYYY-MM-DD (UTC); default today. At most 366 days in one \
            report.",
        ),
    )
    .query("page", page_number(), None)
    .query("limit", page_size(), Some("Capped at 100."))
    .ok::<UsageReport>(
        200,
        "The figures: totals, per day, and a page of per-user rows. Figures of \
        the last few seconds may not be written yet (--usage-flush-interval).",
    )
    .error(400, bad_request)
}

pub fn operations() -> Vec<Op> {
    vec![
        report(
            get(
                "/api/admin/usage",
                "usage",
                "Chat usage figures of every user, or of one",
            )
            .describe(
                "Aggregate figures the chat proxy counted per user and UTC day: \
                requests, failures by kind, cold starts, tokens as the agents reported \
                them. Never conversations.",
            )
            .admin()
            .query("user", string(), Some("Only this user id.")),
            "A date not as YYYY-MM-DD, from after to, a range over 366 days, page \
            or limit not a whole number of at least 1, or an unknown query \
            parameter.",
        )
        .error(404, "user names no user."),
        report(
            get("/api/usage", "usage", "The caller's own chat usage figures")
                .describe("The same report as /api/admin/usage, of the caller alone.")
                .signed_in_read(),
            "A date not as YYYY-MM-DD, from after to, a range over 366 days, page \
            or limit not a whole number of at least 1, or an unknown query \
            parameter (user is not one here).",
        ),
    ]
}
