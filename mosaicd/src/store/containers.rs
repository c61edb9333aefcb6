//! `user_container` and `system_container`: what the daemon knows about each agent container.
//!
//! Both tables are read into one [`ContainerRow`] shape, so the container manager handles user and
//! system containers alike; [`Kind`] picks the table. A system container's row is created by an
//! admin (`system-agents add`), a user container's row on the user's first start.

use super::{Exec, ROWS_PER_STATEMENT, Result, new_id, now_ms, q, q_rows};

pub use mosaic_shared::types::{ContainerKind as Kind, ContainerState};

/// The table a kind of container lives in.
pub fn table(kind: Kind) -> &'static str {
    match kind {
        Kind::User => "user_container",
        Kind::System => "system_container",
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContainerRow {
    pub id: String,
    /// The user id, or the system agent's name.
    pub owner: String,
    pub container_id: Option<String>,
    /// `enc:v1:…`, bound to (table, id, gateway_token). NULL while stopped.
    pub gateway_token: Option<String>,
    pub gateway_token_hash: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: ContainerState,
    pub status_detail: Option<String>,
    pub stop_reason: Option<String>,
    pub stopped_at: Option<i64>,
    pub started_at: Option<i64>,
    /// User containers only.
    pub last_active_at: Option<i64>,
    /// User containers only.
    pub idle_timeout_min: Option<i64>,
    pub config_hash: Option<String>,
    pub generation: i64,
    pub image: Option<String>,
    pub updated_at: i64,
    /// The Swarm node holding its state volume, once a start placed it (the `swarm` runtime).
    pub node: Option<String>,
}

macro_rules! user_select {
    ($rest:literal) => {
        concat!(
            "SELECT id, user_id AS owner, container_id, gateway_token, gateway_token_hash, status,
                status_detail, stop_reason, stopped_at, started_at, last_active_at, idle_timeout_min,
                config_hash, generation, image, updated_at, node FROM user_container ",
            $rest
        )
    };
}

macro_rules! system_select {
    ($rest:literal) => {
        concat!(
            "SELECT id, name AS owner, container_id, gateway_token, gateway_token_hash, status,
                status_detail, stop_reason, stopped_at, started_at, CAST(NULL AS BIGINT) AS last_active_at,
                CAST(NULL AS BIGINT) AS idle_timeout_min, config_hash, generation, image, updated_at, node
             FROM system_container ",
            $rest
        )
    };
}

pub async fn get(ex: &mut Exec<'_>, kind: Kind, owner: &str) -> Result<Option<ContainerRow>> {
    let query = match kind {
        Kind::User => q(user_select!("WHERE user_id = $1")),
        Kind::System => q(system_select!("WHERE name = $1")),
    };
    ex.optional(query.bind(owner)).await
}

/// A user container's row with what the listings and the reaper need of its user, read in one
/// query.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnedRow {
    #[sqlx(flatten)]
    pub row: ContainerRow,
    /// `None` when the user row is gone.
    pub owner_email: Option<String>,
    pub owner_name: Option<String>,
    pub owner_deactivated_at: Option<i64>,
}

impl OwnedRow {
    /// How listings name the owner: the email, else the name, else the user id.
    pub fn owner_label(&self) -> String {
        self.owner_email
            .clone()
            .or_else(|| self.owner_name.clone())
            .unwrap_or_else(|| self.row.owner.clone())
    }

    /// The user is deactivated, or gone.
    pub fn owner_inactive(&self) -> bool {
        self.owner_name.is_none() || self.owner_deactivated_at.is_some()
    }
}

macro_rules! owned_select {
    ($rest:literal) => {
        concat!(
            "SELECT c.id, c.user_id AS owner, c.container_id, c.gateway_token, c.gateway_token_hash, c.status,
                c.status_detail, c.stop_reason, c.stopped_at, c.started_at, c.last_active_at, c.idle_timeout_min,
                c.config_hash, c.generation, c.image, c.updated_at, c.node,
                u.email AS owner_email, u.name AS owner_name, u.deactivated_at AS owner_deactivated_at
             FROM user_container c LEFT JOIN users u ON u.id = c.user_id ",
            $rest
        )
    };
}

/// How many containers of a kind there are.
pub async fn count(ex: &mut Exec<'_>, kind: Kind) -> Result<i64> {
    let query = match kind {
        Kind::User => q("SELECT COUNT(*) FROM user_container"),
        Kind::System => q("SELECT COUNT(*) FROM system_container"),
    };
    let (n,): (i64,) = ex.one(query).await?;
    Ok(n)
}

/// One page of user containers, oldest first (a new container lands at the end, so the pages a
/// client already read do not shift), with their owners. Index `user_container_listed`.
pub async fn user_page(ex: &mut Exec<'_>, limit: i64, offset: i64) -> Result<Vec<OwnedRow>> {
    ex.all(
        q(owned_select!("ORDER BY c.created_at, c.id LIMIT $1 OFFSET $2"))
            .bind(limit)
            .bind(offset),
    )
    .await
}

/// One page of system containers, by name.
pub async fn system_page(ex: &mut Exec<'_>, limit: i64, offset: i64) -> Result<Vec<ContainerRow>> {
    ex.all(
        q(system_select!("ORDER BY name LIMIT $1 OFFSET $2"))
            .bind(limit)
            .bind(offset),
    )
    .await
}

/// How many user containers run (index `user_container_status`).
pub async fn count_running_users(ex: &mut Exec<'_>) -> Result<i64> {
    let (n,): (i64,) = ex
        .one(q("SELECT COUNT(*) FROM user_container WHERE status = 'running'"))
        .await?;
    Ok(n)
}

/// The running user containers the reaper may stop, with their owners: those whose user is
/// deactivated or gone, and those idle at `now` (their last activity and their start both at
/// least their idle timeout ago; the default timeout is 30 minutes) that no replica holds an
/// unexpired activity lease on at `lease_now`. The database does the filtering, so a pass over
/// many containers in use reads none of them.
pub async fn reap_candidates(ex: &mut Exec<'_>, now: i64, lease_now: i64) -> Result<Vec<OwnedRow>> {
    ex.all(
        q(owned_select!(
            "WHERE c.status = 'running' AND (
                 u.id IS NULL OR u.deactivated_at IS NOT NULL
                 OR (COALESCE(c.last_active_at, 0) + COALESCE(c.idle_timeout_min, 30) * 60000 <= $1
                     AND COALESCE(c.started_at, 0) + COALESCE(c.idle_timeout_min, 30) * 60000 <= $1
                     AND NOT EXISTS (SELECT 1 FROM container_activity a
                                     WHERE a.user_id = c.user_id AND a.expires_at > $2)))"
        ))
        .bind(now)
        .bind(lease_now),
    )
    .await
}

/// Rows that say their container runs or is starting, of both kinds: what reconciliation checks
/// against Docker (indexes `user_container_status`, `system_container_status`).
pub async fn up(ex: &mut Exec<'_>) -> Result<Vec<(Kind, ContainerRow)>> {
    let mut out = Vec::new();
    for kind in [Kind::User, Kind::System] {
        let query = match kind {
            Kind::User => q(user_select!("WHERE status IN ('running', 'starting')")),
            Kind::System => q(system_select!("WHERE status IN ('running', 'starting')")),
        };
        let rows: Vec<ContainerRow> = ex.all(query).await?;
        out.extend(rows.into_iter().map(|row| (kind, row)));
    }
    Ok(out)
}

/// Marks containers whose container is gone as stopped, many rows per statement: reason
/// `interrupted` for a row that said `starting`, `crash` otherwise. A row changes only if its
/// generation and status are still the ones given (`rows` as read), so a start or stop that
/// moved it meanwhile wins. Returns the rows changed: (row id, owner, reason).
pub async fn mark_vanished(
    ex: &mut Exec<'_>,
    kind: Kind,
    rows: &[&ContainerRow],
    detail: &str,
) -> Result<Vec<(String, String, String)>> {
    let now = now_ms();
    let mut changed = Vec::new();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let head = format!(
            "UPDATE {} SET
               stop_reason = CASE WHEN status = 'starting' THEN 'interrupted' ELSE 'crash' END,
               status = 'stopped', status_detail = $1, stopped_at = $2, container_id = NULL,
               gateway_token = NULL, gateway_token_hash = NULL, updated_at = $2
             WHERE status IN ('running', 'starting') AND (id, generation, status) IN (VALUES ",
            table(kind)
        );
        let owner = match kind {
            Kind::User => "user_id",
            Kind::System => "name",
        };
        let tail = format!(") RETURNING id, {owner}, stop_reason");
        let query = q_rows(&head, 3, chunk.len(), 3, &tail);
        let mut query = query.bind(detail).bind(now);
        for row in chunk {
            query = query
                .bind(row.id.as_str())
                .bind(row.generation)
                .bind(row.status.as_str());
        }
        let done: Vec<(String, String, String)> = ex.all(query).await?;
        changed.extend(done);
    }
    Ok(changed)
}

/// How many containers of each kind are in each state: (`user`|`system`, state, count), states
/// with no container left out.
pub async fn count_by_state(ex: &mut Exec<'_>) -> Result<Vec<(String, String, i64)>> {
    ex.all(q(
        "SELECT CAST('user' AS TEXT), status, COUNT(*) FROM user_container GROUP BY status
              UNION ALL
              SELECT CAST('system' AS TEXT), status, COUNT(*) FROM system_container GROUP BY status",
    ))
    .await
}

/// Rows in `status` (e.g. every running container).
pub async fn with_status(ex: &mut Exec<'_>, kind: Kind, status: ContainerState) -> Result<Vec<ContainerRow>> {
    let query = match kind {
        Kind::User => q(user_select!("WHERE status = $1 ORDER BY user_id")),
        Kind::System => q(system_select!("WHERE status = $1 ORDER BY name")),
    };
    ex.all(query.bind(status.as_str())).await
}

/// Which container a gateway token belongs to, by the token's hash.
pub async fn by_token_hash(ex: &mut Exec<'_>, hash: &str) -> Result<Option<(Kind, ContainerRow)>> {
    if let Some(row) = ex
        .optional::<ContainerRow>(q(user_select!("WHERE gateway_token_hash = $1")).bind(hash))
        .await?
    {
        return Ok(Some((Kind::User, row)));
    }
    Ok(ex
        .optional::<ContainerRow>(q(system_select!("WHERE gateway_token_hash = $1")).bind(hash))
        .await?
        .map(|row| (Kind::System, row)))
}

/// Creates the user's row if it does not exist yet; returns the row either way.
pub async fn ensure_user_row(
    ex: &mut Exec<'_>,
    user_id: &str,
    container_name: &str,
    idle_timeout_min: i64,
) -> Result<ContainerRow> {
    let now = now_ms();
    ex.execute(
        q(
            "INSERT INTO user_container (id, user_id, container_name, status, idle_timeout_min, created_at, updated_at)
           VALUES ($1, $2, $3, 'stopped', $4, $5, $5)
           ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(new_id())
        .bind(user_id)
        .bind(container_name)
        .bind(idle_timeout_min)
        .bind(now),
    )
    .await?;
    ex.one(q(user_select!("WHERE user_id = $1")).bind(user_id)).await
}

/// The start of a start: the next generation, its token, and the settings it runs with.
pub struct Starting<'a> {
    pub id: &'a str,
    pub generation: i64,
    pub gateway_token: &'a str,
    pub gateway_token_hash: &'a str,
    pub image: &'a str,
    pub config_hash: &'a str,
    /// The config as delivered, with API keys masked.
    pub config_redacted: &'a str,
    pub idle_timeout_min: i64,
}

/// Marks a container as starting under a new generation and token. Fails with `Conflict` if the
/// row's generation moved meanwhile (another writer started it).
pub async fn mark_starting(ex: &mut Exec<'_>, kind: Kind, previous_generation: i64, s: &Starting<'_>) -> Result<bool> {
    let now = now_ms();
    let query = match kind {
        Kind::User => q(
            "UPDATE user_container SET status = 'starting', status_detail = NULL, container_id = NULL,
                   generation = $2, gateway_token = $3, gateway_token_hash = $4, image = $5, config_hash = $6,
                   config = $7, updated_at = $8, idle_timeout_min = $10
             WHERE id = $1 AND generation = $9",
        ),
        Kind::System => q(
            "UPDATE system_container SET status = 'starting', status_detail = NULL, container_id = NULL,
                   generation = $2, gateway_token = $3, gateway_token_hash = $4, image = $5, config_hash = $6,
                   config = $7, updated_at = $8
             WHERE id = $1 AND generation = $9",
        ),
    };
    let mut query = query
        .bind(s.id)
        .bind(s.generation)
        .bind(s.gateway_token)
        .bind(s.gateway_token_hash)
        .bind(s.image)
        .bind(s.config_hash)
        .bind(s.config_redacted)
        .bind(now)
        .bind(previous_generation);
    if kind == Kind::User {
        query = query.bind(s.idle_timeout_min);
    }
    Ok(ex.execute(query).await? == 1)
}

/// The container passed its health check.
pub async fn mark_running(ex: &mut Exec<'_>, kind: Kind, id: &str, generation: i64, container_id: &str) -> Result<()> {
    let now = now_ms();
    let query = match kind {
        Kind::User => q(
            "UPDATE user_container SET status = 'running', status_detail = NULL, container_id = $3,
                   started_at = $4, last_active_at = $4, updated_at = $4
             WHERE id = $1 AND generation = $2",
        ),
        Kind::System => q(
            "UPDATE system_container SET status = 'running', status_detail = NULL, container_id = $3,
                   started_at = $4, updated_at = $4
             WHERE id = $1 AND generation = $2",
        ),
    };
    ex.execute(query.bind(id).bind(generation).bind(container_id).bind(now))
        .await?;
    Ok(())
}

/// Records that the container is no longer running: why, since when, and in which state
/// (`stopped`, or `error` after a failed start). The token is cleared: nobody holds it any more.
pub async fn mark_stopped(
    ex: &mut Exec<'_>,
    kind: Kind,
    id: &str,
    status: ContainerState,
    reason: &str,
    detail: Option<&str>,
) -> Result<()> {
    let now = now_ms();
    let query = match kind {
        Kind::User => q(
            "UPDATE user_container SET status = $2, stop_reason = $3, status_detail = $4, stopped_at = $5,
                   container_id = NULL, gateway_token = NULL, gateway_token_hash = NULL, updated_at = $5
             WHERE id = $1",
        ),
        Kind::System => q(
            "UPDATE system_container SET status = $2, stop_reason = $3, status_detail = $4,
                   stopped_at = $5, container_id = NULL, gateway_token = NULL, gateway_token_hash = NULL,
                   updated_at = $5
             WHERE id = $1",
        ),
    };
    ex.execute(query.bind(id).bind(status.as_str()).bind(reason).bind(detail).bind(now))
        .await?;
    Ok(())
}

/// Records the Swarm node the container's state volume is on (where its first start ran).
pub async fn record_node(ex: &mut Exec<'_>, kind: Kind, id: &str, node: &str) -> Result<()> {
    let query = match kind {
        Kind::User => q("UPDATE user_container SET node = $2 WHERE id = $1"),
        Kind::System => q("UPDATE system_container SET node = $2 WHERE id = $1"),
    };
    ex.execute(query.bind(id).bind(node)).await?;
    Ok(())
}

/// Adopts a running container found in Docker (reconciliation).
pub async fn mark_adopted(ex: &mut Exec<'_>, kind: Kind, id: &str, container_id: &str) -> Result<()> {
    let query = match kind {
        Kind::User => q(
            "UPDATE user_container SET status = 'running', container_id = $2, status_detail = NULL,
                   updated_at = $3 WHERE id = $1",
        ),
        Kind::System => q(
            "UPDATE system_container SET status = 'running', container_id = $2, status_detail = NULL,
                   updated_at = $3 WHERE id = $1",
        ),
    };
    ex.execute(query.bind(id).bind(container_id).bind(now_ms())).await?;
    Ok(())
}

/// Stores the last activity seen through the proxy.
pub async fn touch(ex: &mut Exec<'_>, user_id: &str, at: i64) -> Result<()> {
    ex.execute(
        q("UPDATE user_container SET last_active_at = $2 WHERE user_id = $1 AND (last_active_at IS NULL OR last_active_at < $2)")
            .bind(user_id)
            .bind(at),
    )
    .await?;
    Ok(())
}

/// A system agent's definition (the admin-provisioned part of `system_container`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SystemAgentRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub provider_id: Option<String>,
    pub primary_model: String,
    pub personality: Option<String>,
    pub is_active: bool,
    pub created_at: i64,
}

pub struct NewSystemAgent<'a> {
    pub name: &'a str,
    pub role: &'a str,
    pub provider_id: Option<&'a str>,
    pub primary_model: &'a str,
    pub personality: Option<&'a str>,
}

pub async fn insert_system_agent(ex: &mut Exec<'_>, agent: &NewSystemAgent<'_>) -> Result<SystemAgentRow> {
    let now = now_ms();
    ex.one(
        q(
            "INSERT INTO system_container (id, name, role, provider_id, primary_model, personality, status, is_active,
                                         created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'stopped', TRUE, $7, $7)
           RETURNING id, name, role, provider_id, primary_model, personality, is_active, created_at",
        )
        .bind(new_id())
        .bind(agent.name)
        .bind(agent.role)
        .bind(agent.provider_id)
        .bind(agent.primary_model)
        .bind(agent.personality)
        .bind(now),
    )
    .await
}

pub async fn system_agent(ex: &mut Exec<'_>, name: &str) -> Result<Option<SystemAgentRow>> {
    ex.optional(
        q(
            "SELECT id, name, role, provider_id, primary_model, personality, is_active, created_at
           FROM system_container WHERE name = $1",
        )
        .bind(name),
    )
    .await
}

/// How many active system agents there are (onboarding's step 4 is done once one exists).
pub async fn active_system_agents(ex: &mut Exec<'_>) -> Result<u64> {
    let (n,): (i64,) = ex
        .one(q("SELECT COUNT(*) FROM system_container WHERE is_active = TRUE"))
        .await?;
    Ok(n as u64)
}

pub async fn system_agents(ex: &mut Exec<'_>) -> Result<Vec<SystemAgentRow>> {
    ex.all(q(
        "SELECT id, name, role, provider_id, primary_model, personality, is_active, created_at
         FROM system_container ORDER BY name",
    ))
    .await
}

pub async fn delete_system_agent(ex: &mut Exec<'_>, name: &str) -> Result<bool> {
    Ok(ex
        .execute(q("DELETE FROM system_container WHERE name = $1").bind(name))
        .await?
        == 1)
}
