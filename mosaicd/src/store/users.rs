//! `users`: everyone who can log in. Breakglass admins have a row here too (auth source
//! `breakglass`), so sessions, providers and the audit log refer to one kind of id.

use super::{Exec, Result, new_id, now_ms, q};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: Option<String>,
    pub name: String,
    pub role: String,
    pub auth_source: String,
    pub invited_at: Option<i64>,
    pub invited_by: Option<String>,
    pub deactivated_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub struct NewUser<'a> {
    pub email: Option<&'a str>,
    pub name: &'a str,
    pub role: &'a str,
    pub auth_source: &'a str,
    pub invited_by: Option<&'a str>,
}

pub async fn insert(ex: &mut Exec<'_>, user: NewUser<'_>) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    ex.execute(
        q(
            "INSERT INTO users (id, email, name, role, auth_source, invited_at, invited_by, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&id)
        .bind(user.email.map(str::to_lowercase))
        .bind(user.name)
        .bind(user.role)
        .bind(user.auth_source)
        .bind(user.invited_by.map(|_| now))
        .bind(user.invited_by)
        .bind(now),
    )
    .await?;
    Ok(id)
}

pub async fn get(ex: &mut Exec<'_>, id: &str) -> Result<Option<UserRow>> {
    ex.optional(
        q(
            "SELECT id, email, name, role, auth_source, invited_at, invited_by, deactivated_at, created_at, updated_at
           FROM users WHERE id = $1",
        )
        .bind(id),
    )
    .await
}
