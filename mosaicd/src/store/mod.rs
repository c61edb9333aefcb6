//! The database. SQLite is the embedded default; `DATABASE_URL=postgres://…` selects PostgreSQL.
//!
//! Every query is written once, with PostgreSQL-style `$1…$N` placeholders that sqlx's SQLite
//! driver accepts too, over portable column types (TEXT ids, integer epoch-millisecond times,
//! JSON as TEXT). [`Exec`] sends the same text to whichever backend is configured; only the
//! migrations differ. Row types derive `sqlx::FromRow`, which works for both row types.

pub mod agent_config;
pub mod api_tokens;
pub mod audit;
pub mod breakglass;
pub mod containers;
pub mod counts;
pub mod invites;
pub mod leases;
pub mod oidc_login;
pub mod paging;
pub mod providers;
pub mod secrets;
pub mod sessions;
pub mod sqlite_copy;
pub mod system_config;
pub mod usage;
pub mod users;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgArguments, PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{Arguments, FromRow};

use crate::error::{Error, Result};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A handle on the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    location: String,
    /// The SQLite database file (`None` on PostgreSQL).
    sqlite_path: Option<std::path::PathBuf>,
}

/// A value bound to a placeholder. Typed, so a NULL reaches PostgreSQL with its column's type.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(Option<String>),
    Int(Option<i64>),
    Bool(Option<bool>),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_string()))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(Some(v.clone()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::Text(v.map(str::to_string))
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(Some(v))
    }
}

/// One SQL statement and its arguments.
#[derive(Debug, Clone)]
pub struct Q {
    sql: std::borrow::Cow<'static, str>,
    args: Vec<Arg>,
}

/// Starts a statement. The text must be a literal: values always go through `bind`.
pub fn q(sql: &'static str) -> Q {
    Q {
        sql: sql.into(),
        args: Vec::new(),
    }
}

/// Starts a statement that works on many rows at once: `head`, then `rows` tuples of `width`
/// placeholders numbered from `$first` (`($1, $2), ($3, $4)`), then `tail`. Only the number of
/// placeholders varies; values still go through `bind`, row by row in tuple order. `head` and
/// `tail` are the code's own text (at most a table or column name chosen by it), never input.
pub fn q_rows(head: &str, first: usize, rows: usize, width: usize, tail: &str) -> Q {
    let mut sql = String::from(head);
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for col in 0..width {
            if col > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", first + row * width + col));
        }
        sql.push(')');
    }
    sql.push_str(tail);
    Q {
        sql: sql.into(),
        args: Vec::new(),
    }
}

/// How many rows one [`q_rows`] statement carries at most: far below both backends' limits on
/// placeholders (SQLite 32766, PostgreSQL 65535) for any width used here.
pub const ROWS_PER_STATEMENT: usize = 500;

impl Q {
    pub fn bind(mut self, value: impl Into<Arg>) -> Q {
        self.args.push(value.into());
        self
    }
}

fn sqlite_args(args: Vec<Arg>) -> Result<SqliteArguments> {
    let mut out = SqliteArguments::default();
    for arg in args {
        match arg {
            Arg::Text(v) => out.add(v),
            Arg::Int(v) => out.add(v),
            Arg::Bool(v) => out.add(v),
        }
        .map_err(|e| Error::internal(format!("cannot encode argument: {e}")))?;
    }
    Ok(out)
}

fn pg_args(args: Vec<Arg>) -> Result<PgArguments> {
    let mut out = PgArguments::default();
    for arg in args {
        match arg {
            Arg::Text(v) => out.add(v),
            Arg::Int(v) => out.add(v),
            Arg::Bool(v) => out.add(v),
        }
        .map_err(|e| Error::internal(format!("cannot encode argument: {e}")))?;
    }
    Ok(out)
}

/// A row type readable from either backend.
pub trait Record: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Record for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

/// Where a statement runs: the pool, or the connection of an open transaction.
pub enum Exec<'c> {
    SqlitePool(&'c SqlitePool),
    PgPool(&'c PgPool),
    SqliteConn(&'c mut SqliteConnection),
    PgConn(&'c mut PgConnection),
}

/// Runs `$finish` (fetch_all, execute, …) of a query built by `$make` on whichever backend `$exec` is.
macro_rules! on_backend {
    ($exec:expr, $q:expr, $make:path, $finish:ident) => {{
        let Q { sql, args } = $q;
        // Literal text, or placeholders only (`q_rows`): never values.
        let sql = sqlx::AssertSqlSafe(sql);
        match $exec {
            Exec::SqlitePool(p) => $make(sql, sqlite_args(args)?).$finish(*p).await,
            Exec::PgPool(p) => $make(sql, pg_args(args)?).$finish(*p).await,
            Exec::SqliteConn(c) => $make(sql, sqlite_args(args)?).$finish(&mut **c).await,
            Exec::PgConn(c) => $make(sql, pg_args(args)?).$finish(&mut **c).await,
        }
    }};
}

impl Exec<'_> {
    pub async fn all<T: Record>(&mut self, q: Q) -> Result<Vec<T>> {
        Ok(on_backend!(self, q, sqlx::query_as_with, fetch_all)?)
    }

    pub async fn optional<T: Record>(&mut self, q: Q) -> Result<Option<T>> {
        Ok(on_backend!(self, q, sqlx::query_as_with, fetch_optional)?)
    }

    pub async fn one<T: Record>(&mut self, q: Q) -> Result<T> {
        Ok(on_backend!(self, q, sqlx::query_as_with, fetch_one)?)
    }

    /// Runs a statement and returns how many rows it changed.
    pub async fn execute(&mut self, q: Q) -> Result<u64> {
        let Q { sql, args } = q;
        let sql = sqlx::AssertSqlSafe(sql);
        Ok(match self {
            Exec::SqlitePool(p) => sqlx::query_with(sql, sqlite_args(args)?)
                .execute(*p)
                .await?
                .rows_affected(),
            Exec::PgPool(p) => sqlx::query_with(sql, pg_args(args)?).execute(*p).await?.rows_affected(),
            Exec::SqliteConn(c) => sqlx::query_with(sql, sqlite_args(args)?)
                .execute(&mut **c)
                .await?
                .rows_affected(),
            Exec::PgConn(c) => sqlx::query_with(sql, pg_args(args)?)
                .execute(&mut **c)
                .await?
                .rows_affected(),
        })
    }
}

/// An open transaction. Dropped without `commit`, it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    pub fn ex(&mut self) -> Exec<'_> {
        match self {
            Tx::Sqlite(t) => Exec::SqliteConn(&mut *t),
            Tx::Postgres(t) => Exec::PgConn(&mut *t),
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

impl Db {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub async fn open(database_url: Option<&str>, data_dir: &Path) -> Result<Db> {
        let db = match database_url {
            None => Self::open_sqlite(&data_dir.join("mosaic.db")).await?,
            Some(url) if url.starts_with("sqlite:") => {
                let options =
                    SqliteConnectOptions::from_str(url).map_err(|e| Error::config(format!("DATABASE_URL: {e}")))?;
                let path = options.get_filename().to_path_buf();
                Self::open_sqlite(&path).await?
            }
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Self::open_postgres(url).await?
            }
            Some(_) => {
                return Err(Error::config(
                    "DATABASE_URL must start with postgres://, postgresql:// or sqlite:",
                ));
            }
        };
        db.migrate().await?;
        Ok(db)
    }

    async fn open_sqlite(path: &Path) -> Result<Db> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| Error::config(format!("cannot open SQLite database {}: {e}", path.display())))?;
        Ok(Db {
            pool: Pool::Sqlite(pool),
            location: path.display().to_string(),
            sqlite_path: Some(path.to_path_buf()),
        })
    }

    async fn open_postgres(url: &str) -> Result<Db> {
        let location = redact_url(url);
        let options = PgConnectOptions::from_str(url)
            .map_err(|_| Error::config(format!("DATABASE_URL is not a valid URL: {location}")))?;
        // The daemon is often started together with its database (compose): wait for it a while.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let pool = loop {
            let attempt = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options.clone())
                .await;
            match attempt {
                Ok(pool) => break pool,
                Err(e @ (sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut)) if std::time::Instant::now() < deadline => {
                    tracing::warn!(database = %location, error = %e, "database not reachable yet; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => return Err(Error::config(format!("cannot connect to database {location}: {e}"))),
            }
        };
        Ok(Db {
            pool: Pool::Postgres(pool),
            location,
            sqlite_path: None,
        })
    }

    async fn migrate(&self) -> Result<()> {
        let result = match &self.pool {
            Pool::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await,
            Pool::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await,
        };
        result.map_err(|e| Error::config(format!("database migration failed on {}: {e}", self.location)))
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// The SQLite database file, or `None` on PostgreSQL.
    pub fn sqlite_path(&self) -> Option<&Path> {
        self.sqlite_path.as_deref()
    }

    /// Where the data lives, with any password removed: fit for logs and `status`.
    pub fn location(&self) -> &str {
        &self.location
    }

    pub fn ex(&self) -> Exec<'_> {
        match &self.pool {
            Pool::Sqlite(p) => Exec::SqlitePool(p),
            Pool::Postgres(p) => Exec::PgPool(p),
        }
    }

    pub async fn begin(&self) -> Result<Tx> {
        Ok(match &self.pool {
            // IMMEDIATE takes the write lock up front, so two writers queue on the busy timeout
            // instead of one failing when it upgrades from a read.
            Pool::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub async fn all<T: Record>(&self, q: Q) -> Result<Vec<T>> {
        self.ex().all(q).await
    }

    pub async fn optional<T: Record>(&self, q: Q) -> Result<Option<T>> {
        self.ex().optional(q).await
    }

    pub async fn one<T: Record>(&self, q: Q) -> Result<T> {
        self.ex().one(q).await
    }

    pub async fn execute(&self, q: Q) -> Result<u64> {
        self.ex().execute(q).await
    }

    /// Answers whether the database responds, for `/readyz`.
    pub async fn ping(&self) -> Result<()> {
        self.one::<(i64,)>(q("SELECT CAST(1 AS BIGINT)")).await.map(|_| ())
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

/// The SQLite database file `database_url` (or the default, in `data_dir`) names; `None` for
/// PostgreSQL.
pub fn sqlite_file(database_url: Option<&str>, data_dir: &Path) -> Result<Option<std::path::PathBuf>> {
    match database_url {
        None => Ok(Some(data_dir.join("mosaic.db"))),
        Some(url) if url.starts_with("sqlite:") => {
            let options =
                SqliteConnectOptions::from_str(url).map_err(|e| Error::config(format!("DATABASE_URL: {e}")))?;
            Ok(Some(options.get_filename().to_path_buf()))
        }
        Some(_) => Ok(None),
    }
}

/// The migrations this build knows for `backend`, by version, oldest first; the last is the
/// schema version it brings a database to.
pub fn known_migrations(backend: Backend) -> Vec<i64> {
    let migrator = match backend {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    };
    migrator.iter().map(|m| m.version).collect()
}

/// `postgres://user:secret@host/db` → `postgres://user@host/db`. The userinfo ends at the last
/// `@` before the query, so a password with an unencoded `/` or `@` in it is still removed.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<unparseable url>".into();
    };
    let rest = rest.split('?').next().unwrap_or("");
    match rest.rsplit_once('@') {
        Some((userinfo, host_and_path)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}@{host_and_path}")
        }
        None => format!("{scheme}://{rest}"),
    }
}

/// Milliseconds since the Unix epoch on the system clock: the time type of every table, for the
/// times rows are stamped with. What expires or goes idle reads the services' [`Clock`] instead.
///
/// [`Clock`]: crate::clock::Clock
pub fn now_ms() -> i64 {
    crate::clock::Clock::system().now_ms()
}

/// A duration in the milliseconds the tables store times in (saturating).
pub fn ms(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// RFC 3339 text for an epoch-millisecond time, as the APIs show times.
pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// A new random id. Version 7 UUIDs sort by creation time, which keeps indexes and listings tidy.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://u:hunter2@db:5432/mosaic?sslmode=disable"),
            "postgres://u@db:5432/mosaic"
        );
        assert_eq!(redact_url("postgres://db/mosaic"), "postgres://db/mosaic");
        assert_eq!(redact_url("postgres://u:p@ss@db/x"), "postgres://u@db/x");
        assert_eq!(redact_url("postgres://u:pa/ss@db/x"), "postgres://u@db/x");
        assert_eq!(
            redact_url("https://u:s3cret@id.example.com"),
            "https://u@id.example.com"
        );
    }

    #[test]
    fn formats_times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }
}
