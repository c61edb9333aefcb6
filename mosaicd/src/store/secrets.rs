//! Every column that holds an encrypted secret, for key rotation. A new secret column is added
//! here, in one line, or rotation will leave it under the old key and the check below will fail.

use super::{Exec, Result, q};

/// One encrypted column: how to list its values and how to replace one value atomically.
pub struct SecretColumn {
    pub table: &'static str,
    pub field: &'static str,
    select: &'static str,
    swap: &'static str,
}

macro_rules! secret_column {
    ($table:literal, $id:literal, $field:literal, $filter:literal) => {
        SecretColumn {
            table: $table,
            field: $field,
            select: concat!(
                "SELECT ",
                $id,
                " AS id, ",
                $field,
                " AS value FROM ",
                $table,
                " WHERE ",
                $field,
                " IS NOT NULL",
                $filter,
                " ORDER BY ",
                $id
            ),
            // Compare-and-swap: a value changed by a concurrent write is left for that write.
            swap: concat!(
                "UPDATE ",
                $table,
                " SET ",
                $field,
                " = $1 WHERE ",
                $id,
                " = $2 AND ",
                $field,
                " = $3"
            ),
        }
    };
}

pub const SECRET_COLUMNS: &[SecretColumn] = &[
    secret_column!("system_config", "key", "value", " AND encrypted = TRUE"),
    secret_column!("llm_provider", "id", "api_key", ""),
    secret_column!("user_container", "id", "gateway_token", ""),
    secret_column!("system_container", "id", "gateway_token", ""),
];

#[derive(Debug, sqlx::FromRow)]
pub struct StoredSecret {
    pub id: String,
    pub value: String,
}

pub async fn list(ex: &mut Exec<'_>, column: &SecretColumn) -> Result<Vec<StoredSecret>> {
    ex.all(q(column.select)).await
}

/// Replaces `old` by `new` if the row still holds `old`; returns whether it did.
pub async fn swap(ex: &mut Exec<'_>, column: &SecretColumn, id: &str, old: &str, new: &str) -> Result<bool> {
    Ok(ex.execute(q(column.swap).bind(new).bind(id).bind(old)).await? == 1)
}
