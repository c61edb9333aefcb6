//! `users`: everyone who can log in. Breakglass admins have a row here too (auth source
//! `breakglass`), so sessions, providers and the audit log refer to one kind of id.

use mosaic_shared::types::{AuthSource, Role};

use super::{Exec, Result, new_id, now_ms, q};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: Option<String>,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    #[sqlx(try_from = "String")]
    pub auth_source: AuthSource,
    pub invited_at: Option<i64>,
    pub invited_by: Option<String>,
    pub deactivated_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub struct NewUser<'a> {
    pub email: Option<&'a str>,
    pub name: &'a str,
    pub role: Role,
    pub auth_source: AuthSource,
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
        .bind(user.role.as_str())
        .bind(user.auth_source.as_str())
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

/// A user with what the admin page needs beyond [`UserRow`]: whether a password is set (an
/// invited local user without one has not accepted yet).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdminRow {
    pub id: String,
    pub email: Option<String>,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    #[sqlx(try_from = "String")]
    pub auth_source: AuthSource,
    pub invited_at: Option<i64>,
    pub invited_by: Option<String>,
    pub deactivated_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub has_password: i64,
}

macro_rules! admin_select {
    ($tail:literal) => {
        concat!(
            "SELECT id, email, name, role, auth_source, invited_at, invited_by, deactivated_at, created_at, updated_at,
                    CAST(CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END AS BIGINT) AS has_password
             FROM users ",
            $tail
        )
    };
}

/// How many users there are; without the deactivated ones unless `include_deactivated`.
pub async fn count_listed(ex: &mut Exec<'_>, include_deactivated: bool) -> Result<i64> {
    let (n,): (i64,) = ex
        .one(q("SELECT COUNT(*) FROM users WHERE ($1 OR deactivated_at IS NULL)").bind(include_deactivated))
        .await?;
    Ok(n)
}

/// One page of users, oldest first (a stable order, so pages do not shift as users log in);
/// without the deactivated ones unless `include_deactivated`.
pub async fn page(ex: &mut Exec<'_>, include_deactivated: bool, limit: i64, offset: i64) -> Result<Vec<AdminRow>> {
    ex.all(
        q(admin_select!(
            "WHERE ($3 OR deactivated_at IS NULL) ORDER BY created_at, id LIMIT $1 OFFSET $2"
        ))
        .bind(limit)
        .bind(offset)
        .bind(include_deactivated),
    )
    .await
}

pub async fn admin_get(ex: &mut Exec<'_>, id: &str) -> Result<Option<AdminRow>> {
    ex.optional(q(admin_select!("WHERE id = $1")).bind(id)).await
}

pub async fn by_email(ex: &mut Exec<'_>, email: &str) -> Result<Option<AdminRow>> {
    ex.optional(q(admin_select!("WHERE email = $1")).bind(email.to_lowercase()))
        .await
}

/// A local account that can log in with a password: `(user, password hash)`.
pub async fn local_login(ex: &mut Exec<'_>, email: &str) -> Result<Option<(UserRow, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        password_hash: String,
    }
    let row: Option<Row> = ex
        .optional(
            q("SELECT id, email, name, role, auth_source, invited_at, invited_by, deactivated_at, created_at, updated_at,
                      password_hash
               FROM users
               WHERE email = $1 AND auth_source = 'local' AND password_hash IS NOT NULL AND deactivated_at IS NULL")
            .bind(email.to_lowercase()),
        )
        .await?;
    Ok(row.map(|r| (r.user, r.password_hash)))
}

pub async fn set_name_role(ex: &mut Exec<'_>, id: &str, name: &str, role: Role) -> Result<bool> {
    Ok(ex
        .execute(
            q("UPDATE users SET name = $2, role = $3, updated_at = $4 WHERE id = $1")
                .bind(id)
                .bind(name)
                .bind(role.as_str())
                .bind(now_ms()),
        )
        .await?
        == 1)
}

/// Sets or clears `deactivated_at`; returns whether the row changed state.
pub async fn set_deactivated(ex: &mut Exec<'_>, id: &str, deactivated: bool) -> Result<bool> {
    let now = now_ms();
    let sql = if deactivated {
        q("UPDATE users SET deactivated_at = $2, updated_at = $2 WHERE id = $1 AND deactivated_at IS NULL")
    } else {
        q("UPDATE users SET deactivated_at = NULL, updated_at = $2 WHERE id = $1 AND deactivated_at IS NOT NULL")
    };
    Ok(ex.execute(sql.bind(id).bind(now)).await? == 1)
}

pub async fn set_password(ex: &mut Exec<'_>, id: &str, password_hash: &str, name: &str) -> Result<bool> {
    Ok(ex
        .execute(
            q("UPDATE users SET password_hash = $2, name = $3, updated_at = $4 WHERE id = $1")
                .bind(id)
                .bind(password_hash)
                .bind(name)
                .bind(now_ms()),
        )
        .await?
        == 1)
}

/// The user an OpenID identity (issuer and subject) is linked to, if any.
pub async fn by_oidc_identity(ex: &mut Exec<'_>, issuer: &str, subject: &str) -> Result<Option<AdminRow>> {
    ex.optional(
        q(admin_select!("WHERE oidc_issuer = $1 AND oidc_subject = $2"))
            .bind(issuer)
            .bind(subject),
    )
    .await
}

/// The OpenID identity a user is linked to: `(issuer, subject)`.
pub async fn oidc_identity(ex: &mut Exec<'_>, id: &str) -> Result<Option<(String, String)>> {
    let row: Option<(Option<String>, Option<String>)> = ex
        .optional(q("SELECT oidc_issuer, oidc_subject FROM users WHERE id = $1").bind(id))
        .await?;
    Ok(row.and_then(|(issuer, subject)| issuer.zip(subject)))
}

/// Links an existing account to an OpenID identity and sets its auth source.
pub async fn link_oidc(
    ex: &mut Exec<'_>,
    id: &str,
    issuer: &str,
    subject: &str,
    auth_source: AuthSource,
) -> Result<bool> {
    Ok(ex
        .execute(
            q("UPDATE users SET oidc_issuer = $2, oidc_subject = $3, auth_source = $4, updated_at = $5 WHERE id = $1")
                .bind(id)
                .bind(issuer)
                .bind(subject)
                .bind(auth_source.as_str())
                .bind(now_ms()),
        )
        .await?
        == 1)
}

/// Creates an account for an OpenID identity seen for the first time.
pub async fn insert_oidc(
    ex: &mut Exec<'_>,
    email: &str,
    name: &str,
    role: Role,
    issuer: &str,
    subject: &str,
) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    ex.execute(
        q(
            "INSERT INTO users (id, email, name, role, auth_source, oidc_issuer, oidc_subject, created_at, updated_at)
           VALUES ($1, $2, $3, $4, 'oidc', $5, $6, $7, $7)",
        )
        .bind(&id)
        .bind(email.to_lowercase())
        .bind(name)
        .bind(role.as_str())
        .bind(issuer)
        .bind(subject)
        .bind(now),
    )
    .await?;
    Ok(id)
}
