//! Aggregate figures for `status` (containers by kind and state: `containers::count_by_state`).

use super::{Exec, Result, q};

pub struct Counts {
    pub users: i64,
    pub providers: i64,
    pub running_containers: i64,
}

pub async fn counts(ex: &mut Exec<'_>) -> Result<Counts> {
    let (users, providers, user_running, system_running): (i64, i64, i64, i64) = ex
        .one(q("SELECT
                  (SELECT COUNT(*) FROM users WHERE deactivated_at IS NULL),
                  (SELECT COUNT(*) FROM llm_provider),
                  (SELECT COUNT(*) FROM user_container WHERE status = 'running'),
                  (SELECT COUNT(*) FROM system_container WHERE status = 'running')"))
        .await?;
    Ok(Counts {
        users,
        providers,
        running_containers: user_running + system_running,
    })
}
